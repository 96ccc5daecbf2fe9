package export

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jcrestore/jcrestore/convert"
	"github.com/xuri/excelize/v2"
)

var deleted = time.Date(2024, 4, 2, 14, 37, 12, 0, time.UTC)

// reviewResult is a Read result with the values a spreadsheet program is
// most likely to mangle.
func reviewResult() *convert.Result {
	recs := []convert.Record{
		{User: convert.User{FirstName: "=1+1", LastName: "Doe", Username: "jdoe", Email: "jane@example.com",
			EmployeeIdentifier: "00123", MobileNumber: "+1 555 0100", Department: "@SUM(A1)", Company: "-5",
			Description: "two\nlines", Location: "\tTabbed", JobTitle: "Zoë Åström-Ñúñez", HomePostalCode: "02134"},
			Groups: []string{"Finance", "VPN"}, Attributes: []convert.Attribute{{Name: "costCode", Value: "=HYPERLINK(\"http://example.com\")"}},
			DeletedAt: deleted, DeletedBy: "it-admin@example.com", EventID: "65c0ffee0123456789abcdef", FormerID: "64a1b2c3d4e5f60718293a4b", Source: "events.json:3"},
		{User: convert.User{FirstName: "Ben", Username: "ben", Email: ""},
			DeletedAt: deleted.Add(time.Hour), DeletedBy: "other@example.com", EventID: "e2", FormerID: "u2", Source: "events.json:9"},
	}
	convert.Validate(recs, convert.Rules{Importer: true})
	return &convert.Result{
		Stats:   convert.Stats{Events: 4, ByType: map[string]int{"user_delete": 2, "user_login_attempt": 1, "user_create": 1}, Users: 3, History: 7},
		Files:   []convert.File{{Name: "events.json", Size: 1234, SHA256: strings.Repeat("ab", 32)}},
		Records: recs,
		LeftOut: []convert.LeftOut{{Record: convert.Record{User: convert.User{Username: "kim"}, DeletedAt: deleted}, Reason: convert.ReasonBack, Detail: "created again 2024-04-03"}},
		Trail: []convert.AuditEntry{
			{Time: deleted.Add(-time.Hour), Type: "user_create", Username: "kim", Changes: "email: -> =cmd|' /C calc'!A0", Source: "events.json:1"},
			{Time: deleted, Type: "user_delete", Username: "jdoe", Changes: "email: jane@example.com ->", Source: "events.json:3"},
		},
	}
}

func writeReview(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "review.xlsx")
	var b bytes.Buffer
	r := &Review{Result: reviewResult(), Options: []string{"--since 2024-04-01"}, Version: "v1.2.3", Made: deleted, Next: "jcrestore approve review.xlsx -o restore.csv"}
	if err := WriteWorkbook(&b, r); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// soffice finds LibreOffice; CI sets JCRESTORE_REQUIRE_SOFFICE so that the
// tests that need it fail there instead of skipping.
func soffice(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("soffice")
	if err != nil {
		if os.Getenv("JCRESTORE_REQUIRE_SOFFICE") != "" {
			t.Fatal("LibreOffice (soffice) is required here and not installed")
		}
		t.Skip("LibreOffice (soffice) is not installed")
	}
	return path
}

