package main

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/jcrestore/jcrestore/export"
	"github.com/xuri/excelize/v2"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// TestCases runs every case under testdata/cases: cmd holds the command
// line (shell-like quoting), stdin the standard input if any; the case
// asserts want.stdout, want.stderr and want.code separately, and for every
// file the run creates or changes, want.<name> and mode 0600. Cases run in
// a copy of their directory. go test -update rewrites the golden files.
func TestCases(t *testing.T) {
	// inspect compares event times with the clock: a fixed one here.
	defer func(old func() time.Time) { now = old }(now)
	now = func() time.Time { return time.Date(2024, 8, 1, 0, 0, 0, 0, time.UTC) }
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
			// A case's file "shared" names folders of testdata/shared
			// whose files are its inputs too: the plan that several
			// verify cases hold users against, kept once.
			for _, name := range strings.Fields(string(before["shared"])) {
				maps.Copy(before, inputs(t, filepath.Join(dir, "..", "..", "shared", name)))
			}
			work := tempDir(t)
			for name, b := range before {
				if err := os.MkdirAll(filepath.Dir(filepath.Join(work, name)), 0o755); err != nil {
					t.Fatal(err)
				}
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
				if strings.HasSuffix(name, ".xlsx") {
					// A workbook holds the time it was made: it is checked
					// by the rows approve reads back, here and in
					// TestWorkbook.
					golden(t, dir, "want."+name+".rows", workbookRows(t, b))
				} else {
					golden(t, dir, "want."+name, b)
				}
				// Windows has no modes: export's TestFile checks its
				// access list there.
				if fi, err := os.Stat(filepath.Join(work, name)); runtime.GOOS != "windows" && (err != nil || fi.Mode().Perm() != 0o600) {
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

// workbookRows are the rows of a workbook that a case checks: those of a
// verification workbook's Verified sheet, else reviewRows.
func workbookRows(t *testing.T, b []byte) []byte {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Error(err)
		return nil
	}
	defer f.Close()
	if title, _ := f.GetCellValue(export.SheetAbout, "A1"); title != export.VerifiedTitle {
		return reviewRows(t, b)
	}
	rows, err := f.GetRows(export.SheetVerified)
	if err != nil {
		t.Error(err)
	}
	var out bytes.Buffer
	for _, r := range rows {
		fmt.Fprintln(&out, strings.Join(r, "\t"))
	}
	return out.Bytes()
}

// reviewRows are the rows approve reads from a workbook, one per line:
// Restore or not, username, email, organization.
func reviewRows(t *testing.T, b []byte) []byte {
	t.Helper()
	a, err := export.ReadReview(b)
	if err != nil {
		t.Error(err)
		return nil
	}
	var out bytes.Buffer
	for _, r := range a.Records {
		fmt.Fprintf(&out, "Restore\t%s\t%s\t%s\n", r.Username, r.Email, r.Organization)
	}
	for _, u := range a.NotMarked {
		fmt.Fprintf(&out, "not marked\t%s\n", u)
	}
	return out.Bytes()
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
	if !bytes.Equal(got, want) && !(runtime.GOOS == "windows" && bytes.Equal(slashed(got), slashed(want))) {
		t.Errorf("%s differs (go test -update rewrites it)\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

// slashed is b with every backslash a slash: on Windows the paths
// jcrestore makes (a directory's files) have backslashes, and the golden
// files slashes.
func slashed(b []byte) []byte { return bytes.ReplaceAll(b, []byte(`\`), []byte("/")) }

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

// TestVersionOf: a build names its release, its module version, or the
// commit of the clone it was built from.
func TestVersionOf(t *testing.T) {
	clone := &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "c31886a1b2c3d4e5f60718293a4b5c6d7e8f9012"}, {Key: "vcs.modified", Value: "true"}}}
	for _, c := range []struct {
		release string
		bi      *debug.BuildInfo
		want    string
	}{
		{"1.4.0", clone, "1.4.0"},
		{"", &debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20261205213000-c31886a1b2c3+dirty"}}, "v0.0.0-20261205213000-c31886a1b2c3+dirty"},
		{"", clone, "(devel) commit c31886a1b2c3, modified"},
		{"", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, "(devel)"},
		{"", nil, "(devel)"},
	} {
		if got := versionOf(c.release, c.bi); got != c.want {
			t.Errorf("%q, want %q", got, c.want)
		}
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
	dir := tempDir(t)
	in := filepath.Join(dir, "events.json")
	b, _ := os.ReadFile(sample)
	os.WriteFile(in, b, 0o644)
	link := filepath.Join(dir, "restore.csv")
	if err := os.Symlink(in, link); err != nil {
		t.Skip("no symlinks:", err)
	}
	if _, err := os.Stat(link); err != nil {
		// Seen under Wine 8: CreateSymbolicLink succeeds and leaves
		// nothing that can be opened; Windows follows the link.
		t.Skip("the link was made and cannot be read (Wine 8):", err)
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
	dir := tempDir(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	code, stderr := runArgs(t, ctx, io.Discard, "convert", sample, "-o", filepath.Join(dir, "restore.csv"))
	if code != exitInterrupt || stderr != "jcrestore: interrupted; an output file is left as it was\n" {
		t.Errorf("%d %q", code, stderr)
	}
	if code, stderr := runArgs(t, ctx, io.Discard, "inspect", sample); code != exitInterrupt || stderr != "jcrestore: interrupted\n" {
		t.Errorf("inspect: %d %q", code, stderr) // it writes no output file to speak of
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("left %v", entries)
	}
}

// BenchmarkCommand runs one jcrestore command line in-process, given in
// JCRESTORE_BENCH_ARGS, for profiling the whole path, e.g.
//
//	JCRESTORE_BENCH_ARGS="convert -q /tmp/d100k.json -o /tmp/r.xlsx --force" go test -run '^$' -bench Command -benchtime 1x -cpuprofile cpu.out
func BenchmarkCommand(b *testing.B) {
	args := strings.Fields(os.Getenv("JCRESTORE_BENCH_ARGS"))
	if len(args) == 0 {
		b.Skip("JCRESTORE_BENCH_ARGS is not set")
	}
	for b.Loop() {
		if code, stderr := runArgs(&testing.T{}, context.Background(), io.Discard, args...); code != 0 {
			b.Fatalf("exit %d: %s", code, stderr)
		}
	}
}

// runIn runs a command line in dir and fails the test on an unexpected
// exit code.
func runIn(t *testing.T, dir string, want int, args ...string) string {
	t.Helper()
	t.Chdir(dir)
	code, stderr := runArgs(t, context.Background(), io.Discard, args...)
	if code != want {
		t.Fatalf("jcrestore %s: exit %d, want %d\n%s", strings.Join(args, " "), code, want, stderr)
	}
	return stderr
}

// roundTripInputs are exports whose users exercise every column family.
var roundTripInputs = []string{"testdata/sample/export.json", "testdata/cases/validation/events.ndjson",
	"testdata/cases/latest-deletion-wins/a.ndjson", "testdata/cases/powershell-depth-single/event.json", "testdata/cases/names-in-resource/events.ndjson",
	"testdata/cases/managers-left-out/mgr.ndjson", "testdata/cases/state-and-devices/events.ndjson", "testdata/cases/rebuild-whole-user/events.json"}

// TestReviewRoundTrip: convert to a workbook, approve it with every row
// left as it is, and get byte for byte the CSV that convert writes; also
// after LibreOffice opened and saved the workbook, and with a template.
func TestReviewRoundTrip(t *testing.T) {
	dir := tempDir(t)
	var inputs []string
	for _, in := range roundTripInputs {
		abs, _ := filepath.Abs(in)
		inputs = append(inputs, abs)
	}
	tpl, _ := filepath.Abs("testdata/cases/template-portal/portal-template.csv")
	runIn(t, dir, exitPartial, append([]string{"convert", "-q", "-o", "direct.csv"}, inputs...)...)
	runIn(t, dir, exitPartial, append([]string{"convert", "-q", "--template", tpl, "-o", "direct-template.csv"}, inputs...)...)
	runIn(t, dir, exitOK, append([]string{"convert", "-q", "-o", "review.xlsx"}, inputs...)...)
	runIn(t, dir, exitOK, "approve", "-q", "review.xlsx", "-o", "approved.csv")
	runIn(t, dir, exitOK, "approve", "-q", "--template", tpl, "review.xlsx", "-o", "approved-template.csv")
	same := func(a, b string) {
		t.Helper()
		x, _ := os.ReadFile(filepath.Join(dir, a))
		y, _ := os.ReadFile(filepath.Join(dir, b))
		if len(x) == 0 || !bytes.Equal(x, y) {
			t.Errorf("%s and %s differ:\n%s\n---\n%s", a, b, x, y)
		}
	}
	same("direct.csv", "approved.csv")
	same("direct-template.csv", "approved-template.csv")

	if _, err := exec.LookPath("soffice"); err != nil && os.Getenv("JCRESTORE_REQUIRE_SOFFICE") == "" {
		t.Skip("LibreOffice is not installed: the re-saved round trip is not checked")
	}
	resaved := filepath.Join(dir, "resaved")
	cmd := exec.Command("soffice", "-env:UserInstallation=file://"+filepath.ToSlash(filepath.Join(dir, "profile")),
		"--headless", "--convert-to", "xlsx", "--outdir", resaved, filepath.Join(dir, "review.xlsx"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("LibreOffice re-save: %v\n%s", err, out)
	}
	runIn(t, dir, exitOK, "approve", "-q", "resaved/review.xlsx", "-o", "approved-resaved.csv")
	same("direct.csv", "approved-resaved.csv")
}

// reviewed writes a copy of the workbook at src as a reviewer might leave
// it: edit gets the Users sheet as rows of text (header first) and returns
// the rows to keep; hide lists rows (1-based, of the result) to hide, as a
// filter does. The About sheet is kept.
func reviewed(t *testing.T, src, dst string, edit func([][]string) [][]string, hide ...int) {
	t.Helper()
	in, err := excelize.OpenFile(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	rows, err := in.GetRows(export.SheetUsers)
	if err != nil {
		t.Fatal(err)
	}
	rows = edit(rows)
	out := excelize.NewFile()
	defer out.Close()
	out.SetSheetName("Sheet1", export.SheetUsers)
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := out.SetSheetRow(export.SheetUsers, cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	for _, h := range hide {
		out.SetRowVisible(export.SheetUsers, h, false)
	}
	out.NewSheet(export.SheetAbout)
	out.SetCellValue(export.SheetAbout, "A1", export.Title)
	if err := out.SaveAs(dst); err != nil {
		t.Fatal(err)
	}
}

// TestApproveOrganizations: a workbook whose rows a reviewer gathered from
// two organizations' workbooks is refused, and --org or --split-by-org
// write each organization's users apart.
func TestApproveOrganizations(t *testing.T) {
	const a, b = "5a1b2c3d4e5f60718293a4b5", "6c7d8e9f0a1b2c3d4e5f6a7b"
	dir := tempDir(t)
	orgs, _ := filepath.Abs("testdata/cases/orgs-split-csv/orgs.ndjson")
	runIn(t, dir, exitOK, "convert", "-q", "--split-by-org", orgs, "-o", "review.xlsx")
	in, err := excelize.OpenFile(filepath.Join(dir, "review-"+b+".xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	rowsB, err := in.GetRows(export.SheetUsers)
	in.Close()
	if err != nil {
		t.Fatal(err)
	}
	reviewed(t, filepath.Join(dir, "review-"+a+".xlsx"), filepath.Join(dir, "both.xlsx"), func(rows [][]string) [][]string {
		for _, h := range rowsB[0] {
			if !slices.Contains(rows[0], h) {
				rows[0] = append(rows[0], h)
			}
		}
		for _, r := range rowsB[1:] {
			row := make([]string, len(rows[0]))
			for i, v := range r {
				row[slices.Index(rows[0], rowsB[0][i])] = v
			}
			rows = append(rows, row)
		}
		return rows
	})
	stderr := runIn(t, dir, exitUsage, "approve", "both.xlsx", "-o", "restore.csv")
	if !strings.Contains(stderr, "2 organizations") || !strings.Contains(stderr, a+"  2 deleted users") || !strings.Contains(stderr, b+"  2 deleted users") {
		t.Errorf("refusal: %s", stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "restore.csv")); err == nil {
		t.Error("restore.csv written")
	}
	runIn(t, dir, exitOK, "approve", "-q", "--org", b, "both.xlsx", "-o", "only-b.csv")
	runIn(t, dir, exitOK, "approve", "-q", "--split-by-org", "both.xlsx", "-o", "restore.csv")
	for file, want := range map[string]string{"only-b.csv": "boss jsmith", "restore-" + a + ".csv": "jsmith alice", "restore-" + b + ".csv": "boss jsmith"} {
		recs := readRows(t, filepath.Join(dir, file))
		var users []string
		for _, r := range recs[1:] {
			users = append(users, r[slices.Index(recs[0], "Username")])
		}
		if got := strings.Join(users, " "); got != want {
			t.Errorf("%s: users %q, want %q", file, got, want)
		}
	}
}

// readRows reads a CSV jcrestore wrote: its header, then its rows.
func readRows(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestApproveEdits: columns moved, rows sorted, filtered and deleted, a
// column added, a row set to No, an email edited; approve follows the
// headers and the Restore column and validates the edits again.
func TestApproveEdits(t *testing.T) {
	dir := tempDir(t)
	sample, _ := filepath.Abs(sample)
	runIn(t, dir, exitOK, "convert", "-q", sample, "-o", "review.xlsx")
	reviewed(t, filepath.Join(dir, "review.xlsx"), filepath.Join(dir, "edited.xlsx"), func(rows [][]string) [][]string {
		header := rows[0]
		col := func(name string) int { return slices.Index(header, name) }
		for i, r := range rows {
			for len(r) < len(header) {
				r = append(r, "") // GetRows leaves trailing empty cells out
			}
			rows[i] = r
			switch r[col("Username")] {
			case "jdoe":
				r[col("Email")] = "Jane.Doe@Example.ORG" // edited
			case "mgarcia":
				r[col("Restore")] = "no" // set to No
			}
		}
		// Email moves to the front, Restore to the end; a column is added.
		order := []int{col("Email")}
		for i := range header {
			if i != col("Email") && i != col("Restore") {
				order = append(order, i)
			}
		}
		order = append(order, col("Restore"))
		out := make([][]string, len(rows))
		for i, r := range rows {
			for _, j := range order {
				out[i] = append(out[i], r[j])
			}
			out[i] = append(out[i], map[bool]string{true: "Reviewer comment", false: "checked"}[i == 0])
		}
		// Rows sorted by username, descending.
		user := slices.Index(out[0], "Username")
		slices.SortFunc(out[1:], func(a, b []string) int { return strings.Compare(b[user], a[user]) })
		return out
	}, 2) // and the first row of users (zastrom, still Yes) hidden by a filter
	runIn(t, dir, exitOK, "approve", "-q", "edited.xlsx", "-o", "restore.csv")
	got, _ := os.ReadFile(filepath.Join(dir, "restore.csv"))
	lines := strings.Split(strings.TrimSpace(strings.TrimPrefix(string(got), "\ufeff")), "\n")
	if len(lines) != 3 {
		t.Fatalf("restore.csv has %d lines, want the header and 2 rows:\n%s", len(lines), got)
	}
	body := strings.Join(lines[1:], "\n")
	for _, want := range []string{"jane.doe@example.org", "zoe.astrom@example.org"} {
		if !strings.Contains(body, want) {
			t.Errorf("restore.csv lacks %q:\n%s", want, body)
		}
	}
	if strings.Contains(body, "mgarcia") || strings.Contains(body, "jane.doe@example.com") {
		t.Errorf("restore.csv has a row set to No or an old value:\n%s", body)
	}

	// A deleted row and a row made invalid by an edit.
	reviewed(t, filepath.Join(dir, "review.xlsx"), filepath.Join(dir, "deleted.xlsx"), func(rows [][]string) [][]string {
		header := rows[0]
		rows[1][slices.Index(header, "Email")] = "not-an-email"
		return slices.Delete(rows, 2, 3)
	})
	stderr := runIn(t, dir, exitPartial, "approve", "deleted.xlsx", "-o", "partial.csv")
	if !strings.Contains(stderr, `jcrestore: Users row 2 (`+sample+`:`) || !strings.Contains(stderr, `Email: "not-an-email" is not an email address`) ||
		!strings.Contains(stderr, "jcrestore: 2 rows read, 2 marked Restore, 1 written to partial.csv, 1 left out (with errors); reviewed: deleted.xlsx (SHA-256 ") {
		t.Errorf("stderr:\n%s", stderr)
	}
}

// TestApproveScript: the reviewer edits what the restore script does
// after the import (leaves a user active, removes a device), and approve
// --script writes the script of the reviewed rows; a step approve does
// not understand leaves its row out, told. The script convert writes for
// the same users without edits is the same.
func TestApproveScript(t *testing.T) {
	dir := tempDir(t)
	events, _ := filepath.Abs("testdata/cases/script-restore/events.ndjson")
	runIn(t, dir, exitOK, "convert", "-q", events, "-o", "review.xlsx")
	runIn(t, dir, exitOK, "convert", "-q", events, "-o", "direct.csv", "--script", "direct.ps1")
	runIn(t, dir, exitOK, "approve", "-q", "review.xlsx", "-o", "same.csv", "--script", "same.ps1")
	steps := func(name string) map[string]string {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		_, data, ok := export.ScriptData(string(b))
		if !ok {
			t.Fatalf("%s holds no data", name)
		}
		var d struct{ Users []map[string]any }
		if err := json.Unmarshal(data, &d); err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		for _, u := range d.Users {
			delete(u, "source") // where each was read differs: the events, a row of the workbook
			b, _ := json.Marshal(u)
			m[u["username"].(string)] = string(b)
		}
		return m
	}
	if a, b := steps("direct.ps1"), steps("same.ps1"); !maps.Equal(a, b) {
		t.Errorf("approve's script of the workbook as written differs from convert's:\n%v\n%v", b, a)
	}
	reviewed(t, filepath.Join(dir, "review.xlsx"), filepath.Join(dir, "edited.xlsx"), func(rows [][]string) [][]string {
		header := rows[0]
		col := func(name string) int { return slices.Index(header, name) }
		for i, r := range rows {
			for len(r) < len(header) {
				r = append(r, "")
			}
			rows[i] = r
			switch r[col("Username")] {
			case "dana":
				r[col("After import (restore script)")] = "account_locked" // left active
			case "noor":
				r[col("After import (restore script)")] = strings.Replace(r[col("After import (restore script)")], "device NOOR-OLD (6a0000000000000000000002); ", "", 1)
			case "rex":
				r[col("After import (restore script)")] = "make coffee"
			}
		}
		return rows
	})
	stderr := runIn(t, dir, exitPartial, "approve", "edited.xlsx", "-o", "edited.csv", "--script", "edited.ps1")
	if !strings.Contains(stderr, `edited.xlsx: Users row 7: rex: After import (restore script): "make coffee" is no step of the restore script`) ||
		!strings.Contains(stderr, ", 1 not restored (After import unclear)") {
		t.Errorf("stderr:\n%s", stderr)
	}
	got := steps("edited.ps1")
	if _, ok := got["rex"]; ok || strings.Contains(got["dana"], `"kind":"suspend"`) || !strings.Contains(got["dana"], `"target":"account_locked"`) ||
		strings.Contains(got["noor"], "NOOR-OLD") || !strings.Contains(got["noor"], "NOOR-MBP") || !strings.Contains(got["noor"], `"manager":"omar"`) {
		t.Errorf("the script of the edited workbook:\n%v", got)
	}
}

// TestApproveTidied: a reviewer who deleted optional columns and left
// Restore values approve does not understand. The columns are written
// empty with one note; each unclear row is named, not restored, and the
// exit code is 3. Deleting a column the importer requires refuses the
// workbook, saying to hide it instead.
func TestApproveTidied(t *testing.T) {
	dir := tempDir(t)
	sample, _ := filepath.Abs(sample)
	portal, _ := filepath.Abs("testdata/cases/template-portal/portal-template.csv")
	runIn(t, dir, exitOK, "convert", "-q", sample, "-o", "review.xlsx")
	drop := func(cols ...string) func([][]string) [][]string {
		return func(rows [][]string) [][]string {
			header := slices.Clone(rows[0])
			for i, r := range rows {
				for len(r) < len(header) {
					r = append(r, "")
				}
				switch r[slices.Index(header, "Username")] {
				case "mgarcia":
					r[slices.Index(header, "Restore")] = "Maybe"
				case "zastrom":
					r[slices.Index(header, "Restore")] = ""
				}
				rows[i] = r
			}
			for _, c := range cols {
				j := slices.Index(header, c)
				header = slices.Delete(header, j, j+1)
				for i := range rows {
					rows[i] = slices.Delete(rows[i], j, j+1)
				}
			}
			return rows
		}
	}
	reviewed(t, filepath.Join(dir, "review.xlsx"), filepath.Join(dir, "tidied.xlsx"), drop("jobTitle", "department"))
	stderr := runIn(t, dir, exitPartial, "approve", "tidied.xlsx", "-o", "restore.csv")
	for _, want := range []string{
		`tidied.xlsx: Users row 3: mgarcia: Restore is "Maybe", neither yes nor no: not restored (Restore takes Yes (or y, true, 1, x) and No (or n, false, 0))`,
		`tidied.xlsx: Users row 4: zastrom: Restore is "", neither yes nor no: not restored`,
		"tidied.xlsx: note: the Users sheet has no column jobTitle, department: written empty (hide a column rather than delete it)",
		", 2 not restored (Restore unclear); reviewed: tidied.xlsx (SHA-256 ",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	recs := readRows(t, filepath.Join(dir, "restore.csv"))
	col := func(name string) int { return slices.Index(recs[0], name) }
	for _, r := range recs[1:] {
		if u := r[col("Username")]; u == "mgarcia" || u == "zastrom" {
			t.Errorf("%s is restored", u)
		}
		if r[col("jobTitle")] != "" || r[col("department")] != "" {
			t.Errorf("%s: jobTitle %q, department %q: want them empty", r[col("Username")], r[col("jobTitle")], r[col("department")])
		}
	}

	reviewed(t, filepath.Join(dir, "review.xlsx"), filepath.Join(dir, "no-names.xlsx"), drop("LastName"))
	stderr = runIn(t, dir, exitNoInput, "approve", "no-names.xlsx", "-o", "names.csv")
	if want := "the Users sheet lacks the column LastName, which Import-JCUsersFromCSV requires (hide a column rather than delete it); nothing written"; !strings.Contains(stderr, want) {
		t.Errorf("stderr %q, want %q", stderr, want)
	}
	runIn(t, dir, exitPartial, "approve", "-q", "--template", portal, "no-names.xlsx", "-o", "portal.csv")
}

// TestApproveForeign: files that are no review workbook are refused with
// exit 2 and a reason, and nothing is written.
func TestApproveForeign(t *testing.T) {
	dir := tempDir(t)
	write := func(name string, sheets map[string][][]any) {
		f := excelize.NewFile()
		defer f.Close()
		first := true
		for name, rows := range sheets {
			if first {
				f.SetSheetName("Sheet1", name)
				first = false
			} else {
				f.NewSheet(name)
			}
			for i, r := range rows {
				cell, _ := excelize.CoordinatesToCellName(1, i+1)
				f.SetSheetRow(name, cell, &r)
			}
		}
		if err := f.SaveAs(filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	write("budget.xlsx", map[string][][]any{"Sheet1": {{"Item", "Cost"}, {"Laptops", 1200}}})
	write("no-about.xlsx", map[string][][]any{"Users": {{"Restore", "Username", "Email"}, {"Yes", "jdoe", "j@example.com"}}})
	write("other-about.xlsx", map[string][][]any{"Users": {{"Restore"}}, "About": {{"Quarterly report"}}})
	write("missing-columns.xlsx", map[string][][]any{"Users": {{"Restore", "Username", "Email"}, {"Yes", "jdoe", "j@example.com"}}, "About": {{export.Title}}})
	write("no-username.xlsx", map[string][][]any{"Users": {{"Restore", "Email"}, {"Yes", "j@example.com"}}, "About": {{export.Title}}})
	os.WriteFile(filepath.Join(dir, "renamed.xlsx"), []byte("FirstName,LastName\nJane,Doe\n"), 0o644)
	for file, want := range map[string]string{
		"budget.xlsx":          "not a jcrestore review workbook: it needs the sheets Users and About (it has Sheet1)",
		"no-about.xlsx":        "not a jcrestore review workbook: it needs the sheets Users and About (it has Users)",
		"other-about.xlsx":     `not a jcrestore review workbook: About!A1 is "Quarterly report"`,
		"missing-columns.xlsx": "the Users sheet lacks the columns FirstName, LastName, which Import-JCUsersFromCSV requires (hide a column rather than delete it); nothing written",
		"renamed.xlsx":         "not a readable Excel workbook",
		"no-username.xlsx":     "the Users sheet lacks the column Username, which approve needs (hide a column rather than delete it)",
	} {
		stderr := runIn(t, dir, exitNoInput, "approve", file, "-o", "out.csv")
		if !strings.HasPrefix(stderr, "jcrestore: "+file+": "+want) && !strings.Contains(stderr, want) {
			t.Errorf("%s: %q, want %q", file, stderr, want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "out.csv")); err == nil {
		t.Error("a CSV was written")
	}
}

// cancelOnWrite cancels a run on its first write: Ctrl-C while the output
// is being written.
type cancelOnWrite struct{ cancel context.CancelFunc }

func (c cancelOnWrite) Write(p []byte) (int, error) {
	c.cancel()
	return len(p), nil
}

func TestInterruptedWhileWriting(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	code, stderr := runArgs(t, ctx, cancelOnWrite{cancel}, "convert", sample)
	if code != exitInterrupt || stderr != "jcrestore: interrupted; an output file is left as it was\n" {
		t.Errorf("%d %q", code, stderr)
	}
}

// TestDesignRules checks the house rules that imports can show: jcrestore
// works offline (none of its packages imports networking or runs programs;
// excelize links net/http for content sniffing and never dials, so only
// jcrestore's own packages are checked), the byte layer and export never
// see gjson, convert never sees excelize, and convert writes no file.
func TestDesignRules(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}}: {{join .Imports \" \"}}", "./...").Output()
	if err != nil {
		t.Skip("go list:", err)
	}
	const own = "github.com/jcrestore/jcrestore"
	forbidden := map[string][]string{
		own + "/convert/jsonstream": {"github.com/tidwall/gjson"},
		own + "/export":             {"github.com/tidwall/gjson"},
		own + "/convert":            {"github.com/xuri/excelize/v2"},
	}
	var pkgs []string
	for line := range strings.SplitSeq(strings.TrimSpace(string(out)), "\n") {
		pkg, imports, _ := strings.Cut(line, ": ")
		pkgs = append(pkgs, pkg)
		for imp := range strings.FieldsSeq(imports) {
			if imp == "net" || strings.HasPrefix(imp, "net/") || imp == "os/exec" || slices.Contains(forbidden[pkg], imp) {
				t.Errorf("%s imports %s", pkg, imp)
			}
		}
	}
	if want := []string{own, own + "/convert", own + "/convert/jsonstream", own + "/export"}; !slices.Equal(pkgs, want) {
		t.Errorf("packages %q, want %q", pkgs, want)
	}
	files, _ := filepath.Glob("convert/*.go")
	more, _ := filepath.Glob("convert/jsonstream/*.go")
	for _, f := range append(files, more...) {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, call := range []string{"os.Create", "os.OpenFile", "os.WriteFile", "os.Mkdir", "os.Rename", "os.Remove"} {
			if bytes.Contains(b, []byte(call)) {
				t.Errorf("%s calls %s: convert writes no file", f, call)
			}
		}
	}
}

// del is a user_delete event with everything a valid row needs in
// resource; extra is spliced in after event_type.
func del(extra string) string {
	return `{"event_type":"user_delete"` + extra + `,"id":"e1","timestamp":"2024-04-02T14:37:12Z",` +
		`"resource":{"id":"u1","username":"jdoe","email":"jane@example.com","firstname":"Jane","lastname":"Doe"}}`
}

func gz(b []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

func le16(s string) []byte {
	b := []byte{0xff, 0xfe}
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u), byte(u>>8))
	}
	return b
}

// zipBomb is a workbook-shaped zip whose one sheet unpacks to more than
// approve allows (1 GiB) while the file itself is small.
func zipBomb(t *testing.T) []byte {
	var buf bytes.Buffer
	z := zip.NewWriter(&buf)
	w, err := z.Create("xl/worksheets/sheet1.xml")
	if err != nil {
		t.Fatal(err)
	}
	zeros := make([]byte, 1<<20)
	for range 1100 {
		w.Write(zeros)
	}
	z.Close()
	return buf.Bytes()
}

// paddedReview is a review workbook of the sample export whose Users sheet
// goes on with blank rows to 600 MB, as a spreadsheet program may keep
// them for a formatted column: a few megabytes that unpack to more than
// any review jcrestore writes.
func paddedReview(t *testing.T) []byte {
	review := filepath.Join(tempDir(t), "review.xlsx")
	if code, stderr := runArgs(t, context.Background(), io.Discard, "convert", "-q", sample, "-o", review); code != exitOK {
		t.Fatalf("convert: exit %d\n%s", code, stderr)
	}
	zr, err := zip.OpenReader(review)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var buf bytes.Buffer
	z := zip.NewWriter(&buf)
	for _, f := range zr.File {
		w, err := z.Create(f.Name)
		if err != nil {
			t.Fatal(err)
		}
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(r)
		r.Close()
		if f.Name != "xl/worksheets/sheet1.xml" {
			w.Write(b)
			continue
		}
		end := bytes.Index(b, []byte("</sheetData>"))
		w.Write(b[:end])
		row := []byte("<row>" + strings.Repeat(`<c s="2"/>`, 45) + "</row>")
		rows := bytes.Repeat(row, (1<<20)/len(row))
		for n := len(b); n < 600<<20; n += len(rows) {
			w.Write(rows)
		}
		w.Write(b[end:])
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestMalformed feeds hostile and broken inputs through the command line.
// Each must end with its exit code and message, without a panic, and leave
// either a complete output file (exit 0 and 3) or none at all.
func TestMalformed(t *testing.T) {
	if testing.Short() {
		t.Skip("builds inputs of hundreds of megabytes")
	}
	huge := strings.Repeat("x", 200<<20)
	tests := []struct {
		name string
		in   []byte
		args []string // after the input; approve when args[0] is "approve"
		code int
		msg  string // in stderr
	}{
		{"truncated object", []byte(`{"event_type":"user_delete","resource":{"username":"jd`), nil, exitNoInput, "1:1: the event is cut off: the input ends before it closes"},
		{"truncated array", []byte("[" + del("") + ",\n" + del("")[:40]), nil, exitNoInput, "ends in the middle, at byte 220: the file is incomplete"},
		{"truncated array, --allow-partial", []byte("[" + del("") + ",\n" + del("")[:40]), []string{"--allow-partial"}, exitPartial, "2:1: the event is cut off"},
		{"truncated string", []byte(`{"event_type":"user_del`), nil, exitNoInput, "the event is cut off"},
		{"garbage after a valid event", []byte(del("") + "xyz\n"), nil, exitPartial, "invalid character 'x' after the end of a value"},
		{"resource a string", []byte(`{"event_type":"user_delete","resource":"jdoe","changes":[{"field":"email","from":"j@example.com"}]}`), nil, exitPartial, "Username: missing"},
		{"resource an array", []byte(`{"event_type":"user_delete","resource":[1,2],"changes":[]}`), nil, exitPartial, "Username: missing"},
		{"changes a number", []byte(del(`,"changes":42`)), nil, exitOK, "1 written"},
		{"changes a string", []byte(del(`,"changes":"none"`)), nil, exitOK, "1 written"},
		{"changes an object by field", []byte(del(`,"changes":{"department":{"from":"Finance"}}`)), nil, exitOK, "1 written"},
		{"from a number", []byte(del(`,"changes":[{"field":"employeeIdentifier","from":1042}]`)), nil, exitOK, "1 written"},
		{"from an array", []byte(del(`,"changes":[{"field":"firstname","from":["x"]}]`)), nil, exitOK, "1 written"},
		{"from an object", []byte(del(`,"changes":[{"field":"firstname","from":{"x":1}}]`)), nil, exitOK, "1 written"},
		{"from null", []byte(del(`,"changes":[{"field":"department","from":null,"to":"Sales"}]`)), nil, exitOK, "1 written"},
		{"change entry not an object", []byte(del(`,"changes":[1,"two",null,[]]`)), nil, exitOK, "1 written"},
		{"missing event_type", []byte(`{"id":"e1","resource":{"username":"jdoe"}}`), nil, exitNoInput, "not a Directory Insights event: an object without event_type"},
		{"event_type a number", []byte(`{"event_type":5}`), nil, exitOK, "no user_delete event among the 1 event read"},
		{"keys and values in \\u escapes", []byte(`{"event_\u0074ype":"user\u005fdelete","resource":{"user\u006eame":"jdoe","email":"jane@example.com","firstname":"J\u00e4ne","lastname":"Doe"}}`), nil, exitOK, "1 written"},
		{"invalid UTF-8 in a value", []byte(del(",\"changes\":[{\"field\":\"department\",\"from\":\"Fin\xffance\"}]")), nil, exitOK, "department: invalid UTF-8 replaced"},
		{"NUL byte first", []byte("\x00" + del("")), nil, exitPartial, "1:1: invalid character 0x00: not JSON"},
		{"NUL byte between events", []byte(del("") + "\x00\n" + del("")), nil, exitPartial, "invalid character 0x00"},
		{"NUL byte in a string", []byte("{\"event_type\":\"user_delete\",\"resource\":{\"username\":\"jd\x00oe\"}}"), nil, exitNoInput, "invalid character 0x00 in string literal"},
		{"unpaired surrogate escape", []byte(del(`,"changes":[{"field":"department","from":"\ud800Sales"}]`)), nil, exitOK, "1 written"},
		{"unpaired surrogate in UTF-16", unpaired(del("")), nil, exitOK, "1 written"},
		{"nested 100,000 deep", []byte(strings.Repeat("[", 100000) + strings.Repeat("]", 100000)), nil, exitNoInput, "nested deeper than 10000 levels"},
		{"a 200 MB string", []byte(`{"event_type":"user_delete","note":"` + huge + `"}`), nil, exitNoInput, "1:1: a value larger than 16 MiB was skipped"},
		{"a 200 MB string before an event", []byte(`{"note":"` + huge + "\"}\n" + del("")), nil, exitPartial, "1:1: a value larger than 16 MiB was skipped"},
		{"duplicate keys: the first counts", []byte(`{"event_type":"user_login_attempt","event_type":"user_delete","resource":{"username":"jdoe"}}`), nil, exitOK, "no user_delete event among"},
		{"an HTML page", []byte("<!DOCTYPE html>\n<html><body>Sign in</body></html>\n"), nil, exitNoInput, "invalid character '<': not JSON"},
		{"a CSV file", []byte("FirstName,LastName,Username\nJane,Doe,jdoe\n"), nil, exitNoInput, "invalid character 'F': not JSON"},
		{"an empty file", nil, nil, exitNoInput, "no input: the file is empty"},
		{"only white space", []byte(" \r\n\t\n"), nil, exitNoInput, "no input: the file is empty"},
		{"only a BOM", []byte("\ufeff"), nil, exitNoInput, "no input: the file is empty"},
		{"a lone null", []byte("null"), nil, exitNoInput, "not a Directory Insights event: null"},
		{"a lone number", []byte("42\n"), nil, exitNoInput, "not a Directory Insights event: a number"},
		{"an empty object", []byte("{}"), nil, exitNoInput, "an object without event_type"},
		{"an empty array", []byte("[]"), nil, exitOK, "the input holds no events"},
		{"a string holding broken JSON", []byte(`{"message":"{\"event_type\":"}`), nil, exitNoInput, "a string that holds broken JSON"},
		{"envelopes nested too deep", []byte(strings.Repeat(`{"a":`, 12) + del("") + strings.Repeat("}", 12)), nil, exitNoInput, "wrapped too deeply"},
		{"an unreadable timestamp", []byte(del(`,"timestamp":"yesterday"`)), nil, exitOK, "1 written"},
		{"an unreadable timestamp and --since", []byte(del(`,"timestamp":"yesterday"`)), []string{"--since", "2024-01-01"}, exitOK, "1 left out (1 deletion time unknown, outside --since/--until)"},
		{"a gzip stream cut off", half(gz([]byte(strings.Repeat(del("")+"\n", 20000)))), nil, exitNoInput, "reading stopped: the compressed data is cut off"},
		{"a gzip stream cut off, --allow-partial", half(gz([]byte(strings.Repeat(del("")+"\n", 20000)))), []string{"--allow-partial"}, exitPartial, "what was read before the cut is written"},
		{"a gzip header only", gz(nil)[:10], nil, exitNoInput, "the compressed data is cut off"},
		{"a zip given to convert", []byte("PK\x03\x04rest of a zip"), nil, exitNoInput, "input is a zip archive: unpack it and give the exports in it"},
		{"a megabyte line of garbage", []byte(strings.Repeat("x", 1<<20)), nil, exitNoInput, "invalid character 'x': not JSON"},
		{"200,000 broken lines", []byte(strings.Repeat("{\n", 200000)), nil, exitNoInput, "199,950 more unreadable events not shown"},
		{"200 objects without event_type among events", []byte(del("") + "\n" + strings.Repeat("{\"a\":1}\n", 200)), nil, exitOK, "150 more notes on reading not shown"},
		{"a zip bomb given to approve", zipBomb(t), []string{"approve"}, exitNoInput, "it unpacks to 1100 MB, more than the 512 MB any review workbook needs"},
		{"a review padded with blank rows", paddedReview(t), []string{"approve"}, exitNoInput, "it unpacks to 600 MB, more than the 512 MB any review workbook needs"},
		{"a text file given to approve", []byte("not a workbook"), []string{"approve"}, exitNoInput, "not a readable Excel workbook"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := tempDir(t)
			in := filepath.Join(dir, "input")
			if err := os.WriteFile(in, tt.in, 0o644); err != nil {
				t.Fatal(err)
			}
			args := append([]string{"convert", in}, tt.args...)
			if len(tt.args) > 0 && tt.args[0] == "approve" {
				args = []string{"approve", in}
			}
			out := filepath.Join(dir, "out.csv")
			code, stderr := runArgs(t, context.Background(), io.Discard, append(args, "-o", out)...)
			if code != tt.code || !strings.Contains(stderr, tt.msg) {
				t.Errorf("exit %d, want %d; stderr should contain %q:\n%s", code, tt.code, tt.msg, shorten(stderr))
			}
			b, err := os.ReadFile(out)
			switch {
			case tt.code == exitOK || tt.code == exitPartial:
				if err != nil || !bytes.HasSuffix(b, []byte("\n")) {
					t.Errorf("output missing or incomplete: %v", err)
				}
			case err == nil:
				t.Errorf("exit %d left an output file", code)
			}
			if entries, _ := os.ReadDir(dir); len(entries) > 2 {
				t.Errorf("files left behind: %v", entries)
			}
		})
	}
}

func half(b []byte) []byte { return b[:len(b)/2] }

// unpaired writes s in UTF-16LE with a lone high surrogate inside the
// last name.
func unpaired(s string) []byte {
	i := strings.Index(s, `"Doe"`) + 2
	return append(le16(s[:i]), append([]byte{0x00, 0xd8}, le16(s[i:])[2:]...)...)
}

func shorten(s string) string {
	if len(s) > 2000 {
		return s[:2000] + "…"
	}
	return s
}

// TestOutputFaults: a full disk, a full stdout and a directory that cannot
// be written end with exit 4 and leave nothing behind.
func TestOutputFaults(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("uses /dev/full, sysfs and ulimit")
	}
	t.Run("stdout on /dev/full", func(t *testing.T) {
		full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
		if err != nil {
			t.Skip(err)
		}
		defer full.Close()
		code, stderr := runArgs(t, context.Background(), full, "convert", "-q", sample)
		if code != exitOutput || !strings.Contains(stderr, "no space left on device") {
			t.Errorf("%d %q", code, stderr)
		}
	})
	t.Run("read-only directory", func(t *testing.T) {
		dir := tempDir(t)
		ro := filepath.Join(dir, "ro")
		os.Mkdir(ro, 0o555)
		if os.Geteuid() == 0 {
			ro = "/sys" // root writes anywhere a mode allows; sysfs refuses new files
		}
		code, stderr := runArgs(t, context.Background(), io.Discard, "convert", "-q", sample, "-o", filepath.Join(ro, "restore.csv"))
		if code != exitOutput || !strings.Contains(stderr, "cannot create") {
			t.Errorf("%d %q", code, stderr)
		}
	})
	t.Run("disk full", func(t *testing.T) {
		// A child process whose files may not grow past one block (ulimit
		// -f 1): the write fails as on a full disk.
		if testing.CoverMode() != "" {
			t.Skip("with -cover the child's own coverage file meets the same limit when it exits")
		}
		dir := tempDir(t)
		cmd := exec.Command("sh", "-c", `ulimit -f 1 && exec "$0" -test.run='^TestDiskFullChild$'`, os.Args[0])
		cmd.Env = append(os.Environ(), "JCRESTORE_DISK_FULL_DIR="+dir)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 0 {
			t.Errorf("left behind: %v", entries)
		}
	})
}

// TestDiskFullChild runs only as TestOutputFaults' child.
func TestDiskFullChild(t *testing.T) {
	dir := os.Getenv("JCRESTORE_DISK_FULL_DIR")
	if dir == "" {
		t.Skip("run by TestOutputFaults")
	}
	// Enough users for a CSV larger than one block.
	input := "testdata/sample/week.json"
	code, stderr := runArgs(t, context.Background(), io.Discard, "convert", "-q", "--include-invalid", input, input, "-o", filepath.Join(dir, "restore.csv"))
	if code != exitOutput || !strings.Contains(stderr, "file too large; nothing written") {
		t.Errorf("%d %q", code, stderr)
	}
}

// tempDir is t.TempDir, removed file by file: under Wine 8, where CI runs
// the Windows build of these tests, os.RemoveAll fails with "Invalid
// function" (it removes through a directory handle, which Wine lacks),
// and with it every t.TempDir's cleanup.
func tempDir(t testing.TB) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "jcrestore-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		var dirs []string
		filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err == nil && d.IsDir() {
				dirs = append(dirs, path)
			} else {
				os.Remove(path)
			}
			return nil
		})
		for _, d := range slices.Backward(dirs) {
			os.Remove(d)
		}
	})
	return dir
}
