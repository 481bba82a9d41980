package plots

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTruncatedNPYRefused truncates phi.npy of a valid steady directory
// (and keeps only its header) and checks that readNPY (datafile.ReadNPY) and the steady
// figures refuse it, naming the file, the expected and the found number of
// values, instead of drawing a field padded with repeated values.
func TestTruncatedNPYRefused(t *testing.T) {
	for _, tc := range []struct {
		name string
		keep func(raw []byte, values int) []byte
		want string
	}{
		{"truncated", func(raw []byte, n int) []byte { return raw[:len(raw)-8*100] }, "needs 1536 values, the file holds 1436"},
		{"header only", func(raw []byte, n int) []byte { return raw[:len(raw)-8*n] }, "header only, no data: its shape (32, 48) needs 1536 values, the file holds 0"},
		{"too long", func(raw []byte, n int) []byte { return append(raw, make([]byte, 8)...) }, "needs 1536 values, the file holds 1537"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeSteadyDir(t, dir)
			phi := filepath.Join(dir, "phi.npy")
			if _, _, err := readNPY(phi); err != nil {
				t.Fatalf("valid file: %v", err)
			}
			raw, err := os.ReadFile(phi)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(phi, tc.keep(raw, 32*48), 0o644); err != nil {
				t.Fatal(err)
			}
			_, _, err = readNPY(phi)
			if !errors.Is(err, ErrInput) || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), phi) {
				t.Fatalf("readNPY: %v; want an input error naming %s with %q", err, phi, tc.want)
			}
			files, err := SteadyFigures(dir, FigureOptions{})
			if !errors.Is(err, ErrInput) || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("SteadyFigures: %v (files %v); want one-line input error with %q", err, files, tc.want)
			}
		})
	}
}