// libreoffice converts file with LibreOffice headless and returns the
// output directory.
func libreoffice(t *testing.T, file, to string) string {
	t.Helper()
	dir := tempDir(t)
	cmd := exec.Command(soffice(t), "-env:UserInstallation=file://"+filepath.ToSlash(filepath.Join(dir, "profile")),
		"--headless", "--convert-to", to, "--outdir", dir, file)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice --convert-to %s: %v\n%s", to, err, out)
	}
	return dir
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestWorkbookInLibreOffice opens the review workbook in a real spreadsheet
// program: LibreOffice converts every sheet to CSV, which must show the
// values exactly as written (a formula would show its result instead), and
// to flat ODS, which must hold no formula and real date cells.
func TestWorkbookInLibreOffice(t *testing.T) {
	path := writeReview(t, tempDir(t))
	out := libreoffice(t, path, "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1")
	sheets := map[string][][]string{}
	for _, s := range []string{sheetSignOff, SheetUsers, sheetEvents, sheetSummary, SheetAbout} {
		sheets[s] = readCSV(t, filepath.Join(out, "review-"+s+".csv"))
	}

	users := sheets[SheetUsers]
	header := users[0]
	// The data columns without Password, and without unix_uid and
	// unix_guid, which no record has: who the user is, the values decided
	// on and Notes (what prints), then the rest.
	decided := []string{"Email", "jobTitle", "department", "manager"}
	data := slices.DeleteFunc(slices.Clone(convert.Columns[:convert.TemplateColumns]), func(c string) bool { return c == "Password" || slices.Contains(decided, c) })
	wantHeader := slices.Concat([]string{"Restore", "Status"}, data[:3], decided, []string{"Notes"}, data[3:],
		[]string{"Group1", "Group2", "Attribute1_name", "Attribute1_value", "Deleted at (UTC)", "Deleted by", "Event ID", "Former user ID", "Source"})
	if !slices.Equal(header, wantHeader) {
		t.Fatalf("Users header\n got %q\nwant %q", header, wantHeader)
	}
	if len(users) != 3 {
		t.Fatalf("Users has %d rows, want a header and 2", len(users))
	}
	col := func(row []string, name string) string { return row[slices.Index(header, name)] }
	jane, ben := users[1], users[2]
	for name, want := range map[string]string{
		"Restore": "Yes", "Status": "Warning", "FirstName": "=1+1", "employeeIdentifier": "00123", "mobile_number": "+1 555 0100",
		"department": "@SUM(A1)", "company": "-5", "description": "two\nlines", "location": "\tTabbed", "jobTitle": "Zoë Åström-Ñúñez",
		"home_postalCode": "02134", "Group2": "VPN", "Attribute1_value": "=HYPERLINK(\"http://example.com\")",
		"Deleted at (UTC)": "2024-04-02 14:37:12", "Deleted by": "it-admin@example.com", "Former user ID": "64a1b2c3d4e5f60718293a4b", "Source": "events.json:3",
	} {
		if got := col(jane, name); got != want {
			t.Errorf("Users %s: LibreOffice shows %q, want %q", name, got, want)
		}
	}
	if col(ben, "Restore") != "No" || col(ben, "Status") != "Error" || !strings.Contains(col(ben, "Notes"), "error: Email: missing") {
		t.Errorf("a row with errors: %q %q %q", col(ben, "Restore"), col(ben, "Status"), col(ben, "Notes"))
	}

	events := sheets[sheetEvents]
	if events[0][0] != "Time (UTC)" {
		t.Errorf("Events: the time column is headed %q", events[0][0])
	}
	if len(events) != 3 || events[1][1] != "user_create" || events[1][5] != "email: -> =cmd|' /C calc'!A0" || events[2][0] != "2024-04-02 14:37:12" {
		t.Errorf("Events %q", events)
	}
	summary := strings.Join(flatten(sheets[sheetSummary]), "|")
	for _, want := range []string{"Deleted users found|3", "Marked Restore|1", "With errors (marked No)|1", "Values filled from the users' earlier events|7",
		"Left out: already back (created again later)|1", "2024-04-02|3", "it-admin@example.com|1", "unknown|1", "user_delete|2"} {
		if !strings.Contains(summary, want) {
			t.Errorf("Summary lacks %q: %s", want, summary)
		}
	}
	// The sign-off: Restore counted by LibreOffice as the Users sheet
	// holds it, the inputs' SHA-256.
	signOff := strings.Join(flatten(sheets[sheetSignOff]), "|")
	for _, want := range []string{"Users deleted|3", "Deleted|2024-04-02 14:37 UTC to 2024-04-02 15:37 UTC", "Deleted by|it-admin@example.com (1), other@example.com (1), unknown (1)",
		"Marked Restore when written|1", "Marked Restore when printed|1", "Audit trail|2 events on the Events sheet, not printed", "events.json|abab",
		"Reviewed by (name)||Date||Signature"} {
		if !strings.Contains(signOff, want) {
			t.Errorf("Sign-off lacks %q: %s", want, signOff)
		}
	}
	about := strings.Join(flatten(sheets[SheetAbout]), "|")
	for _, want := range []string{Title, "jcrestore version|v1.2.3", "Made (UTC)|2024-04-02 14:37:12", "events.json|" + strings.Repeat("ab", 32) + "|1234",
		"--since 2024-04-01", "jcrestore approve review.xlsx -o restore.csv", "hide columns rather than delete them", restoreHelp} {
		if !strings.Contains(about, want) {
			t.Errorf("About lacks %q: %s", want, about)
		}
	}

	fods, err := os.ReadFile(filepath.Join(libreoffice(t, path, "fods"), "review.fods"))
	if err != nil {
		t.Fatal(err)
	}
	// The one formula is ours: the sign-off counting Restore.
	if formulas := regexp.MustCompile(`table:formula="([^"]*)"`).FindAllSubmatch(fods, -1); len(formulas) != 1 || !bytes.Contains(formulas[0][1], []byte("SUMPRODUCT(")) {
		t.Errorf("LibreOffice finds the formulas %q, want one, the sign-off's", formulas)
	}
	// How LibreOffice shows it: filter buttons on both lists, a bold
	// header with a fill, Status in its colour.
	for _, want := range []string{
		`<table:database-range table:name="Users" table:target-range-address="Users.A1:Users.AU3" table:display-filter-buttons="true"/>`,
		`<table:database-range table:name="Events" table:target-range-address="Events.A1:Events.I3" table:display-filter-buttons="true"/>`,
	} {
		if !bytes.Contains(fods, []byte(want)) {
			t.Errorf("LibreOffice does not show %s", want)
		}
	}
	styles := map[string]string{} // cell style -> "fill weight"
	for _, m := range regexp.MustCompile(`(?s)<style:style style:name="(ce\d+)"[^>]*>(.*?)</style:style>`).FindAllSubmatch(fods, -1) {
		fill := regexp.MustCompile(`fo:background-color="([^"]+)"`).FindSubmatch(m[2])
		weight := regexp.MustCompile(`fo:font-weight="([^"]+)"`).FindSubmatch(m[2])
		if fill != nil && weight != nil {
			styles[string(m[1])] = string(fill[1]) + " " + string(weight[1])
		}
	}
	for text, want := range map[string]string{"Restore": "#d9e1f2 bold", "Warning": "#ffeb9c normal", "Error": "#ffc7ce normal"} {
		m := regexp.MustCompile(`<table:table-cell table:style-name="(ce\d+)"[^>]*>\s*<text:p>` + text + `</text:p>`).FindSubmatch(fods)
		if m == nil || styles[string(m[1])] != want {
			t.Errorf("%s: style %q, want %q", text, styles[string(m[1])], want)
		}
	}
	style := func(name string) []byte {
		m := regexp.MustCompile(`(?s)<style:style style:name="` + name + `"[^>]*>(.*?)</style:style>`).FindSubmatch(fods)
		if m == nil {
			t.Fatalf("no style %s", name)
		}
		return m[1]
	}
	// The chart: dark axis labels, one colour for every bar.
	for _, m := range regexp.MustCompile(`<chart:axis [^>]*chart:style-name="(ch\d+)"`).FindAllSubmatch(fods, -1) {
		if !bytes.Contains(style(string(m[1])), []byte(`fo:color="#000000"`)) {
			t.Errorf("an axis of the chart has labels in %s", style(string(m[1])))
		}
	}
	if m := regexp.MustCompile(`<chart:series chart:style-name="(ch\d+)"`).FindSubmatch(fods); m == nil || !bytes.Contains(style(string(m[1])), []byte(`draw:fill-color="#4472c4"`)) {
		t.Error("the chart's bars are not one colour")
	}
	if bytes.Contains(fods, []byte(`<chart:data-point chart:style-name=`)) {
		t.Error("a bar of the chart has a colour of its own")
	}
	// About: the time made and the inputs' sizes aligned as the text is.
	aboutSheet := fods[bytes.Index(fods, []byte(`<table:table table:name="About"`)):]
	for _, m := range regexp.MustCompile(`<table:table-cell table:style-name="(ce\d+)" office:value-type="(date|float)"`).FindAllSubmatch(aboutSheet, -1) {
		if !bytes.Contains(style(string(m[1])), []byte(`fo:text-align="start"`)) {
			t.Errorf("About: a %s value is not aligned left", m[2])
		}
	}
	dates := regexp.MustCompile(`office:value-type="date" office:date-value="([^"]+)"`).FindAllSubmatch(fods, -1)
	var got []string
	for _, d := range dates {
		got = append(got, string(d[1]))
	}
	// Users: two deletions; Events: two times; About: when it was made.
	want := []string{"2024-04-02T14:37:12", "2024-04-02T15:37:12", "2024-04-02T13:37:12", "2024-04-02T14:37:12", "2024-04-02T14:37:12"}
	if !slices.Equal(got, want) {
		t.Errorf("date cells %q, want %q", got, want)
	}
}

