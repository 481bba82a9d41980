package sweep

import (
	"fmt"
	"path/filepath"

	"github.com/sgdsde/sgdsde/internal/datafile"
)

// ResultsStats describes the results.csv that WriteResults wrote.
type ResultsStats struct {
	// Path is the file written: out/results.csv.
	Path string
	// Points is the number of rows (every point of the sweep), OK and
	// Failed of them by status; Columns is the number of columns.
	Points, OK, Failed, Columns int
}

// MissingError reports points of a sweep that are finished in none of the
// directories given to WriteResults: nothing was written.
type MissingError struct {
	// Points are the indices of the unfinished points, in order (at least
	// one); Total is the number of points of the sweep.
	Points []int
	Total  int
}

// Error names the count and the first unfinished point.
func (e *MissingError) Error() string {
	return fmt.Sprintf("%d of the %d points are not finished (first: %s/%s)",
		len(e.Points), e.Total, PointsDir, PointName(e.Points[0], e.Total))
}

// ResultsOp is the step of WriteResults that failed.
type ResultsOp int

const (
	// ReadPoints is reading the finished points' summaries (Table).
	ReadPoints ResultsOp = iota + 1
	// CreateOut is making out a sweep directory of the sweep (Create).
	CreateOut
	// WriteTable is writing out/results.csv.
	WriteTable
)

// ResultsError is a failure of a step of WriteResults other than
// unfinished points (*MissingError) and an out that holds another sweep
// (*MismatchError, returned as it is). Its text is that of Err.
type ResultsError struct {
	Op  ResultsOp
	Err error
}

// Error returns the text of the step's error.
func (e *ResultsError) Error() string { return e.Err.Error() }

// Unwrap returns the cause.
func (e *ResultsError) Unwrap() error { return e.Err }

// WriteResults writes results.csv of the sweep held by dirs (which must
// hold the same sweep, CheckSame; each point is taken from the first
// directory in which it is finished) into out, atomically, and counts its
// rows. out becomes a sweep directory of the sweep (Create: its
// sweep.json is written when out is not one of dirs). Its errors, in the
// order of the steps: *ResultsError{Op: ReadPoints}, *MissingError (every
// point must be finished; nothing is written), *MismatchError (out holds
// another sweep), *ResultsError{Op: CreateOut}, *ResultsError{Op:
// WriteTable}.
func WriteResults(dirs []*Dir, out string) (ResultsStats, error) {
	header, rows, missing, err := Table(dirs)
	if err != nil {
		return ResultsStats{}, &ResultsError{Op: ReadPoints, Err: err}
	}
	def := dirs[0].Def
	if len(missing) > 0 {
		return ResultsStats{}, &MissingError{Points: missing, Total: def.Points}
	}
	if _, err := Create(out, def); err != nil {
		if me, ok := err.(*MismatchError); ok {
			return ResultsStats{}, me
		}
		return ResultsStats{}, &ResultsError{Op: CreateOut, Err: err}
	}
	st := ResultsStats{Path: filepath.Join(out, ResultsFile), Points: len(rows), Columns: len(header)}
	if err := datafile.WriteCSV(st.Path, header, rows); err != nil {
		return ResultsStats{}, &ResultsError{Op: WriteTable, Err: err}
	}
	status := len(def.Vary) + 1 // point, the axes, status
	for _, r := range rows {
		if r[status] == StatusFailed {
			st.Failed++
		}
	}
	st.OK = st.Points - st.Failed
	return st, nil
}
