package datafile

import (
	"encoding/hex"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// numpyFile assembles a .npy file as NumPy writes it, from the pieces
// printed by NumPy 1.24.2 (/usr/bin/python3): the magic string, version
// and header length (prefix, hex), the header dictionary, the number of
// spaces that pad it (NumPy pads the whole header to a multiple of 64
// bytes and ends it with a newline) and the payload (hex). They were
// obtained with
//
//	b = io.BytesIO(); np.save(b, a)   # or np.lib.format.write_array(b, a, version=(2, 0))
//	raw = b.getvalue(); h = raw[10:].split(b'\n')[0]   # raw[12:] for version 2.0
//	prefix, dict, spaces, payload = raw[:10].hex(), h.rstrip(b' '), len(h) - len(h.rstrip(b' ')), raw[10 + len(h) + 1:].hex()
//
// so the test does not depend on how this package pads its headers.
func numpyFile(t *testing.T, prefix, dict string, spaces int, payload string) []byte {
	t.Helper()
	pre, err := hex.DecodeString(prefix)
	if err != nil {
		t.Fatal(err)
	}
	data, err := hex.DecodeString(payload)
	if err != nil {
		t.Fatal(err)
	}
	b := append(pre, dict...)
	b = append(b, strings.Repeat(" ", spaces)+"\n"...)
	return append(b, data...)
}

// NumPy's quiet NaN, 0x7ff8000000000000 (math.NaN() sets the lowest bit
// as well, which the bytes would show).
var numpyNaN = math.Float64frombits(0x7ff8000000000000)

// TestWriteNPYMatchesNumPy checks that WriteNPY writes, byte for byte, the
// file that np.save writes for the same array.
func TestWriteNPYMatchesNumPy(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name  string
		data  []float64
		shape []int
		want  []byte
	}{
		{
			// np.save(b, np.array([[1.5, -2, 3], [0.1, np.nan, -0.0]]))
			name: "2 x 3", data: []float64{1.5, -2, 3, 0.1, numpyNaN, math.Copysign(0, -1)}, shape: []int{2, 3},
			want: numpyFile(t, "934e554d505901007600", "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }", 58,
				"000000000000f83f00000000000000c000000000000008409a9999999999b93f000000000000f87f0000000000000080"),
		},
		{
			// np.save(b, np.zeros((3, 0, 2)))
			name: "3 x 0 x 2", data: nil, shape: []int{3, 0, 2},
			want: numpyFile(t, "934e554d505901007600", "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 0, 2), }", 55, ""),
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, "a.npy")
			if err := WriteNPY(path, tc.data, tc.shape...); err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != string(tc.want) {
				t.Errorf("WriteNPY wrote\n%q\nNumPy writes\n%q", got, tc.want)
			}
		})
	}
}

// TestReadNPYFromNumPy reads files that NumPy wrote: C and Fortran order,
// little- and big-endian, float64 and float32, format versions 1.0 and 2.0.
// Every value is exact in float32, so the values must come back bit for
// bit.
func TestReadNPYFromNumPy(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name      string
		file      []byte
		wantShape []int
		want      []float64
	}{
		{
			// np.save(b, np.array([[1.5, -2, 3], [0.1, np.nan, -0.0]]))
			name:      "C 2 x 3",
			file:      numpyFile(t, "934e554d505901007600", "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }", 58, "000000000000f83f00000000000000c000000000000008409a9999999999b93f000000000000f87f0000000000000080"),
			wantShape: []int{2, 3},
			want:      []float64{1.5, -2, 3, 0.1, numpyNaN, math.Copysign(0, -1)},
		},
		{
			// np.save(b, np.asfortranarray(np.array([[0, 1, 2], [10, 11, 12]], dtype='<f8')))
			name:      "Fortran 2 x 3",
			file:      numpyFile(t, "934e554d505901007600", "{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }", 59, "00000000000000000000000000002440000000000000f03f000000000000264000000000000000400000000000002840"),
			wantShape: []int{2, 3},
			want:      []float64{0, 1, 2, 10, 11, 12},
		},
		{
			// np.save(b, np.array([[1, 2], [3, 4]], dtype='>f8'))
			name:      "big-endian float64",
			file:      numpyFile(t, "934e554d505901007600", "{'descr': '>f8', 'fortran_order': False, 'shape': (2, 2), }", 58, "3ff0000000000000400000000000000040080000000000004010000000000000"),
			wantShape: []int{2, 2},
			want:      []float64{1, 2, 3, 4},
		},
		{
			// np.save(b, np.asfortranarray(np.array([[1, 2], [3, 4]], dtype='>f4')))
			name:      "big-endian float32 Fortran",
			file:      numpyFile(t, "934e554d505901007600", "{'descr': '>f4', 'fortran_order': True, 'shape': (2, 2), }", 59, "3f800000404000004000000040800000"),
			wantShape: []int{2, 2},
			want:      []float64{1, 2, 3, 4},
		},
		{
			// np.lib.format.write_array(b, np.array([1.0, 2.0]), version=(2, 0))
			name:      "version 2.0",
			file:      numpyFile(t, "934e554d5059020074000000", "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", 58, "000000000000f03f0000000000000040"),
			wantShape: []int{2},
			want:      []float64{1, 2},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "_")+".npy")
			if err := os.WriteFile(path, tc.file, 0o644); err != nil {
				t.Fatal(err)
			}
			shape, data, err := ReadNPY(path)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(shape, tc.wantShape) || len(data) != len(tc.want) {
				t.Fatalf("ReadNPY = shape %v, %d values; want %v, %d", shape, len(data), tc.wantShape, len(tc.want))
			}
			for i := range data {
				if math.Float64bits(data[i]) != math.Float64bits(tc.want[i]) {
					t.Errorf("value %d = %v (%#x), want %v (%#x)", i, data[i], math.Float64bits(data[i]), tc.want[i], math.Float64bits(tc.want[i]))
				}
			}
		})
	}
}
