package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/jcrestore/jcrestore/convert"
	"github.com/jcrestore/jcrestore/export"
	"github.com/xuri/excelize/v2"
)

// TestVerifyReviewedWorkbook: the reviewed workbook, saved again by
// LibreOffice, is the same plan as the restore script and its CSV: verify
// prints what the golden cases verify-back and verify-differences print.
func TestVerifyReviewedWorkbook(t *testing.T) {
	needSoffice(t)
	dir := tempDir(t)
	copyFiles(t, dir, map[string]string{
		"testdata/cases/verify-events-as-users/events.ndjson": "events.ndjson",
		"testdata/cases/verify-back/users.json":               "back.json",
		"testdata/cases/verify-back/want.stdout":              "want-back.txt",
		"testdata/cases/verify-differences/users.json":        "differ.json",
		"testdata/cases/verify-differences/want.stdout":       "want-differ.txt",
	})
	runIn(t, dir, exitOK, "convert", "-q", "events.ndjson", "-o", "review.xlsx")
	convertTo(t, dir, "xlsx", "resaved", "review.xlsx")
	for _, c := range []struct {
		users, want string
		code        int
	}{{"back.json", "want-back.txt", exitOK}, {"differ.json", "want-differ.txt", exitPartial}} {
		b, err := os.ReadFile(filepath.Join(dir, c.users))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "users.json"), b, 0o644); err != nil {
			t.Fatal(err)
		}
		var stdout bytes.Buffer
		code, stderr := runArgs(t, context.Background(), &stdout, "verify", "resaved/review.xlsx", "users.json")
		want, _ := os.ReadFile(filepath.Join(dir, c.want))
		if code != c.code || stdout.String() != string(want) {
			t.Errorf("verify resaved/review.xlsx with %s: exit %d, want %d\n%s\nwant:\n%s\nstderr:\n%s", c.users, code, c.code, stdout.String(), want, stderr)
		}
	}
}

