package sde

import (
	"math"
	"slices"
	"time"
)

// result checks the statuses and computes the statistics of the run, in
// trajectory order.
func (r *fpRun) result(elapsed time.Duration) (*FirstPassageResult, error) {
	d := r.p.Model.Dim
	for i, s := range r.status {
		if s == statusNotPSD {
			return nil, notPSDError(r.p.Model, i, r.final[i*d:(i+1)*d])
		}
	}
	res := &FirstPassageResult{
		Dim: d, N: r.n, Dt: r.p.Dt, Steps: r.steps, MaxTime: float64(r.steps) * r.p.Dt,
		Correction: r.correction, Times: r.times, Final: r.final,
		TrajectorySteps: r.taken.Load(), Workers: r.workers, Elapsed: elapsed,
	}
	for i, s := range r.status {
		switch s {
		case statusArrived:
			res.Arrived++
		case statusOK:
			res.Censored++
		default:
			res.Diverged++
			res.DivergedIndex = append(res.DivergedIndex, i)
		}
	}
	if res.Diverged == r.n {
		return nil, &DivergedError{Runs: "trajectories", N: r.n, Bound: r.bound}
	}
	if s := elapsed.Seconds(); s > 0 {
		res.StepsPerSecond = float64(res.TrajectorySteps) / s
	}
	fpMoments(res)
	fpSurvival(res, r.points)
	fpTail(res, r.tailFrom)
	return res, nil
}

// fpMoments sets the mean of the arrived times and the restricted mean,
// with their standard errors, by Welford's updates in trajectory order.
func fpMoments(res *FirstPassageResult) {
	var mA, sA, mR, sR, kA, kR float64
	for _, t := range res.Times {
		if math.IsNaN(t) {
			continue
		}
		u := math.Min(t, res.MaxTime)
		kR++
		dv := u - mR
		mR += dv / kR
		sR += dv * (u - mR)
		if !math.IsInf(t, 1) {
			kA++
			dv := t - mA
			mA += dv / kA
			sA += dv * (t - mA)
		}
	}
	res.Mean, res.MeanStderr = math.NaN(), math.NaN()
	if kA > 0 {
		res.Mean = mA
	}
	if kA > 1 {
		res.MeanStderr = math.Sqrt(sA / (kA - 1) / kA)
	}
	res.RestrictedMean, res.RestrictedMeanStderr = mR, math.NaN()
	if kR > 1 {
		res.RestrictedMeanStderr = math.Sqrt(sR / (kR - 1) / kR)
	}
}

// fpSurvival sets the survival curve on its grid and the median.
func fpSurvival(res *FirstPassageResult, points int) {
	n := res.N - res.Diverged
	sorted := make([]float64, 0, res.Arrived)
	for _, t := range res.Times {
		if !math.IsNaN(t) && !math.IsInf(t, 1) {
			sorted = append(sorted, t)
		}
	}
	slices.Sort(sorted)
	res.SurvivalTimes = make([]float64, points+1)
	res.Survival = make([]float64, points+1)
	res.SurvivalStderr = make([]float64, points+1)
	j := 0 // arrivals at or before the current grid time
	for g := range res.SurvivalTimes {
		t := res.MaxTime * float64(g) / float64(points)
		if g == points {
			t = res.MaxTime
		}
		for j < len(sorted) && sorted[j] <= t {
			j++
		}
		s := float64(n-j) / float64(n)
		res.SurvivalTimes[g] = t
		res.Survival[g] = s
		res.SurvivalStderr[g] = math.Sqrt(s * (1 - s) / float64(n))
	}
	res.Median = math.Inf(1)
	if m := (n + 1) / 2; m <= len(sorted) {
		res.Median = sorted[m-1]
	}
}

// fpTail fits the exponential tail on [from, MaxTime] and sets the
// tail-corrected mean. With m_i = min(tau_i, MaxTime), c_i the censoring
// indicator, e_i = (m_i - from)^+ the time spent in the window and k_i the
// indicator of an arrival in it, the estimate is the smooth function
//
//	M = mean(m) + mean(c) mean(e) / mean(k)
//
// of four sample means (the rate is mean(k)/mean(e)), and its standard
// error is that of the mean of the influence values
//
//	psi_i = (m_i - mean m) + (mean e/mean k)(c_i - mean c)
//	      + (mean c/mean k)(e_i - mean e) - (mean c mean e/mean k^2)(k_i - mean k)
//
// (the delta method, or infinitesimal jackknife).
func fpTail(res *FirstPassageResult, from float64) {
	res.TailFrom = from
	tmax := res.MaxTime
	var n, sm, sc, se, sk float64
	for _, t := range res.Times {
		if math.IsNaN(t) {
			continue
		}
		m, c, e, k := fpTailTerms(t, from, tmax)
		n++
		sm += m
		sc += c
		se += e
		sk += k
	}
	mm, mc, me, mk := sm/n, sc/n, se/n, sk/n
	res.TailRate = math.NaN()
	if me > 0 {
		res.TailRate = mk / me
	}
	switch {
	case res.Censored == 0:
		res.TailMean, res.TailMeanStderr = res.RestrictedMean, res.RestrictedMeanStderr
		return
	case mk == 0:
		res.TailMean, res.TailMeanStderr = math.Inf(1), math.Inf(1)
		return
	}
	res.TailMean = mm + mc*me/mk
	var s2 float64
	for _, t := range res.Times {
		if math.IsNaN(t) {
			continue
		}
		m, c, e, k := fpTailTerms(t, from, tmax)
		psi := (m - mm) + me/mk*(c-mc) + mc/mk*(e-me) - mc*me/(mk*mk)*(k-mk)
		s2 += psi * psi
	}
	res.TailMeanStderr = math.NaN()
	if n > 1 {
		res.TailMeanStderr = math.Sqrt(s2 / (n - 1) / n)
	}
}

// fpTailTerms returns m = min(t, tmax), the censoring indicator, the time
// spent in the window [from, tmax] and the indicator of an arrival in it.
func fpTailTerms(t, from, tmax float64) (m, c, e, k float64) {
	m = math.Min(t, tmax)
	if math.IsInf(t, 1) {
		c = 1
	}
	e = math.Max(0, m-from)
	if t > from && t <= tmax {
		k = 1
	}
	return m, c, e, k
}
