package sweep

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/sgdsde/sgdsde/internal/datafile"
)

// Point is one point handed to a RunFunc.
type Point struct {
	Index  int
	Values []string
	// Dir is the point's directory, created empty; the command writes
	// into it.
	Dir string
}

// Outcome is what a RunFunc reports about one point.
type Outcome struct {
	// Err is the one-line error of a failed run ("" on success).
	Err string
	// ExitCode is the command's exit code.
	ExitCode int
	// Warnings are the command's warnings.
	Warnings []string
	// Args is the command line the point ran.
	Args []string
}

// RunFunc runs one point. When ctx is cancelled the point is left
// unfinished whatever the outcome.
type RunFunc func(ctx context.Context, p Point) Outcome

// Options control Run.
type Options struct {
	// Workers is the number of points run at once (at least 1).
	Workers int
	// Shard selects the points to run (zero value: all).
	Shard Shard
	// KeepFields keeps every file the command writes; otherwise only the
	// summary file is kept.
	KeepFields bool
	// RetryFailed runs again the points finished with status failed.
	RetryFailed bool
	// Start, if set, is called once before any point runs with the number
	// of points to run and the number already finished.
	Start func(run, finished int)
	// Done, if set, is called after each point is finished, one call at a
	// time.
	Done func(m Marker)
}

// Stats counts the points of one Run.
type Stats struct {
	// Shard is the number of points of the shard; Finished of them were
	// finished before the run; Ran of them were run now, OK and Failed by
	// status.
	Shard, Finished, Ran, OK, Failed int
}

// Run runs the shard's unfinished points with fn, opts.Workers at a time.
// Each point's directory is emptied first; after fn returns, files other
// than the summary are removed (unless KeepFields) and point.json is
// written, atomically and last. A cancelled ctx stops handing out points
// and leaves those in flight unfinished; Run then returns ctx's error. A
// file-system error stops the sweep.
func (d *Dir) Run(ctx context.Context, fn RunFunc, opts Options) (Stats, error) {
	if opts.Shard.Count == 0 {
		opts.Shard = All
	}
	workers := max(1, opts.Workers)
	var st Stats
	var todo []int
	for i := 0; i < d.Def.Points; i++ {
		if !opts.Shard.Has(i) {
			continue
		}
		st.Shard++
		if m, ok := d.Finished(i); ok && !(opts.RetryFailed && m.Status == StatusFailed) {
			st.Finished++
			continue
		}
		todo = append(todo, i)
	}
	if opts.Start != nil {
		opts.Start(len(todo), st.Finished)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make(chan int)
	var (
		mu       sync.Mutex
		firstErr error
		wg       sync.WaitGroup
	)
	for w := 0; w < min(workers, len(todo)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				m, err := d.runPoint(ctx, fn, i, opts.KeepFields)
				mu.Lock()
				switch {
				case err != nil:
					if firstErr == nil {
						firstErr = err
						cancel()
					}
				case m != nil:
					st.Ran++
					if m.Status == StatusOK {
						st.OK++
					} else {
						st.Failed++
					}
					if opts.Done != nil {
						opts.Done(*m)
					}
				}
				mu.Unlock()
			}
		}()
	}
feed:
	for _, i := range todo {
		select {
		case jobs <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	if firstErr != nil {
		return st, firstErr
	}
	return st, ctx.Err()
}

// runPoint runs point i; it returns its marker, or nil when ctx was
// cancelled.
func (d *Dir) runPoint(ctx context.Context, fn RunFunc, i int, keep bool) (*Marker, error) {
	if ctx.Err() != nil {
		return nil, nil
	}
	dir := d.PointDir(i)
	if err := os.RemoveAll(dir); err != nil {
		return nil, fmt.Errorf("point %s: %v", PointName(i, d.Def.Points), err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("point %s: %v", PointName(i, d.Def.Points), err)
	}
	vals := d.Def.Vary.Point(i)
	out := fn(ctx, Point{Index: i, Values: vals, Dir: dir})
	if ctx.Err() != nil {
		return nil, nil
	}
	m := &Marker{Point: i, Values: vals, Status: StatusOK, ExitCode: out.ExitCode, Warnings: out.Warnings, Args: out.Args}
	if out.Err != "" {
		m.Status, m.Error = StatusFailed, out.Err
	} else if _, err := os.Stat(filepath.Join(dir, d.Def.Summary)); err != nil {
		m.Status, m.Error = StatusFailed, fmt.Sprintf("%s wrote no %s", d.Def.Command, d.Def.Summary)
	} else if key := Unconverged(filepath.Join(dir, d.Def.Summary)); key != "" {
		m.Status, m.Error = StatusFailed, fmt.Sprintf("%s: %s is false in %s: a result that did not converge is not a result", d.Def.Command, key, d.Def.Summary)
	} else {
		m.Summary = d.Def.Summary
	}
	if err := prune(dir, m.Summary, keep && m.Status == StatusOK); err != nil {
		return nil, fmt.Errorf("point %s: %v", PointName(i, d.Def.Points), err)
	}
	if err := datafile.WriteJSON(filepath.Join(dir, MarkerFile), m); err != nil {
		return nil, err
	}
	return m, nil
}

// prune removes from dir everything but the file keep (everything when
// keep is ""), or nothing when all is set.
func prune(dir, keep string, all bool) error {
	if all {
		return nil
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	var errs []error
	for _, e := range ents {
		if e.Name() != keep {
			errs = append(errs, os.RemoveAll(filepath.Join(dir, e.Name())))
		}
	}
	return errors.Join(errs...)
}

// Unconverged returns the first key of the summary file at path that
// reports a convergence flag as false ("converged", or a key ending in
// "_converged" such as "steady_converged", at any depth), or "" when there
// is none or the file cannot be read (the table reports that). A point
// whose summary says so is recorded as failed, never as ok.
func Unconverged(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	fields, err := Flatten(b, nil)
	if err != nil {
		return ""
	}
	for _, f := range fields {
		last := f.Key
		if i := strings.LastIndexByte(last, '.'); i >= 0 {
			last = last[i+1:]
		}
		if (last == "converged" || strings.HasSuffix(last, "_converged")) && f.Value != "true" {
			return f.Key
		}
	}
	return ""
}
