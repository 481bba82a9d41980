package main

// 'sgdsde plot KIND DIR' draws figures from the saved outputs of other
// commands (package plots); it computes nothing: sweep, and the standard
// figures of steady, simulate, sgd, cycles, compare, evolve, observe and
// escape.

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/sgdsde/sgdsde/plots"
	"github.com/sgdsde/sgdsde/sweep"
)

// newPlotCmd builds 'sgdsde plot' and its kinds.
func newPlotCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "plot KIND DIR [flags]",
		Short: "Draw figures (PNG, SVG, PDF) from saved results, without recomputing",
		Long: `Draw figures from the files a command saved in its directory. Plots only draw: nothing is
recomputed, so a figure can be redrawn with other options at any time. PNG by default (300 dpi), SVG and
PDF with --format. KIND is one of the subcommands below.`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return nil
			}
			return usageErrorf("%s; the kinds are %s (see 'sgdsde plot --help')", unknownCommand(cmd, "plot kind", args[0]), strings.Join(plotKinds(cmd), ", "))
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return cmd.Help()
		},
	}
	cmd.AddCommand(newPlotSweepCmd(a))
	for _, k := range plotKindHelp {
		cmd.AddCommand(newPlotKindCmd(a, k.kind, k.short, k.long))
	}
	return cmd
}

// plotKinds lists the names of the plot subcommands.
func plotKinds(cmd *cobra.Command) []string {
	var names []string
	for _, c := range cmd.Commands() {
		if c.IsAvailableCommand() {
			names = append(names, c.Name())
		}
	}
	return names
}

// figureFlags are the flags of every plot kind: format and size.
type figureFlags struct {
	out            string
	format         string
	width, height  float64
	dpi            int
	title          string
	xlabel, ylabel string
}

// addFigureFlags registers the figure flags on cmd.
func addFigureFlags(cmd *cobra.Command, ff *figureFlags) {
	fs := cmd.Flags()
	fs.StringVar(&ff.out, "out", "", "figure `file` (default in DIR, see above); its extension gives the format unless --format is set")
	fs.StringVar(&ff.format, "format", "", "figure `format`: png, svg or pdf (default png, or the extension of --out)")
	fs.Float64Var(&ff.width, "width", plots.DefaultWidthCM, "figure width in `cm`")
	fs.Float64Var(&ff.height, "height", plots.DefaultHeightCM, "figure height in `cm`")
	fs.IntVar(&ff.dpi, "dpi", plots.DefaultDPI, "PNG resolution in `dots per inch` (width in pixels = width/2.54*dpi)")
	fs.StringVar(&ff.title, "title", "", "figure `title` (default none)")
	fs.StringVar(&ff.xlabel, "xlabel", "", "x axis `label` (default from the column name, with its symbol)")
	fs.StringVar(&ff.ylabel, "ylabel", "", "y axis `label` (default from the column name, with its symbol)")
}

// plotSweepFlags are the flags of 'sgdsde plot sweep'.
type plotSweepFlags struct {
	figureFlags
	x, y, hue  string
	hueLabel   string
	logx, logy bool
}