// TestVerifiedWorkbookOpens: the verification workbook opens in
// LibreOffice, which reads its Verified sheet as verify wrote it, the
// problems first, and its first sheet, the summary, with the counts and
// the date whole.
func TestVerifiedWorkbookOpens(t *testing.T) {
	needSoffice(t)
	dir := tempDir(t)
	plan := "testdata/shared/verify-plan/"
	copyFiles(t, dir, map[string]string{plan + "restore.ps1": "restore.ps1", plan + "restore.csv": "restore.csv", "testdata/cases/verify-differences/users.json": "users.json"})
	want, err := os.ReadFile("testdata/cases/verify-differences/want.verified.xlsx.rows")
	if err != nil {
		t.Fatal(err)
	}
	runIn(t, dir, exitPartial, "verify", "-q", "restore.ps1", "users.json", "-o", "verified.xlsx")
	// Every sheet, each to a file of its own (LibreOffice 7.2 and later).
	convertTo(t, dir, "csv:Text - txt - csv (StarCalc):9,34,76,1,,0,false,true,false,false,true,-1", "out", "verified.xlsx")
	got, err := os.ReadFile(filepath.Join(dir, "out", "verified-Verified.csv"))
	if err != nil {
		t.Fatal(err)
	}
	// As shown: a date in a column too narrow for it would read ###.
	about, err := os.ReadFile(filepath.Join(dir, "out", "verified-About.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`(?m)^Made \(UTC\)\t\d{4}-\d\d-\d\d \d\d:\d\d:\d\d`).Match(about) || !strings.Contains(string(about), "Planned users\t5") ||
		!strings.Contains(string(about), "Steps failed\tnot given") {
		t.Errorf("the summary sheet as LibreOffice shows it:\n%s", about)
	}
	f, err := excelize.OpenFile(filepath.Join(dir, "verified.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	if sheets := f.GetSheetList(); !slices.Equal(sheets, []string{"About", "Verified"}) {
		t.Errorf("sheets %q: the summary first", sheets)
	}
	f.Close()
	// LibreOffice writes every row as wide as the widest, with CRLF.
	var lines []string
	for line := range strings.Lines(strings.ReplaceAll(string(got), "\r\n", "\n")) {
		lines = append(lines, strings.TrimRight(line, "\t\n")+"\n")
	}
	if strings.Join(lines, "") != string(want) {
		t.Errorf("LibreOffice read the Verified sheet as\n%s\nwant\n%s", strings.Join(lines, ""), want)
	}
}

// TestVerifyWorkbookUnclear: a row whose Restore approve does not
// understand was left out of the import, so it is no planned user: said,
// and not verified.
func TestVerifyWorkbookUnclear(t *testing.T) {
	dir := tempDir(t)
	copyFiles(t, dir, map[string]string{
		"testdata/cases/verify-events-as-users/events.ndjson": "events.ndjson",
		"testdata/cases/verify-differences/users.json":        "users.json",
	})
	runIn(t, dir, exitOK, "convert", "-q", "events.ndjson", "-o", "review.xlsx")
	reviewed(t, filepath.Join(dir, "review.xlsx"), filepath.Join(dir, "edited.xlsx"), func(rows [][]string) [][]string {
		for _, r := range rows[1:] {
			if slices.Contains(r, "dee") {
				r[0] = "Maybe"
			}
		}
		return rows
	})
	var stdout bytes.Buffer
	code, stderr := runArgs(t, context.Background(), &stdout, "verify", "edited.xlsx", "users.json")
	if code != exitPartial || !strings.Contains(stderr, `edited.xlsx: Users row 5: warning: dee: Restore "Maybe" is unclear, so approve left the user out: not verified`) ||
		strings.Contains(stdout.String(), "dee") || !strings.Contains(stdout.String(), "4 planned users: 1 back as planned, 3 with differences, 0 missing") {
		t.Errorf("exit %d\n%s%s", code, stdout.String(), stderr)
	}
}

// copyFiles copies each file (from) into dir (as to).
func copyFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for from, to := range files {
		b, err := os.ReadFile(from)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, to), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// needSoffice skips the test where LibreOffice is not installed, unless
// CI requires it (JCRESTORE_REQUIRE_SOFFICE).
func needSoffice(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("soffice"); err != nil && os.Getenv("JCRESTORE_REQUIRE_SOFFICE") == "" {
		t.Skip("LibreOffice is not installed")
	}
}

// convertTo has LibreOffice convert dir/name to the format to, into the
// folder out of dir.
func convertTo(t *testing.T, dir, to, out, name string) {
	t.Helper()
	cmd := exec.Command("soffice", "-env:UserInstallation=file://"+filepath.ToSlash(filepath.Join(dir, "profile")),
		"--headless", "--convert-to", to, "--outdir", filepath.Join(dir, out), filepath.Join(dir, name))
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("LibreOffice --convert-to %s: %v\n%s", to, err, b)
	}
}

// FuzzEvidence: any bytes are a plan, users, a record or an error, never
// a panic, and what they assemble to verifies.
func FuzzEvidence(f *testing.F) {
	f.Add([]byte("Username,Email,manager,Attribute1_name,Attribute1_value\nann,ann@example.com,bob,a,1\n"))
	f.Add([]byte(`{"tool":"jcrestore restore script","kind":"run","planSha256":"x","data":"e30="}` + "\n" + `{"kind":"read","id":"1","what":"account","ok":true,"value":{"username":"a"}}`))
	f.Add([]byte("$Data = '\nWritten by jcrestore\n'\n"))
	for _, name := range []string{"cases/verify-results/restore-results.json", "cases/verify-results-links/restore-results.json", "cases/verify-results-cut/restore-results.json",
		"cases/verify-export-csv/users.csv", "shared/verify-plan/restore.ps1", "shared/verify-plan/restore.csv"} {
		if b, err := os.ReadFile(filepath.Join("testdata", name)); err == nil {
			f.Add(b)
		}
	}
	users := &evidence{file: export.File{Name: "users.json", Kind: evidenceUsers},
		current: &convert.Current{Name: "users.json", Users: []convert.CurrentUser{{Record: convert.Record{User: convert.User{Username: "ann"}}}}}}
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := evidenceOf("evidence", b)
		if err != nil {
			return
		}
		ev := []*evidence{e}
		if e.file.Kind == evidencePlan {
			ev = append(ev, users)
		}
		plan, current, rec, _, err := assemble(ev)
		if err != nil {
			return
		}
		convert.Verify(plan, current, rec)
	})
}