func flatten(rows [][]string) []string {
	var out []string
	for _, r := range rows {
		out = append(out, strings.Join(slices.DeleteFunc(r, func(s string) bool { return s == "" }), "|"))
	}
	return out
}

// TestSignOffCounts: the sign-off counts what the Users sheet holds when
// printed, any yes approve takes: a reviewer who marks a row x has one
// more to restore on paper.
func TestSignOffCounts(t *testing.T) {
	path := writeReview(t, tempDir(t))
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.SetCellValue(SheetUsers, "A3", " X"); err != nil { // ben, written No
		t.Fatal(err)
	}
	if err := f.Save(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	out := libreoffice(t, path, "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1")
	signOff := strings.Join(flatten(readCSV(t, filepath.Join(out, "review-"+sheetSignOff+".csv"))), "|")
	if !strings.Contains(signOff, "Marked Restore when written|1|Marked Restore when printed|2") {
		t.Errorf("the sign-off counts %s", signOff)
	}
}

// TestWorkbookStructure checks what spreadsheet programs are strict about
// and LibreOffice forgives: column settings in ascending order.
func TestWorkbookStructure(t *testing.T) {
	path := writeReview(t, tempDir(t))
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	a, err := ReadReview(b)
	if err != nil {
		t.Fatal(err)
	}
	if a.Rows != 2 || len(a.Records) != 1 || a.Records[0].Username != "jdoe" {
		t.Fatalf("read back %d rows, %d approved", a.Rows, len(a.Records))
	}
	got, want := a.Records[0], reviewResult().Records[0]
	if got.User != want.User || !slices.Equal(got.Groups, want.Groups) || !slices.Equal(got.Attributes, want.Attributes) || !got.DeletedAt.Equal(want.DeletedAt) {
		t.Errorf("read back\n%+v\nwant\n%+v", got, want)
	}
	sheet := unzipped(t, path, "xl/worksheets/sheet2.xml") // Users, after Sign-off
	last := 0
	for _, m := range regexp.MustCompile(`<col min="(\d+)"`).FindAllSubmatch(sheet, -1) {
		n, _ := strconv.Atoi(string(m[1]))
		if n <= last {
			t.Fatalf("<col min=%d> after <col min=%d>: out of order", n, last)
		}
		last = n
	}
	// LibreOffice headless keeps no view settings (it drops panes when it
	// re-saves): the freeze is checked here, in the sheet's XML.
	for what, want := range map[string]string{
		"Restore drop-down":                                                    `<dataValidation allowBlank="true" sqref="A2:A3" type="list">`,
		"frozen header and who the row is":                                     `<pane activePane="bottomRight" state="frozen" topLeftCell="F2" xSplit="5" ySplit="1">`,
		"Notes width (capped at 34 characters)":                                `<col min="10" max="10" width="36" customWidth="1"`,
		"printed landscape, at the scale that fits one page wide (printScale)": `<pageSetup orientation="landscape" pageOrder="overThenDown" scale="84">`,
		"footer: the sheet, page of pages":                                     `<oddFooter>&amp;L&amp;A&amp;RPage &amp;P of &amp;N</oddFooter>`,
		"Email width (fits jane@example.com)":                                  `<col min="6" max="6" width="18" customWidth="1"`,
	} {
		if !bytes.Contains(sheet, []byte(want)) {
			t.Errorf("no %s: %s", what, want)
		}
	}
	book := unzipped(t, path, "xl/workbook.xml")
	// Printed: Users from Restore to Notes, every row, repeating the
	// header and who the row is; of Events the header alone.
	for _, want := range []string{`name="_xlnm.Print_Titles">Users!$A:$E,Users!$1:$1<`, `name="_xlnm.Print_Titles">Events!$1:$1<`,
		`name="_xlnm.Print_Area">&#39;Users&#39;!$A$1:$J$3<`, `name="_xlnm.Print_Area">&#39;Events&#39;!$A$1:$I$1<`} {
		if !bytes.Contains(book, []byte(want)) {
			t.Errorf("no %s", want)
		}
	}
}

// unzipped returns one file of a workbook's zip.
func unzipped(t *testing.T, path, name string) []byte {
	t.Helper()
	z, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer z.Close()
	f, err := z.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// FuzzReadReview checks that the review-workbook reader never panics on
// any bytes, and that every sheet both it and excelize read they read
// alike, cell for cell; seeded with each kind of workbook (agreeWorkbooks)
// and a broken zip.
func FuzzReadReview(f *testing.F) {
	for _, b := range agreeWorkbooks(f) {
		f.Add(b)
	}
	f.Add([]byte("PK\x03\x04not really"))
	f.Fuzz(func(t *testing.T, in []byte) {
		a, err := ReadReview(in)
		if err == nil && a.Rows < len(a.Records) {
			t.Fatalf("%d rows, %d records", a.Rows, len(a.Records))
		}
		bk, err := openBook(in)
		if err != nil {
			return
		}
		read, wantSheets, err := excelizeBook(in)
		if err != nil {
			return // excelize unpacks every part on opening: one approve does not read is broken
		}
		if !slices.Equal(bk.sheets, wantSheets) {
			t.Fatalf("sheets %q, excelize %q", bk.sheets, wantSheets)
		}
		for _, sheet := range bk.sheets {
			got, _, err := ourRows(in, sheet)
			want := read[sheet]
			switch {
			case err != nil || want.err != nil:
				// Not read by one or the other. excelize reads parts
				// approve does not (the content types, for a shared
				// string): one of them is broken. FuzzSheet holds the
				// sheet alone.
				continue
			case !sameRows(got, want.rows):
				t.Fatalf("%s:\n got %q\nwant %q", sheet, got, want.rows)
			}
		}
	})
}

// TestWorkbookOrganization: a workbook of one organization names it on
// the About and Summary sheets and on every user's row, as LibreOffice
// shows them, and approve reads it back with each row.
func TestWorkbookOrganization(t *testing.T) {
	const org = "5a1b2c3d4e5f60718293a4b5"
	res := reviewResult()
	for i := range res.Records {
		res.Records[i].Organization = org
	}
	dir := tempDir(t)
	path := filepath.Join(dir, "review.xlsx")
	var b bytes.Buffer
	if err := WriteWorkbook(&b, &Review{Result: res, Organization: org, Version: "v1.2.3", Made: deleted, Next: "next"}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	a, err := ReadReview(b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Records) != 1 || a.Records[0].Organization != org {
		t.Errorf("approve reads %+v, want jdoe of %s", a.Records, org)
	}

	out := libreoffice(t, path, "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1")
	users := readCSV(t, filepath.Join(out, "review-"+SheetUsers+".csv"))
	i := slices.Index(users[0], colOrganization)
	if i < 0 || users[1][i] != org || users[2][i] != org {
		t.Errorf("Users: the column %s is %d in %q", colOrganization, i, users)
	}
	for _, sheet := range []string{SheetAbout, sheetSummary} {
		text := strings.Join(flatten(readCSV(t, filepath.Join(out, "review-"+sheet+".csv"))), "|")
		if !strings.Contains(text, "Organization|"+org) {
			t.Errorf("%s does not name the organization: %s", sheet, text)
		}
	}
}

// TestWorkbookPrinted prints review workbooks as an auditor would
// (LibreOffice to PDF) and counts the pages of each sheet by their
// footers: the sample week and a generated export of 211 deleted users.
// Sign-off comes first; every page of Users repeats the header and who the
// row is, prints the columns decided on and no other, each row on at most
// two pages, its text no smaller than a 7-point text LibreOffice prints
// (the words' heights in pdftotext -bbox); of Events only the header.
func TestWorkbookPrinted(t *testing.T) {
	soffice(t)
	if _, err := exec.LookPath("pdftotext"); err != nil {
		if os.Getenv("JCRESTORE_REQUIRE_SOFFICE") != "" {
			t.Fatal("pdftotext (poppler-utils) is required here and not installed")
		}
		t.Skip("pdftotext (poppler-utils) is not installed")
	}
	seven := sevenPoints(t)
	week, err := os.ReadFile("../testdata/sample/week.json")
	if err != nil {
		t.Fatal(err)
	}
	generated, err := exec.Command("go", "run", "../testdata/gen", "-n", "20000", "-layout", "ndjson").Output()
	if err != nil {
		t.Fatalf("go run ../testdata/gen: %v", err)
	}
	for _, c := range []struct {
		name  string
		in    []byte
		users int
		pages map[string]int // by sheet
	}{
		{"week", week, 13, map[string]int{sheetSignOff: 1, SheetUsers: 2, sheetEvents: 1, sheetSummary: 1, SheetAbout: 1}},
		{"generated", generated, 211, map[string]int{sheetSignOff: 1, SheetUsers: 16, sheetEvents: 1, sheetSummary: 1, SheetAbout: 1}},
	} {
		// A path as an admin's downloads give it: the About sheet shows it
		// whole.
		name := "exports/customer-a/2024-04/directory-insights_2024-04-01_to_2024-04-08_" + c.name + ".json"
		res, err := convert.Read(context.Background(), []convert.Input{{Name: name, R: bytes.NewReader(c.in)}}, convert.Options{Trail: true, Digest: true})
		if err != nil {
			t.Fatal(err)
		}
		convert.Validate(res.Records, convert.Rules{Importer: true})
		if len(res.Records) != c.users {
			t.Fatalf("%s: %d users, want %d", c.name, len(res.Records), c.users)
		}
		path := filepath.Join(tempDir(t), c.name+".xlsx")
		var b bytes.Buffer
		if err := WriteWorkbook(&b, &Review{Result: res, Version: "v1.2.3", Made: deleted, Next: "next"}); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
		pdf := filepath.Join(libreoffice(t, path, "pdf"), c.name+".pdf")
		text, err := exec.Command("pdftotext", "-layout", pdf, "-").Output()
		if err != nil {
			t.Fatalf("pdftotext: %v", err)
		}
		heights := wordHeights(t, pdf)
		pages := strings.Split(strings.TrimSuffix(string(text), "\f"), "\f")
		if len(heights) != len(pages) {
			t.Fatalf("%s: pdftotext finds %d pages, and %d with -bbox", c.name, len(pages), len(heights))
		}
		got := map[string]int{}
		onPages := map[string]int{} // a username -> the Users pages it is on
		footer := regexp.MustCompile(`(?m)^\s*([\w-]+)\s+Page (\d+) of (\d+)\s*$`)
		for i, page := range pages {
			m := footer.FindStringSubmatch(page)
			if m == nil || m[2] != strconv.Itoa(i+1) || m[3] != strconv.Itoa(len(pages)) {
				t.Errorf("%s: page %d has no footer naming its sheet and \"Page %d of %d\"", c.name, i+1, i+1, len(pages))
				continue
			}
			got[m[1]]++
			switch m[1] {
			case sheetSignOff:
				if i != 0 || !strings.Contains(page, "Users deleted") || !strings.Contains(page, "Signature") {
					t.Errorf("%s: the sign-off is page %d:\n%s", c.name, i+1, page)
				}
			case SheetAbout:
				if !strings.Contains(page, name) {
					t.Errorf("%s: the About sheet does not show the input's path whole:\n%s", c.name, page)
				}
			case sheetEvents:
				if strings.Contains(page, "user_delete") {
					t.Errorf("%s: the audit trail prints:\n%s", c.name, page)
				}
			case SheetUsers:
				if !regexp.MustCompile(`Restore\s+Status\s+FirstName\s+LastName\s+Username`).MatchString(page) {
					t.Errorf("%s: page %d of Users does not repeat the header and who the row is", c.name, i+1)
				}
				for _, other := range []string{"employeeIdentifier", "Deleted at", "Event ID", "home_city"} {
					if strings.Contains(page, other) {
						t.Errorf("%s: page %d of Users prints %s", c.name, i+1, other)
					}
				}
				if small := slices.IndexFunc(heights[i], func(h float64) bool { return h < seven-0.05 }); small >= 0 {
					t.Errorf("%s: page %d of Users prints text %.1f points high, a 7-point text %.1f", c.name, i+1, heights[i][small], seven)
				}
				for _, rec := range res.Records {
					if regexp.MustCompile(`\s` + regexp.QuoteMeta(rec.Username) + `\s`).MatchString(page) {
						onPages[rec.Username]++
					}
				}
			}
		}
		if !maps.Equal(got, c.pages) {
			t.Errorf("%s: pages by sheet %v, want %v", c.name, got, c.pages)
		}
		printed := slices.Concat([]string{"Email", "jobTitle", "department", "manager", "Notes"})
		users := strings.Join(slices.DeleteFunc(slices.Clone(pages), func(p string) bool { return !strings.Contains(p, "Username") }), "")
		for _, h := range printed {
			if !strings.Contains(users, h) {
				t.Errorf("%s: Users does not print %s", c.name, h)
			}
		}
		for _, rec := range res.Records {
			if n := onPages[rec.Username]; n == 0 || n > 2 {
				t.Errorf("%s: %s is on %d pages of Users, want 1 or 2", c.name, rec.Username, n)
			}
		}
	}
}

// sevenPoints is the height pdftotext -bbox gives a word of 7-point text
// in LibreOffice's PDF of a workbook.
func sevenPoints(t *testing.T) float64 {
	f := excelize.NewFile()
	defer f.Close()
	style, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Size: 7}})
	if err != nil {
		t.Fatal(err)
	}
	f.SetCellValue("Sheet1", "A1", "Seven")
	f.SetCellStyle("Sheet1", "A1", "A1", style)
	path := filepath.Join(tempDir(t), "seven.xlsx")
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	h := wordHeights(t, filepath.Join(libreoffice(t, path, "pdf"), "seven.pdf"))
	if len(h) != 1 || len(h[0]) != 1 {
		t.Fatalf("the 7-point text prints as %v", h)
	}
	return h[0][0]
}

