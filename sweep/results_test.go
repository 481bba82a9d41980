package sweep

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// fakeSweep creates a sweep of a fake command over t = 1..4 in dir and
// runs the points of shard: t = 3 fails, the others write summary.json
// {"t2": 10 t}.
func fakeSweep(t *testing.T, dir string, shard Shard) *Dir {
	t.Helper()
	def := Definition{Command: "fake", Summary: "summary.json",
		Vary: Grid{{Name: "t", Spec: "1,2,3,4", Values: []string{"1", "2", "3", "4"}}}, Points: 4}
	d, err := Create(dir, def)
	if err != nil {
		t.Fatal(err)
	}
	_, err = d.Run(context.Background(), func(ctx context.Context, p Point) Outcome {
		if p.Values[0] == "3" {
			return Outcome{Err: "bad t", ExitCode: 2}
		}
		if err := os.WriteFile(filepath.Join(p.Dir, "summary.json"), []byte(`{"t2": `+p.Values[0]+`0}`), 0o644); err != nil {
			t.Error(err)
		}
		return Outcome{}
	}, Options{Shard: shard})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestWriteResults writes results.csv of whole, sharded and merged sweeps
// and checks the counts, the bytes and every typed error.
func TestWriteResults(t *testing.T) {
	const want = "point,t,status,error,t2\n0,1,ok,,10\n1,2,ok,,20\n2,3,failed,bad t,\n3,4,ok,,40\n"
	whole := fakeSweep(t, t.TempDir(), All)
	shard0 := fakeSweep(t, t.TempDir(), Shard{Index: 0, Count: 2})
	shard1 := fakeSweep(t, t.TempDir(), Shard{Index: 1, Count: 2})
	other, err := Create(t.TempDir(), Definition{Command: "other", Summary: "summary.json",
		Vary: Grid{{Name: "t", Spec: "1", Values: []string{"1"}}}, Points: 1})
	if err != nil {
		t.Fatal(err)
	}
	// A point whose summary cannot be read: finished ok, then its summary
	// replaced by a directory.
	broken := fakeSweep(t, t.TempDir(), All)
	sum := filepath.Join(broken.PointDir(0), "summary.json")
	if err := os.Remove(sum); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(sum, 0o755); err != nil {
		t.Fatal(err)
	}
	// An out that cannot become a directory.
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	stats := ResultsStats{Points: 4, OK: 3, Failed: 1, Columns: 5}
	for _, c := range []struct {
		name    string
		dirs    []*Dir
		out     string
		errText string // "" for success
		check   func(error) bool
	}{
		{"whole", []*Dir{whole}, whole.Path, "", nil},
		{"merged into a new directory", []*Dir{shard0, shard1}, filepath.Join(t.TempDir(), "merged"), "", nil},
		{"one shard", []*Dir{shard1}, shard1.Path, "2 of the 4 points are not finished (first: points/0000)", func(err error) bool {
			var me *MissingError
			return errors.As(err, &me) && reflect.DeepEqual(me.Points, []int{0, 2}) && me.Total == 4
		}},
		{"out holds another sweep", []*Dir{whole}, other.Path, other.Path + " holds a different sweep: its command is other, this one fake", func(err error) bool {
			var me *MismatchError
			return errors.As(err, &me) && me.Dir == other.Path
		}},
		{"unreadable summary", []*Dir{broken}, broken.Path, "read " + sum + ": is a directory", func(err error) bool {
			var re *ResultsError
			return errors.As(err, &re) && re.Op == ReadPoints
		}},
		{"out is a file", []*Dir{whole}, file, filepath.Join(file, DefinitionFile) + ": not a directory", func(err error) bool {
			var re *ResultsError
			return errors.As(err, &re) && re.Op == CreateOut
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			st, err := WriteResults(c.dirs, c.out)
			if c.errText != "" {
				if err == nil || !strings.Contains(err.Error(), c.errText) || !c.check(err) {
					t.Fatalf("error %v (%T), want the typed error %q", err, err, c.errText)
				}
				if _, serr := os.Stat(filepath.Join(c.out, ResultsFile)); serr == nil {
					t.Errorf("%s written despite the error", ResultsFile)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want1 := stats
			want1.Path = filepath.Join(c.out, ResultsFile)
			if st != want1 {
				t.Errorf("stats %+v, want %+v", st, want1)
			}
			if got := readFile(t, want1.Path); got != want {
				t.Errorf("results.csv\n%s\nwant\n%s", got, want)
			}
			if d, err := Open(c.out); err != nil || !reflect.DeepEqual(d.Def, c.dirs[0].Def) {
				t.Errorf("out is not a sweep directory of the sweep: %v", err)
			}
		})
	}
}

// readFile returns the contents of path.
func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
