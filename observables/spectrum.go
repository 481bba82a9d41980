package observables

import (
	"fmt"
	"math"
	"sort"

	"gonum.org/v1/gonum/dsp/fourier"
)

// DefaultSegment is the longest Welch segment IncrementSpectrum uses when
// given 0; see DefaultSegmentFor.
const DefaultSegment = 256

// DefaultSegmentFor returns the default Welch segment length for m
// increments per chain: min(DefaultSegment, m/4) (at least 4, at most m),
// so that at least 7 half-overlapping segments are averaged per chain.
func DefaultSegmentFor(m int) int {
	return min(m, max(4, min(DefaultSegment, m/4)))
}

// Spectrum is the power spectrum of the increments of a Traj.
type Spectrum struct {
	// Segment is the Welch segment length S; Segments the number of
	// segments averaged per coordinate (over all chains).
	Segment, Segments int
	// Freq holds the frequencies j/S, j = 0, ..., S/2, in cycles per
	// recorded step.
	Freq []float64
	// Mean and Spread are the mean and the standard deviation over the
	// coordinates of the normalised spectra s_i(f) (each of mean 1 over the
	// frequencies f > 0), so that white increments give Mean = 1.
	Mean, Spread []float64
	// Flatness is the ratio of the mean of Mean over the lowest tenth of the
	// frequencies f > 0 to its mean over the highest tenth: 1 for Brownian
	// motion (white increments), below 1 for a process confined in a well
	// (its increments have no power at f -> 0), above 1 for drifting or
	// persistent motion.
	Flatness float64
	// Peaks lists the peaks of Mean (see IncrementSpectrum), highest ratio
	// first.
	Peaks []Peak
	// Constant counts the coordinates whose increments are all equal; they
	// are left out of Mean and Spread.
	Constant int
}

// Peak is a local maximum of a spectrum.
type Peak struct {
	// Freq is the frequency in cycles per recorded step; Period = 1/Freq
	// its period in recorded steps.
	Freq   float64 `json:"frequency"`
	Period float64 `json:"period"`
	// Height is the spectrum at Freq; Ratio is Height over the local
	// baseline (the median of the spectrum around it).
	Height float64 `json:"height"`
	Ratio  float64 `json:"ratio"`
}

// peakRatio is the least ratio of a peak's height to its local baseline.
const peakRatio = 1.5

// maxPeaks is the largest number of peaks reported.
const maxPeaks = 5