// wordHeights are the heights of the words of each page of a PDF, as
// pdftotext -bbox gives them.
func wordHeights(t *testing.T, pdf string) [][]float64 {
	out, err := exec.Command("pdftotext", "-bbox", pdf, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext -bbox: %v", err)
	}
	var pages [][]float64
	word := regexp.MustCompile(`<word [^>]*yMin="([\d.]+)"[^>]*yMax="([\d.]+)"`)
	for _, page := range strings.Split(string(out), "<page ")[1:] {
		var hs []float64
		for _, m := range word.FindAllStringSubmatch(page, -1) {
			lo, _ := strconv.ParseFloat(m[1], 64)
			hi, _ := strconv.ParseFloat(m[2], 64)
			hs = append(hs, hi-lo)
		}
		pages = append(pages, hs)
	}
	return pages
}

// TestPrintScale: the largest scale, down to 64 %, that prints the Users
// sheet's columns one page wide, or else two, the titles repeated; wider
// sheets print at 64 % on more pages. (71 is what the review of a
// generated 1,000,000-event export prints at: two pages wide in
// LibreOffice.)
func TestPrintScale(t *testing.T) {
	generated := []int{12, 11, 14, 13, 13, 24, 16, 15, 12, 36, 36}
	for _, c := range []struct {
		name   string
		widths []int
		titles int
		want   int
	}{
		{"one page at full size", []int{12, 11, 14, 13, 14, 24}, 5, 100},
		{"one page, smaller", []int{12, 11, 14, 13, 14, 24, 16, 15}, 5, 80},
		{"two pages", generated, 5, 71},
		{"too wide for two", slices.Repeat([]int{40}, 12), 5, 64},
	} {
		if got := printScale(c.widths, c.titles); got != c.want {
			t.Errorf("%s: scale %d, want %d", c.name, got, c.want)
		}
	}
}

