package observables

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/dsp/fourier"
)

// ACF is the autocorrelation function of the coordinates of a Traj.
type ACF struct {
	// MaxLag is the largest lag, in recorded steps; the slices below have
	// MaxLag+1 entries, for lags 0, 1, ..., MaxLag.
	MaxLag int
	// Mean and Spread are the mean and the standard deviation over the
	// coordinates of the chain-averaged autocorrelation rho_i(k).
	Mean, Spread []float64
	// Coord holds rho_i(k) for coordinate i at Coord[i*(MaxLag+1)+k] (Dim
	// rows); rows of constant coordinates are zero.
	Coord []float64
	// Band is the half-width 2.576/sqrt(L) of the 99% confidence band of
	// the sample autocorrelation of white noise (Box & Jenkins): a lag whose
	// autocorrelation lies inside ±Band is consistent with no correlation.
	Band float64
	// Constant counts the coordinates that do not move in any chain; they
	// are left out of Mean and Spread.
	Constant int
	// DecorrelationLag is the first lag k >= 1 at which Mean[k] < Band, or
	// -1 if Mean stays above the band up to MaxLag.
	DecorrelationLag int
	// IntegratedTime is the integrated autocorrelation time
	// 1 + 2 sum_{k=1}^{k*-1} Mean[k] in recorded steps, summed up to the
	// decorrelation lag k* (up to MaxLag if there is none; then it is a
	// lower bound).
	IntegratedTime float64
	// OutsideBand is the fraction of coordinates whose rho_i(1) lies
	// outside ±Band.
	OutsideBand float64
}

// Autocorrelation returns the autocorrelation of each coordinate of tr up to
// lag maxLag (0 < maxLag < L), averaged over the chains. For coordinate i of
// chain c with time mean m, it is the standard (biased) estimator of Box &
// Jenkins,
//
//	r_ci(k) = sum_{t=0}^{L-1-k} (x_{t+k} - m)(x_t - m) / sum_{t=0}^{L-1} (x_t - m)^2,
//
// which is positive semi-definite and has the smaller mean square error;
// rho_i(k) is the mean of r_ci(k) over the chains in which coordinate i
// moves. For an AR(1) process x_{t+1} = phi x_t + noise, E r(k) = phi^k up to
// O(1/L) (for an Ornstein–Uhlenbeck process sampled at interval h, phi =
// exp(-theta h)); for white noise, r(k) for k >= 1 is approximately normal
// with variance 1/L, hence the 99% band ±2.576/sqrt(L).
//
// The sums are computed for all lags at once by the Wiener–Khinchin theorem:
// the series is zero-padded to a length n >= L + maxLag (so that no lag wraps
// around), transformed with gonum's real FFT, squared and transformed back,
// at a cost O(K d n log n) instead of O(K d L maxLag). Coordinates are shared
// among workers goroutines (<= 0: GOMAXPROCS), each with its own FFT and
// buffers.
//
// References:
//   - G. E. P. Box, G. M. Jenkins, G. C. Reinsel and G. M. Ljung, Time Series
//     Analysis: Forecasting and Control, 5th ed., Wiley (2015), sections 2.1.5
//     and 2.1.6 (the estimator and its standard error).
//   - A. D. Sokal, Monte Carlo methods in statistical mechanics: foundations
//     and new algorithms, in Functional Integration, Springer (1997) (the
//     integrated autocorrelation time).
func Autocorrelation(tr *Traj, maxLag, workers int) (*ACF, error) {
	L, d, K := tr.Len, tr.Dim, tr.Chains
	if maxLag < 1 || maxLag >= L {
		return nil, fmt.Errorf("maximum lag %d: want 1 <= max lag < %d (the recorded length)", maxLag, L)
	}
	n := 1
	for n < L+maxLag {
		n <<= 1
	}
	nl := maxLag + 1
	res := &ACF{
		MaxLag: maxLag, Mean: make([]float64, nl), Spread: make([]float64, nl),
		Coord: make([]float64, d*nl), Band: 2.576 / math.Sqrt(float64(L)),
		DecorrelationLag: -1,
	}
	workers = numWorkers(workers, d)
	type scratch struct {
		fft   *fourier.FFT
		seq   []float64
		coeff []complex128
	}
	ws := make([]scratch, workers)
	for w := range ws {
		ws[w] = scratch{fft: fourier.NewFFT(n), seq: make([]float64, n), coeff: make([]complex128, n/2+1)}
	}
	moving := make([]bool, d)
	parallel(d, workers, func(w, i int) {
		s := &ws[w]
		row := res.Coord[i*nl : (i+1)*nl]
		used := 0
		for c := 0; c < K; c++ {
			base := c*L*d + i
			m := 0.0
			for t := 0; t < L; t++ {
				m += tr.Data[base+t*d]
			}
			m /= float64(L)
			for t := 0; t < L; t++ {
				s.seq[t] = tr.Data[base+t*d] - m
			}
			clear(s.seq[L:])
			s.fft.Coefficients(s.coeff, s.seq)
			for j, z := range s.coeff {
				s.coeff[j] = complex(real(z)*real(z)+imag(z)*imag(z), 0)
			}
			s.fft.Sequence(s.seq, s.coeff)
			g0 := s.seq[0]
			if !(g0 > 0) {
				continue
			}
			used++
			for k := range row {
				row[k] += s.seq[k] / g0
			}
		}
		if used > 0 {
			moving[i] = true
			inv := 1 / float64(used)
			for k := range row {
				row[k] *= inv
			}
		}
	})
	nm := 0
	outside := 0
	for i := 0; i < d; i++ {
		if !moving[i] {
			res.Constant++
			continue
		}
		nm++
		row := res.Coord[i*nl : (i+1)*nl]
		for k, v := range row {
			res.Mean[k] += v
		}
		if math.Abs(row[1]) > res.Band {
			outside++
		}
	}
	if nm == 0 {
		return nil, fmt.Errorf("no coordinate moves in any chain: the autocorrelation is undefined")
	}
	for k := range res.Mean {
		res.Mean[k] /= float64(nm)
	}
	for i := 0; i < d; i++ {
		if !moving[i] {
			continue
		}
		row := res.Coord[i*nl : (i+1)*nl]
		for k, v := range row {
			res.Spread[k] += (v - res.Mean[k]) * (v - res.Mean[k])
		}
	}
	for k := range res.Spread {
		res.Spread[k] = math.Sqrt(res.Spread[k] / float64(nm))
	}
	res.OutsideBand = float64(outside) / float64(nm)
	res.IntegratedTime = 1
	for k := 1; k <= maxLag; k++ {
		if res.Mean[k] < res.Band {
			res.DecorrelationLag = k
			break
		}
		res.IntegratedTime += 2 * res.Mean[k]
	}
	return res, nil
}
