// Package experiment holds sgdsde's studies as typed Go values: for every
// computation the command line offers there is a Spec that says what to
// compute, a function that takes a context.Context and a Progress and
// computes it, and a Result that holds what was computed, with a matching
// pair of functions that write it to a directory and read it back (the
// files 'sgdsde' writes, see the README's table of commands).
//
// A study is built from three parts that the commands share:
//
//   - ModelSpec selects the model: a built-in landscape of package
//     potentials with parameter values, or formulas, and the kind of drift
//     (the model's own, b = -grad f for SGD, or the Gibbs control
//     b = -D grad f + T div D whose steady state is exp(-f/T)/Z);
//   - TemperatureSpec gives the temperature T directly or as that of
//     mini-batch SGD, T = lr/(2 batch), times (N - b)/(N - 1) for batches
//     of b distinct samples out of N (Chaudhari & Soatto,
//     arXiv:1710.11029, eq. 3; sde.SGDTemperature);
//   - GridSpec selects the grid of a Fokker–Planck study: nodes per axis,
//     box (by default the model's box at T, which holds the density),
//     boundary, scheme and the accepted relative residual of the steady
//     state.
//
// The studies that a sweep runs (Study: Simulate, Steady, Cycles, Compare,
// SGD) share a parameter table (Params, SetParam), and SweepSpec runs any
// of them over a grid of parameter values into a resumable, shardable
// sweep directory (package sweep).
//
// Zero values select the defaults of the command line: the double-well
// landscape at T = 0.5 on a 256 x 256 grid. Errors carry the offending
// values as data (ModelError, GridSizeError, MemoryError, ...) and never
// name command-line flags; the command line and the server word them.
package experiment
