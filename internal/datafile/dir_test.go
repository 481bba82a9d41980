package datafile

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestCheckDir(t *testing.T) {
	base := t.TempDir()
	file := filepath.Join(base, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, dir, path string
		notDir, probe   bool
	}{
		{"existing directory", base, "", false, false},
		{"new nested directory", filepath.Join(base, "a", "b"), "", false, false},
		{"a file", file, file, true, false},
		{"below a file", filepath.Join(file, "x"), file, true, false},
		{"/proc", "/proc/x", "/proc", false, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.probe {
				if _, err := os.Stat("/proc"); err != nil {
					t.Skip("no /proc")
				}
			}
			err := CheckDir(c.dir)
			var de *DirError
			switch {
			case c.path == "" && err != nil:
				t.Errorf("CheckDir(%q) = %v, want nil", c.dir, err)
			case c.path != "" && (!errors.As(err, &de) || de.Path != c.path || de.NotDir != c.notDir || de.Probe != c.probe):
				t.Errorf("CheckDir(%q) = %#v, want path %s, notDir %v, probe %v", c.dir, err, c.path, c.notDir, c.probe)
			}
			if ents, _ := os.ReadDir(base); len(ents) != 1 && c.name != "new nested directory" {
				t.Errorf("CheckDir left %v in %s", ents, base)
			}
		})
	}
}