// TestWorkbookPrintedRows: a value of several lines and a note longer
// than its column print whole, in the rows of their own user: on paper
// nothing of one user shows on another's row. (The audit trail does not
// print.)
func TestWorkbookPrintedRows(t *testing.T) {
	soffice(t)
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext (poppler-utils) is not installed")
	}
	user := func(name string) convert.Record {
		return convert.Record{User: convert.User{FirstName: strings.ToUpper(name[:1]) + name[1:], LastName: "Example", Username: name, Email: name + "@example.com"},
			DeletedAt: deleted, Source: "events.json:1"}
	}
	ann, bea, cy := user("annalise"), user("beatrix"), user("cyprian")
	bea.JobTitle = "Works remote, Tue-Thu\nPrefers Slack"
	bea.Notes = []string{"bound to 2 devices: the CSV binds host-2 (67000000000000000000000b) and not host-1 (67000000000000000000000a): " +
		"bind it again by hand after the import, as an administrator where it said so, ending here"}
	recs := []convert.Record{ann, bea, cy}
	convert.Validate(recs, convert.Rules{Importer: true})
	res := &convert.Result{Stats: convert.Stats{Events: 3, Users: 3}, Records: recs, Trail: []convert.AuditEntry{
		{Time: deleted, Type: "user_update", Username: "annalise", Changes: strings.Repeat("department: Sales -> Finance; ", 6) + "last change", Source: "events.json:1"},
		{Time: deleted, Type: "user_delete", Username: "beatrix", Changes: "email: beatrix@example.com ->", Source: "events.json:2"},
	}}
	path := filepath.Join(tempDir(t), "rows.xlsx")
	var b bytes.Buffer
	if err := WriteWorkbook(&b, &Review{Result: res, Version: "v1.2.3", Made: deleted, Next: "next"}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	pdf := filepath.Join(libreoffice(t, path, "pdf"), "rows.pdf")
	out, err := exec.Command("pdftotext", "-layout", pdf, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	// Each printed line is in the row of the last user named at or
	// above it, on its page.
	owner := map[string]string{} // a text printed -> whose row it is in
	for _, page := range strings.Split(string(out), "\f") {
		who := ""
		for _, line := range strings.Split(page, "\n") {
			for _, u := range []string{"annalise", "beatrix", "cyprian"} {
				if strings.Contains(line, u+" ") || strings.HasSuffix(line, u) {
					who = u
				}
			}
			for _, text := range []string{"Works remote", "Prefers Slack", "host-2", "ending here", "last change"} {
				if strings.Contains(line, text) {
					if old, ok := owner[text]; ok && old != who {
						t.Errorf("%q printed in the rows of %s and of %s", text, old, who)
					}
					owner[text] = who
				}
			}
		}
	}
	for text, want := range map[string]string{"Works remote": "beatrix", "Prefers Slack": "beatrix", "host-2": "beatrix", "ending here": "beatrix", "last change": ""} {
		if owner[text] != want {
			t.Errorf("%q printed in the row of %q, want %s's\n%s", text, owner[text], want, out)
		}
	}
}

// TestReviewOldHeader: a workbook made before the time columns said UTC
// ("Deleted at") is read as one made now.
func TestReviewOldHeader(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	f.SetSheetName("Sheet1", SheetUsers)
	f.NewSheet(SheetAbout)
	f.SetCellValue(SheetAbout, "A1", Title)
	for i, row := range [][]any{{"Restore", "FirstName", "LastName", "Username", "Email", "Deleted at"}, {"Yes", "Jane", "Doe", "jdoe", "jane@example.com", deleted}} {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		f.SetSheetRow(SheetUsers, cell, &row)
	}
	a := reread(t, f)
	if len(a.Records) != 1 || !a.Records[0].DeletedAt.Equal(deleted) {
		t.Errorf("read %+v, want jdoe deleted at %s", a.Records, deleted)
	}
}

// TestReadWrittenBroken: a broken row of the hidden Written sheet under a
// key already read (a hand-edited sheet) does not hide what convert
// wrote: the reviewer's edit is still told.
func TestReadWrittenBroken(t *testing.T) {
	f, err := excelize.OpenFile(writeReview(t, tempDir(t)))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	written, err := f.GetRows(sheetWritten)
	if err != nil || len(written) < 2 {
		t.Fatalf("Written sheet: %v, %d rows", err, len(written))
	}
	users, err := f.GetRows(SheetUsers)
	if err != nil {
		t.Fatal(err)
	}
	dept := slices.Index(users[0], "department")
	row := slices.IndexFunc(users, func(r []string) bool { return slices.Contains(r, "jdoe") })
	if dept < 0 || row < 0 {
		t.Fatalf("department column %d, jdoe's row %d", dept, row)
	}
	cell, _ := excelize.CoordinatesToCellName(dept+1, row+1)
	f.SetCellStr(SheetUsers, cell, "Sales")
	var key string
	for _, r := range written {
		if len(r) >= 2 && strings.Contains(r[1], "jdoe") {
			key = r[0]
		}
	}
	end, _ := excelize.CoordinatesToCellName(1, len(written)+1)
	f.SetSheetRow(sheetWritten, end, &[]any{key, "{broken"})
	a := reread(t, f)
	if !slices.ContainsFunc(a.Edits, func(e Edit) bool { return e.Username == "jdoe" && e.Field == "department" && e.Now == "Sales" }) {
		t.Errorf("key %q: edits %+v", key, a.Edits)
	}
}

// reread is what ReadReview reads of the workbook f as it is now.
func reread(t *testing.T, f *excelize.File) *Approved {
	t.Helper()
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		t.Fatal(err)
	}
	a, err := ReadReview(b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	return a
}
