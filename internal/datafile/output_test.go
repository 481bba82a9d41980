package datafile

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"codeberg.org/sbinet/npyio/npy"
)

// readNPY reads a float64 .npy file and returns its shape and data.
func readNPY(t *testing.T, path string) ([]int, []float64) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := npy.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Trim(r.Header.Descr.Type, "'") != "<f8" || r.Header.Descr.Fortran {
		t.Fatalf("%s: dtype %q fortran %v, want <f8 in C order", path, r.Header.Descr.Type, r.Header.Descr.Fortran)
	}
	shape := r.Header.Descr.Shape
	for _, s := range shape {
		if s == 0 {
			return shape, nil // npyio's reader reports EOF for an empty payload.
		}
	}
	var data []float64
	if err := r.Read(&data); err != nil {
		t.Fatal(err)
	}
	return shape, data
}

// noTemp fails if dir holds a temporary file left behind.
func noTemp(t *testing.T, dir string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".") || strings.HasSuffix(e.Name(), ".tmp") {
			t.Errorf("temporary file %s left in %s", e.Name(), dir)
		}
	}
}

func TestWriteNPYRoundTrip(t *testing.T) {
	dir := t.TempDir()
	data := make([]float64, 24)
	for i := range data {
		data[i] = float64(i)*0.5 - 3
	}
	data[5] = math.NaN() // npy can hold NaN; it must survive the round trip.
	for _, shape := range [][]int{nil, {24}, {6, 4}, {2, 3, 4}, {1, 2, 3, 4}} {
		path := filepath.Join(dir, "a.npy")
		if err := WriteNPY(path, data, shape...); err != nil {
			t.Fatalf("shape %v: %v", shape, err)
		}
		gotShape, got := readNPY(t, path)
		want := shape
		if want == nil {
			want = []int{len(data)}
		}
		if !reflect.DeepEqual(gotShape, want) {
			t.Errorf("shape %v: read back shape %v", shape, gotShape)
		}
		if len(got) != len(data) {
			t.Fatalf("shape %v: read back %d values, want %d", shape, len(got), len(data))
		}
		for i := range data {
			if math.Float64bits(got[i]) != math.Float64bits(data[i]) {
				t.Errorf("shape %v: element %d = %v, want %v", shape, i, got[i], data[i])
			}
		}
	}
	noTemp(t, dir)
}

func TestWriteNPYEmpty(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "e.npy")
	for _, shape := range [][]int{nil, {0}, {0, 2}, {3, 0, 2}} {
		if err := WriteNPY(path, nil, shape...); err != nil {
			t.Fatal(err)
		}
		want := shape
		if want == nil {
			want = []int{0}
		}
		got, data := readNPY(t, path)
		if !reflect.DeepEqual(got, want) || len(data) != 0 {
			t.Errorf("empty array of shape %v read back as shape %v, %d values", want, got, len(data))
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if len(b)%64 != 0 || b[len(b)-1] != '\n' {
			t.Errorf("shape %v: header of %d bytes, want a multiple of 64 ending in a newline", want, len(b))
		}
	}
	noTemp(t, dir)
}

func TestWriteNPYBadShape(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "bad.npy")
	for _, tc := range []struct {
		shape []int
		want  string
	}{
		{[]int{5}, "shape [5] holds 5 values, data has 24"},
		{[]int{2, 2}, "shape [2 2] holds 4 values, data has 24"},
		{[]int{-1, -24}, "negative dimension in shape [-1 -24]"}, // product 24, refused for its signs
		{[]int{0, 24}, "shape [0 24] holds 0 values, data has 24"},
	} {
		data := make([]float64, 24)
		err := WriteNPY(path, data, tc.shape...)
		if want := "write " + path + ": " + tc.want; err == nil || err.Error() != want {
			t.Errorf("shape %v: error %v, want %q", tc.shape, err, want)
		}
		if _, err := os.Stat(path); !os.IsNotExist(err) {
			t.Errorf("shape %v: %s written despite the error", tc.shape, path)
		}
	}
	noTemp(t, dir)
}

