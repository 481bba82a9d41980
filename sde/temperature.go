package sde

import (
	"fmt"
	"math"
)

// SGDTemperature returns the temperature of the SDE that mini-batch SGD with
// learning rate lr and batch size batch approximates (Chaudhari & Soatto
// 2018, eq. 3):
//
//	T = lr / (2 batch)                        sampling with replacement,
//	T = lr (1 - batch/samples) / (2 batch)    without replacement from samples examples.
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
		T *= 1 - float64(batch)/float64(samples)
	}
	return T, nil
}
