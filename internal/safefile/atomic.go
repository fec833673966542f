package safefile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Pending is a file being written beside its final path: readers of the
// path see the earlier file, whole, until Commit renames the new one over
// it. Discard drops it. Its errors name the final path, never the
// temporary one.
type Pending struct {
	*os.File
	path string
	done bool
}

// CreatePending starts writing the file at path: a hidden temporary file
// in the same directory. A directory at path, a missing directory or one
// the user cannot write in is an error naming path.
func CreatePending(path string) (*Pending, error) {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return nil, fmt.Errorf("%s: is a directory", path)
	}
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return nil, fmt.Errorf("%s: no such directory %s", path, dir)
		case errors.Is(err, fs.ErrPermission):
			return nil, fmt.Errorf("%s: cannot write in %s: permission denied", path, dir)
		}
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &Pending{File: f, path: path}, nil
}

// Commit closes the file and renames it over its path (mode 0644). On an
// error the temporary file is removed and the earlier file, if any, stays.
func (p *Pending) Commit() error {
	if p.done {
		return fmt.Errorf("%s: already committed or discarded", p.path)
	}
	p.done = true
	err := p.File.Close()
	if err == nil {
		err = os.Chmod(p.File.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(p.File.Name(), p.path)
	}
	if err != nil {
		_ = os.Remove(p.File.Name())
		var pe *fs.PathError
		var le *os.LinkError
		switch {
		case errors.As(err, &pe):
			err = pe.Err
		case errors.As(err, &le):
			err = le.Err
		}
		return fmt.Errorf("%s: %w", p.path, err)
	}
	return nil
}

// Discard removes the temporary file; the earlier file, if any, stays. It
// does nothing after Commit.
func (p *Pending) Discard() {
	if p.done {
		return
	}
	p.done = true
	_ = p.File.Close()
	_ = os.Remove(p.File.Name())
}

// WriteFile writes data to path through a Pending file.
func WriteFile(path string, data []byte) error {
	p, err := CreatePending(path)
	if err != nil {
		return err
	}
	if _, err := p.Write(data); err != nil {
		p.Discard()
		return fmt.Errorf("%s: %w", path, err)
	}
	return p.Commit()
}
