package sde

import (
	"fmt"
	"math"
)

// SGDTemperature returns the temperature of the SDE that mini-batch SGD with
// learning rate lr and batch size batch approximates (Chaudhari & Soatto
// 2018, eq. 3): T = lr/2 times the covariance of the batch-mean gradient in
// units of D,
//
//	T = lr / (2 batch)                                              with replacement,
//	T = lr (samples - batch) / (2 batch (samples - 1))              without replacement,
//
// since the mean of batch gradients drawn uniformly with replacement from
// samples examples has covariance D/batch, and the mean of batch distinct ones
// (a simple random sample without replacement) has covariance
// D (samples - batch)/(batch (samples - 1)) (the finite-population
// correction; Cochran, Sampling Techniques, 3rd ed., Wiley 1977, theorem
// 2.2). The second form describes independent batches without replacement
// (a fresh random subset every step), not shuffled epochs, whose batches
// within an epoch are anti-correlated (validation case 17).
//
// samples is used only without replacement and must then exceed batch.
func SGDTemperature(lr float64, batch, samples int, withoutReplacement bool) (float64, error) {
	if !(lr > 0) || math.IsInf(lr, 0) {
		return 0, fmt.Errorf("learning rate must be positive and finite, got %g", lr)
	}
	if batch < 1 {
		return 0, fmt.Errorf("batch size must be at least 1, got %d", batch)
	}
	T := lr / (2 * float64(batch))
	if withoutReplacement {
		if samples <= batch {
			return 0, fmt.Errorf("sampling without replacement needs more samples than the batch size (samples %d, batch %d)", samples, batch)
		}
		T *= float64(samples-batch) / float64(samples-1)
	}
	return T, nil
}
