package datafile

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"codeberg.org/sbinet/npyio/npy"
)

// rawNPY returns a version 1.0 .npy file with the given header dictionary
// and payload.
func rawNPY(dict string, payload []byte) []byte {
	pad := 64 - (10+len(dict)+1)%64
	if pad == 64 {
		pad = 0
	}
	hdr := dict + strings.Repeat(" ", pad) + "\n"
	b := append([]byte{}, npy.Magic[:]...)
	b = append(b, 1, 0)
	b = binary.LittleEndian.AppendUint16(b, uint16(len(hdr)))
	b = append(b, hdr...)
	return append(b, payload...)
}

// TestReadNPYRoundTrip reads back what WriteNPY wrote, and arrays that other
// writers produce: Fortran order, float32, big-endian, empty.
func TestReadNPYRoundTrip(t *testing.T) {
	dir := t.TempDir()
	le := func(vs ...float64) []byte {
		var b []byte
		for _, v := range vs {
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
		}
		return b
	}
	var f32 []byte
	for _, v := range []float32{1.5, -2, 3} {
		f32 = binary.LittleEndian.AppendUint32(f32, math.Float32bits(v))
	}
	var be []byte
	for _, v := range []float64{1, 2} {
		be = binary.BigEndian.AppendUint64(be, math.Float64bits(v))
	}
	for _, tc := range []struct {
		name      string
		file      []byte // nil: written by WriteNPY from want
		shape     []int
		want      []float64
		wantShape []int
	}{
		{name: "2-D", shape: []int{2, 3}, want: []float64{1, 2, 3, 4, 5, 6}},
		{name: "3-D", shape: []int{2, 1, 2}, want: []float64{1, 2, 3, 4}},
		{name: "empty", shape: []int{0, 3}, want: []float64{}},
		{
			name:      "Fortran 2 x 3",
			file:      rawNPY("{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }", le(1, 4, 2, 5, 3, 6)),
			want:      []float64{1, 2, 3, 4, 5, 6},
			wantShape: []int{2, 3},
		},
		{
			name: "Fortran 2 x 2 x 2",
			// C element (i, j, k) = 100 i + 10 j + k sits at i + 2 j + 4 k.
			file:      rawNPY("{'descr': '<f8', 'fortran_order': True, 'shape': (2, 2, 2), }", le(0, 100, 10, 110, 1, 101, 11, 111)),
			want:      []float64{0, 1, 10, 11, 100, 101, 110, 111},
			wantShape: []int{2, 2, 2},
		},
		{name: "float32", file: rawNPY("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", f32), want: []float64{1.5, -2, 3}, wantShape: []int{3}},
		{name: "big-endian", file: rawNPY("{'descr': '>f8', 'fortran_order': False, 'shape': (2,), }", be), want: []float64{1, 2}, wantShape: []int{2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "_")+".npy")
			wantShape := tc.wantShape
			if tc.file == nil {
				if err := WriteNPY(path, tc.want, tc.shape...); err != nil {
					t.Fatal(err)
				}
				wantShape = tc.shape
			} else if err := os.WriteFile(path, tc.file, 0o644); err != nil {
				t.Fatal(err)
			}
			shape, data, err := ReadNPY(path)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(shape, wantShape) || len(data) != len(tc.want) || (len(data) > 0 && !reflect.DeepEqual(data, tc.want)) {
				t.Errorf("ReadNPY = %v, %v; want %v, %v", shape, data, wantShape, tc.want)
			}
		})
	}
}

