package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/sgdsde/sgdsde/potentials"
)

// formulaHelp explains formula models; it ends the landscapes listing.
const formulaHelp = `Formula models (instead of --landscape):
  --loss EXPR            loss f; without --drift the drift is b = -grad f
  --drift "EXPR; EXPR"   drift b, one formula per coordinate, separated by ';'
  --diffusion EXPR       D = EXPR times the identity, or the matrix by rows "D11, D12; D21, D22"
                         (symmetric positive semi-definite; default the identity)
  --dim 1|2              dimension: coordinate x (1-D) or x, y (2-D); default 2
  --set name=value       values of the other names used in the formulas (repeatable, or comma-separated)
Functions: exp log sqrt sin cos tan sinh cosh tanh abs sign. Constants: pi e.
Operators: + - * / ^ (power; ** also works, right-associative, so -x^2 = -(x^2)) and parentheses.
Example: sgdsde simulate --loss "(x^2-1)^2/4 + a*y^2/2" --diffusion "1, c; c, 1" --set a=2,c=0.5
`

// newLandscapesCmd builds 'sgdsde landscapes'.
func newLandscapesCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "landscapes",
		Short: "List the built-in landscapes and finite-sum models, their parameters, and the formula syntax",
		Long: `List every built-in landscape (the names accepted by --landscape) with its summary, formulas,
parameters (defaults, changed with --set name=value) and default grid box (it depends on the temperature:
it holds the steady state, rho at the walls below 1e-6 of its maximum), then every finite-sum model (the
names accepted by 'sgdsde sgd --model' and 'sgdsde simulate --model': ` + finiteSumNames() + `) with its parameters
and, for a model that reads data files, their default directory (--data-dir), then explain how to give a
model as formulas.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return writeLandscapes(a.stdout, potentials.Landscapes())
		},
	}
}

// writeFiniteSums prints the listing of the finite-sum models.
func writeFiniteSums(b *strings.Builder) error {
	b.WriteString("Finite-sum models (sgdsde sgd --model NAME, sgdsde simulate --model NAME):\n\n")
	for _, s := range potentials.FiniteSums() {
		fmt.Fprintf(b, "%s\n  %s\n  formula: %s\n", s.Name, s.Summary, s.Formula)
		if s.DataDir != "" {
			fmt.Fprintf(b, "  data: files read from --data-dir, default %s\n", s.DataDir)
		}
		b.WriteString("  parameters:\n")
		tw := tabwriter.NewWriter(b, 0, 4, 2, ' ', 0)
		for _, p := range s.Params {
			fmt.Fprintf(tw, "    %s\t= %s\t%s\n", p.Name, strconv.FormatFloat(p.Default, 'g', -1, 64), p.Doc)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		b.WriteString("\n")
	}
	return nil
}

// writeLandscapes prints the listing of ls followed by formulaHelp.
func writeLandscapes(w io.Writer, ls []potentials.Landscape) error {
	var b strings.Builder
	for _, l := range ls {
		fmt.Fprintf(&b, "%s\n", l.Name)
		fmt.Fprintf(&b, "  %s\n", l.Summary)
		fmt.Fprintf(&b, "  formula: %s\n", l.Formula)
		writeBoxRule(&b, l)
		if len(l.Params) == 0 {
			b.WriteString("  parameters: none\n\n")
			continue
		}
		b.WriteString("  parameters:\n")
		tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
		for _, p := range l.Params {
			fmt.Fprintf(tw, "    %s\t= %s\t%s\n", p.Name, strconv.FormatFloat(p.Default, 'g', -1, 64), p.Doc)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		b.WriteString("\n")
	}
	if err := writeFiniteSums(&b); err != nil {
		return err
	}
	b.WriteString(formulaHelp)
	_, err := io.WriteString(w, b.String())
	return err
}

// boxTemperatures are the temperatures at which the listing shows the
// default box of each landscape.
var boxTemperatures = []float64{0.1, 0.5, 2}

// writeBoxRule prints the default grid box of l: its rule, and the box of
// the default parameters at boxTemperatures.
func writeBoxRule(b *strings.Builder, l potentials.Landscape) {
	m, err := potentials.New(l.Name, nil)
	if err != nil || m.Dim != 2 {
		return
	}
	b.WriteString("  default box (without --box):")
	if l.BoxRule != "" {
		fmt.Fprintf(b, " %s;", l.BoxRule)
	}
	for i, T := range boxTemperatures {
		x := m.DefaultBox(T)
		sep := ","
		if i == 0 {
			sep = ""
		}
		fmt.Fprintf(b, "%s T = %g: [%.3g, %.3g] x [%.3g, %.3g]", sep, T, x.Min[0], x.Max[0], x.Min[1], x.Max[1])
	}
	b.WriteString("\n")
}
