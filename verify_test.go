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
	if _, err := exec.LookPath("soffice"); err != nil && os.Getenv("JCRESTORE_REQUIRE_SOFFICE") == "" {
		t.Skip("LibreOffice is not installed")
	}
	dir := tempDir(t)
	for from, to := range map[string]string{
		"testdata/cases/verify-events-as-users/events.ndjson": "events.ndjson",
		"testdata/cases/verify-back/users.json":               "back.json",
		"testdata/cases/verify-back/want.stdout":              "want-back.txt",
		"testdata/cases/verify-differences/users.json":        "differ.json",
		"testdata/cases/verify-differences/want.stdout":       "want-differ.txt",
	} {
		b, err := os.ReadFile(from)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, to), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	runIn(t, dir, exitOK, "convert", "-q", "events.ndjson", "-o", "review.xlsx")
	cmd := exec.Command("soffice", "-env:UserInstallation=file://"+filepath.ToSlash(filepath.Join(dir, "profile")),
		"--headless", "--convert-to", "xlsx", "--outdir", filepath.Join(dir, "resaved"), filepath.Join(dir, "review.xlsx"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("LibreOffice re-save: %v\n%s", err, out)
	}
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
	if _, err := exec.LookPath("soffice"); err != nil && os.Getenv("JCRESTORE_REQUIRE_SOFFICE") == "" {
		t.Skip("LibreOffice is not installed")
	}
	dir := tempDir(t)
	for _, name := range []string{"restore.ps1", "restore.csv", "users.json"} {
		b, err := os.ReadFile(filepath.Join("testdata/cases/verify-differences", name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile("testdata/cases/verify-differences/want.verified.xlsx.rows")
	if err != nil {
		t.Fatal(err)
	}
	runIn(t, dir, exitPartial, "verify", "-q", "restore.ps1", "users.json", "-o", "verified.xlsx")
	cmd := exec.Command("soffice", "-env:UserInstallation=file://"+filepath.ToSlash(filepath.Join(dir, "profile")),
		"--headless", "--convert-to", "csv:Text - txt - csv (StarCalc):9,34,76", "--outdir", filepath.Join(dir, "out"), filepath.Join(dir, "verified.xlsx"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("LibreOffice: %v\n%s", err, out)
	}
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
	for from, to := range map[string]string{
		"testdata/cases/verify-events-as-users/events.ndjson": "events.ndjson",
		"testdata/cases/verify-differences/users.json":        "users.json",
	} {
		b, err := os.ReadFile(from)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, to), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
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
