package export

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/jcrestore/jcrestore/convert"
)

// The header of New-JCImportTemplate's new-user template with the
// extended, location and telephony blocks (import-csv.md §6b).
const powershellHeader = "FirstName,LastName,Username,Password,Email,alternateEmail,recoveryEmail,manager,managedAppleId,MiddleName,preferredName,jobTitle,employeeIdentifier,department,costCenter,company,employeeType,description,location,home_streetAddress,home_poBox,home_city,home_state,home_postalCode,home_country,work_streetAddress,work_poBox,work_city,work_state,work_postalCode,work_country,mobile_number,home_number,work_number,work_mobile_number,work_fax_number"

func write(t *testing.T, l *Layout, recs ...convert.Record) string {
	t.Helper()
	var b bytes.Buffer
	if err := WriteCSV(&b, l, recs); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func jane() convert.Record {
	return convert.Record{User: convert.User{FirstName: "Jane", LastName: "Doe", Username: "jdoe", Email: "jane@example.com", HomeCity: "Denver, CO", Password: "never"}}
}

func TestPowerShellLayout(t *testing.T) {
	if got := write(t, PowerShell(nil)); got != "\ufeff"+powershellHeader+"\n" {
		t.Errorf("no records: %q", got)
	}
	got := write(t, PowerShell([]convert.Record{jane()}), jane())
	want := "\ufeff" + powershellHeader + "\nJane,Doe,jdoe,,jane@example.com,,,,,,,,,,,,,,,,,\"Denver, CO\",,,,,,,,,,,,,,\n"
	if got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}

	r := jane()
	r.UnixGUID = "5001"
	r.Groups = []string{"Finance", "VPN"}
	r.Attributes = []convert.Attribute{{Name: "costCode", Value: "F-7"}}
	other := jane()
	other.Groups = []string{"Sales"}
	l := PowerShell([]convert.Record{other, r})
	wantHeader := powershellHeader + ",unix_uid,unix_guid,Group1,Group2,Attribute1_name,Attribute1_value"
	if h := strings.Join(l.Header, ","); h != wantHeader {
		t.Errorf("header %s", h)
	}
	lines := strings.Split(write(t, l, other, r), "\n")
	if !strings.HasSuffix(lines[1], ",,,Sales,,,") || !strings.HasSuffix(lines[2], ",,5001,Finance,VPN,costCode,F-7") {
		t.Errorf("rows %q", lines[1:])
	}
}

func TestTemplate(t *testing.T) {
	tpl := "\ufeff\"First Name\",\"Last Name\",User Name,Company Email,Employee ID,Password,Group2,Attribute1_Value,attribute1_name,Start Date,\r\nignored,rows\r\n"
	l, err := Template(strings.NewReader(tpl))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(l.Unknown, "|") != "Start Date" {
		t.Errorf("unknown %q", l.Unknown)
	}
	r := jane()
	r.EmployeeIdentifier = "E-1"
	r.Groups = []string{"Finance", "VPN"}
	r.Attributes = []convert.Attribute{{Name: "costCode", Value: "F-7"}}
	got := write(t, l, r)
	want := "\"First Name\",\"Last Name\",User Name,Company Email,Employee ID,Password,Group2,Attribute1_Value,attribute1_name,Start Date,\r\n" +
		"Jane,Doe,jdoe,jane@example.com,E-1,,VPN,F-7,costCode,,\r\n"
	if got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
	if u := strings.Join(l.unfilled([]convert.Record{r, jane()}), "; "); u != "home_city (2 users); Group1 (1 user)" {
		t.Errorf("unfilled %q", u)
	}
	l.BOM = true
	if got := write(t, l); got != "\ufeff\"First Name\",\"Last Name\",User Name,Company Email,Employee ID,Password,Group2,Attribute1_Value,attribute1_name,Start Date,\r\n" {
		t.Errorf("BOM, no rows: %q", got)
	}

	for _, bad := range []string{"", "Email,E-mail\n", "\"unclosed\n"} {
		if _, err := Template(strings.NewReader(bad)); err == nil {
			t.Errorf("Template(%q) accepted", bad)
		}
	}
}

func FuzzTemplate(f *testing.F) {
	f.Add("First Name,Last Name,Company Email\r\n")
	f.Add("\ufeff\"a\"\"b\",Group1,Attribute3_name\n")
	f.Fuzz(func(t *testing.T, tpl string) {
		l, err := Template(strings.NewReader(tpl))
		if err != nil {
			return
		}
		var b bytes.Buffer
		r := jane()
		r.Groups = []string{"g"}
		if err := WriteCSV(&b, l, []convert.Record{r}); err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(b.Bytes(), l.RawHeader) {
			t.Fatalf("header not copied: %q", b.Bytes())
		}
	})
}

