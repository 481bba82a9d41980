package output

import (
	"encoding/csv"
	"encoding/json"
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
	for _, shape := range [][]int{{5}, {2, 2}, {-1, -24}, {0, 24}} {
		path := filepath.Join(dir, "bad.npy")
		data := make([]float64, 24)
		if err := WriteNPY(path, data, shape...); err == nil {
			t.Errorf("shape %v: no error", shape)
		}
		if _, err := os.Stat(path); !os.IsNotExist(err) {
			t.Errorf("shape %v: %s written despite the error", shape, path)
		}
	}
	noTemp(t, dir)
}

func TestWriteJSON(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "summary.json")
	in := map[string]any{"mean": []float64{1, -2.5}, "n": 3, "name": "double-well"}
	if err := WriteJSON(path, in); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	if out["name"] != "double-well" || out["n"] != 3.0 {
		t.Errorf("read back %v", out)
	}
	noTemp(t, dir)
}

func TestWriteJSONRejectsNonFinite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "summary.json")
	if err := os.WriteFile(path, []byte("{\"old\": true}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, v := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		err := WriteJSON(path, map[string]any{"x": []float64{1, v}})
		if err == nil {
			t.Fatalf("%v: no error", v)
		}
		if !strings.Contains(err.Error(), "NaN") {
			t.Errorf("%v: error %q does not explain the cause", v, err)
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
	if err := WriteCSV(filepath.Join(dir, "bad.csv"), header, [][]string{{"1"}}); err == nil {
		t.Error("ragged row: no error")
	}
	noTemp(t, dir)
}

func TestWriteMissingDir(t *testing.T) {
	path := filepath.Join(t.TempDir(), "no", "such", "dir", "a.npy")
	if err := WriteNPY(path, []float64{1}); err == nil {
		t.Error("missing directory: no error")
	}
}