// newPlotSweepCmd builds 'sgdsde plot sweep'.
func newPlotSweepCmd(a *app) *cobra.Command {
	var pf plotSweepFlags
	cmd := &cobra.Command{
		Use:   "sweep DIR --x NAME --y KEY [--hue NAME] [flags]",
		Short: "Draw a scalar of a sweep's results.csv against a varied parameter, one curve per value of another",
		Long: `Read DIR/results.csv (written by 'sgdsde sweep') and draw the column --y against the column --x, one line
with markers per value of --hue (a single curve without it), sorted by x. Points that failed are left out
(and counted). --x and --y must be numeric columns: the varied parameters or the dotted summary keys
(entropy_production, angular_momentum, minima_phi.0.x.0, ...). The axes are labelled with the quantity
and its symbol (temperature T, entropy production Π, ...; --xlabel, --ylabel, --hue-label override them)
and the legend, titled by --hue, sits to the right of the plot. Writes DIR/sweep_Y_vs_X.png by default.`,
		Example: `  sgdsde plot sweep out/sweep --x temperature --y entropy_production --hue d12
  sgdsde plot sweep out/sweep --x temperature --y angular_momentum --hue d12 --format pdf --width 8 --height 6`,
	}
	addFigureFlags(cmd, &pf.figureFlags)
	fs := cmd.Flags()
	fs.StringVar(&pf.x, "x", "", "`column` on the x axis (numeric; required)")
	fs.StringVar(&pf.y, "y", "", "`column` on the y axis (numeric; required)")
	fs.StringVar(&pf.hue, "hue", "", "`column` whose values tell the curves apart (default one curve)")
	fs.StringVar(&pf.hueLabel, "hue-label", "", "legend `title` (default from the --hue column name)")
	fs.BoolVar(&pf.logx, "logx", false, "log scale on x (every x must be positive)")
	fs.BoolVar(&pf.logy, "logy", false, "log scale on y (every y must be positive)")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		return runPlotSweep(a, &pf, args)
	}
	return cmd
}

// runPlotSweep draws the figure of 'sgdsde plot sweep'.
func runPlotSweep(a *app, pf *plotSweepFlags, args []string) error {
	if len(args) != 1 {
		return usageErrorf("plot sweep needs one sweep directory: sgdsde plot sweep DIR --x NAME --y KEY (got %d arguments)", len(args))
	}
	dir := args[0]
	if pf.x == "" || pf.y == "" {
		return usageErrorf("plot sweep needs --x NAME and --y KEY (columns of %s)", filepath.Join(dir, sweep.ResultsFile))
	}
	out, st, err := plots.DrawSweepDir(dir, plots.SweepDirOptions{
		SweepOptions: plots.SweepOptions{
			X: pf.x, Y: pf.y, Hue: pf.hue,
			XLabel: pf.xlabel, YLabel: pf.ylabel, HueLabel: pf.hueLabel, Title: pf.title,
			LogX: pf.logx, LogY: pf.logy,
		},
		Out: pf.out, Format: pf.format, Size: plots.Size{WidthCM: pf.width, HeightCM: pf.height, DPI: pf.dpi},
	})
	var (
		de *plots.DirError
		oe *plots.OptionError
		sd *plots.SweepDataError
	)
	switch {
	case errors.As(err, &de):
		return usageErrorf("plot sweep: %s is not a directory", dir)
	case errors.As(err, &oe):
		return figureOptionError(oe, "want sizes in cm between 0 and %d")
	case errors.As(err, &sd):
		return usageErrorf("plot sweep %s: %v", sd.Path, sd.Err)
	case errors.Is(err, plots.ErrInput) && errors.Is(err, fs.ErrNotExist):
		return usageErrorf("plot sweep: %s has no %s: is it a sweep directory (sgdsde sweep ... --out %s)?", dir, sweep.ResultsFile, dir)
	case errors.Is(err, plots.ErrInput):
		return usageErrorf("plot sweep: %v", err)
	case err != nil:
		return failureErrorf("plot sweep: %v", err)
	}
	left := ""
	if st.Failed > 0 || st.Missing > 0 {
		left = fmt.Sprintf("; left out %d failed and %d incomplete points", st.Failed, st.Missing)
	}
	fmt.Fprintf(a.stdout, "figure     %s (%d curves, %d points%s)\n", out, st.Curves, st.Points, left)
	return nil
}

// figureOptionError words a figure option out of range; sizeWant (with
// a %d for the largest size) says what sizes are allowed.
func figureOptionError(oe *plots.OptionError, sizeWant string) error {
	switch oe.Issue {
	case plots.BadFormat:
		return usageErrorf("--format %q: want png, svg or pdf", oe.Format)
	case plots.BadSize:
		return usageErrorf("--width %g --height %g: "+sizeWant, oe.Size.WidthCM, oe.Size.HeightCM, plots.MaxSizeCM)
	case plots.BadDPI:
		return usageErrorf("--dpi %d: want %d to %d", oe.Size.DPI, plots.MinDPI, plots.MaxDPI)
	case plots.OutExtension:
		return usageErrorf("--out %s: the extension gives the format: want .png, .svg or .pdf, or give --format", oe.Out)
	case plots.OutFormat:
		return usageErrorf("--out %s does not end in .%s (--format %s)", oe.Out, oe.Format, oe.Format)
	case plots.OutNoDir:
		return usageErrorf("--out %s: directory %s does not exist", oe.Out, oe.Dir)
	}
	return usageErrorf("--out %s: cannot create files in %s: %v", oe.Out, oe.Dir, oe.Err)
}

