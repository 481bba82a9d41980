package gallery

// Scenario 8: the paper's observables of deep networks on a real data set.
// SGD trains fashion-mlp (a tanh network on Fashion-MNIST images) and
// experiment.Observe measures D's spectrum, the increment spectrum, the
// autocorrelation and the gradient norm against the equilibrium null; a
// small grid of learning rates and batch sizes gives the test accuracy
// against T = lr/(2 batch). Without the data (Debian's package
// dataset-fashion-mnist) the scenario is skipped with a note.

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/sgdsde/sgdsde/experiment"
	"github.com/sgdsde/sgdsde/plots"
	"github.com/sgdsde/sgdsde/potentials"
)

// FashionSettings are the sizes of the Fashion-MNIST scenario: the network
// (Train training images, Width hidden units, one hidden layer), the run
// observed (Chains chains of BurnIn + Steps steps of SGD at lr 0.1, batch
// 32, the first recorded every Every steps) and the grid of learning rates
// and batch sizes (one chain of SweepSteps steps each).
type FashionSettings struct {
	// Dir is the directory of the data files; empty means
	// potentials.DefaultFashionMNISTDir.
	Dir                string
	Train, Test, Width int
	Chains, BurnIn     int
	Steps, Every       int
	SweepLRs           []float64
	SweepBatches       []int
	SweepSteps         int
	GradTimes          int
}

// fashionFull and fashionQuick are the Fashion settings of Full and Quick.
func fashionFull() FashionSettings {
	return FashionSettings{Train: 300, Test: 1000, Width: 32, Chains: 2, BurnIn: 600, Steps: 400, Every: 4,
		SweepLRs: []float64{0.05, 0.1, 0.2}, SweepBatches: []int{16, 32, 64}, SweepSteps: 800, GradTimes: 40}
}

func fashionQuick() FashionSettings {
	return FashionSettings{Train: 200, Test: 500, Width: 16, Chains: 1, BurnIn: 500, Steps: 300, Every: 3,
		SweepLRs: []float64{0.05, 0.2}, SweepBatches: []int{16, 64}, SweepSteps: 400, GradTimes: 20}
}

// check validates the settings.
func (f FashionSettings) check() error {
	bad := func(field string, v any, want string) error {
		return &SettingsError{Field: "Fashion." + field, Value: fmt.Sprint(v), Want: want}
	}
	switch {
	case f.Train < 2:
		return bad("Train", f.Train, "at least 2 images")
	case f.Test < 1:
		return bad("Test", f.Test, "at least 1 image")
	case f.Width < 1:
		return bad("Width", f.Width, "at least 1 unit")
	case f.Chains < 1:
		return bad("Chains", f.Chains, "at least 1")
	case f.Every < 1 || f.Steps/f.Every < 20:
		return bad("Steps", f.Steps, "at least 20 recorded states (Steps/Every)")
	case f.BurnIn < 0:
		return bad("BurnIn", f.BurnIn, "non-negative")
	case len(f.SweepLRs) < 1 || len(f.SweepBatches) < 1 || f.SweepSteps < 1:
		return bad("Sweep", f.SweepSteps, "at least one learning rate, one batch size and one step")
	case f.GradTimes < 1:
		return bad("GradTimes", f.GradTimes, "at least 1")
	}
	return nil
}

// params are the model parameters of the settings.
func (f FashionSettings) params() map[string]float64 {
	return map[string]float64{"n": float64(f.Train), "test": float64(f.Test), "width": float64(f.Width)}
}

// run is the SGD run of the scenario at learning rate lr and batch
// size batch, recording recorded chains (0: none).
func (f FashionSettings) run(lr float64, batch, chains, burnIn, steps, record int) experiment.SGDSpec {
	return experiment.SGDSpec{
		FiniteSum: experiment.FiniteSumSpec{Model: "fashion-mlp", Params: f.params(), DataDir: f.Dir, LR: lr, Batch: batch},
		Chains: experiment.Chains{N: chains, Steps: steps, BurnIn: burnIn, Record: record, Every: f.Every, Seed: 1,
			Bound: experiment.DefaultBound},
	}
}

// dataDir returns the directory the scenario reads.
func (f FashionSettings) dataDir() string {
	if f.Dir == "" {
		return potentials.DefaultFashionMNISTDir
	}
	return f.Dir
}

