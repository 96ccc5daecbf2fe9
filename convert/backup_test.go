package convert

import (
	"archive/zip"
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf16"
)

// backupDir is the Backup-JCOrganization folder the CLI cases read.
const backupDir = "../testdata/shared/backup-org/JumpCloud_20261120T1015004321"

// zipBackup writes the files of dir into a zip at p as Compress-Archive
// does, under the folder's name, sep between them; enc turns each file's
// bytes.
func zipBackup(t testing.TB, dir, p, sep string, enc func([]byte) []byte) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		// Windows PowerShell 5.1's Compress-Archive separates with \.
		w, err := zw.CreateHeader(&zip.FileHeader{Name: filepath.Base(dir) + sep + e.Name(), Method: zip.Deflate})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(enc(b))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// utf16LE is b as Windows PowerShell 5.1's Out-File writes it: UTF-16 LE
// with a BOM.
func utf16LE(b []byte) []byte {
	out := []byte{0xff, 0xfe}
	for _, u := range utf16.Encode([]rune(string(b))) {
		out = binary.LittleEndian.AppendUint16(out, u)
	}
	return out
}

// copyDir copies the files of dir into a new folder of the same name
// under to, each turned by enc.
func copyDir(t testing.TB, dir, to string, enc func([]byte) []byte) string {
	t.Helper()
	out := filepath.Join(to, filepath.Base(dir))
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(out, e.Name()), enc(b), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func same(b []byte) []byte { return b }

// describeBackup words what a backup holds, to compare one read with another.
func describeBackup(b *Backup) string {
	var lines []string
	lines = append(lines, fmt.Sprintf("%s %s %s", b.By, b.Org, b.Date.Format(time.RFC3339)))
	for _, u := range b.users {
		lines = append(lines, fmt.Sprintf("user %s %s %s %v %v", u.id, u.username, u.email, u.sets.cols, u.sets.attrs))
	}
	for _, key := range slices.Sorted(func(yield func(string) bool) {
		for k := range b.links {
			if !yield(k) {
				return
			}
		}
	}) {
		for _, m := range b.links[key] {
			lines = append(lines, fmt.Sprintf("link %s %+v", key, m))
		}
	}
	return strings.Join(lines, "\n")
}

// TestReadBackup: a Backup-JCOrganization backup reads the same from its
// folder, its zip, and both in UTF-16; its users, their values and their
// links are those the files hold.
func TestReadBackup(t *testing.T) {
	dir := tempDir(t)
	folder, err := ReadBackup(backupDir)
	if err != nil {
		t.Fatal(err)
	}
	want := describeBackup(folder)
	zipped := filepath.Join(dir, "JumpCloud_20261120T1015004321.zip")
	zipBackup(t, backupDir, zipped, "/", same)
	zipped16 := filepath.Join(dir, "utf16.zip")
	zipBackup(t, backupDir, zipped16, `\`, utf16LE)
	folder16 := copyDir(t, backupDir, filepath.Join(dir, "utf16"), utf16LE)
	// Windows PowerShell 5.1's envelope around an array.
	wrapped := copyDir(t, backupDir, filepath.Join(dir, "wrapped"), func(b []byte) []byte {
		if bytes.HasPrefix(bytes.TrimSpace(b), []byte("[")) {
			return append(append([]byte(`{"value": `), b...), `, "Count": 3}`...)
		}
		return b
	})
	for _, p := range []string{zipped, zipped16, folder16, wrapped} {
		if BackupPart(p) != "backup" {
			t.Errorf("%s is not known as a backup", p)
		}
		b, err := ReadBackup(p)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if got := describeBackup(b); got != want {
			t.Errorf("%s reads\n%s\nwant, as the folder reads\n%s", p, got, want)
		}
	}
	if BackupPart(backupDir) != "backup" || BackupPart(filepath.Join(backupDir, "User.json")) != "" {
		t.Error("the folder, or a file in it, is not told right")
	}
	if folder.Org != "5a1b2c3d4e5f60718293a4b5" || folder.Date != time.Date(2026, 11, 20, 10, 15, 0, 0, time.UTC) || folder.Users() != 3 {
		t.Errorf("backup %s, %v, %d users", folder.Org, folder.Date, folder.Users())
	}
	dana := folder.users[0]
	h := &history{cols: dana.sets.cols}
	for col, want := range map[string]string{"Username": "dana", "jobTitle": "Engineer", "recoveryEmail": "dana.recovery@example.org",
		"work_city": "Springfield", "mobile_number": "+1 555 0101", "unix_uid": "5101", "manager": "660000000000000000000004", "preferredName": "Dana D."} {
		if got := h.value(col); got != want {
			t.Errorf("dana's %s: %q, want %q", col, got, want)
		}
	}
	links := folder.links["660000000000000000000001"]
	var words []string
	for _, m := range links {
		words = append(words, fmt.Sprintf("%s %s %s admin=%v", m.kind, m.id, m.name, m.admin))
	}
	slices.Sort(words)
	if want := []string{"application 6c0000000000000000000001  admin=false", "system 6a0000000000000000000001 DANA-MBP admin=true",
		"user_group 6b0000000000000000000001 Engineering admin=false"}; !slices.Equal(words, want) {
		t.Errorf("dana's links: %q, want %q", words, want)
	}
}

// TestReadGetJCBackup: Get-JCBackup's CSV files, the users CSV found by
// its name and the others beside it by their time, in UTF-8 and UTF-16.
func TestReadGetJCBackup(t *testing.T) {
	src := "../testdata/shared/backup-csv"
	for name, enc := range map[string]func([]byte) []byte{"utf8": same, "utf16": utf16LE} {
		dir := copyDir(t, src, filepath.Join(tempDir(t), name), enc)
		users := filepath.Join(dir, "JumpCloudUsers_20261120T101500.CSV")
		if BackupPart(users) != "backup" || BackupPart(filepath.Join(dir, "JumpCloudSystemUsers_20261120T101500.CSV")) != "part" {
			t.Fatal("Get-JCBackup's files are not told by their names")
		}
		b, err := ReadBackup(users)
		if err != nil {
			t.Fatal(err)
		}
		if b.By != "Get-JCBackup" || b.Org != "5a1b2c3d4e5f60718293a4b5" || b.Users() != 2 {
			t.Fatalf("%s: %s %s %d users", name, b.By, b.Org, b.Users())
		}
		dana := &history{cols: b.users[0].sets.cols}
		if dana.value("work_number") != "+1 555 0100" || len(b.users[0].sets.attrs) != 1 || b.users[0].sets.attrs[0] != (Attribute{"costCode", "CC-7"}) {
			t.Errorf("%s: dana's phone and attributes, JSON text in the CSV, read as %v, %v", name, dana.cols, b.users[0].sets.attrs)
		}
		// sam's device is bound through a group (DirectBind False): the
		// group's, not the user's.
		var got []string
		for _, key := range []string{"660000000000000000000001", "660000000000000000000002"} {
			for _, m := range b.links[key] {
				got = append(got, key[len(key)-1:]+" "+m.kind+" "+cmp.Or(m.id, m.name))
			}
		}
		slices.Sort(got)
		if want := []string{"1 system 6a0000000000000000000001", "1 user_group Engineering", "2 user_group Sales"}; !slices.Equal(got, want) {
			t.Errorf("%s: links %q, want %q", name, got, want)
		}
	}
}

// TestBackupLimits: a zip whose files unpack to more than a backup may
// is refused, as is a zip larger than one may be.
func TestBackupLimits(t *testing.T) {
	defer func(f, u int64) { maxBackupFile, maxBackupUnzipped = f, u }(maxBackupFile, maxBackupUnzipped)
	dir := tempDir(t)
	p := filepath.Join(dir, "JumpCloud_20261120T1015004321.zip")
	zipBackup(t, backupDir, p, "/", func(b []byte) []byte { return append(b, bytes.Repeat([]byte(" "), 4096)...) })
	maxBackupUnzipped = 8 << 10
	if _, err := ReadBackup(p); err == nil || !strings.Contains(err.Error(), "unpack to more than") {
		t.Errorf("a zip unpacking past the limit: %v", err)
	}
	maxBackupFile = 1 << 10
	if _, err := ReadBackup(p); err == nil || !strings.Contains(err.Error(), "more than a backup of") {
		t.Errorf("a zip past the limit: %v", err)
	}
}

// TestBackupRefused: a backup of another organization than the events',
// or --org's, is refused; one that names none joins the events'.
func TestBackupRefused(t *testing.T) {
	b, err := ReadBackup(backupDir)
	if err != nil {
		t.Fatal(err)
	}
	event := `{"event_type":"user_delete","organization":"%s","id":"690000000000000000000005","timestamp":"2026-11-28T09:00:00Z","resource":{"id":"660000000000000000000001","type":"user","username":"dana"}}`
	read := func(org string, opts Options) (*Result, error) {
		opts.Backups = []*Backup{b}
		return Read(context.Background(), []Input{{Name: "e.json", R: strings.NewReader(fmt.Sprintf(event, org))}}, opts)
	}
	var refused *RefusedError
	if _, err := read("5a1b2c3d4e5f60718293ffff", Options{}); !errors.As(err, &refused) {
		t.Errorf("another organization's backup: %v", err)
	}
	if _, err := read("5a1b2c3d4e5f60718293a4b5", Options{Org: "5a1b2c3d4e5f60718293ffff"}); !errors.As(err, &refused) {
		t.Errorf("a backup of another organization than --org's: %v", err)
	}
	res, err := read("5a1b2c3d4e5f60718293a4b5", Options{Trail: true})
	if err != nil || len(res.Records) != 1 || res.Records[0].JobTitle != "Engineer" || res.Backed == 0 {
		t.Fatalf("the organization's own backup: %v, %+v", err, res)
	}
	// The trail tells what the backup held, at its date, before the
	// deletion; the record, which values came from it.
	if len(res.Trail) != 2 || res.Trail[0].Type != "backup" || !strings.Contains(res.Trail[0].Changes, "jobTitle Engineer") ||
		res.Trail[0].Source != filepath.Join(backupDir, "User.json")+":2" || res.Trail[1].Type != "user_delete" {
		t.Errorf("trail %+v", res.Trail)
	}
	if d := strings.Join(res.Records[0].Details, "; "); !strings.Contains(d, "from the backup 2026-11-20 ("+filepath.Join(backupDir, "User.json")+":2): ") || !strings.Contains(d, "jobTitle") {
		t.Errorf("details %q", d)
	}
	b.Org = ""
	res, err = read("5a1b2c3d4e5f60718293a4b5", Options{})
	if err != nil || len(res.Records) != 1 || res.Records[0].JobTitle != "Engineer" || res.Records[0].Organization != "5a1b2c3d4e5f60718293a4b5" {
		t.Fatalf("a backup that names no organization: %v, %+v", err, res)
	}
}

// FuzzReadBackup: whatever a backup's files hold, JSON or CSV, in any
// encoding, reading them ends with a backup or an error, and every user
// kept is named by an id or a username.
func FuzzReadBackup(f *testing.F) {
	for _, name := range []string{"User.json", "Association-UserToSystem.json", "Association-UserToUserGroup.json"} {
		b, err := os.ReadFile(filepath.Join(backupDir, name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		f.Add(utf16LE(b))
	}
	for _, name := range []string{"JumpCloudUsers_20261120T101500.CSV", "JumpCloudSystemUsers_20261120T101500.CSV"} {
		b, err := os.ReadFile(filepath.Join("../testdata/shared/backup-csv", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	manifest, err := os.ReadFile(filepath.Join(backupDir, "Manifest.json"))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		// The bytes as every file of each kind of backup but the manifest.
		files := map[string][]byte{"Manifest.json": manifest}
		for _, name := range []string{"User.json", "UserGroup.json", "System.json", "Association-UserToSystem.json", "Association-UserToUserGroup.json",
			"users", "systems", "systemusers", "usergroupmembers"} {
			files[name] = data
		}
		bu := &bundle{name: "backup", files: map[string]string{}, read: func(name string) ([]byte, error) { return decoded(bytes.NewReader(files[name])) }}
		for name := range files {
			bu.files[strings.ToLower(name)] = name
		}
		for _, by := range []string{"Backup-JCOrganization", "Get-JCBackup"} {
			b := &Backup{Name: "backup", By: by}
			var err error
			if by == "Get-JCBackup" {
				err = b.readGetJCBackup(bu)
			} else {
				err = b.readOrganization(bu)
			}
			if err != nil {
				continue
			}
			for _, u := range b.users {
				if u.id == "" && u.username == "" {
					t.Fatalf("%s: a user with neither id nor username: %+v", by, u)
				}
			}
		}
	})
}

// csvBackupDir writes the backup's JSON files as Backup-JCOrganization
// -Format csv does: a <Type>.csv per file, a column per property, nested
// values as compressed JSON text, every cell quoted.
func csvBackupDir(t testing.TB, dir, to string) string {
	t.Helper()
	out := filepath.Join(to, filepath.Base(dir))
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if e.Name() == "Manifest.json" {
			os.WriteFile(filepath.Join(out, e.Name()), b, 0o644)
			continue
		}
		var objs []map[string]json.RawMessage
		if err := json.Unmarshal(b, &objs); err != nil {
			t.Fatal(err)
		}
		var header []string
		for _, o := range objs {
			for k := range o {
				if !slices.Contains(header, k) {
					header = append(header, k)
				}
			}
		}
		slices.Sort(header)
		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		w.Write(header)
		for _, o := range objs {
			row := make([]string, len(header))
			for i, k := range header {
				var s string
				switch v := o[k]; {
				case v == nil || string(v) == "null":
				case json.Unmarshal(v, &s) == nil:
					row[i] = s
				default:
					var compact bytes.Buffer
					json.Compact(&compact, v)
					row[i] = compact.String()
				}
			}
			w.Write(row)
		}
		w.Flush()
		os.WriteFile(filepath.Join(out, strings.TrimSuffix(e.Name(), ".json")+".csv"), buf.Bytes(), 0o644)
	}
	return out
}

// TestReadBackupCSV: a Backup-JCOrganization backup made with -Format
// csv reads as the JSON one does.
func TestReadBackupCSV(t *testing.T) {
	folder, err := ReadBackup(backupDir)
	if err != nil {
		t.Fatal(err)
	}
	p := csvBackupDir(t, backupDir, tempDir(t))
	b, err := ReadBackup(p)
	if err != nil {
		t.Fatal(err)
	}
	// A CSV has every column in every row: a property a user's object
	// lacks is an empty cell there. The values held are the same.
	for _, bk := range []*Backup{b, folder} {
		for i := range bk.users {
			h := bk.users[i].sets
			h.cols = slices.DeleteFunc(h.cols, func(st stamp) bool { return st.value == "" })
		}
	}
	if got, want := describeBackup(b), describeBackup(folder); got != want {
		t.Errorf("the CSV backup reads\n%s\nwant, as the JSON one\n%s", got, want)
	}
}

// tempDir is t.TempDir without os.RemoveAll, which fails under Wine 8
// ("Invalid function"): its files are removed one by one.
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
