package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
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
// LibreOffice, which reads its Verified sheet as verify wrote it.
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
	convertTo(t, dir, "csv:Text - txt - csv (StarCalc):9,34,76", "out", "verified.xlsx")
	got, err := os.ReadFile(filepath.Join(dir, "out", "verified.csv"))
	if err != nil {
		t.Fatal(err)
	}
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
