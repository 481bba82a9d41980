package main

// 'sgdsde plot KIND DIR' draws figures from the saved outputs of other
// commands (package plots); it computes nothing. The first kind is sweep.

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

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
			return usageErrorf("unknown plot kind %q: want %s (see 'sgdsde plot --help')", args[0], strings.Join(plotKinds(cmd), " or "))
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return cmd.Help()
		},
	}
	cmd.AddCommand(newPlotSweepCmd(a))
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

// path returns the figure file: --out, or DIR/base.FORMAT. It checks the
// format, the size and that the file's directory exists.
func (ff *figureFlags) path(dir, base string) (string, plots.Size, error) {
	size := plots.Size{WidthCM: ff.width, HeightCM: ff.height, DPI: ff.dpi}
	if !(ff.width > 0 && ff.width <= 200) || !(ff.height > 0 && ff.height <= 200) {
		return "", size, usageErrorf("--width %g --height %g: want sizes in cm between 0 and 200", ff.width, ff.height)
	}
	if ff.dpi < 10 || ff.dpi > 2400 {
		return "", size, usageErrorf("--dpi %d: want 10 to 2400", ff.dpi)
	}
	if ff.format != "" && !slices.Contains(plots.Formats, ff.format) {
		return "", size, usageErrorf("--format %q: want png, svg or pdf", ff.format)
	}
	out := ff.out
	if out == "" {
		out = filepath.Join(dir, base+"."+cmpOr(ff.format, "png"))
	}
	format, err := plots.FormatOf(out)
	if err != nil {
		if ff.format == "" {
			return "", size, usageErrorf("--out %s: the extension gives the format: want .png, .svg or .pdf, or give --format", out)
		}
		return "", size, usageErrorf("--out %s does not end in .%s (--format %s)", out, ff.format, ff.format)
	}
	if ff.format != "" && format != ff.format {
		return "", size, usageErrorf("--out %s does not end in .%s (--format %s)", out, ff.format, ff.format)
	}
	if st, err := os.Stat(filepath.Dir(out)); err != nil || !st.IsDir() {
		return "", size, usageErrorf("--out %s: directory %s does not exist", out, filepath.Dir(out))
	}
	return out, size, nil
}

// cmpOr returns s, or def when s is empty.
func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
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
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return usageErrorf("plot sweep: %s is not a directory", dir)
	}
	csvPath := filepath.Join(dir, sweep.ResultsFile)
	t, err := plots.ReadTable(csvPath)
	if errors.Is(err, fs.ErrNotExist) {
		return usageErrorf("plot sweep: %s has no %s: is it a sweep directory (sgdsde sweep ... --out %s)?", dir, sweep.ResultsFile, dir)
	}
	if err != nil {
		return usageErrorf("plot sweep: %v", err)
	}
	out, size, err := pf.path(dir, "sweep_"+fileSafe(pf.y)+"_vs_"+fileSafe(pf.x))
	if err != nil {
		return err
	}
	fig, st, err := plots.SweepCurves(t, plots.SweepOptions{
		X: pf.x, Y: pf.y, Hue: pf.hue,
		XLabel: pf.xlabel, YLabel: pf.ylabel, HueLabel: pf.hueLabel, Title: pf.title,
		LogX: pf.logx, LogY: pf.logy,
	})
	if err != nil {
		return usageErrorf("plot sweep %s: %v", csvPath, err)
	}
	if err := plots.Save(fig, out, size); err != nil {
		return failureErrorf("plot sweep: %v", err)
	}
	left := ""
	if st.Failed > 0 || st.Missing > 0 {
		left = fmt.Sprintf("; left out %d failed and %d incomplete points", st.Failed, st.Missing)
	}
	fmt.Fprintf(a.stdout, "figure     %s (%d curves, %d points%s)\n", out, st.Curves, st.Points, left)
	return nil
}

// fileSafe replaces the characters of a column name that do not belong in
// a file name.
func fileSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r == ' ' || r == ':' {
			return '_'
		}
		return r
	}, s)
}
