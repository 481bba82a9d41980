package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"
)

// version is the program version, reported by --version and echoed in every
// summary.json.
const version = "0.1.0"

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1 // a run that was started failed
	exitUsage   = 2 // bad input: flags, arguments, models, parameters
)

// exitError is an error with the exit code it should produce.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// usageErrorf returns a bad-input error (exit code 2).
func usageErrorf(format string, a ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, a...)}
}

// failureErrorf returns a run-failure error (exit code 1).
func failureErrorf(format string, a ...any) error {
	return &exitError{code: exitFailure, err: fmt.Errorf(format, a...)}
}

// app holds what the commands share: the output streams, and the commands
// that run a study by name (registered as they are built).
type app struct {
	stdout, stderr io.Writer
	studies        map[string]*studyCommand
}

// register records the study command of the command name.
func (a *app) register(name string, c *studyCommand) {
	if a.studies == nil {
		a.studies = make(map[string]*studyCommand)
	}
	a.studies[name] = c
}

// stderrIsTerminal reports whether the error stream is an interactive
// terminal (progress bars are drawn only then).
func (a *app) stderrIsTerminal() bool {
	f, ok := a.stderr.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// warnf prints a one-line warning on stderr.
func (a *app) warnf(format string, args ...any) {
	fmt.Fprintf(a.stderr, "sgdsde: warning: %s\n", oneLine(fmt.Sprintf(format, args...)))
}

// run executes the command line args (without the program name), writing to
// stdout and stderr, and returns the exit code. It is main without os.Exit,
// for in-process tests.
func run(args []string, stdout, stderr io.Writer) int {
	return runContext(context.Background(), args, stdout, stderr)
}

// runContext is run with a context whose cancellation (an interrupt)
// stops a running computation.
func runContext(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	a := &app{stdout: stdout, stderr: stderr}
	root := newRootCmd(a)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	code := exitUsage // errors from cobra itself (unknown command, bad arguments) are usage errors
	var ee *exitError
	if errors.As(err, &ee) {
		code = ee.code
	}
	fmt.Fprintf(stderr, "sgdsde: %s\n", oneLine(err.Error()))
	return code
}

// oneLine folds a possibly multi-line message (cobra's suggestions, wrapped
// errors) into a single line: lines are trimmed, blank lines dropped, and
// the rest joined with "; " (with a space after a line ending in ':' or '?').
func oneLine(s string) string {
	var b strings.Builder
	for _, line := range strings.Split(s, "\n") {
		line = strings.Join(strings.Fields(line), " ")
		if line == "" {
			continue
		}
		if b.Len() > 0 {
			if prev := b.String(); strings.HasSuffix(prev, ":") || strings.HasSuffix(prev, "?") {
				b.WriteString(" ")
			} else {
				b.WriteString("; ")
			}
		}
		b.WriteString(line)
	}
	return b.String()
}

// unknownCommand is the message for an unknown subcommand name of cmd,
// with cobra's suggestions (names within two edits, or that name starts):
// `unknown command "steddy". Did you mean this? steady`.
func unknownCommand(cmd *cobra.Command, what, name string) string {
	msg := fmt.Sprintf("unknown %s %q", what, name)
	if cmd.SuggestionsMinimumDistance <= 0 {
		cmd.SuggestionsMinimumDistance = 2
	}
	if s := cmd.SuggestionsFor(name); len(s) > 0 {
		msg += ". Did you mean this? " + strings.Join(s, ", ")
	}
	return msg
}

// noArgs is the Args check of the subcommands, which take flags only.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usageErrorf("unexpected argument %q: %s takes flags only (see '%s --help')", args[0], cmd.CommandPath(), cmd.CommandPath())
	}
	return nil
}

// newRootCmd builds the command tree.
func newRootCmd(a *app) *cobra.Command {
	root := &cobra.Command{
		Use:   "sgdsde",
		Short: "Simulate SGD as a stochastic differential equation",
		Long: `sgdsde simulates stochastic gradient descent as the Ito SDE dX = b(X) dt + sqrt(2 T D(X)) dW
(Chaudhari & Soatto, ICLR 2018) on built-in landscapes or formula models, to show that SGD's
steady state is not exp(-f/T) for anisotropic gradient noise and that it carries a circulating current.`,
		Version:       version,
		SilenceUsage:  true,
		SilenceErrors: true,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return nil
			}
			return usageErrorf("%s (see 'sgdsde --help')", unknownCommand(cmd, "command", args[0]))
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return cmd.Help()
		},
	}
	// SuggestionsFor compares with SuggestionsMinimumDistance as it is:
	// cobra sets its default of 2 only on its own error path, which the
	// Args above replaces, so that without this only prefixes were
	// suggested ("steddy" got no "steady").
	root.SuggestionsMinimumDistance = 2
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	root.SetVersionTemplate("sgdsde {{.Version}}\n")
	root.CompletionOptions.DisableDefaultCmd = true
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usageErrorf("%v (see '%s --help')", err, c.CommandPath())
	})
	root.AddCommand(newLandscapesCmd(a), newSimulateCmd(a), newSteadyCmd(a), newEvolveCmd(a), newCyclesCmd(a), newCompareCmd(a), newSGDCmd(a))
	root.AddCommand(newEscapeCmd(a))
	root.AddCommand(newObserveCmd(a))
	root.AddCommand(newSweepCmd(a))
	root.AddCommand(newPlotCmd(a))
	root.AddCommand(newDemoCmd(a))
	root.AddCommand(newServeCmd(a))
	return root
}