// fashionScenario is scenario 8.
func fashionScenario(ctx context.Context, s Settings, g *figures) (Section, string, error) {
	fs := s.Fashion
	sec := Section{ID: "fashion-mnist", Title: "8. Deep-network observables on Fashion-MNIST"}
	if _, err := potentials.SizeOfFiniteSumIn("fashion-mlp", fs.params(), fs.Dir); err != nil {
		var me *potentials.FashionMNISTMissingError
		if errors.As(err, &me) {
			note := fmt.Sprintf("Skipped: Fashion-MNIST is not in %s (install Debian's package %s; nothing is downloaded).", fs.dataDir(), potentials.FashionMNISTPackage)
			sec.Text = []string{note}
			return sec, "skipped: no Fashion-MNIST data in " + fs.dataDir(), nil
		}
		return Section{}, "", err
	}

	// The observed run and its null.
	spec := fs.run(0.1, 32, fs.Chains, fs.BurnIn, fs.Steps, 1)
	run, err := experiment.SGD(ctx, spec, nil)
	if err != nil {
		return Section{}, "", err
	}
	ob, err := experiment.Observe(ctx, experiment.ObserveSpec{Run: run, Dir: "fashion", GradTimes: fs.GradTimes,
		Components: 10}, nil)
	if err != nil {
		return Section{}, "", err
	}
	const sub = "fashion"
	if err := ob.Write(filepath.Join(g.dir, sub)); err != nil {
		return Section{}, "", err
	}
	paths, err := plots.DrawDir("observe", filepath.Join(g.dir, sub), plots.FigureOptions{Format: "png", Size: plots.Size{DPI: g.dpi}})
	if err != nil {
		return Section{}, "", err
	}
	// The figures go beside index.html, named after the scenario.
	rel := make(map[string]string)
	for _, p := range paths {
		name := filepath.Base(p)
		base := strings.TrimSuffix(name, filepath.Ext(name))
		file := "s8-fashion-" + strings.ReplaceAll(name, "_", "-")
		if err := os.Rename(p, filepath.Join(g.dir, file)); err != nil {
			return Section{}, "", err
		}
		rel[base] = file
		g.files = append(g.files, file)
	}

	// The grid of learning rates and batch sizes.
	acc := &plots.Table{Header: []string{"temperature", "test_accuracy", "batch"}}
	var sweepFacts []string
	byT := map[float64][]string{} // test accuracies at each T with more than one point
	var tOrder []float64
	lo, hi, tlo, thi := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for _, b := range fs.SweepBatches {
		for _, lr := range fs.SweepLRs {
			r, err := experiment.SGD(ctx, fs.run(lr, b, 1, 0, fs.SweepSteps, 0), nil)
			if err != nil {
				return Section{}, "", err
			}
			e := r.Summary.FinalEvaluation
			if e == nil || e.TestAccuracy == nil {
				return Section{}, "", fmt.Errorf("fashion-mlp, lr %g, batch %d: no test accuracy (every chain diverged)", lr, b)
			}
			T := lr / (2 * float64(b))
			if _, seen := byT[T]; !seen {
				tOrder = append(tOrder, T)
			}
			byT[T] = append(byT[T], fixed(*e.TestAccuracy, 3))
			lo, hi = math.Min(lo, *e.TestAccuracy), math.Max(hi, *e.TestAccuracy)
			tlo, thi = math.Min(tlo, T), math.Max(thi, T)
			acc.Rows = append(acc.Rows, []string{strconv.FormatFloat(T, 'g', -1, 64), strconv.FormatFloat(*e.TestAccuracy, 'g', -1, 64), strconv.Itoa(b)})
			sweepFacts = append(sweepFacts, fmt.Sprintf("lr %s, batch %d (T = %s): test accuracy %s, train accuracy %s", g3(lr), b, g3(T), fixed(*e.TestAccuracy, 3), fixed(e.TrainAccuracy, 3)))
		}
	}
	accFig, _, err := plots.SweepCurves(acc, plots.SweepOptions{X: "temperature", Y: "test_accuracy", Hue: "batch", LogX: true,
		XLabel: "temperature T = lr / (2 batch)", YLabel: "test accuracy", HueLabel: "batch",
		Title: fmt.Sprintf("test accuracy after %d SGD steps", fs.SweepSteps)})
	if err != nil {
		return Section{}, "", err
	}
	const accFile = "s8-fashion-accuracy.png"
	if err := g.save(accFig, accFile, 13, 9); err != nil {
		return Section{}, "", err
	}

	sort.Float64s(tOrder)
	var equalT []string
	for _, T := range tOrder {
		if len(byT[T]) > 1 {
			equalT = append(equalT, fmt.Sprintf("at T = %s, %s", g3(T), strings.Join(byT[T], ", ")))
		}
	}
	equal := ""
	if len(equalT) > 0 {
		equal = "; the points that share T give " + strings.Join(equalT, "; ")
	}

	sum, rs := &ob.Summary, &run.Summary
	d0, d1 := sum.DSpectrum.Run[0], sum.DSpectrum.Run[len(sum.DSpectrum.Run)-1]
	n1 := (*sum.DSpectrum.Null)[len(*sum.DSpectrum.Null)-1]
	acf, nacf := ob.Run.ACF, ob.Null.ACF
	lag := len(acf.Mean) - 1
	gn, ngn := sum.GradNorm.Run, *sum.GradNorm.Null
	ev := rs.FinalEvaluation
	unit := float64(rs.Every) * rs.LR
	dline := func(d experiment.DScalars) string {
		return fmt.Sprintf("rank %d of d = %d (%s%% of d, %s%% of the N − 1 = %d possible), participation ratio %s, largest eigenvalue %s times the mean %s",
			d.Rank, rs.Dim, fixed(100*d.RankFraction, 2), fixed(100*float64(d.Rank)/float64(rs.SampleCount-1), 1), rs.SampleCount-1,
			fixed(d.ParticipationRatio, 1), g3(d.Top[0]/d.Mean), g3(d.Mean))
	}
	base := fmt.Sprintf("sgdsde sgd --model fashion-mlp --set n=%d,test=%d,width=%d --lr 0.1 --batch 32 --n %d --burn-in %d --steps %d --record 1 --every %d",
		fs.Train, fs.Test, fs.Width, fs.Chains, fs.BurnIn, fs.Steps, fs.Every)
	if fs.Dir != "" {
		base += " --data-dir " + fs.Dir
	}
	var lrs, bs []string
	for _, v := range fs.SweepLRs {
		lrs = append(lrs, strconv.FormatFloat(v, 'g', -1, 64))
	}
	for _, v := range fs.SweepBatches {
		bs = append(bs, strconv.Itoa(v))
	}
	sweepCmd := fmt.Sprintf("sgdsde sweep sgd --model fashion-mlp --set n=%d,test=%d,width=%d --n 1 --burn-in 0 --steps %d --record 0 --vary lr=%s --vary batch=%s --out out/fashion-sweep",
		fs.Train, fs.Test, fs.Width, fs.SweepSteps, strings.Join(lrs, ","), strings.Join(bs, ","))
	sec.Text = []string{
		fmt.Sprintf("Chaudhari & Soatto support their claims about deep networks with observables measured on trained networks. Here they are measured the same way on a real data set: a tanh network with one hidden layer of %d units (d = %d weights) trained by SGD (lr 0.1, batch 32, T = lr/(2 batch) = %s) on the first N = %d training images of Fashion-MNIST (Debian's package %s, read from %s), with the test accuracy on the first %d test images. After %d steps the final states classify %s of the training images and %s of the test images correctly (mean of %d chains). Each observable is set beside the equilibrium null: the same run with constant isotropic noise sqrt(2 T c) dW and the full gradient at every step, c the mean of tr D/d over the run's recorded states, whose stationary law is exp(−f/(T c))/Z.",
			fs.Width, rs.Dim, g3(rs.Temperature), rs.SampleCount, potentials.FashionMNISTPackage, fs.dataDir(), ev.TestSamples, rs.BurnIn+rs.Steps,
			fixed(ev.TrainAccuracy, 3), fixed(*ev.TestAccuracy, 3), ev.Evaluated),
		fmt.Sprintf("The paper: the diffusion matrix D, the covariance of the per-sample gradients, is highly anisotropic and of very low rank. This run: at the first recorded state D has %s; at the last, %s. The rank of D cannot exceed N − 1 for N samples, so its small fraction of d here is set by N ≪ d; the participation ratio (sum λ)²/sum λ², the number of directions that carry its variance, measures the anisotropy within that rank. The null's D, evaluated along its own trajectory, has at the last recorded state %s.",
			dline(d0), dline(d1), dline(n1)),
		fmt.Sprintf("The paper: near the end of training the weights do not move like Brownian motion: the power spectrum of their increments is not flat and their autocorrelation does not decay at once. This run: the flatness of the increment spectrum (geometric over arithmetic mean, 1 for white increments) is %s against %s for the null; the mean autocorrelation of the weights is %s at lag 1 and %s at lag %d (%s in time), against %s and %s for the null (99%% band ±%s). The run's autocorrelation falls inside the band from lag %s on, the null's from lag %s.",
			fixed(sum.Spectrum.Run.Flatness, 3), fixed(sum.Spectrum.Null.Flatness, 3), fixed(acf.Mean[1], 3), fixed(acf.Mean[lag], 3), lag, g3(float64(lag)*unit),
			fixed(nacf.Mean[1], 3), fixed(nacf.Mean[lag], 3), fixed(acf.Band, 3), lagText(sum.ACF.Run.DecorrelationLag), lagText(sum.ACF.Null.DecorrelationLag)),
		fmt.Sprintf("The paper: the gradient norm normalised by the dimension, |∇f|/√d, does not fall as training goes on. This run, over the recorded steps: %s at the first and %s at the last evaluated time (loss %s and %s); the null's %s and %s.",
			g3(gn.First), g3(gn.Last), g3(gn.LossFirst), g3(gn.LossLast), g3(ngn.First), g3(ngn.Last)),
		fmt.Sprintf("The paper: SGD's steady state depends on lr and batch only through T = lr/(2 batch), so the learning rate should scale linearly with the batch size. The last figure trains the network from the same initialisation for %d steps at each lr in {%s} and batch in {%s}; points on the same vertical line share T. After a fixed number of steps the runs at equal T differ in how far they have travelled (the SDE time is lr × steps) and in the number of epochs seen, so this grid shows how close the accuracies at equal T are on this budget, not the steady state. Here the test accuracy ranges from %s to %s over the grid, whose T spans %s to %s%s.",
			fs.SweepSteps, strings.Join(lrs, ", "), strings.Join(bs, ", "), fixed(lo, 3), fixed(hi, 3), g3(tlo), g3(thi), equal),
		"Reproduce with: " + base + " --out out/fashion; sgdsde observe out/fashion --grad-times " + strconv.Itoa(fs.GradTimes) + "; " + sweepCmd + " (each point also has --seed 1, the default).",
	}
	sec.Facts = append([]string{
		fmt.Sprintf("d = %d, N = %d, %d recorded states of chain 0 every %d steps; observed in %s s, its null run in %s s", rs.Dim, rs.SampleCount, run.RecordLen, rs.Every, fixed(sum.Elapsed, 1), fixed(sum.Null.Seconds, 1)),
		fmt.Sprintf("D eigenvalues at recorded times %d and %d: mean %s and %s, standard deviation %s and %s, spectral gap at the rank %s and %s", d0.Time, d1.Time, g3(d0.Mean), g3(d1.Mean), g3(d0.Std), g3(d1.Std), gapText(d0.Gap), gapText(d1.Gap)),
		fmt.Sprintf("stochastic area |A|/|S| at lag 1 on the top %d principal components: %s (null %s)", sum.Area.Run.Components, g3(sum.Area.Run.Lags[0].Ratio), g3((*sum.Area.Null).Lags[0].Ratio)),
	}, sweepFacts...)
	sec.Figures = []Figure{
		{File: rel["observe_d"], Alt: "eigenvalues of D by index at three recorded times, run and null", Small: true,
			Caption: "Eigenvalues of D, largest first, at the chosen recorded times (run and null)."},
		{File: rel["observe_spectrum"], Alt: "power spectrum of the weight increments, run and null", Small: true,
			Caption: "Power spectrum of the increments (flat = Brownian), run against null."},
		{File: rel["observe_acf"], Alt: "mean autocorrelation of the weights against the lag, run and null", Small: true,
			Caption: "Mean autocorrelation of the weights with the 99% white-noise band."},
		{File: rel["observe_gradnorm"], Alt: "gradient norm over root d against time, run and null", Small: true,
			Caption: "|∇f|/√d over the recorded steps, run and null."},
		{File: accFile, Alt: "test accuracy against T = lr/(2 batch), one curve per batch size", Small: true,
			Caption: "Test accuracy against T, one curve per batch size."},
	}
	summary := fmt.Sprintf("test accuracy %s; D rank %d of d = %d, participation ratio %s; increment flatness %s (null %s)",
		fixed(*ev.TestAccuracy, 3), d1.Rank, rs.Dim, fixed(d1.ParticipationRatio, 1), fixed(sum.Spectrum.Run.Flatness, 3), fixed(sum.Spectrum.Null.Flatness, 3))
	return sec, summary, nil
}

// lagText words a decorrelation lag (-1: not within the lags computed).
func lagText(l int) string {
	if l < 0 {
		return "no lag computed"
	}
	return strconv.Itoa(l)
}

// gapText words a spectral gap (nil: infinite).
func gapText(g *float64) string {
	if g == nil {
		return "infinite (λ_r+1 = 0)"
	}
	return g3(*g)
}
