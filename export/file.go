package export

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// ErrExists is returned when the output file exists and replacing it was
// not asked for.
var ErrExists = errors.New("exists")

// File is an output file written safely: the bytes go to a temporary file
// beside the target (created 0600, since it holds personal data) and are
// renamed over the target only on Commit. Abort, or any failure, removes the
// temporary file; the target is never left half-written.
type File struct {
	*os.File
	path  string
	force bool
	done  bool
}

// Create starts writing path. Without force an existing path is refused.
func Create(path string, force bool) (*File, error) {
	if err := Check(path, force); err != nil {
		return nil, err
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".*.tmp")
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, fmt.Errorf("cannot create %s: %w", path, err)
	}
	return &File{File: f, path: path, force: force}, nil
}

// Check tells, before any work is done, whether path may be written:
// without force it must not exist; it must be a regular file if it does
// (renaming over a device or a directory would replace it).
func Check(path string, force bool) error {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return err
	case fi.IsDir():
		return fmt.Errorf("%s is a directory", path)
	case !fi.Mode().IsRegular():
		return fmt.Errorf("%s is not a regular file; write to a file, or to stdout without -o", path)
	case !force:
		return fmt.Errorf("%s %w (--force replaces it)", path, ErrExists)
	}
	return nil
}

// Commit closes the temporary file and renames it over the target.
func (f *File) Commit() error {
	if f.done {
		return nil
	}
	f.done = true
	err := f.File.Close()
	if err == nil {
		err = Check(f.path, f.force)
	}
	if err == nil {
		err = os.Rename(f.Name(), f.path)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}

// Abort removes the temporary file; after Commit it does nothing.
func (f *File) Abort() {
	if f.done {
		return
	}
	f.done = true
	f.File.Close()
	os.Remove(f.Name())
}

// SameFile reports whether output names the same file as any of inputs,
// directly or through links, so that a run never overwrites what it reads.
func SameFile(output string, inputs []string) (string, bool) {
	out, err := os.Stat(output)
	if err != nil {
		return "", false
	}
	for _, in := range inputs {
		if fi, err := os.Stat(in); err == nil && os.SameFile(out, fi) {
			return in, true
		}
	}
	return "", false
}
