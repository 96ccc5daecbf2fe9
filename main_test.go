package main

import (
	"bytes"
	"context"
	"flag"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// TestCases runs every case under testdata/cases: cmd holds the command
// line (shell-like quoting), stdin the standard input if any; the case
// asserts want.stdout, want.stderr and want.code separately, and for every
// file the run creates or changes, want.<name> and mode 0600. Cases run in
// a copy of their directory. go test -update rewrites the golden files.
func TestCases(t *testing.T) {
	dirs, err := filepath.Glob("testdata/cases/*")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no cases: %v", err)
	}
	for _, dir := range dirs {
		dir, err := filepath.Abs(dir)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(filepath.Base(dir), func(t *testing.T) {
			cmd, err := os.ReadFile(filepath.Join(dir, "cmd"))
			if err != nil {
				t.Fatal(err)
			}
			args := splitArgs(t, strings.TrimSpace(string(cmd)))
			before := inputs(t, dir)
			work := t.TempDir()
			for name, b := range before {
				if err := os.WriteFile(filepath.Join(work, name), b, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			var stdin io.Reader = strings.NewReader("")
			if b, ok := before["stdin"]; ok {
				stdin = onlyReader{bytes.NewReader(b)}
			}
			var stdout, stderr bytes.Buffer
			t.Chdir(work)
			code := run(context.Background(), append([]string{"jcrestore"}, args...), stdin, &stdout, &stderr)

			golden(t, dir, "want.stdout", stdout.Bytes())
			golden(t, dir, "want.stderr", stderr.Bytes())
			golden(t, dir, "want.code", []byte(strconv.Itoa(code)+"\n"))
			after := inputs(t, work)
			for name, b := range after {
				if old, ok := before[name]; ok && bytes.Equal(old, b) {
					continue
				}
				golden(t, dir, "want."+name, b)
				if fi, err := os.Stat(filepath.Join(work, name)); err != nil || fi.Mode().Perm() != 0o600 {
					t.Errorf("%s: mode %v, want 0600", name, fi.Mode().Perm())
				}
			}
			for name := range before {
				if _, ok := after[name]; !ok {
					t.Errorf("%s was removed", name)
				}
			}
		})
	}
}

// inputs reads the files of a case directory, golden files excepted. Any
// other file, such as a leftover temporary file, is an error to the test.
func inputs(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := make(map[string][]byte)
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		if strings.HasPrefix(rel, "want.") {
			return nil
		}
		b, err := os.ReadFile(path)
		files[filepath.ToSlash(rel)] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// golden compares got with dir/name, or rewrites it with -update. An
// absent golden file stands for empty output.
func golden(t *testing.T, dir, name string, got []byte) {
	t.Helper()
	path := filepath.Join(dir, name)
	if *update {
		if len(got) == 0 {
			os.Remove(path)
			return
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (go test -update rewrites it)\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

// splitArgs splits a command line at blanks, keeping quoted parts ('...'
// or "...") together.
func splitArgs(t *testing.T, s string) []string {
	var args []string
	var cur strings.Builder
	inArg := false
	var quote rune
	for _, r := range s {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			cur.WriteRune(r)
		case r == '\'' || r == '"':
			quote, inArg = r, true
		case r == ' ' || r == '\t':
			if inArg {
				args = append(args, cur.String())
				cur.Reset()
				inArg = false
			}
		default:
			cur.WriteRune(r)
			inArg = true
		}
	}
	if quote != 0 {
		t.Fatalf("unclosed quote in %q", s)
	}
	if inArg {
		args = append(args, cur.String())
	}
	return args
}

// onlyReader hides every method but Read, as a pipe would.
type onlyReader struct{ r io.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }

// TestREADME runs the examples of README.md: in each console block, a line
// "$ go run . ARGS" is run in-process and must print the lines that follow
// it (stdout, then stderr; the CSV's byte order mark is not shown there).
func TestREADME(t *testing.T) {
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	examples := 0
	for block := range strings.SplitSeq(string(b), "```console\n") {
		block, _, ok := strings.Cut(block, "```")
		if !ok || !strings.HasPrefix(block, "$ ") {
			continue
		}
		for cmd := range strings.SplitSeq(block[2:], "\n$ ") {
			line, want, _ := strings.Cut(cmd, "\n")
			args, ok := strings.CutPrefix(line, "go run . ")
			if !ok {
				t.Fatalf("README example %q does not start with 'go run . '", line)
			}
			var stdout, stderr bytes.Buffer
			run(context.Background(), append([]string{"jcrestore"}, splitArgs(t, args)...), strings.NewReader(""), &stdout, &stderr)
			got := strings.TrimPrefix(stdout.String(), "\ufeff") + stderr.String()
			if got != want {
				t.Errorf("README example %q prints\n%s\nwhile the README shows\n%s", line, got, want)
			}
			examples++
		}
	}
	if examples == 0 {
		t.Fatal("README.md shows no example")
	}
}
