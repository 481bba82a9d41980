package main

// 'sgdsde demo' writes the teaching gallery of package gallery: flag
// parsing, one call to gallery.Run, the progress lines, and the wording of
// its errors and of the records of its sweep's points.

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/sgdsde/sgdsde/experiment"
	"github.com/sgdsde/sgdsde/gallery"
	"github.com/sgdsde/sgdsde/sweep"
)

// defaultDemoOut is the default --out of 'sgdsde demo'.
const defaultDemoOut = "out/demo"

// newDemoCmd builds 'sgdsde demo'.
func newDemoCmd(a *app) *cobra.Command {
	var (
		out   string
		quick bool
		dpi   int
	)
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Write a teaching gallery (index.html and PNG figures) of eight scenarios into --out",
		Long: `Solve seven small scenarios on a grid, train a network on Fashion-MNIST, and write a gallery that opens offline (no network):
--out/index.html, one section per scenario with its figures and a short explanation, and the figures as
PNG files beside it.
  1 isotropic noise: Phi = f and no current (double well, D = I);
  2 constant anisotropic noise: Phi != f and the Brownian gyrator's loops;
  3 state-dependent noise: the minima of Phi move away from those of f as T grows;
  4 the paper's Fig. 4 (Example 19): streamlines of the drift over Phi for lambda = 0, 0.5, 1.5;
  5 the free energy of an evolving density falling to its minimum;
  6 a parameter sweep ('sgdsde sweep', into --out/sweep/) of the entropy production against T and D12;
  7 which minimum SGD ends up in: a sharp and a flat minimum, SGD noise against isotropic noise
    ('sgdsde escape --method grid': basin occupations, escape times, barriers in Phi and f);
  8 SGD on Fashion-MNIST ('sgdsde sgd --model fashion-mlp', 'observe', a sweep of lr and batch): D's
    rank and anisotropy, increments and autocorrelation against the equilibrium null, test accuracy
    against T = lr/(2 batch); skipped with one line without Debian's dataset-fashion-mnist.
The numbers in the text come from these runs. Grids of 192 nodes along the longer side of each box
(96 with --quick); about 23 s (--quick: about 5 s) on two idle cores, with a progress line per scenario.
Every file is written atomically, index.html last.`,
		Example: `  sgdsde demo --out out/demo
  sgdsde demo --quick --out /tmp/gallery`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			s := gallery.Full()
			if quick {
				s = gallery.Quick()
			}
			if dpi < gallery.MinDPI || dpi > gallery.MaxDPI {
				return usageErrorf("--dpi %d: want %d to %d dots per inch", dpi, gallery.MinDPI, gallery.MaxDPI)
			}
			s.DPI = dpi
			return runDemo(cmd.Context(), a, out, s)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&out, "out", defaultDemoOut, "gallery `directory` (created if needed; files of the same names are replaced)")
	fs.BoolVar(&quick, "quick", false, "smaller grids and a shorter evolution (about 2 s instead of 6 s on two idle cores)")
	fs.IntVar(&dpi, "dpi", 150, "PNG resolution in `dots per inch` (a 3-panel figure is 24 cm wide)")
	return cmd
}

// runDemo writes the gallery into out, printing a line after each
// scenario and one for index.html, which is written last.
func runDemo(ctx context.Context, a *app, out string, s gallery.Settings) error {
	if err := checkOutDir(out); err != nil {
		return err
	}
	s.Version = version
	steady := a.studies["steady"]
	s.SweepRecord = func(ctx context.Context, p *experiment.SweepPoint, out sweep.Outcome) sweep.Outcome {
		// As 'sgdsde sweep steady --vary temperature=... --vary d12=...'
		// records it: d12 is a --set parameter.
		return recordPoint(ctx, steady, map[string]bool{"d12": true}, p, out)
	}
	res, err := gallery.Run(ctx, out, s, func(p gallery.Progress) {
		fmt.Fprintf(a.stdout, "[%d/%d] %-27s %s  (%d figure%s, %.1f s)\n", p.Index, p.Count, p.Scenario.Name, p.Summary,
			p.Figures, plural(p.Figures), p.Seconds)
	})
	if err != nil {
		return demoError(ctx, err)
	}
	fmt.Fprintf(a.stdout, "gallery  %s (%d scenarios, %d figures) in %.1f s\n", res.Index, len(res.Sections), len(res.Files), res.Seconds)
	return nil
}

// demoError words an error of gallery.Run.
func demoError(ctx context.Context, err error) error {
	var (
		se *gallery.ScenarioError
		de *experiment.DirError
	)
	switch {
	case errors.As(err, &se) && ctx.Err() != nil:
		return failureErrorf("demo interrupted (%v) in scenario %d (%s); index.html was not written", ctx.Err(), se.Index, se.Scenario.Name)
	case se != nil:
		return failureErrorf("demo scenario %d (%s): %v", se.Index, se.Scenario.Name, se.Err)
	case errors.As(err, &de):
		return failureErrorf("cannot create --out directory: %v", de.Err)
	}
	return failureErrorf("%v", err)
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
