// Command sgdsde simulates stochastic gradient descent (SGD) as the Ito
// stochastic differential equation
//
//	dX = b(X) dt + sqrt(2 T D(X)) dW
//
// of Chaudhari & Soatto, "Stochastic gradient descent performs variational
// inference, converges to limit cycles for deep networks" (ICLR 2018,
// arXiv:1710.11029), on built-in landscapes or models typed as formulas, and
// solves its Fokker–Planck equation on grids.
//
// Usage:
//
//	sgdsde landscapes              list the built-in landscapes and the formula syntax
//	sgdsde simulate [flags]        Euler–Maruyama ensemble; writes summary.json, final.npy, traj.npy
//	sgdsde steady [flags]          grid steady state: rho, Phi, current, force, Pi, L, minima
//	sgdsde evolve [flags]          implicit Euler evolution of a density and its free energy
//	sgdsde cycles [flags]          orbits of the force j and of the drift b, classified
//	sgdsde compare [flags]         ensemble against grid: TV distance, moments, L, minima
//	sgdsde sgd [flags]             mini-batch SGD on a finite-sum model, as independent chains
//	sgdsde observe DIR             trajectory observables of a finite-sum run and its null
//	sgdsde sweep RUN --vary ...    parameter sweeps of simulate, steady, cycles, compare or sgd
//	sgdsde plot KIND DIR           redraw the standard figures of a saved run
//	sgdsde demo --out DIR          the offline teaching gallery
//	sgdsde serve [--addr A]        the interactive teaching demo in the browser
//	sgdsde --version
//
// Every command that computes writes its results into --out DIR; the README lists
// the files of each. Errors are one line on stderr starting with
// "sgdsde:"; the exit code is 2 for bad input and 1 for a failed run.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := runContext(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
