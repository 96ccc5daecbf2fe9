package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
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

func runArgs(t *testing.T, ctx context.Context, stdout io.Writer, args ...string) (int, string) {
	t.Helper()
	var stderr bytes.Buffer
	code := run(ctx, append([]string{"jcrestore"}, args...), strings.NewReader(""), stdout, &stderr)
	return code, stderr.String()
}

func TestVersion(t *testing.T) {
	var out bytes.Buffer
	code, stderr := runArgs(t, context.Background(), &out, "--version")
	if code != 0 || stderr != "" || !strings.HasPrefix(out.String(), "jcrestore ") || !strings.Contains(out.String(), "built with go") {
		t.Errorf("--version: %d %q %q", code, out.String(), stderr)
	}
}

const sample = "testdata/sample/export.json"

type failingWriter struct{ err error }

func (w failingWriter) Write([]byte) (int, error) { return 0, w.err }

// TestStdoutErrors: a failing stdout is exit 4; a closed pipe ends quietly.
func TestStdoutErrors(t *testing.T) {
	code, stderr := runArgs(t, context.Background(), failingWriter{errors.New("no space left on device")}, "convert", "-q", sample)
	if code != exitOutput || stderr != "jcrestore: writing to stdout: no space left on device\n" {
		t.Errorf("full stdout: %d %q", code, stderr)
	}
	code, stderr = runArgs(t, context.Background(), failingWriter{syscall.EPIPE}, "convert", "-q", sample)
	if code != exitOK || stderr != "" {
		t.Errorf("closed pipe: %d %q", code, stderr)
	}
}

// TestOutputRefused: an output that reaches an input through a link, and a
// device, are refused before anything is read or written.
func TestOutputRefused(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "events.json")
	b, _ := os.ReadFile(sample)
	os.WriteFile(in, b, 0o644)
	link := filepath.Join(dir, "restore.csv")
	if err := os.Symlink(in, link); err != nil {
		t.Skip("no symlinks:", err)
	}
	code, stderr := runArgs(t, context.Background(), io.Discard, "convert", in, "--force", "-o", link)
	if code != exitUsage || !strings.Contains(stderr, "is the input") {
		t.Errorf("link to input: %d %q", code, stderr)
	}
	if got, _ := os.ReadFile(in); !bytes.Equal(got, b) {
		t.Error("the input was changed")
	}
	if _, err := os.Stat(os.DevNull); err == nil {
		code, stderr = runArgs(t, context.Background(), io.Discard, "convert", in, "--force", "-o", os.DevNull)
		if code != exitUsage || !strings.Contains(stderr, "not a regular file") {
			t.Errorf("device: %d %q", code, stderr)
		}
	}
}

// TestInterrupted: a run cancelled (Ctrl-C) writes nothing and leaves no
// temporary file.
func TestInterrupted(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	code, stderr := runArgs(t, ctx, io.Discard, "convert", sample, "-o", filepath.Join(dir, "restore.csv"))
	if code != exitInterrupt || stderr != "jcrestore: interrupted; nothing written\n" {
		t.Errorf("%d %q", code, stderr)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("left %v", entries)
	}
}
