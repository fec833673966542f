// Package safefile creates files in directories others may write to
// (a shared --dir) without following a symbolic link planted there.
package safefile

import (
	"fmt"
	"io/fs"
	"os"
)

// Create creates or truncates the file at path with perm, refusing a
// symbolic link at path (O_NOFOLLOW where the platform has it, and an
// Lstat check everywhere).
func Create(path string, perm fs.FileMode) (*os.File, error) {
	if err := NotALink(path); err != nil {
		return nil, err
	}
	return os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC|NoFollow, perm)
}

// NotALink returns an error when path is a symbolic link.
func NotALink(path string) error {
	if st, err := os.Lstat(path); err == nil && st.Mode()&fs.ModeSymlink != 0 {
		return fmt.Errorf("%s is a symbolic link; not following it", path)
	}
	return nil
}