func TestFile(t *testing.T) {
	dir := tempDir(t)
	path := filepath.Join(dir, "restore.csv")

	f, err := create(path, false)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("half")
	f.Abort()
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("Abort left %v", entries)
	}

	f, _ = create(path, false)
	f.WriteString("new")
	if err := f.Commit(); err != nil {
		t.Fatal(err)
	}
	if _, err := create(path, false); !errors.Is(err, errExists) {
		t.Errorf("existing file without force: %v", err)
	}
	f, _ = create(path, true)
	f.WriteString("newer")
	if err := f.Commit(); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != "newer" {
		t.Errorf("force: %q", b)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("temporary files left: %v", entries)
	}
	if _, err := create(dir, true); err == nil {
		t.Error("a directory as output was accepted")
	}
}

// TestPrivate: an output holds personal data, and is the user's alone.
func TestPrivate(t *testing.T) {
	path := filepath.Join(tempDir(t), "restore.csv")
	f, err := create(path, false)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("data")
	if err := f.Commit(); err != nil {
		t.Fatal(err)
	}
	checkPrivate(t, path)
}

func TestSameFile(t *testing.T) {
	dir := tempDir(t)
	in := filepath.Join(dir, "events.json")
	os.WriteFile(in, []byte("[]"), 0o644)
	link := filepath.Join(dir, "link.json")
	if err := os.Symlink(in, link); err != nil {
		t.Skip("no symlinks here:", err)
	}
	if _, err := os.Stat(link); err != nil {
		// Seen under Wine 8: CreateSymbolicLink succeeds and leaves
		// nothing that can be opened; Windows follows the link.
		t.Skip("the link was made and cannot be read (Wine 8):", err)
	}
	if got, same := SameFile(link, []string{"other.json", in}); !same || got != in {
		t.Errorf("link to an input: %q %v", got, same)
	}
	if _, same := SameFile(filepath.Join(dir, "new.csv"), []string{in}); same {
		t.Error("a new file is the input")
	}
}

// FuzzOrgPath: an organization id from an export becomes part of a file
// name only as 24 hexadecimal characters, in the output's own directory.
func FuzzOrgPath(f *testing.F) {
	for _, org := range []string{"5a1b2c3d4e5f60718293a4b5", "../x", "", "5a1b2c3d4e5f60718293a4b5/..", "5A1B2C3D4E5F60718293A4B5", "a\x00b"} {
		f.Add(org)
	}
	f.Fuzz(func(t *testing.T, org string) {
		path, err := OrgPath(filepath.Join("out", "restore.csv"), org)
		if err != nil {
			if !strings.Contains(err.Error(), "not an organization id") {
				t.Errorf("%q: %v", org, err)
			}
			return
		}
		if len(org) != 24 || strings.Trim(strings.ToLower(org), "0123456789abcdef") != "" {
			t.Errorf("%q is taken as an id", org)
		}
		if path != filepath.Join("out", "restore-"+org+".csv") {
			t.Errorf("%q: %s", org, path)
		}
	})
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

// TestZipKind: each kind of zip archive is told by the files it holds,
// jcrestore's own workbooks by their sheets.
func TestZipKind(t *testing.T) {
	zipOf := func(names ...string) []byte {
		var b bytes.Buffer
		zw := zip.NewWriter(&b)
		for _, n := range names {
			w, _ := zw.Create(n)
			io.WriteString(w, "<x/>")
		}
		zw.Close()
		return b.Bytes()
	}
	var review, verified bytes.Buffer
	if err := WriteWorkbook(&review, &Review{Result: &convert.Result{}}); err != nil {
		t.Fatal(err)
	}
	if err := WriteVerified(&verified, &Verified{Result: &convert.Verification{}}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		b    []byte
		want string
	}{
		{review.Bytes(), ZipReview},
		{verified.Bytes(), ZipVerified},
		{zipOf("[Content_Types].xml", "xl/workbook.xml"), ZipExcel},
		{zipOf("[Content_Types].xml", "word/document.xml"), ZipWord},
		{zipOf("ppt/presentation.xml"), ZipSlides},
		{zipOf("events.json"), ZipOther},
		{[]byte(`[{"event_type": "user_delete"}]`), ""},
	} {
		if got := ZipKind(bytes.NewReader(c.b), int64(len(c.b))); got != c.want {
			t.Errorf("%q, want %q", got, c.want)
		}
	}
}