// TestAssemble: the mixes of evidence verify refuses, each said.
func TestAssemble(t *testing.T) {
	read := func(name string) *evidence {
		e, err := readEvidence(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	script, csv, users := read("shared/verify-plan/restore.ps1"), read("shared/verify-plan/restore.csv"), read("cases/verify-back/users.json")
	results := read("cases/verify-results/restore-results.json")
	if script.file.Kind != evidencePlan || csv.file.Kind != evidencePlan || users.file.Kind != evidenceUsers || results.file.Kind != evidenceResults {
		t.Fatalf("kinds: %s %s %s %s", script.file.Kind, csv.file.Kind, users.file.Kind, results.file.Kind)
	}
	for _, ok := range [][]*evidence{{script, users}, {results}, {results, users}, {script, results}} {
		if _, _, _, _, err := assemble(ok); err != nil {
			t.Errorf("%v: %v", names(ok), err)
		}
	}
	for _, bad := range []struct {
		ev   []*evidence
		want string
	}{
		{[]*evidence{script, csv}, "are both plans, and verify compares one plan with the users"},
		{[]*evidence{script, csv, users}, "are both plans: give one"},
		{[]*evidence{users}, "no plan to compare them with"},
		{[]*evidence{csv}, "the users as JumpCloud holds them now are missing"},
		{[]*evidence{users, users, csv}, "both hold the users"},
		{[]*evidence{results, results}, "both records of the restore script"},
	} {
		if _, _, _, _, err := assemble(bad.ev); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%v: %v, want %q", names(bad.ev), err, bad.want)
		}
	}
}

// TestApproveTellsEdits: a reviewer edits a value and removes a step of
// After import, and LibreOffice saves the workbook: approve notes each
// edit against what convert wrote, and records the reviewed workbook's
// name and SHA-256 in its summary and in the restore script.
func TestApproveTellsEdits(t *testing.T) {
	needSoffice(t)
	dir := tempDir(t)
	copyFiles(t, dir, map[string]string{"testdata/cases/script-restore/events.ndjson": "events.ndjson"})
	runIn(t, dir, exitOK, "convert", "-q", "events.ndjson", "-o", "review.xlsx")
	f, err := excelize.OpenFile(filepath.Join(dir, "review.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows(export.SheetUsers)
	if err != nil {
		t.Fatal(err)
	}
	col := func(name string) int { return slices.Index(rows[0], name) + 1 }
	for i, r := range rows {
		cell := func(name string) string { c, _ := excelize.CoordinatesToCellName(col(name), i+1); return c }
		switch r[col("Username")-1] {
		case "rex":
			f.SetCellStr(export.SheetUsers, cell("jobTitle"), "Staff Engineer")
		case "dana":
			f.SetCellStr(export.SheetUsers, cell("After import (restore script)"), "account_locked; reports sam")
		}
	}
	if err := f.SaveAs(filepath.Join(dir, "edited.xlsx")); err != nil {
		t.Fatal(err)
	}
	f.Close()
	convertTo(t, dir, "xlsx", "saved", "edited.xlsx")
	stderr := runIn(t, filepath.Join(dir, "saved"), exitOK, "approve", "edited.xlsx", "--script", "restore.ps1")
	b, err := os.ReadFile(filepath.Join(dir, "saved", "edited.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	reviewed := "edited.xlsx (SHA-256 " + hex.EncodeToString(sum[:]) + ")"
	for _, want := range []string{"edited.xlsx: Users row 7: note: rex: jobTitle edited in review: (empty) → Staff Engineer",
		"edited.xlsx: Users row 2: note: dana: suspend removed from After import", "2 edits in review (each noted)", "reviewed: " + reviewed} {
		if !strings.Contains(stderr, want) {
			t.Errorf("approve's stderr lacks %q:\n%s", want, stderr)
		}
	}
	if strings.Count(stderr, "edited in review")+strings.Count(stderr, "from After import") != 2 {
		t.Errorf("LibreOffice's save reads as more edits than were made:\n%s", stderr)
	}
	script, err := os.ReadFile(filepath.Join(dir, "saved", "restore.ps1"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := export.ReadScript("restore.ps1", script)
	if err != nil || s.Reviewed != reviewed {
		t.Errorf("the script records %q (%v), want %q", s.Reviewed, err, reviewed)
	}
}

// TestReadWhole: a file is read whole up to the limit, its end in the
// buffer of its size; a larger one, or a folder, is refused in words.
func TestReadWhole(t *testing.T) {
	dir := tempDir(t)
	const limit = 1000
	for _, n := range []int{0, 1, 511, 512, limit - 1, limit, limit + 1, 5 * limit} {
		path := filepath.Join(dir, "f")
		want := bytes.Repeat([]byte{'x'}, n)
		if err := os.WriteFile(path, want, 0o600); err != nil {
			t.Fatal(err)
		}
		got, err := readWhole(path, limit, "a test's")
		switch {
		case n > limit:
			if err == nil || !strings.Contains(err.Error(), "larger than a test's") {
				t.Errorf("%d bytes: %v, want larger than the limit", n, err)
			}
		case err != nil || !bytes.Equal(got, want):
			t.Errorf("%d bytes: read %d, %v", n, len(got), err)
		case cap(got) != max(n+1, 512):
			t.Errorf("%d bytes: read into a buffer of %d", n, cap(got))
		}
	}
	if _, err := readWhole(dir, limit, "a test's"); err == nil || !strings.Contains(err.Error(), "is a folder") {
		t.Errorf("a folder: %v", err)
	}
}
