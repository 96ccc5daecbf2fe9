package convert

import (
	"bufio"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/jcrestore/jcrestore/convert/jsonstream"
)

// Files turns INPUT arguments into the files to read, in order: a
// directory stands for the export files directly inside it (serverless
// exporters leave hundreds in one), a wildcard pattern that the shell left
// as it was (Windows' cmd and PowerShell expand none) for the files it
// matches, and "-" for stdin. What a directory holds besides exports is
// skipped, each with a note. A backup (see BackupPart) is kept whole, a
// folder too. A pattern that matches nothing, or a directory without an
// export or a backup, is an error.
func Files(args []string) (files, notes []string, err error) {
	for _, arg := range args {
		paths := []string{arg}
		// Windows refuses to look up a name with * or ? in it ("Invalid
		// name") rather than find no such file.
		if _, statErr := os.Stat(arg); arg != "-" && statErr != nil && strings.ContainsAny(arg, "*?[") {
			if paths, err = filepath.Glob(arg); err != nil {
				return nil, nil, fmt.Errorf("%s: not a valid wildcard pattern", arg)
			}
			if len(paths) == 0 {
				return nil, nil, fmt.Errorf("%s: no file matches", arg)
			}
		}
		for _, p := range paths {
			fi, statErr := os.Stat(p)
			if statErr != nil || !fi.IsDir() || BackupPart(p) != "" {
				files = append(files, p) // opening it tells what is wrong
				continue
			}
			inside, skipped, err := exportsIn(p)
			if err != nil {
				return nil, nil, err
			}
			files, notes = append(files, inside...), append(notes, skipped...)
		}
	}
	return files, notes, nil
}

// exportsIn lists the export files directly inside dir, sorted by name,
// and notes what it skips.
func exportsIn(dir string) (files, notes []string, err error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil, err
	}
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		switch why := notExport(p, e); {
		case why == "", BackupPart(p) != "":
			files = append(files, p)
		case !strings.HasPrefix(e.Name(), "."):
			notes = append(notes, fmt.Sprintf("%s: skipped, %s", p, why))
		}
	}
	if len(files) == 0 {
		return nil, nil, fmt.Errorf("%s: a directory with no Directory Insights export or backup directly inside (%s)", dir, Plural(len(entries), "entry", "entries"))
	}
	slices.Sort(files)
	return files, notes, nil
}

// notExport says why the directory entry at p is not an export file; ""
// when it is one: a file whose text, once decoded (gzip, UTF-16), starts
// with a JSON object or array. Hidden files are never exports.
func notExport(p string, e fs.DirEntry) string {
	switch {
	case e.IsDir():
		return "a directory (only the files directly inside one are read)"
	case strings.HasPrefix(e.Name(), "."):
		return "hidden"
	}
	f, err := os.Open(p)
	if err != nil {
		return err.Error()
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return "not a regular file"
	}
	r, _, err := jsonstream.Decode(f)
	if err != nil {
		return err.Error()
	}
	br := bufio.NewReader(r)
	for {
		c, err := br.ReadByte()
		switch {
		case err != nil:
			return "empty"
		case c == '{' || c == '[':
			return ""
		case c != ' ' && c != '\t' && c != '\r' && c != '\n':
			return "not JSON"
		}
	}
}
