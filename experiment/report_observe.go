package experiment

// The human-readable report of an observation ('sgdsde observe' prints
// it) and its warnings.

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/sgdsde/sgdsde/observables"
	"github.com/sgdsde/sgdsde/sde"
)

// Report writes the human-readable summary of the observation, written to
// dir, to w: the run, the null, then each observable of the run beside
// the null's (rank and spread of D at each time, autocorrelation,
// increment spectrum, gradient norm, stochastic area) and the files.
func (r *ObserveResult) Report(w io.Writer, dir string) error {
	var b strings.Builder
	s := &r.Summary
	run := s.Run
	fmt.Fprintf(&b, "run               %s: %s on %s (d = %d, N = %d), lr %g, batch %d, T = %.4g; %d chains x %d recorded states (every %d)\n",
		filepath.Clean(s.Dir), run.Command, run.Model, run.Dim, run.SampleCount, run.LR, run.Batch, run.Temperature, run.Record, run.Steps/run.Every, run.Every)
	null := s.Null != nil
	col := func(name, run, nul string) {
		if null {
			fmt.Fprintf(&b, "%-18s%-30s null %s\n", name, run, nul)
		} else {
			fmt.Fprintf(&b, "%-18s%s\n", name, run)
		}
	}
	if null {
		n := s.Null
		fmt.Fprintf(&b, "null              SDE dX = -grad f dt + sqrt(2 T c) dW, constant isotropic noise with c = %.4g, the mean of tr D(x)/d over %d recorded states of the run; in detailed balance: stationary law exp(-f/(T c))/Z; same seed and settings (%.3g s)\n",
			n.NoiseScale, n.NoiseScaleStates, n.Seconds)
	}
	rank := func(d DScalars) string {
		gap := "inf (full rank)"
		if d.Rank < run.Dim {
			gap = "inf (lambda_r+1 = 0)"
		}
		if d.Gap != nil {
			gap = fmt.Sprintf("%.3g", *d.Gap)
		}
		return fmt.Sprintf("rank %d/%d (eigenvalues > %.3g; gap lambda_r/|lambda_r+1| = %s), mean %.3g, std %.3g",
			d.Rank, run.Dim, d.Threshold, gap, d.Mean, d.Std)
	}
	for i, d := range s.DSpectrum.Run {
		nul := ""
		if null {
			nul = rank((*s.DSpectrum.Null)[i])
		}
		col(fmt.Sprintf("D at t=%d", d.Time), rank(d), nul)
	}
	acf := func(c ACFScalars) string {
		if !c.Decorrelated {
			return fmt.Sprintf("rho(1) %.3g; the mean ACF stays above the 99%% band %.3g up to the largest lag computed, %d (decorrelation lag not reached; tau_int >= %.3g recorded steps)",
				c.Lag1, c.Band, s.Options.MaxLag, c.IntegratedTime)
		}
		return fmt.Sprintf("rho(1) %.3g, below the 99%% band %.3g from lag %d, tau_int %.3g recorded steps", c.Lag1, c.Band, c.DecorrelationLag, c.IntegratedTime)
	}
	spec := func(sp SpectrumScalars) string {
		t := fmt.Sprintf("flatness %.3g (1 = white, Brownian)", sp.Flatness)
		if len(sp.Peaks) > 0 {
			t += fmt.Sprintf(", peak f=%.3g per step (%.2g x local median)", sp.Peaks[0].Freq, sp.Peaks[0].Ratio)
		}
		return t
	}
	grad := func(g GradScalars) string {
		return fmt.Sprintf("%.3g -> %.3g (loss %.3g; mean tr D/d %.3g)", g.First, g.Last, g.LossLast, g.MeanTraceD)
	}
	area := func(ar *observables.Area) string {
		where := fmt.Sprintf("all %d coordinates", ar.Components)
		if ar.Projected {
			where = fmt.Sprintf("top %d principal components", ar.Components)
		}
		return fmt.Sprintf("|A|/|S| %.3g at lag %d (0 at equilibrium; %s)", ar.Lags[0].Ratio, ar.Lags[0].Lag, where)
	}
	var na, ns, ng, nar string
	if null {
		na, ns, ng, nar = acf(*s.ACF.Null), spec(*s.Spectrum.Null), grad(*s.GradNorm.Null), area(*s.Area.Null)
	}
	col("autocorrelation", acf(s.ACF.Run), na)
	col("increments", spec(s.Spectrum.Run), ns)
	col("|grad f|/sqrt(d)", grad(s.GradNorm.Run), ng)
	col("area", area(s.Area.Run), nar)
	fmt.Fprintf(&b, "output            %s (%s), %.3g s\n", dir, strings.Join(s.Files, ", "), s.Elapsed)
	_, err := io.WriteString(w, b.String())
	return err
}

// Warnings returns what the reader of the observation should be told, one
// sentence each: that the observed run is itself an isotropic null (its
// null here has its own constant c), and how many chains of the null
// diverged.
func (r *ObserveResult) Warnings() []string {
	s := &r.Summary
	if s.Null == nil {
		return nil
	}
	var out []string
	if s.Run.Noise == sde.NoiseIsotropic.String() {
		out = append(out, fmt.Sprintf("the run in %s is already an isotropic null (c = %g); its null here has c = %g, the mean of tr D/d over its recorded states",
			s.Dir, s.Run.NoiseScale, s.GradNorm.Run.MeanTraceD))
	}
	if s.Null.Diverged > 0 {
		out = append(out, fmt.Sprintf("%d of %d chains of the null diverged; their recorded states repeat the last finite one", s.Null.Diverged, s.Null.Chains))
	}
	return out
}