// IncrementSpectrum returns the power spectrum of the increments
// dx_t = x_{t+1} - x_t of every coordinate by Welch's method, averaged over
// the chains, and its mean and spread over the coordinates.
//
// Brownian motion (and a random walk) has independent increments: their
// spectrum is flat. The increments of a stationary process with spectrum
// S_x(f) have spectrum |1 - exp(-2 pi i f)|^2 S_x(f) = 4 sin^2(pi f) S_x(f),
// which vanishes at f = 0 (an Ornstein–Uhlenbeck process in a well), and a
// loop of period P steps puts a peak at f = 1/P.
//
// The increments of chain c, coordinate i, less their mean over the chain
// (the mean drift), are cut into segments of length S = segment (0:
// DefaultSegmentFor(L-1), min(256, (L-1)/4)) overlapping by S/2; each is multiplied by the
// periodic Hann window w_t = (1 - cos(2 pi t/S))/2 and transformed with
// gonum's real FFT, and the periodograms |X_j|^2 are averaged over the
// segments and chains into P_i(f_j), f_j = j/S. Each P_i is then divided by
// its mean over j >= 1 (so the usual factors, 1/sum_t w_t^2 and the count,
// cancel), which makes coordinates of different
// scales comparable and white noise equal to 1; Mean and Spread are taken
// over the coordinates. The relative standard error of Mean at a frequency
// is about 1/sqrt(Segments * d).
//
// A peak is a bin j (0 < j < S/2) that is the largest within j ± 2 and at
// least 1.5 times the median of Mean over j ± max(4, S/16) without j ± 2; at
// most 5 are reported.
//
// Coordinates are shared among workers goroutines (<= 0: GOMAXPROCS).
//
// References:
//   - P. D. Welch, The use of fast Fourier transform for the estimation of
//     power spectra, IEEE Trans. Audio Electroacoust. 15 (1967), 70-73.
//   - P. Chaudhari and S. Soatto, ICLR 2018, arXiv:1710.11029 (the
//     non-Brownian increments of SGD on deep networks).
func IncrementSpectrum(tr *Traj, segment, workers int) (*Spectrum, error) {
	L, d, K := tr.Len, tr.Dim, tr.Chains
	m := L - 1 // increments per chain
	if m < 4 {
		return nil, fmt.Errorf("%d recorded states per chain: the increment spectrum needs at least 5", L)
	}
	if segment == 0 {
		segment = DefaultSegmentFor(m)
	}
	if segment < 4 || segment > m {
		return nil, fmt.Errorf("segment length %d: want 4 <= segment <= %d (the number of increments)", segment, m)
	}
	S := segment
	step := S / 2
	perChain := 1 + (m-S)/step
	nf := S/2 + 1
	res := &Spectrum{Segment: S, Segments: perChain * K, Freq: make([]float64, nf),
		Mean: make([]float64, nf), Spread: make([]float64, nf)}
	for j := range res.Freq {
		res.Freq[j] = float64(j) / float64(S)
	}
	win := make([]float64, S)
	for t := range win {
		win[t] = 0.5 * (1 - math.Cos(2*math.Pi*float64(t)/float64(S)))
	}
	workers = numWorkers(workers, d)
	type scratch struct {
		fft   *fourier.FFT
		inc   []float64
		seq   []float64
		coeff []complex128
	}
	ws := make([]scratch, workers)
	for w := range ws {
		ws[w] = scratch{fft: fourier.NewFFT(S), inc: make([]float64, m), seq: make([]float64, S), coeff: make([]complex128, nf)}
	}
	P := make([]float64, d*nf)
	moving := make([]bool, d)
	parallel(d, workers, func(w, i int) {
		s := &ws[w]
		row := P[i*nf : (i+1)*nf]
		for c := 0; c < K; c++ {
			base := c*L*d + i
			mean := 0.0
			for t := 0; t < m; t++ {
				v := tr.Data[base+(t+1)*d] - tr.Data[base+t*d]
				s.inc[t] = v
				mean += v
			}
			mean /= float64(m)
			for t := range s.inc {
				s.inc[t] -= mean
			}
			for k := 0; k < perChain; k++ {
				seg := s.inc[k*step : k*step+S]
				for t, v := range seg {
					s.seq[t] = v * win[t]
				}
				s.fft.Coefficients(s.coeff, s.seq)
				for j, z := range s.coeff {
					row[j] += real(z)*real(z) + imag(z)*imag(z)
				}
			}
		}
		tot := 0.0
		for _, v := range row[1:] {
			tot += v
		}
		if !(tot > 0) {
			clear(row)
			return
		}
		moving[i] = true
		scale := float64(nf-1) / tot // mean over j >= 1 becomes 1
		for j := range row {
			row[j] *= scale
		}
	})
	nm := 0
	for i := 0; i < d; i++ {
		if !moving[i] {
			res.Constant++
			continue
		}
		nm++
		for j, v := range P[i*nf : (i+1)*nf] {
			res.Mean[j] += v
		}
	}
	if nm == 0 {
		return nil, fmt.Errorf("no coordinate moves: the increment spectrum is undefined")
	}
	for j := range res.Mean {
		res.Mean[j] /= float64(nm)
	}
	for i := 0; i < d; i++ {
		if !moving[i] {
			continue
		}
		for j, v := range P[i*nf : (i+1)*nf] {
			res.Spread[j] += (v - res.Mean[j]) * (v - res.Mean[j])
		}
	}
	for j := range res.Spread {
		res.Spread[j] = math.Sqrt(res.Spread[j] / float64(nm))
	}
	res.Flatness = Flatness(res.Mean)
	res.Peaks = Peaks(res.Freq, res.Mean)
	return res, nil
}

// Flatness returns the ratio of the mean of the spectrum s (bins j = 0, ...,
// n-1 at frequencies j/(2(n-1))) over its lowest tenth of bins j >= 1 to the
// mean over its highest tenth (at least one bin each): 1 for a flat
// spectrum.
func Flatness(s []float64) float64 {
	n := len(s) - 1 // bins 1..n
	if n < 1 {
		return math.NaN()
	}
	b := max(1, n/10)
	lo, hi := 0.0, 0.0
	for j := 1; j <= b; j++ {
		lo += s[j]
		hi += s[n+1-j]
	}
	if hi == 0 {
		return math.Inf(1)
	}
	return lo / hi
}

// Peaks returns the peaks of the spectrum s at frequencies freq, by the rule
// of IncrementSpectrum, highest ratio first.
func Peaks(freq, s []float64) []Peak {
	n := len(s)
	half := max(4, (n-1)/8) // (n-1)/8 = S/16
	var peaks []Peak
	var buf []float64
	for j := 1; j < n-1; j++ {
		top := true
		for k := max(0, j-2); k <= min(n-1, j+2); k++ {
			if k != j && s[k] >= s[j] {
				top = false
				break
			}
		}
		if !top {
			continue
		}
		buf = buf[:0]
		for k := max(1, j-half); k <= min(n-1, j+half); k++ {
			if k < j-2 || k > j+2 {
				buf = append(buf, s[k])
			}
		}
		if len(buf) == 0 {
			continue
		}
		sort.Float64s(buf)
		med := buf[len(buf)/2]
		if len(buf)%2 == 0 {
			med = (buf[len(buf)/2-1] + buf[len(buf)/2]) / 2
		}
		if med > 0 && s[j] >= peakRatio*med {
			peaks = append(peaks, Peak{Freq: freq[j], Period: 1 / freq[j], Height: s[j], Ratio: s[j] / med})
		}
	}
	sort.SliceStable(peaks, func(a, b int) bool { return peaks[a].Ratio > peaks[b].Ratio })
	if len(peaks) > maxPeaks {
		peaks = peaks[:maxPeaks]
	}
	return peaks
}
