// Package sweep runs parameter sweeps: a full grid of points, each one run
// of an sgdsde command, into a directory that survives being killed at any
// moment and that several machines can fill together.
//
// # Grid and order
//
// Each --vary NAME=SPEC is an Axis. SPEC is a range START:STOP:COUNT (COUNT
// values evenly spaced from START to STOP, both included), START:STOP:COUNT:log
// (evenly spaced in log, START and STOP > 0), or a list a,b,c (a;b;c when
// the items themselves hold commas, e.g. a box -3:3,-2:2). Range values are
// rounded to 12 significant digits (0.24, not 0.24000000000000002); for an
// integer axis they are rounded to integers and must stay distinct. Several
// axes make the Cartesian product, numbered like nested loops in the order the
// axes were given: the first axis varies slowest, the last fastest. Point i
// has the digits of i in the mixed radix of the axis lengths. The order does
// not depend on workers or shards.
//
// # Layout of a sweep directory
//
//	DIR/sweep.json          the definition: command, its arguments, the axes
//	DIR/points/NNNN/        one directory per point (NNNN: the point index,
//	                        zero-padded to at least 4 digits)
//	DIR/points/NNNN/point.json   the completion marker, written last
//	DIR/results.csv         one row per point, rebuilt from the point files
//
// A point is finished when point.json exists: it is written atomically
// (temporary file and rename) after everything else of the point, with the
// status ok or failed and, for a failed point, its one-line error. A point
// directory without point.json is the remnant of an interrupted run and is
// emptied and run again. A run that is cancelled (an interrupt) writes no
// point.json for the points in flight. A point is ok only when the command
// succeeded, wrote its summary and the summary reports no convergence flag
// ("converged" or a key ending in "_converged") as false; otherwise it is
// failed with its one-line error. Failed points are finished too:
// resuming does not redo them unless asked (Options.RetryFailed).
//
// Starting a sweep in a directory that holds another definition is an
// error: Create compares the command, its arguments and the axes.
//
// # Shards
//
// Shard{Index: i, Count: n} runs the points whose index is i modulo n
// (round robin rather than contiguous blocks, so that a cost that grows
// along an axis, such as the grid size, is spread over the shards). Shards
// may write into one shared directory (they touch disjoint point
// directories and write the same sweep.json) or into directories of their
// own, joined by WriteResults, which writes the one results.csv of every
// finished point and reports those still missing (*MissingError).
//
// Package experiment runs the studies of sgdsde at the points of a sweep
// (experiment.SweepSpec): a RunFunc per study, with typed errors.
//
// # results.csv
//
// The columns are: point, the axis values (one column per axis, named after
// the axis, as passed to the command), status (ok or failed), error, then
// every scalar of the point's summary file in a stable order (Flatten).
// Rows are sorted by point index. The table is rebuilt from the finished
// points' files, so a resumed sweep, a sharded and merged sweep and an
// uninterrupted one give the same bytes, provided the runs are
// deterministic. For that, Volatile keys are left out: run times
// (keys ending in "seconds" or "per_second") and the execution settings
// workers, workers_requested and files; they remain in each point's summary.
package sweep
