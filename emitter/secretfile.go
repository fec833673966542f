package emitter

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"

	"github.com/orderhooks/orderhooks/internal/safefile"
)

// ErrSecretFile is wrapped by SaveSecret when it refuses a path.
var ErrSecretFile = errors.New("emitter: unsafe secret file")

// SaveSecret writes secret and a newline to the file at path, readable and
// writable by its owner only (0600), for ResolveSecret's file: specs. The
// file is created exclusively; a symbolic link at path is never followed;
// an existing file is overwritten only when it is a regular file no one
// but its owner can read or write (mode 0600 or stricter). So a secret
// never lands in a file others can read, nor where a planted link points.
// Errors name the path, never the secret.
func SaveSecret(path, secret string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL|safefile.NoFollow, 0o600)
	if errors.Is(err, fs.ErrExist) {
		f, err = reopenSecret(path)
	}
	if err != nil {
		return err
	}
	_, err = f.WriteString(secret + "\n")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// reopenSecret opens an existing secret file for rewriting, if it is safe.
func reopenSecret(path string) (*os.File, error) {
	if err := safefile.NotALink(path); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrSecretFile, err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|safefile.NoFollow, 0)
	if errors.Is(err, syscall.ELOOP) {
		return nil, fmt.Errorf("%w: %s is a symbolic link; not following it", ErrSecretFile, path)
	}
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	switch {
	case err != nil:
	case !st.Mode().IsRegular():
		err = fmt.Errorf("%w: %s is not a regular file", ErrSecretFile, path)
	case st.Mode().Perm()&0o077 != 0:
		err = fmt.Errorf("%w: %s has mode %04o, which lets others read or write it; remove it or chmod 600 it", ErrSecretFile, path, st.Mode().Perm())
	default:
		err = f.Truncate(0)
	}
	if err != nil {
		_ = f.Close() // nothing was written
		return nil, err
	}
	return f, nil
}
