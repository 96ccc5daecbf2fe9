package export

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/jcrestore/jcrestore/convert"
)

// errExists is returned when the output file exists and replacing it was
// not asked for.
var errExists = errors.New("exists")

// OutputError says the output could not be written; nothing was left
// behind, and an existing file was not touched.
type OutputError struct{ msg string }

func (e *OutputError) Error() string { return e.msg }

// WriteTo runs write into the file at path, safely (see create), or into
// stdout when path is "". A closed stdout pipe ends the run quietly. Once
// ctx is done, writing stops and WriteTo returns ctx's error, leaving no
// file; any other failure is an *OutputError.
func WriteTo(ctx context.Context, path string, force bool, stdout io.Writer, write func(io.Writer) error) error {
	if path == "" {
		err := write(ctxWriter{ctx, stdout})
		switch {
		case errors.Is(err, syscall.EPIPE):
			return nil
		case errors.Is(err, context.Canceled):
			return err
		case err != nil:
			return &OutputError{"writing to stdout: " + err.Error()}
		}
		return nil
	}
	f, err := create(path, force)
	if err != nil {
		return &OutputError{PathError(err)}
	}
	if err := write(ctxWriter{ctx, f}); err != nil {
		f.Abort()
		if errors.Is(err, context.Canceled) {
			return err
		}
		return &OutputError{fmt.Sprintf("%s: %s; nothing written", path, err)}
	}
	if err := f.Commit(); err != nil {
		return &OutputError{fmt.Sprintf("%s: %s; nothing written", path, PathError(err))}
	}
	return nil
}

// ctxWriter stops writing once ctx is done (Ctrl-C), so that an
// interrupted run leaves no file behind.
type ctxWriter struct {
	ctx context.Context
	w   io.Writer
}

func (c ctxWriter) Write(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.w.Write(p)
}

// PathError words a file error without Go's "open" prefix: "path: no such
// file", "path: permission denied".
func PathError(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		if errors.Is(err, fs.ErrNotExist) {
			return pe.Path + ": no such file"
		}
		return pe.Path + ": " + pe.Err.Error()
	}
	return err.Error()
}

// outFile is an output file written safely: the bytes go to a temporary file
// beside the target (created 0600, or on Windows with an access list
// granting the user alone, since it holds personal data) and are
// renamed over the target only on Commit. Abort, or any failure, removes the
// temporary file; the target is never left half-written.
type outFile struct {
	*os.File
	path  string
	force bool
	done  bool
}

// create starts writing path. Without force an existing path is refused.
func create(path string, force bool) (*outFile, error) {
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
		if errors.Is(err, fs.ErrNotExist) { // in the same words on every system
			err = fmt.Errorf("there is no folder %s", filepath.Clean(dir))
		}
		return nil, fmt.Errorf("cannot create %s: %w", path, err)
	}
	if err := private(f); err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, fmt.Errorf("cannot make %s private to you: %w", path, err)
	}
	return &outFile{File: f, path: path, force: force}, nil
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
		return fmt.Errorf("%s %w (--force replaces it)", path, errExists)
	}
	return nil
}

// Commit closes the temporary file and renames it over the target.
func (f *outFile) Commit() error {
	if f.done {
		return nil
	}
	f.done = true
	err := f.File.Close()
	if err == nil {
		err = Check(f.path, f.force)
	}
	if err == nil {
		err = inUse(os.Rename(f.Name(), f.path))
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}

// Abort removes the temporary file; after Commit it does nothing.
func (f *outFile) Abort() {
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

// OrgPath is the output path for the organization org when one output is
// written per organization: path with "-" and the id before its extension
// (restore.csv, restore-<id>.csv). The id must be an organization id, 24
// hexadecimal characters: anything else from an export is never made part
// of a path.
func OrgPath(path, org string) (string, error) {
	if !convert.IsID(org) {
		return "", fmt.Errorf("%q is not an organization id (24 hexadecimal characters)", org)
	}
	ext := filepath.Ext(path)
	return strings.TrimSuffix(path, ext) + "-" + org + ext, nil
}

// OrgName shows the organization org, as an export gave it: its id, quoted
// when it is not one, or "(none given)".
func OrgName(org string) string {
	switch {
	case org == "":
		return "(none given)"
	case convert.IsID(org):
		return org
	}
	return fmt.Sprintf("%q", org)
}