// TestReadNPYRefusesWrongLength writes a valid file and refuses truncated,
// header-only and over-long versions of it, and files that are not .npy
// files or hold other data, each with its full one-line error: the file,
// then what is wrong (for a length, the shape and the expected and found
// numbers of values). Every error matches ErrNPY.
func TestReadNPYRefusesWrongLength(t *testing.T) {
	dir := t.TempDir()
	full := filepath.Join(dir, "phi.npy")
	data := make([]float64, 12*10)
	for i := range data {
		data[i] = float64(i)
	}
	if err := WriteNPY(full, data, 12, 10); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(full)
	if err != nil {
		t.Fatal(err)
	}
	hdr := len(raw) - 8*len(data)
	for _, tc := range []struct {
		name string
		file []byte
		want string // the error after the file's path
	}{
		{"truncated", raw[:len(raw)-8*20], " is truncated: its shape (12, 10) needs 120 values, the file holds 100"},
		{"truncated mid-value", raw[:len(raw)-8*20-3], " is truncated: its shape (12, 10) needs 120 values, the file holds 99 and 5 stray bytes"},
		{"header only", raw[:hdr], " is header only, no data: its shape (12, 10) needs 120 values, the file holds 0"},
		{"too long", append(append([]byte{}, raw...), make([]byte, 16)...), " is longer than its header says: its shape (12, 10) needs 120 values, the file holds 122"},
		{"huge shape", rawNPY("{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000, 1000000000), }", make([]byte, 80)),
			" is truncated: its shape (1000000000, 1000000000) needs 1000000000000000000 values, the file holds 10"},
		{"overflowing shape", rawNPY("{'descr': '<f8', 'fortran_order': False, 'shape': (4611686018427387904, 4), }", nil),
			": shape (4611686018427387904, 4) holds more values than a file can"},
		{"negative dimension", rawNPY("{'descr': '<f8', 'fortran_order': False, 'shape': (-1, 2), }", nil), ": shape (-1, 2) has a negative dimension"},
		{"not npy", []byte("x,y\n1,2\n3,4\n"), " is not a NumPy .npy file: no .npy magic string"},
		{"short not npy", []byte("x,y\n1,2\n"), " is not a NumPy .npy file: shorter than a .npy header"}, // 8 bytes, short of the 10 of magic, version and length
		{"empty", nil, " is not a NumPy .npy file: shorter than a .npy header"},
		{"cut header", raw[:hdr-5], " is not a NumPy .npy file: header cut short"},
		{"unknown version", []byte("\x93NUMPY\x09\x00\x00\x00"), " is not a NumPy .npy file: unknown .npy format version 9.0"},
		{"huge header", []byte("\x93NUMPY\x02\x00\x00\x00\x00\x10"), " is not a NumPy .npy file: header of 268435456 bytes, more than 1048576"},
		{"integer dtype", rawNPY("{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }", make([]byte, 16)),
			` holds dtype "<i8": want floating-point numbers, dtype '<f8' (float64)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "_")+".npy")
			if err := os.WriteFile(path, tc.file, 0o644); err != nil {
				t.Fatal(err)
			}
			_, got, err := ReadNPY(path)
			if err == nil {
				t.Fatalf("ReadNPY accepted the file (%d values)", len(got))
			}
			if want := path + tc.want; err.Error() != want || !errors.Is(err, ErrNPY) {
				t.Errorf("error %q (matches ErrNPY: %v)\nwant  %q matching ErrNPY", err, errors.Is(err, ErrNPY), want)
			}
		})
	}
	if _, _, err := ReadNPY(filepath.Join(dir, "missing.npy")); !errors.Is(err, fs.ErrNotExist) || errors.Is(err, ErrNPY) {
		t.Errorf("missing file: %v, want fs.ErrNotExist and not ErrNPY", err)
	}
}

// ExampleReadNPY writes an array and reads it back.
func ExampleReadNPY() {
	dir, err := os.MkdirTemp("", "npy")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "a.npy")
	if err := WriteNPY(path, []float64{1, 2, 3, 4, 5, 6}, 2, 3); err != nil {
		panic(err)
	}
	shape, data, err := ReadNPY(path)
	fmt.Println(shape, data, err)
	// Output: [2 3] [1 2 3 4 5 6] <nil>
}
