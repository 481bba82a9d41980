package datafile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// DirError says why dir cannot be created as, or used as, a directory to
// write into: Path (dir itself or an ancestor) is not a directory
// (NotDir), or nothing can be created in the existing directory Path, or
// Path cannot be examined (Err holds the system's reason).
type DirError struct {
	Dir, Path string
	NotDir    bool
	Probe     bool // Err is the failure to create an entry in Path
	Err       error
}

// Error words the error.
func (e *DirError) Error() string {
	switch {
	case e.NotDir && e.Path == filepath.Clean(e.Dir):
		return fmt.Sprintf("%s exists and is not a directory", e.Dir)
	case e.NotDir:
		return fmt.Sprintf("%s: %s is not a directory", e.Dir, e.Path)
	case e.Probe:
		return fmt.Sprintf("%s: cannot create anything in %s: %v", e.Dir, e.Path, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.Dir, e.Err)
}

// Unwrap returns the system's reason.
func (e *DirError) Unwrap() error { return e.Err }

// CheckDir verifies, before any work, that dir can be created as (or
// already is) a directory to write into: dir itself, if it exists, and its
// nearest existing ancestor must be directories, and an entry must be
// creatable in the nearest existing one (ProbeDir; /proc, a read-only file
// system or a directory without write permission fail here). It leaves
// nothing behind. Its errors are *DirError.
func CheckDir(dir string) error {
	p := filepath.Clean(dir)
	for {
		st, err := os.Stat(p)
		if err == nil {
			if !st.IsDir() {
				return &DirError{Dir: dir, Path: p, NotDir: true}
			}
			if err := ProbeDir(p); err != nil {
				return &DirError{Dir: dir, Path: p, Probe: true, Err: err}
			}
			return nil
		}
		if !errors.Is(err, os.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR) {
			return &DirError{Dir: dir, Path: p, Err: err}
		}
		parent := filepath.Dir(p)
		if parent == p {
			return nil
		}
		p = parent
	}
}

// ProbeDir checks that entries can be created in the existing directory p
// by creating a uniquely named temporary directory in it and removing it
// at once. Its error is the system's reason, without the probe's name.
func ProbeDir(p string) error {
	tmp, err := os.MkdirTemp(p, ".sgdsde-probe-*")
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			return pe.Err
		}
		return err
	}
	if err := os.Remove(tmp); err != nil {
		return fmt.Errorf("cannot remove the probe %s: %w", tmp, err)
	}
	return nil
}
