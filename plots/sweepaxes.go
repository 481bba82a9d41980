package plots

import (
	"strings"

	"github.com/sgdsde/sgdsde/sweep"
)

// SweepAxes are the columns of a sweep's figure (SweepOptions.X, Y and
// Hue): those given, and the defaults chosen by DefaultSweepAxes for
// those left empty.
type SweepAxes struct {
	X, Y, Hue string
	// NoHue asks for a single curve: Hue is not chosen and stays empty.
	NoHue bool
}

// sweepY are the default y columns of the figure of a sweep of each
// study command, in order of preference.
var sweepY = map[string][]string{
	"steady":   {"entropy_production", "angular_momentum"},
	"simulate": {"angular_momentum", "mean.0"},
	"compare":  {"histogram.tv", "tv"},
	"sgd":      {"mean.0"},
	"cycles":   {"force_check.max_force"},
}

// SweepAxesIssue is what DefaultSweepAxes could not choose.
type SweepAxesIssue int

const (
	// NoNumericAxis: no varied parameter is a numeric column, so there is
	// no default X.
	NoNumericAxis SweepAxesIssue = iota + 1
	// NoVaryingResult: no numeric result varies over the points, so
	// there is no default Y.
	NoVaryingResult
)

// SweepAxesError reports a column of a sweep's figure that has no
// default: give it.
type SweepAxesError struct {
	Issue SweepAxesIssue
}

// Error words the issue.
func (e *SweepAxesError) Error() string {
	if e.Issue == NoNumericAxis {
		return "no varied parameter is numeric"
	}
	return "no numeric result varies over the points"
}

// DefaultSweepAxes chooses the columns of the figure of the results table
// t of a sweep of command ("steady", ...) over the axes vary, for those
// of a that are empty: X the numeric varied parameter with the most
// values (the first of equals); Hue the first other varied parameter
// (none for a sweep of one axis, or with NoHue); Y the command's usual
// result (steady entropy_production, simulate angular_momentum, compare
// histogram.tv, sgd mean.0, cycles force_check.max_force) when it is a
// numeric column, else the first numeric result that takes more than one
// value over the rows (neither point, dim, seed, version, a varied parameter nor a
// params.* column). Its error is a *SweepAxesError.
func DefaultSweepAxes(command string, vary sweep.Grid, t *Table, a SweepAxes) (SweepAxes, error) {
	numeric := func(name string) bool { j := t.Column(name); return j >= 0 && t.Numeric(j) }
	if a.X == "" {
		best := -1
		for k, ax := range vary {
			if numeric(ax.Name) && (best < 0 || len(ax.Values) > len(vary[best].Values)) {
				best = k
			}
		}
		if best < 0 {
			return SweepAxes{}, &SweepAxesError{Issue: NoNumericAxis}
		}
		a.X = vary[best].Name
	}
	if a.NoHue {
		a.Hue = ""
	} else if a.Hue == "" {
		for _, ax := range vary {
			if ax.Name != a.X {
				a.Hue = ax.Name
				break
			}
		}
	}
	if a.Y == "" {
		for _, c := range sweepY[command] {
			if numeric(c) {
				a.Y = c
				break
			}
		}
	}
	if a.Y == "" {
		skip := map[string]bool{"point": true, "dim": true, "seed": true, "version": true}
		for _, ax := range vary {
			skip[ax.Name] = true
		}
		for j, name := range t.Header {
			if skip[name] || strings.HasPrefix(name, "params.") || !t.Numeric(j) || !varies(t, j) {
				continue
			}
			a.Y = name
			break
		}
		if a.Y == "" {
			return SweepAxes{}, &SweepAxesError{Issue: NoVaryingResult}
		}
	}
	return a, nil
}

// varies reports whether column j of t takes more than one value over the
// rows.
func varies(t *Table, j int) bool {
	if len(t.Rows) == 0 {
		return false
	}
	for _, r := range t.Rows[1:] {
		if r[j] != t.Rows[0][j] {
			return true
		}
	}
	return false
}
