package expr

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestGeneratedUpToDate runs gen.go in a temporary directory and checks
// that compile_gen.go is what it writes, so that an edit of gen.go (or of
// the generated file by hand) cannot go unnoticed.
func TestGeneratedUpToDate(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command")
	}
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	src, err := os.ReadFile("gen.go")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "gen.go"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(goCmd, "run", "gen.go")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go run gen.go: %v\n%s", err, out)
	}
	got, err := os.ReadFile(filepath.Join(dir, "compile_gen.go"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("compile_gen.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("compile_gen.go differs from what gen.go writes (%d against %d bytes): run go generate ./potentials/expr", len(want), len(got))
	}
}