// plotKindHelp describes the standard figures of each kind, for 'sgdsde
// plot KIND --help'.
var plotKindHelp = []struct{ kind, short, long string }{
	{"steady", "Figures of a steady state: f | Phi | Phi - f, streamlines of the force j and of the current J",
		`Read the files of 'sgdsde steady' in DIR and write steady_potentials (f - min f and Phi on one colour
scale, Phi - f on a colour bar of its own, with the minima of f and Phi), steady_force (evenly spaced streamlines of the force j = J/rho,
width by speed, over contours of Phi) and steady_current (streamlines of J over contours of rho). A
directory of a temperature list is drawn per temperature, into each T_<T>/.`},
	{"simulate", "Figure of an ensemble: recorded trajectories and the final states",
		`Read summary.json, final.npy and traj.npy of 'sgdsde simulate' in DIR and write simulate_trajectories:
the recorded trajectories with their starts beside the final states of the ensemble, on the model's box
(built-in landscapes; the data's range otherwise); the first two coordinates of a --model run.`},
	{"sgd", "Figure of a mini-batch SGD run: recorded chains and the final states",
		`Read summary.json, final.npy and traj.npy of 'sgdsde sgd' in DIR and write simulate_trajectories (the
figure 'sgd --plot' draws): the recorded chains, first two weights, with their starts beside the final
states of all the chains, on the data's range.`},
	{"cycles", "Figure of the orbits of the force and of the drift, coloured by class, with their seeds",
		`Read summary.json and orbits.csv of 'sgdsde cycles' in DIR and write cycles_orbits: one panel per
field (force j, drift b), orbits coloured by class, over a heat map of Phi when DIR has phi.npy (written
by 'cycles --plot'), on the box otherwise.`},
	{"compare", "Figure of the ensemble's marginals against the grid steady state's",
		`Read compare.json of 'sgdsde compare' in DIR and write compare_marginals: the ensemble's marginal
histograms against the grid steady state's marginals on the same bins, as densities, one panel per axis.`},
	{"evolve", "Figure of the density's snapshots and the steady state on one colour scale",
		`Read snapshots.npy, snapshot_times.npy, rho_ss.npy, x.npy (and y.npy) of 'sgdsde evolve' in DIR and
write evolve_snapshots: up to four snapshots of rho and rho_ss in a row of panels on one colour scale
(1-D: curves).`},
	{"observe", "Figures of trajectory observables: autocorrelation, increment spectrum, eigenvalues of D, gradient norm",
		`Read acf.csv, spectrum.csv, d_spectrum.csv and gradnorm.csv of 'sgdsde observe' in DIR and write
observe_acf (with the 99% white-noise band and the null), observe_spectrum, observe_d and
observe_gradnorm (the equilibrium null dashed when it was computed).`},
	{"escape", "Figures of an escape study: tau(x) and q(x) over Phi with the reactive current, the survival curve",
		`Read escape.json and the files of 'sgdsde escape' in DIR and write escape_fields (the mean first-passage
time tau(x) and the committor q(x) side by side, each on its own colour scale, under contour lines of Phi,
with the start, the target's disc or its basin's minimum, and streamlines of the reactive current on q
where the density of reactive trajectories exceeds 1e-3 of its maximum; 1-D: tau, q and Phi against x)
and escape_survival (the ensemble's survival S(t) with +-2 standard errors on a log axis against
exp(-t/tau) for the grid's and the ensemble's tau). A figure whose method was not run (--method grid or
em) is left out. A directory of a temperature list is drawn per temperature, into each T_<T>/.`},
}

