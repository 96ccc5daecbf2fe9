package main

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"

	"github.com/jcrestore/jcrestore/convert"
	"github.com/jcrestore/jcrestore/export"
	"github.com/urfave/cli/v2"
)

// inputFiles are the files the INPUT arguments name, directories and
// wildcard patterns expanded; "-" (or no INPUT) is stdin. What a directory
// holds besides exports is noted. The backups among them are read apart
// (a backup that cannot be read is an error): the files are those left.
func inputFiles(c *cli.Context, rep *reporter) ([]string, []*convert.Backup, error) {
	args := c.Args().Slice()
	if len(args) == 0 {
		args = []string{"-"}
	}
	all, notes, err := convert.Files(args)
	if err != nil {
		return nil, nil, fail(exitUsage, "%s", export.PathError(err))
	}
	for _, n := range notes {
		rep.message(convert.Notef("%s", n))
	}
	var files, parts []string
	var backups []*convert.Backup
	read := map[string]bool{} // the backups read, by name in lower case
	for _, f := range all {
		switch convert.BackupPart(f) {
		case "backup":
			b, err := convert.ReadBackup(f)
			if err != nil {
				return nil, nil, fail(exitUsage, "%s", export.PathError(err))
			}
			backups = append(backups, b)
			read[absLower(f)] = true
			continue
		case "part": // read with its users CSV
			parts = append(parts, f)
			continue
		}
		if kind := zipKind(f); kind != "" {
			return nil, nil, fail(exitNoInput, "%s %s", f, export.NotAnExport(kind, f))
		}
		files = append(files, f)
	}
	var unread []string
	for _, p := range parts {
		if users := convert.UsersOfPart(p); !read[absLower(users)] {
			unread = append(unread, fmt.Sprintf("%s: skipped, a file of Get-JCBackup's backup, read only with its users file %s", p, filepath.Base(users)))
		}
	}
	if len(files) == 0 && len(backups) == 0 && len(unread) > 0 {
		return nil, nil, fail(exitNoInput, "nothing to read: %s", strings.Join(unread, "; "))
	}
	for _, u := range unread {
		rep.message(convert.Notef("%s", u))
	}
	return files, backups, nil
}

// absLower is the absolute path of p in lower case, to tell two names of
// one file as the same.
func absLower(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		p = a
	}
	return strings.ToLower(p)
}

// zipKind is what the file at path is when it is a zip archive (a
// workbook, a document), read where it lies; "" for any other file.
func zipKind(path string) string {
	if path == "-" {
		return ""
	}
	f, err := os.Open(path)
	if err != nil {
		return "" // said when it is read
	}
	defer f.Close()
	head := make([]byte, 4)
	fi, err := f.Stat()
	if _, rerr := io.ReadFull(f, head); rerr != nil || err != nil || string(head) != "PK\x03\x04" {
		return ""
	}
	return cmp.Or(export.ZipKind(f, fi.Size()), export.ZipOther)
}

// openInputs opens every input before anything is read, so that a missing
// file is a usage error and not a half-done run. "-" is stdin; a terminal
// there is read as a paste, after a hint says how to end it.
func openInputs(c *cli.Context, names []string) ([]convert.Input, func(), error) {
	var inputs []convert.Input
	var files []io.Closer
	closeAll := func() {
		for _, f := range files {
			f.Close()
		}
	}
	for _, n := range names {
		if n == "-" {
			in := convert.Input{Name: "stdin", R: c.App.Reader}
			if f, ok := c.App.Reader.(*os.File); ok && isTerminal(f) {
				fmt.Fprintln(c.App.ErrWriter, "jcrestore: paste the event JSON, then Ctrl-D (Ctrl-Z Enter on Windows)")
				p, err := pasteFrom(c.Context, f, c.App.ErrWriter)
				if err != nil {
					closeAll()
					return nil, nil, fail(exitUsage, "stdin: %s", err)
				}
				in.R, in.Pasted, files = p, true, append(files, p)
			}
			inputs = append(inputs, in)
			continue
		}
		f, err := os.Open(n)
		if err != nil {
			closeAll()
			return nil, nil, fail(exitUsage, "%s", export.PathError(err))
		}
		files = append(files, f)
		inputs = append(inputs, convert.Input{Name: n, R: f, Reopen: func() (io.ReadCloser, error) { return os.Open(n) }})
	}
	return inputs, closeAll, nil
}

// readInputs reads the inputs named, with a progress line on a terminal.
func readInputs(c *cli.Context, rep *reporter, names []string, opts convert.Options) (*convert.Result, error) {
	inputs, closeInputs, err := openInputs(c, names)
	if err != nil {
		return nil, err
	}
	defer closeInputs()
	opts.Progress = new(atomic.Int64)
	prog := rep.startProgress(inputs, opts.Progress, progressAfter)
	res, err := convert.Read(c.Context, inputs, opts)
	prog.stop()
	if refused := (*convert.RefusedError)(nil); errors.As(err, &refused) {
		return nil, fail(exitUsage, "%s", refused.Why)
	}
	return res, err
}