// TestWriteJSON checks the exact bytes (indented by two spaces, keys of a
// map sorted, a final newline), the values read back through checked type
// assertions, the file mode, and that an existing file is replaced.
func TestWriteJSON(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "summary.json")
	if err := os.WriteFile(path, []byte("old contents, longer than the new ones ......................................\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	in := map[string]any{"name": "double-well", "n": 3, "mean": []float64{1, -2.5}}
	if err := WriteJSON(path, in); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := "{\n  \"mean\": [\n    1,\n    -2.5\n  ],\n  \"n\": 3,\n  \"name\": \"double-well\"\n}\n"
	if string(b) != want {
		t.Errorf("WriteJSON wrote\n%s\nwant\n%s", b, want)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	if len(out) != 3 {
		t.Errorf("read back %d keys, want 3: %v", len(out), out)
	}
	if name, ok := out["name"].(string); !ok || name != "double-well" {
		t.Errorf("name = %#v, want the string double-well", out["name"])
	}
	if n, ok := out["n"].(float64); !ok || n != 3 {
		t.Errorf("n = %#v, want the number 3", out["n"])
	}
	mean, ok := out["mean"].([]any)
	if !ok || len(mean) != 2 {
		t.Fatalf("mean = %#v, want a list of two numbers", out["mean"])
	}
	for i, w := range []float64{1, -2.5} {
		if v, ok := mean[i].(float64); !ok || v != w {
			t.Errorf("mean[%d] = %#v, want the number %v", i, mean[i], w)
		}
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want -rw-r--r--", st.Mode().Perm())
	}
	noTemp(t, dir)
}

func TestWriteJSONRejectsNonFinite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "summary.json")
	if err := os.WriteFile(path, []byte("{\"old\": true}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		v    float64
		text string // as encoding/json names the value
	}{{math.NaN(), "NaN"}, {math.Inf(1), "+Inf"}, {math.Inf(-1), "-Inf"}} {
		err := WriteJSON(path, map[string]any{"x": []float64{1, tc.v}})
		want := "write " + path + ": value " + tc.text + " cannot be written to JSON (NaN and infinities are not allowed)"
		if err == nil || err.Error() != want {
			t.Errorf("%v: error %v, want %q", tc.v, err, want)
		}
	}
	b, err := os.ReadFile(path)
	if err != nil || string(b) != "{\"old\": true}\n" {
		t.Errorf("existing file changed by a failed write: %q, %v", b, err)
	}
	noTemp(t, dir)
}

func TestWriteCSV(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "t.csv")
	header := []string{"T", "angular_momentum"}
	rows := [][]string{{"0.5", "1e-3"}, {"1", "a,b"}}
	if err := WriteCSV(path, header, rows); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := append([][]string{header}, rows...)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("read back %q, want %q", got, want)
	}
	bad := filepath.Join(dir, "bad.csv")
	err = WriteCSV(bad, header, [][]string{{"1", "2"}, {"1"}})
	if want := "write " + bad + ": row 2 has 1 fields, header has 2"; err == nil || err.Error() != want {
		t.Errorf("ragged row: error %v, want %q", err, want)
	}
	if _, err := os.Stat(bad); !os.IsNotExist(err) {
		t.Errorf("ragged row: %s written despite the error", bad)
	}
	noTemp(t, dir)
}

// TestWriteMissingDir checks that every writer reports a missing directory
// as such (fs.ErrNotExist), naming the destination first.
func TestWriteMissingDir(t *testing.T) {
	path := filepath.Join(t.TempDir(), "no", "such", "dir", "a.out")
	for name, write := range map[string]func() error{
		"WriteNPY":  func() error { return WriteNPY(path, []float64{1}) },
		"WriteJSON": func() error { return WriteJSON(path, 1) },
		"WriteCSV":  func() error { return WriteCSV(path, []string{"a"}, nil) },
	} {
		err := write()
		if err == nil || !errors.Is(err, fs.ErrNotExist) || !strings.HasPrefix(err.Error(), "write "+path+": ") {
			t.Errorf("%s into a missing directory: error %v, want one starting with %q matching fs.ErrNotExist", name, err, "write "+path+": ")
		}
	}
}