// newPlotKindCmd builds 'sgdsde plot KIND' for a standard-figure kind.
func newPlotKindCmd(a *app, kind, short, long string) *cobra.Command {
	var o plots.FigureOptions
	cmd := &cobra.Command{
		Use:     kind + " DIR [--format png|svg|pdf]",
		Short:   short,
		Long:    long + "\nThe figures are written into DIR, one line per figure on stdout; nothing is recomputed.",
		Example: fmt.Sprintf("  sgdsde plot %s out/%s\n  sgdsde plot %s out/%s --format pdf", kind, kind, kind, kind),
	}
	fs := cmd.Flags()
	fs.StringVar(&o.Format, "format", "png", "figure `format`: png, svg or pdf")
	fs.Float64Var(&o.Size.WidthCM, "width", 0, "figure width in `cm` (with --height; default each figure's own size)")
	fs.Float64Var(&o.Size.HeightCM, "height", 0, "figure height in `cm` (with --width)")
	fs.IntVar(&o.Size.DPI, "dpi", plots.DefaultDPI, "PNG resolution in `dots per inch`")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if len(args) != 1 {
			return usageErrorf("plot %s needs one directory: sgdsde plot %s DIR (got %d arguments)", kind, kind, len(args))
		}
		return drawFigures(a, kind, args[0], o)
	}
	return cmd
}

// drawFigures draws the standard figures of kind from dir and prints one
// line per figure. Bad options and errors about the saved files are bad
// input (exit 2), failures to write a figure run failures (exit 1).
func drawFigures(a *app, kind, dir string, o plots.FigureOptions) error {
	files, err := plots.DrawDir(kind, dir, o)
	for _, f := range files {
		fmt.Fprintf(a.stdout, "figure     %s\n", f)
	}
	var (
		oe *plots.OptionError
		de *plots.DirError
	)
	switch {
	case err == nil:
		return nil
	case errors.As(err, &oe):
		return figureOptionError(oe, "want both, in cm between 0 and %d (or neither: each figure's own size)")
	case errors.As(err, &de) && de.Err == nil:
		return usageErrorf("plot %s: %s is not a directory", kind, dir)
	case errors.As(err, &de):
		return usageErrorf("plot %s: cannot write figures into %s: %v", kind, dir, de.Err)
	case errors.Is(err, plots.ErrInput) && errors.Is(err, fs.ErrNotExist):
		return usageErrorf("plot %s: %s lacks the files of '%s': %v", kind, dir, kind, err)
	case errors.Is(err, plots.ErrInput):
		return usageErrorf("plot %s: %v", kind, err)
	}
	return failureErrorf("plot %s: %v", kind, err)
}

// plotFlags are --plot and --format of the computing commands.
type plotFlags struct {
	plot   bool
	format string
}

// addPlotFlags registers --plot and --format on fs.
func addPlotFlags(fs *pflag.FlagSet, pf *plotFlags) {
	fs.BoolVar(&pf.plot, "plot", false, "after writing the results, draw the standard figures into --out (see 'sgdsde plot KIND --help')")
	fs.StringVar(&pf.format, "format", "png", "`format` of the --plot figures: png, svg or pdf")
}

// validate checks --format (before any work).
func (pf *plotFlags) validate(fs *pflag.FlagSet) error {
	if !slices.Contains(plots.Formats, pf.format) {
		return usageErrorf("--format %q: want png, svg or pdf", pf.format)
	}
	if fs.Changed("format") && !pf.plot {
		return usageErrorf("--format applies to the figures of --plot: add --plot")
	}
	return nil
}

// draw draws the standard figures of kind into dir when --plot is set.
// The results are written already, so any error is a run failure.
func (pf *plotFlags) draw(a *app, kind, dir string) error {
	if !pf.plot {
		return nil
	}
	err := drawFigures(a, kind, dir, plots.FigureOptions{Format: pf.format, Size: plots.Size{DPI: plots.DefaultDPI}})
	var ee *exitError
	if errors.As(err, &ee) {
		return failureErrorf("%v (the results are in %s)", ee.err, dir)
	}
	return err
}
