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
		bu := &bundle{name: "backup", files: map[string]string{}, read: func(name string) ([]byte, error) {
			return decoded(bytes.NewReader(files[name]), int64(len(files[name])))
		}}
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

// readWithBackup reads the events (NDJSON text) with the backups given
// and the options.
func readWithBackup(t *testing.T, events string, opts Options, backups ...*Backup) *Result {
	t.Helper()
	opts.Backups = backups
	res, err := Read(context.Background(), []Input{{Name: "events.ndjson", R: strings.NewReader(events)}}, opts)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// diEvent is one event of the organization org ("" for none) at the day
// of November 2026.
func diEvent(org string, day int, typ, rest string) string {
	o := ""
	if org != "" {
		o = fmt.Sprintf(`"organization": %q, `, org)
	}
	events++
	return fmt.Sprintf(`{"event_type": %q, %s"id": "69%022d", "timestamp": "2026-11-%02dT09:00:00Z", %s}`+"\n", typ, o, events, day, rest)
}

// events counts the events diEvent made, for their ids.
var events int

const (
	orgA = "5a1b2c3d4e5f60718293a4b5"
	orgB = "5a1b2c3d4e5f60718293ffff"
	dana = `"resource": {"id": "660000000000000000000001", "type": "user", "username": "dana"}`
	sam  = `"resource": {"id": "660000000000000000000002", "type": "user", "username": "sam"}`
)

// recordOf is the record of username in res, or fails.
func recordOf(t *testing.T, res *Result, username string) Record {
	t.Helper()
	var found []Record
	for _, r := range res.Records {
		if r.Username == username {
			found = append(found, r)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d records of %s: %+v", len(found), username, res.Records)
	}
	return found[0]
}

func backupLinkWords(r Record) []string {
	var w []string
	for _, l := range r.Links {
		w = append(w, l.Type+" "+cmp.Or(l.Name, l.ID))
	}
	slices.Sort(w)
	return w
}

// TestBackupMerged holds what a second read of the backups found: each
// a way the backup's values or links could come from the wrong place.
func TestBackupMerged(t *testing.T) {
	org, err := ReadBackup(backupDir)
	if err != nil {
		t.Fatal(err)
	}
	now := &Current{Name: "users.json", Users: []CurrentUser{{ID: "660000000000000000000003", Record: Record{User: User{Username: "lee", Email: "lee@example.com"}}, Organization: orgA}}}

	t.Run("a deletion by username alone takes the backup's id, links and events", func(t *testing.T) {
		events := diEvent(orgA, 25, "user_update", dana+`, "changes": [{"field": "jobTitle", "from": "Engineer", "to": "Senior Engineer"}]`) +
			diEvent(orgA, 28, "user_delete", `"resource": {"type": "user", "username": "dana"}, "changes": [{"field": "email", "from": "dana@example.com"}]`)
		r := recordOf(t, readWithBackup(t, events, Options{}, org), "dana")
		if r.FormerID != "660000000000000000000001" || r.JobTitle != "Senior Engineer" || r.SystemID != "6a0000000000000000000001" {
			t.Errorf("id %q, jobTitle %q, SystemID %q", r.FormerID, r.JobTitle, r.SystemID)
		}
		if got := backupLinkWords(r); !slices.Equal(got, []string{"application 6c0000000000000000000001", "system DANA-MBP", "user_group Engineering"}) {
			t.Errorf("links %q", got)
		}
	})

	t.Run("of several backups, the newest's links; an older one's group does not come back", func(t *testing.T) {
		dir := copyDir(t, backupDir, tempDir(t), same)
		older := filepath.Join(filepath.Dir(dir), "JumpCloud_20261101T0900000000")
		if err := os.Rename(dir, older); err != nil {
			t.Fatal(err)
		}
		manifest := filepath.Join(older, "Manifest.json")
		b, _ := os.ReadFile(manifest)
		os.WriteFile(manifest, bytes.Replace(b, []byte("20261120T1015004321"), []byte("20261101T0900000000"), 1), 0o644)
		groups := filepath.Join(older, "Association-UserToUserGroup.json")
		b, _ = os.ReadFile(groups)
		os.WriteFile(groups, bytes.Replace(b, []byte(`"660000000000000000000002"`), []byte(`"660000000000000000000001"`), 1), 0o644) // dana in Sales then
		old, err := ReadBackup(older)
		if err != nil {
			t.Fatal(err)
		}
		events := diEvent(orgA, 28, "user_delete", dana)
		for _, order := range [][]*Backup{{org, old}, {old, org}} {
			r := recordOf(t, readWithBackup(t, events, Options{}, order...), "dana")
			if slices.Contains(backupLinkWords(r), "user_group Sales") || !slices.Contains(backupLinkWords(r), "user_group Engineering") {
				t.Errorf("links %q: the older backup's Sales came back", backupLinkWords(r))
			}
		}
		// --deleted-since-backup compares the newest: lee is here now, sam
		// is in both.
		res := readWithBackup(t, events, Options{Now: now}, old, org)
		if len(res.Records) != 2 || recordOf(t, res, "sam").Username != "sam" {
			t.Errorf("records %+v", res.Records)
		}
	})

	t.Run("Get-JCBackup's group by name meets the events' by id", func(t *testing.T) {
		csvB, err := ReadBackup("../testdata/shared/backup-csv/JumpCloudUsers_20261120T101500.CSV")
		if err != nil {
			t.Fatal(err)
		}
		removed := diEvent(orgA, 27, "association_change", `"association": {"op": "remove", "connection": {"from": {"type": "user_group", "object_id": "6b0000000000000000000001", "name": "Engineering"}, "to": {"type": "user", "object_id": "660000000000000000000001", "name": "dana"}}}`)
		added := strings.ReplaceAll(removed, `"remove"`, `"add"`)
		del := diEvent(orgA, 28, "user_delete", dana)
		if r := recordOf(t, readWithBackup(t, removed+del, Options{}, csvB), "dana"); slices.Contains(r.Groups, "Engineering") {
			t.Errorf("removed after the backup, still a member: %q", r.Groups)
		}
		if r := recordOf(t, readWithBackup(t, added+del, Options{}, csvB), "dana"); !slices.Equal(r.Groups, []string{"Engineering"}) {
			t.Errorf("added again after the backup: groups %q, want Engineering once", r.Groups)
		}
	})

	t.Run("a deletion naming no organization is the backup's user's, not a second one", func(t *testing.T) {
		events := diEvent(orgA, 27, "user_update", dana+`, "changes": [{"field": "jobTitle", "from": "Engineer", "to": "Lead"}]`) +
			diEvent("", 28, "user_delete", sam)
		res := readWithBackup(t, events, Options{Now: now}, org)
		if r := recordOf(t, res, "sam"); !r.DeletedAt.Equal(time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)) || slices.ContainsFunc(r.Notes, func(n string) bool { return strings.Contains(n, "also deleted earlier") }) {
			t.Errorf("sam: deleted %v, notes %q", r.DeletedAt, r.Notes)
		}
	})

	t.Run("a creation before the backup does not make a user deleted since it back", func(t *testing.T) {
		events := diEvent(orgA, 5, "user_create", sam+`, "changes": [{"field": "email", "to": "sam@example.com"}]`) + diEvent(orgA, 28, "user_delete", dana)
		res := readWithBackup(t, events, Options{Now: now}, org)
		recordOf(t, res, "sam")
		for _, l := range res.LeftOut {
			if l.Username == "sam" {
				t.Errorf("sam left out: %s %s", l.Reason, l.Detail)
			}
		}
	})

	t.Run("values PowerShell wrote as System.Object[] in the backup are said lost", func(t *testing.T) {
		dir := copyDir(t, backupDir, tempDir(t), same)
		users := filepath.Join(dir, "User.json")
		b, _ := os.ReadFile(users)
		i := bytes.Index(b, []byte(`"PhoneNumbers": [`))
		j := i + bytes.Index(b[i:], []byte("],")) + 1
		b = append(append(b[:i:i], `"PhoneNumbers": "System.Object[]"`...), b[j:]...)
		os.WriteFile(users, b, 0o644)
		cut, err := ReadBackup(dir)
		if err != nil {
			t.Fatal(err)
		}
		r := recordOf(t, readWithBackup(t, diEvent(orgA, 28, "user_delete", dana), Options{}, cut), "dana")
		if !slices.ContainsFunc(r.CutLost, func(s string) bool { return strings.EqualFold(s, "phoneNumbers") }) {
			t.Errorf("lost %q", r.CutLost)
		}
	})

	t.Run("an earlier deletion's values are as old as it is", func(t *testing.T) {
		earlier := `{"event_type": "user_delete", "organization": "` + orgA + `", "id": "690000000000000000000099", "timestamp": "2026-09-01T09:00:00Z", ` +
			dana + `, "changes": [{"field": "department", "from": "Old Dept"}, {"field": "jobTitle", "from": "Intern"}, {"field": "company", "from": "Then Co"}]}` + "\n"
		events := earlier + diEvent(orgA, 25, "user_update", dana+`, "changes": [{"field": "jobTitle", "from": "Engineer", "to": "Senior Engineer"}]`) +
			diEvent(orgA, 28, "user_delete", dana+`, "changes": [{"field": "email", "from": "dana@example.com"}]`)
		r := recordOf(t, readWithBackup(t, events, Options{}, org), "dana")
		if r.Department != "Platform" || r.JobTitle != "Senior Engineer" || r.Company != "Example Co" {
			t.Errorf("with the backup: department %q, jobTitle %q, company %q", r.Department, r.JobTitle, r.Company)
		}
		// Without it, the earlier deletion against an event between.
		between := `{"event_type": "user_update", "organization": "` + orgA + `", "id": "690000000000000000000098", "timestamp": "2026-10-01T09:00:00Z", ` +
			dana + `, "changes": [{"field": "jobTitle", "from": "Intern", "to": "Staff"}]}` + "\n"
		r = recordOf(t, readWithBackup(t, earlier+between+diEvent(orgA, 28, "user_delete", dana), Options{}), "dana")
		if r.JobTitle != "Staff" || r.Department != "Old Dept" || !slices.ContainsFunc(r.Notes, func(n string) bool { return strings.Contains(n, "department, company taken from that deletion") }) {
			t.Errorf("without: jobTitle %q, department %q, notes %q", r.JobTitle, r.Department, r.Notes)
		}
	})

	suspended := func(r Record) bool { return strings.Contains(r.AfterImport().String(), "suspend") }
	t.Run("account settings of earlier deletions count as of their time, in any order", func(t *testing.T) {
		del := func(day int, from string) string {
			return diEvent(orgA, day, "user_delete", dana+`, "changes": [{"field": "suspended", "from": `+from+`}]`)
		}
		sept := strings.Replace(del(1, "true"), "2026-11-01", "2026-09-01", 1)
		oct := strings.Replace(del(1, "false"), "2026-11-01", "2026-10-01", 1)
		last := diEvent(orgA, 28, "user_delete", dana)
		for _, events := range []string{sept + oct + last, sept + last + oct, oct + last + sept} {
			if r := recordOf(t, readWithBackup(t, events, Options{}), "dana"); suspended(r) {
				t.Errorf("suspended, though the newest earlier deletion says not: %q", r.AfterImport().String())
			}
		}
		// A backup newer than the earlier deletion says not suspended.
		if r := recordOf(t, readWithBackup(t, sept+last, Options{}, org), "dana"); suspended(r) {
			t.Errorf("suspended, though the newer backup says not")
		}
	})

	t.Run("a username deleted, created again and deleted by username: not the backup's user", func(t *testing.T) {
		events := diEvent(orgA, 22, "user_delete", dana) +
			diEvent(orgA, 23, "user_create", `"resource": {"id": "660000000000000000000009", "type": "user", "username": "dana"}, "changes": [{"field": "jobTitle", "to": "Chef"}, {"field": "email", "to": "dana.new@example.com"}]`) +
			diEvent(orgA, 28, "user_delete", `"resource": {"type": "user", "username": "dana"}, "changes": [{"field": "email", "from": "dana.new@example.com"}]`)
		r := recordOf(t, readWithBackup(t, events, Options{}, org), "dana")
		if r.FormerID == "660000000000000000000001" || r.JobTitle == "Engineer" || r.SystemID != "" {
			t.Errorf("took the backup's earlier user: id %q, jobTitle %q, SystemID %q", r.FormerID, r.JobTitle, r.SystemID)
		}
	})

	t.Run("a backup dated after the deletion (local time read as UTC) is read as made just before it", func(t *testing.T) {
		events := `{"event_type": "user_delete", "organization": "` + orgA + `", "id": "690000000000000000000097", "timestamp": "2026-11-20T09:00:00Z", ` + dana + "}\n"
		r := recordOf(t, readWithBackup(t, events, Options{}, org), "dana")
		if r.JobTitle != "Engineer" || r.SystemID != "6a0000000000000000000001" || !slices.ContainsFunc(r.Details, func(d string) bool { return strings.Contains(d, "dated after the deletion") }) {
			t.Errorf("jobTitle %q, SystemID %q, details %q", r.JobTitle, r.SystemID, r.Details)
		}
	})

	t.Run("a newer backup without associations leaves the memberships to the one with them", func(t *testing.T) {
		dir := copyDir(t, backupDir, tempDir(t), same)
		for _, name := range []string{"Association-UserToSystem.json", "Association-UserToUserGroup.json", "Association-UserToApplication.json"} {
			os.Remove(filepath.Join(dir, name))
		}
		manifest := filepath.Join(dir, "Manifest.json")
		b, _ := os.ReadFile(manifest)
		os.WriteFile(manifest, bytes.Replace(b, []byte("20261120T1015004321"), []byte("20261125T1015004321"), 1), 0o644)
		bare, err := ReadBackup(dir)
		if err != nil {
			t.Fatal(err)
		}
		r := recordOf(t, readWithBackup(t, diEvent(orgA, 28, "user_delete", dana), Options{}, bare, org), "dana")
		if got := backupLinkWords(r); !slices.Equal(got, []string{"application 6c0000000000000000000001", "system DANA-MBP", "user_group Engineering"}) {
			t.Errorf("links %q", got)
		}
	})

	t.Run("a deletion naming no organization among several is not made again from the backup", func(t *testing.T) {
		events := diEvent(orgA, 27, "user_delete", sam) + diEvent(orgB, 27, "user_delete", `"resource": {"id": "660000000000000000000008", "type": "user", "username": "ola"}`) +
			diEvent("", 28, "user_delete", dana)
		res := readWithBackup(t, events, Options{Now: now}, org)
		n := 0
		for _, r := range res.Records {
			if r.Username == "dana" {
				n++
			}
		}
		if n != 1 {
			t.Errorf("dana restored %d times", n)
		}
	})

	// withDate is a copy of the backup folder dated date (its manifest's
	// yyyyMMddTHHmmssffff), with edit applied to its files.
	withDate := func(t *testing.T, date string, edit func(dir string)) *Backup {
		dir := copyDir(t, backupDir, tempDir(t), same)
		manifest := filepath.Join(dir, "Manifest.json")
		b, _ := os.ReadFile(manifest)
		os.WriteFile(manifest, bytes.Replace(b, []byte("20261120T1015004321"), []byte(date), 1), 0o644)
		if edit != nil {
			edit(dir)
		}
		bk, err := ReadBackup(dir)
		if err != nil {
			t.Fatal(err)
		}
		return bk
	}

	// noIDOf is the backup with the user of id holding no id (its Id renamed).
	noIDOf := func(t *testing.T, id string) *Backup {
		return withDate(t, "20261120T1015004321", func(dir string) {
			users := filepath.Join(dir, "User.json")
			b, _ := os.ReadFile(users)
			os.WriteFile(users, bytes.Replace(b, []byte(`"Id": "`+id+`"`), []byte(`"Other": "`+id+`"`), 1), 0o644)
		})
	}

	// dayNamed is Get-JCBackup's set as older modules named it, by the
	// day alone (JumpCloudUsers_11202026.CSV), sam's _id cell empty.
	dayNamed := func(t *testing.T) *Backup {
		bk, err := ReadBackup(dayNamedCopy(t, func(b []byte) []byte {
			return bytes.Replace(b, []byte(`"660000000000000000000002","True"`), []byte(`"","True"`), 1)
		}))
		if err != nil {
			t.Fatal(err)
		}
		return bk
	}

	t.Run("two backups dated after the deletion: the newer's values", func(t *testing.T) {
		later := withDate(t, "20261120T1115000000", func(dir string) {
			users := filepath.Join(dir, "User.json")
			b, _ := os.ReadFile(users)
			os.WriteFile(users, bytes.Replace(b, []byte(`"JobTitle": "Engineer"`), []byte(`"JobTitle": "Principal"`), 1), 0o644)
		})
		events := `{"event_type": "user_delete", "organization": "` + orgA + `", "id": "690000000000000000000096", "timestamp": "2026-11-20T09:00:00Z", ` + dana + "}\n"
		for _, order := range [][]*Backup{{org, later}, {later, org}} {
			if r := recordOf(t, readWithBackup(t, events, Options{}, order...), "dana"); r.JobTitle != "Principal" {
				t.Errorf("jobTitle %q", r.JobTitle)
			}
		}
	})

	t.Run("a username created again before its deletion by username is not the backup's earlier user", func(t *testing.T) {
		created := diEvent(orgA, 23, "user_create", `"resource": {"id": "660000000000000000000009", "type": "user", "username": "dana"}, "changes": [{"field": "jobTitle", "to": "Chef"}, {"field": "email", "to": "dana.new@example.com"}]`)
		byName := diEvent(orgA, 28, "user_delete", `"resource": {"type": "user", "username": "dana"}, "changes": [{"field": "email", "from": "dana.new@example.com"}]`)
		for name, c := range map[string]struct {
			events string
			opts   Options
		}{
			"the first deletion not in the export":   {created + byName, Options{}},
			"the first deletion left out by --since": {diEvent(orgA, 22, "user_delete", dana) + created + byName, Options{Since: time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)}},
		} {
			r := recordOf(t, readWithBackup(t, c.events, c.opts, org), "dana")
			if r.FormerID == "660000000000000000000001" || r.JobTitle == "Engineer" || r.SystemID != "" {
				t.Errorf("%s: took the backup's earlier user: id %q, jobTitle %q, SystemID %q", name, r.FormerID, r.JobTitle, r.SystemID)
			}
		}
	})

	t.Run("what an event sets after the deletion does not hide an earlier deletion's value", func(t *testing.T) {
		earlier := `{"event_type": "user_delete", "organization": "` + orgA + `", "id": "690000000000000000000095", "timestamp": "2026-09-01T09:00:00Z", ` +
			dana + `, "changes": [{"field": "department", "from": "Old Dept"}]}` + "\n"
		events := earlier + diEvent(orgA, 28, "user_delete", dana) + diEvent(orgA, 29, "user_update", dana+`, "changes": [{"field": "department", "from": "", "to": "New"}]`)
		if r := recordOf(t, readWithBackup(t, events, Options{}), "dana"); r.Department != "Old Dept" {
			t.Errorf("department %q", r.Department)
		}
	})

	t.Run("a username deleted, then created again and deleted since the backup, comes back", func(t *testing.T) {
		events := diEvent(orgA, 3, "user_delete", `"resource": {"id": "660000000000000000000007", "type": "user", "username": "sam"}`) +
			diEvent(orgA, 4, "user_create", sam+`, "changes": [{"field": "email", "to": "sam@example.com"}]`) + diEvent(orgA, 28, "user_delete", dana)
		r := recordOf(t, readWithBackup(t, events, Options{Now: now}, org), "sam")
		if r.FormerID != "660000000000000000000002" || r.JobTitle != "Account Executive" {
			t.Errorf("sam: id %q, jobTitle %q", r.FormerID, r.JobTitle)
		}
	})

	t.Run("a newer backup with associations but none of a kind: the user had none", func(t *testing.T) {
		newer := withDate(t, "20261125T1015004321", func(dir string) {
			os.Remove(filepath.Join(dir, "Association-UserToApplication.json"))
			os.WriteFile(filepath.Join(dir, "Application.json"), []byte(`[{"Id": "6c0000000000000000000001", "DisplayLabel": "Slack"}]`), 0o644)
		})
		r := recordOf(t, readWithBackup(t, diEvent(orgA, 28, "user_delete", dana), Options{}, newer, org), "dana")
		if got := backupLinkWords(r); slices.Contains(got, "application 6c0000000000000000000001") || !slices.Contains(got, "system DANA-MBP") {
			t.Errorf("links %q", got)
		}
	})

	t.Run("a backup's user without an id, deleted by an event with one, is not deleted twice", func(t *testing.T) {
		noID := noIDOf(t, "660000000000000000000002")
		r := recordOf(t, readWithBackup(t, diEvent(orgA, 28, "user_delete", sam), Options{Now: now}, noID), "sam")
		if slices.ContainsFunc(r.Notes, func(n string) bool { return strings.Contains(n, "also deleted earlier") }) {
			t.Errorf("notes %q", r.Notes)
		}
	})

	t.Run("a backup's date in local time: the account's own creation orders it", func(t *testing.T) {
		// Written 11:00 in UTC-5 (16:00Z), read as 11:00Z: sam's first
		// account was deleted at 14:00Z, the second created at 14:30Z and
		// is the backup's, deleted since.
		local := withDate(t, "20261120T1100000000", func(dir string) {
			users := filepath.Join(dir, "User.json")
			b, _ := os.ReadFile(users)
			os.WriteFile(users, bytes.Replace(b, []byte(`"Id": "660000000000000000000002",`), []byte(`"Id": "660000000000000000000002", "Created": "2026-11-20T14:30:00.000Z",`), 1), 0o644)
		})
		at := func(hhmm, typ, rest string) string {
			events++
			return fmt.Sprintf(`{"event_type": %q, "organization": %q, "id": "68%022d", "timestamp": "2026-11-20T%s:00Z", %s}`+"\n", typ, orgA, events, hhmm, rest)
		}
		events := at("14:00", "user_delete", `"resource": {"id": "660000000000000000000007", "type": "user", "username": "sam"}`) +
			at("14:30", "user_create", sam+`, "changes": [{"field": "email", "to": "sam@example.com"}]`) + diEvent(orgA, 28, "user_delete", dana)
		r := recordOf(t, readWithBackup(t, events, Options{Now: now}, local), "sam")
		if r.FormerID != "660000000000000000000002" {
			t.Errorf("sam: id %q", r.FormerID)
		}
	})

	t.Run("a user deleted by id, that deletion left out, is not the backup's user of a deletion by username", func(t *testing.T) {
		events := diEvent(orgA, 22, "user_delete", `"resource": {"id": "660000000000000000000001", "type": "user"}`) +
			diEvent(orgA, 28, "user_delete", `"resource": {"type": "user", "username": "dana"}, "changes": [{"field": "email", "from": "dana.new@example.com"}]`)
		r := recordOf(t, readWithBackup(t, events, Options{Since: time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)}, org), "dana")
		if r.FormerID == "660000000000000000000001" || r.SystemID != "" {
			t.Errorf("took the deleted user: id %q, SystemID %q", r.FormerID, r.SystemID)
		}
	})

	t.Run("a user renamed since the backup, deleted by the new username alone, comes back once, whole", func(t *testing.T) {
		events := diEvent(orgA, 25, "user_update", dana+`, "changes": [{"field": "username", "from": "dana", "to": "dana2"}]`) +
			diEvent(orgA, 28, "user_delete", `"resource": {"type": "user", "username": "dana2"}`)
		for _, opts := range []Options{{}, {Now: now}} {
			res := readWithBackup(t, events, opts, org)
			r := recordOf(t, res, "dana2")
			if r.FormerID != "660000000000000000000001" || r.SystemID != "6a0000000000000000000001" || r.Email != "dana@example.com" {
				t.Errorf("dana2: id %q, SystemID %q, email %q", r.FormerID, r.SystemID, r.Email)
			}
			for _, other := range res.Records {
				if other.Username == "dana" {
					t.Errorf("dana restored again from the backup alone: %q", other.Notes)
				}
			}
		}
	})

	t.Run("a group added before the backup and not in it had ended", func(t *testing.T) {
		events := diEvent(orgA, 2, "association_change", `"association": {"op": "add", "connection": {"from": {"type": "user_group", "object_id": "6b0000000000000000000009", "name": "Old Group"}, "to": {"type": "user", "object_id": "660000000000000000000001", "name": "dana"}}}`) +
			diEvent(orgA, 28, "user_delete", dana)
		if r := recordOf(t, readWithBackup(t, events, Options{}, org), "dana"); !slices.Equal(r.Groups, []string{"Engineering"}) {
			t.Errorf("groups %q", r.Groups)
		}
	})

	t.Run("a backup's user without an id serves a deletion with one", func(t *testing.T) {
		noID := noIDOf(t, "660000000000000000000002")
		if r := recordOf(t, readWithBackup(t, diEvent(orgA, 28, "user_delete", sam), Options{}, noID), "sam"); r.JobTitle != "Account Executive" {
			t.Errorf("sam: jobTitle %q", r.JobTitle)
		}
	})

	t.Run("a deletion by username alone takes no id a deletion removed or the username had before it was created again", func(t *testing.T) {
		// No backup: bob's first account (…07) had a job title and a
		// group; the username deleted later is another account.
		bob := `"resource": {"id": "660000000000000000000007", "type": "user", "username": "bob"}`
		first := diEvent(orgA, 2, "user_create", bob+`, "changes": [{"field": "jobTitle", "to": "Chef"}, {"field": "email", "to": "bob@example.com"}]`) +
			diEvent(orgA, 3, "association_change", `"association": {"op": "add", "connection": {"from": {"type": "user_group", "object_id": "6b0000000000000000000007", "name": "Kitchen"}, "to": {"type": "user", "object_id": "660000000000000000000007", "name": "bob"}}}`)
		byName := diEvent(orgA, 20, "user_delete", `"resource": {"type": "user", "username": "bob"}, "changes": [{"field": "email", "from": "bob.new@example.com"}]`)
		for name, events := range map[string]string{
			"deleted by id before":       first + diEvent(orgA, 10, "user_delete", bob) + byName,
			"the username created again": first + diEvent(orgA, 12, "user_create", `"resource": {"type": "user", "username": "bob"}, "changes": [{"field": "email", "to": "bob.new@example.com"}]`) + byName,
		} {
			r := recordOf(t, readWithBackup(t, events, Options{}), "bob")
			if r.FormerID != "" || r.JobTitle == "Chef" || slices.Contains(r.Groups, "Kitchen") {
				t.Errorf("%s: took the first account: id %q, jobTitle %q, groups %q", name, r.FormerID, r.JobTitle, r.Groups)
			}
		}
	})

	t.Run("a backup's user without an id is not a later account of the username", func(t *testing.T) {
		noID := noIDOf(t, "660000000000000000000002")
		third := `"resource": {"id": "66000000000000000000000e", "type": "user", "username": "sam"}`
		for name, events := range map[string]string{
			"created again after the backup": diEvent(orgA, 21, "user_delete", sam) +
				diEvent(orgA, 24, "user_create", third+`, "changes": [{"field": "email", "to": "sam.new@example.com"}]`) + diEvent(orgA, 27, "user_delete", third),
			"another account deleted since the backup": diEvent(orgA, 21, "user_delete", sam) + diEvent(orgA, 27, "user_delete", third),
		} {
			if r := recordOf(t, readWithBackup(t, events, Options{}, noID), "sam"); r.FormerID != "66000000000000000000000e" || r.JobTitle == "Account Executive" {
				t.Errorf("%s: id %q, jobTitle %q: the backup's earlier sam", name, r.FormerID, r.JobTitle)
			}
		}
	})

	t.Run("an account deleted by an event naming no organization, among several, is not a later one of its username", func(t *testing.T) {
		bob := `"resource": {"id": "660000000000000000000007", "type": "user", "username": "bob"}`
		events := diEvent(orgA, 2, "user_create", bob+`, "changes": [{"field": "jobTitle", "to": "Chef"}, {"field": "email", "to": "bob@example.com"}]`) +
			diEvent("", 10, "user_delete", bob) + diEvent(orgB, 11, "user_delete", `"resource": {"id": "660000000000000000000008", "type": "user", "username": "ola"}`) +
			diEvent(orgA, 20, "user_delete", `"resource": {"type": "user", "username": "bob"}, "changes": [{"field": "email", "from": "bob.new@example.com"}]`)
		found := 0
		for _, r := range readWithBackup(t, events, Options{}).Records {
			if r.Username == "bob" && r.Organization == orgA {
				found++
				if r.FormerID != "" || r.JobTitle == "Chef" {
					t.Errorf("took the account deleted before: id %q, jobTitle %q", r.FormerID, r.JobTitle)
				}
			}
		}
		if found != 1 {
			t.Errorf("%d records of the organization's bob", found)
		}
	})

	t.Run("a backup's user without an id: another account's deletion left out by --since still counts", func(t *testing.T) {
		noID := noIDOf(t, "660000000000000000000002")
		third := `"resource": {"id": "66000000000000000000000e", "type": "user", "username": "sam"}`
		events := diEvent(orgA, 21, "user_delete", sam) + diEvent(orgA, 27, "user_delete", third)
		r := recordOf(t, readWithBackup(t, events, Options{Since: time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)}, noID), "sam")
		if r.FormerID != "66000000000000000000000e" || r.JobTitle == "Account Executive" {
			t.Errorf("id %q, jobTitle %q: the backup's earlier sam", r.FormerID, r.JobTitle)
		}
	})

	t.Run("deleted since a backup without ids: the id the events give, and groups added after it", func(t *testing.T) {
		noID := noIDOf(t, "660000000000000000000002")
		events := diEvent(orgA, 2, "user_create", sam+`, "changes": [{"field": "email", "to": "sam@example.com"}]`) +
			diEvent(orgA, 22, "association_change", `"association": {"op": "add", "connection": {"from": {"type": "user_group", "object_id": "6b0000000000000000000007", "name": "Kitchen"}, "to": {"type": "user", "object_id": "660000000000000000000002", "name": "sam"}}}`) +
			diEvent(orgA, 28, "user_delete", dana)
		if r := recordOf(t, readWithBackup(t, events, Options{Now: now}, noID), "sam"); r.FormerID != "660000000000000000000002" || !slices.Contains(r.Groups, "Kitchen") {
			t.Errorf("sam: id %q, groups %q", r.FormerID, r.Groups)
		}
	})

	t.Run("a Get-JCBackup named by its day serves a user created that day", func(t *testing.T) {
		// Made the day sam was created, after the creation.
		bk := dayNamed(t)
		events := diEvent(orgA, 20, "user_create", sam+`, "changes": [{"field": "email", "to": "sam@example.com"}]`) + diEvent(orgA, 27, "user_delete", sam)
		if r := recordOf(t, readWithBackup(t, events, Options{}, bk), "sam"); r.JobTitle != "Account Executive" {
			t.Errorf("sam: jobTitle %q, details %q", r.JobTitle, r.Details)
		}
	})

	t.Run("backups of one date and organization that hold different things are both read", func(t *testing.T) {
		partial := withDate(t, "20261120T1015004321", func(dir string) { os.Remove(filepath.Join(dir, "Association-UserToSystem.json")) })
		changed := withDate(t, "20261120T1015004321", func(dir string) {
			users := filepath.Join(dir, "User.json")
			b, _ := os.ReadFile(users)
			os.WriteFile(users, bytes.Replace(b, []byte(`"JobTitle": "Engineer"`), []byte(`"JobTitle": "Principal"`), 1), 0o644)
		})
		for _, other := range []*Backup{partial, changed} {
			var notices []string
			opts := Options{Trail: true, Report: func(p Problem) { notices = append(notices, p.Message) }}
			res := readWithBackup(t, diEvent(orgA, 28, "user_delete", dana), opts, org, other)
			n := 0
			for _, e := range res.Trail {
				if e.Type == "backup" {
					n++
				}
			}
			if n != 2 || slices.ContainsFunc(notices, func(m string) bool { return strings.Contains(m, "read once") }) {
				t.Errorf("%d backup rows in the trail; notices %q", n, notices)
			}
		}
	})

	t.Run("the same backup twice (its zip and its folder) is read once", func(t *testing.T) {
		p := filepath.Join(tempDir(t), "JumpCloud_20261120T1015004321.zip")
		zipBackup(t, backupDir, p, "/", same)
		zipped, err := ReadBackup(p)
		if err != nil {
			t.Fatal(err)
		}
		var notices []string
		opts := Options{Trail: true, Report: func(p Problem) { notices = append(notices, p.Message) }}
		res := readWithBackup(t, diEvent(orgA, 28, "user_delete", dana), opts, org, zipped)
		n := 0
		for _, e := range res.Trail {
			if e.Type == "backup" {
				n++
			}
		}
		if n != 1 || !slices.ContainsFunc(notices, func(m string) bool { return strings.Contains(m, "read once") }) {
			t.Errorf("%d backup rows in the trail; notices %q", n, notices)
		}
		if len(res.Backups) != 1 {
			t.Errorf("%d backups in the result, for the About and Sign-off sheets", len(res.Backups))
		}
	})

	t.Run("another organization's account of the same username does not hide a backup's user without an id", func(t *testing.T) {
		noID := noIDOf(t, "660000000000000000000002")
		otherSam := `"resource": {"id": "66000000000000000000000b", "type": "user", "username": "sam"}`
		events := diEvent(orgB, 25, "user_delete", otherSam) + diEvent(orgA, 28, "user_delete", sam)
		for _, opts := range []Options{{}, {Org: orgA}} {
			res := readWithBackup(t, events, opts, noID)
			found := 0
			for _, r := range append(res.Records, func() (rs []Record) {
				for _, l := range res.LeftOut {
					rs = append(rs, l.Record)
				}
				return
			}()...) {
				if r.Organization == orgA && r.Username == "sam" {
					found++
					if r.JobTitle != "Account Executive" {
						t.Errorf("--org %q: orgA's sam: id %q, jobTitle %q, details %q", opts.Org, r.FormerID, r.JobTitle, r.Details)
					}
				}
			}
			if found != 1 {
				t.Errorf("--org %q: %d of orgA's sam", opts.Org, found)
			}
		}
	})

	t.Run("renamed since the backup, deleted by the new username alone at an unknown time, comes back once", func(t *testing.T) {
		events := diEvent(orgA, 25, "user_update", dana+`, "changes": [{"field": "username", "from": "dana", "to": "dana2"}]`) +
			`{"event_type": "user_delete", "organization": "` + orgA + `", "id": "690000000000000000000097", "resource": {"type": "user", "username": "dana2"}}` + "\n"
		for _, opts := range []Options{{}, {Now: now}} {
			res := readWithBackup(t, events, opts, org)
			r := recordOf(t, res, "dana2")
			if r.FormerID != "660000000000000000000001" || r.Email != "dana@example.com" {
				t.Errorf("now=%v dana2: id %q, email %q", opts.Now != nil, r.FormerID, r.Email)
			}
			for _, other := range res.Records {
				if other.Username == "dana" {
					t.Errorf("now=%v dana restored again from the backup alone: %q", opts.Now != nil, other.Notes)
				}
			}
		}
	})

	t.Run("a Get-JCBackup named by its day: a user created that day, deleted since it, is not back", func(t *testing.T) {
		bk := dayNamed(t)
		events := diEvent(orgA, 20, "user_create", sam+`, "changes": [{"field": "email", "to": "sam@example.com"}]`) + diEvent(orgA, 28, "user_delete", dana)
		res := readWithBackup(t, events, Options{Now: now}, bk)
		for _, l := range res.LeftOut {
			if l.Username == "sam" {
				t.Errorf("sam left out: %s %s", l.Reason, l.Detail)
			}
		}
		recordOf(t, res, "sam")
	})

	t.Run("a backup's user without an id, its local date after another account's deletion that day", func(t *testing.T) {
		noID := noIDOf(t, "660000000000000000000002")
		third := `"resource": {"id": "66000000000000000000000c", "type": "user", "username": "sam"}`
		// Made at 10:15 local time, UTC+10 (00:15Z): sam (…02) deleted at
		// 05:00Z is the backup's sam; …0c created at 06:00Z.
		events := `{"event_type": "user_delete", "organization": "` + orgA + `", "id": "690000000000000000000098", "timestamp": "2026-11-20T05:00:00Z", ` + sam + "}\n" +
			`{"event_type": "user_create", "organization": "` + orgA + `", "id": "690000000000000000000099", "timestamp": "2026-11-20T06:00:00Z", ` + third + `, "changes": [{"field": "email", "to": "sam.new@example.com"}]}` + "\n" +
			diEvent(orgA, 27, "user_delete", third)
		if r := recordOf(t, readWithBackup(t, events, Options{}, noID), "sam"); r.JobTitle == "Account Executive" {
			t.Errorf("id %q, jobTitle %q: the backup's earlier sam; details %q", r.FormerID, r.JobTitle, r.Details)
		}
	})

	t.Run("a deletion naming no organization among several is not made again from a backup without ids", func(t *testing.T) {
		noID := noIDOf(t, "660000000000000000000002")
		events := diEvent(orgA, 2, "user_create", sam+`, "changes": [{"field": "email", "to": "sam@example.com"}]`) +
			diEvent(orgA, 27, "user_delete", dana) + diEvent(orgB, 27, "user_delete", `"resource": {"id": "660000000000000000000008", "type": "user", "username": "ola"}`) +
			diEvent("", 28, "user_delete", sam)
		res := readWithBackup(t, events, Options{Now: now}, noID)
		var sams []string
		for _, r := range res.Records {
			if r.Username == "sam" {
				sams = append(sams, r.Organization+"/"+r.FormerID)
			}
		}
		if len(sams) != 1 {
			t.Errorf("sam restored %d times: %q", len(sams), sams)
		}
	})

	t.Run("a record left out leaves nothing in the next one's place", func(t *testing.T) {
		bob := `"resource": {"id": "660000000000000000000007", "type": "user", "username": "bob"}`
		events := diEvent(orgA, 20, "user_delete", bob+`, "changes": [{"field": "jobTitle", "from": "Chef"}]`) +
			diEvent(orgA, 21, "user_create", `"resource": {"id": "66000000000000000000000d", "type": "user", "username": "bob"}, "changes": [{"field": "email", "to": "bob@example.com"}]`) +
			diEvent(orgA, 28, "user_delete", dana)
		res := readWithBackup(t, events, Options{}, org)
		r := recordOf(t, res, "dana")
		if len(res.Records) != 1 || len(res.LeftOut) != 1 || res.LeftOut[0].JobTitle != "Chef" || r.JobTitle != "Engineer" || slices.ContainsFunc(r.Notes, func(n string) bool { return strings.Contains(n, "bob") }) {
			t.Errorf("records %d, left out %+v, dana %+v", len(res.Records), res.LeftOut, r)
		}
	})

	t.Run("a backup without ids: an earlier account of the username deleted before it does not hide its user deleted since", func(t *testing.T) {
		noID := noIDOf(t, "660000000000000000000002")
		events := diEvent(orgA, 3, "user_delete", `"resource": {"id": "660000000000000000000007", "type": "user", "username": "sam"}`) +
			diEvent(orgA, 4, "user_create", sam+`, "changes": [{"field": "email", "to": "sam@example.com"}]`) + diEvent(orgA, 28, "user_delete", dana)
		res := readWithBackup(t, events, Options{Now: now}, noID)
		if r := recordOf(t, res, "sam"); r.FormerID != "660000000000000000000002" || r.JobTitle != "Account Executive" {
			t.Errorf("sam: id %q, jobTitle %q", r.FormerID, r.JobTitle)
		}
	})

	t.Run("an earlier account deleted by username alone before the backup does not hide its user deleted since", func(t *testing.T) {
		events := diEvent(orgA, 3, "user_delete", `"resource": {"type": "user", "username": "sam"}`) +
			diEvent(orgA, 4, "user_create", sam+`, "changes": [{"field": "email", "to": "sam@example.com"}]`) + diEvent(orgA, 28, "user_delete", dana)
		res := readWithBackup(t, events, Options{Now: now}, org)
		if r := recordOf(t, res, "sam"); r.FormerID != "660000000000000000000002" || r.JobTitle != "Account Executive" {
			t.Errorf("sam: id %q, jobTitle %q", r.FormerID, r.JobTitle)
		}
	})

	t.Run("a backup's user without an id is not a later account deleted by username alone", func(t *testing.T) {
		noID := noIDOf(t, "660000000000000000000002")
		// Only the deletions exported: sam (…02, the backup's) deleted by
		// id after the backup; a later sam deleted by username alone.
		events := diEvent(orgA, 21, "user_delete", sam) +
			diEvent(orgA, 27, "user_delete", `"resource": {"type": "user", "username": "sam"}, "changes": [{"field": "email", "from": "sam.new@example.com"}]`)
		r := recordOf(t, readWithBackup(t, events, Options{}, noID), "sam")
		if r.JobTitle == "Account Executive" || r.Department == "Sales" {
			t.Errorf("id %q, jobTitle %q, department %q: the backup's earlier sam; details %q", r.FormerID, r.JobTitle, r.Department, r.Details)
		}
	})

	t.Run("a user renamed since a backup without ids, deleted by id, comes back once", func(t *testing.T) {
		noID := noIDOf(t, "660000000000000000000001")
		events := diEvent(orgA, 25, "user_update", dana+`, "changes": [{"field": "username", "from": "dana", "to": "dana2"}]`) +
			diEvent(orgA, 28, "user_delete", `"resource": {"id": "660000000000000000000001", "type": "user", "username": "dana2"}, "changes": [{"field": "email", "from": "dana@example.com"}]`)
		res := readWithBackup(t, events, Options{Now: now}, noID)
		var danas []string
		for _, r := range res.Records {
			if strings.HasPrefix(r.Username, "dana") {
				danas = append(danas, r.Username+"/"+r.FormerID+"/"+r.Email)
			}
		}
		if len(danas) != 1 {
			t.Errorf("dana restored %d times: %q", len(danas), danas)
		}
		if r := recordOf(t, res, "dana2"); r.FormerID != "660000000000000000000001" || r.JobTitle != "Engineer" || r.SystemID != "6a0000000000000000000001" {
			t.Errorf("dana2: id %q, jobTitle %q, SystemID %q: not the backup's dana", r.FormerID, r.JobTitle, r.SystemID)
		}
	})

	t.Run("a backup's user without an id is not another account renamed to the username since", func(t *testing.T) {
		noID := noIDOf(t, "660000000000000000000002")
		// sam (…02, the backup's) renamed sam.old; samantha (…0a) renamed
		// sam, and deleted.
		samantha := `"resource": {"id": "66000000000000000000000a", "type": "user", "username": "sam"}`
		events := diEvent(orgA, 22, "user_update", sam+`, "changes": [{"field": "username", "from": "sam", "to": "sam.old"}]`) +
			diEvent(orgA, 23, "user_update", samantha+`, "changes": [{"field": "username", "from": "samantha", "to": "sam"}]`) +
			diEvent(orgA, 27, "user_delete", samantha)
		r := recordOf(t, readWithBackup(t, events, Options{}, noID), "sam")
		if r.JobTitle == "Account Executive" || r.Department == "Sales" || r.Email == "sam@example.com" {
			t.Errorf("id %q, jobTitle %q, department %q, email %q: sam.old's values; details %q", r.FormerID, r.JobTitle, r.Department, r.Email, r.Details)
		}
	})

	// userRecs are the records whose username begins with prefix: username/id/jobTitle.
	userRecs := func(res *Result, prefix string) []string {
		var out []string
		for _, r := range res.Records {
			if strings.HasPrefix(r.Username, prefix) {
				out = append(out, r.Username+"/"+r.FormerID+"/"+r.JobTitle)
			}
		}
		return out
	}

	t.Run("one organization, the rename naming none: a user renamed since a backup without ids comes back once", func(t *testing.T) {
		noID := noIDOf(t, "660000000000000000000001")
		events := diEvent("", 25, "user_update", dana+`, "changes": [{"field": "username", "from": "dana", "to": "dana2"}]`) +
			diEvent(orgA, 28, "user_delete", `"resource": {"id": "660000000000000000000001", "type": "user", "username": "dana2"}, "changes": [{"field": "email", "from": "dana@example.com"}]`)
		res := readWithBackup(t, events, Options{Now: now}, noID)
		if got := userRecs(res, "dana"); len(got) != 1 {
			t.Errorf("dana restored %d times: %q", len(got), got)
		}
		if r := recordOf(t, res, "dana2"); r.FormerID != "660000000000000000000001" || r.JobTitle != "Engineer" {
			t.Errorf("dana2: id %q, jobTitle %q", r.FormerID, r.JobTitle)
		}
	})

	t.Run("one organization, the deletion naming none: a user renamed since a backup without ids comes back once", func(t *testing.T) {
		noID := noIDOf(t, "660000000000000000000001")
		events := diEvent(orgA, 25, "user_update", dana+`, "changes": [{"field": "username", "from": "dana", "to": "dana2"}]`) +
			diEvent("", 28, "user_delete", `"resource": {"id": "660000000000000000000001", "type": "user", "username": "dana2"}, "changes": [{"field": "email", "from": "dana@example.com"}]`)
		res := readWithBackup(t, events, Options{Now: now}, noID)
		if got := userRecs(res, "dana"); len(got) != 1 {
			t.Errorf("dana restored %d times: %q", len(got), got)
		}
	})

	t.Run("a rename whose resource gives the new name, in another case: a user renamed since a backup without ids comes back once", func(t *testing.T) {
		noID := noIDOf(t, "660000000000000000000001")
		events := diEvent(orgA, 25, "user_update", `"resource": {"id": "660000000000000000000001", "type": "user", "username": "Dana2"}, "changes": [{"field": "username", "from": "DANA", "to": "Dana2"}]`) +
			diEvent(orgA, 28, "user_delete", `"resource": {"id": "660000000000000000000001", "type": "user", "username": "dana2"}, "changes": [{"field": "email", "from": "dana@example.com"}]`)
		res := readWithBackup(t, events, Options{Now: now}, noID)
		if got := userRecs(res, "dana"); len(got) != 1 {
			t.Errorf("dana restored %d times: %q", len(got), got)
		}
	})

	t.Run("a backup without ids: its user's deletion left out by --since, another account renamed to the username gets none of its values", func(t *testing.T) {
		noID := noIDOf(t, "660000000000000000000002")
		samantha := `"resource": {"id": "66000000000000000000000a", "type": "user", "username": "sam"}`
		events := diEvent(orgA, 21, "user_delete", sam) +
			diEvent(orgA, 23, "user_update", samantha+`, "changes": [{"field": "username", "from": "samantha", "to": "sam"}]`) +
			diEvent(orgA, 27, "user_delete", samantha)
		res := readWithBackup(t, events, Options{Now: now, Since: time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)}, noID)
		got := userRecs(res, "sam")
		if len(got) != 1 {
			t.Fatalf("sam restored %d times: %q", len(got), got)
		}
		if r := recordOf(t, res, "sam"); r.FormerID != "66000000000000000000000a" || r.JobTitle == "Account Executive" || r.Department == "Sales" {
			t.Errorf("sam: %q department %q", got, r.Department)
		}
	})

	t.Run("a backup without ids: a rename back and forth, another account holding the username between", func(t *testing.T) {
		noID := noIDOf(t, "660000000000000000000002")
		samantha := `"resource": {"id": "66000000000000000000000a", "type": "user", "username": "sam"}`
		events := diEvent(orgA, 22, "user_update", sam+`, "changes": [{"field": "username", "from": "sam", "to": "sam.old"}]`) +
			diEvent(orgA, 23, "user_update", samantha+`, "changes": [{"field": "username", "from": "samantha", "to": "sam"}]`) +
			diEvent(orgA, 24, "user_update", samantha+`, "changes": [{"field": "username", "from": "sam", "to": "samantha"}]`) +
			diEvent(orgA, 25, "user_update", sam+`, "changes": [{"field": "username", "from": "sam.old", "to": "sam"}]`) +
			diEvent(orgA, 27, "user_delete", sam)
		now2 := &Current{Name: "users.json", Users: append(slices.Clone(now.Users), CurrentUser{ID: "66000000000000000000000a", Record: Record{User: User{Username: "samantha", Email: "samantha@example.com"}}, Organization: orgA})}
		res := readWithBackup(t, events, Options{Now: now2}, noID)
		got := userRecs(res, "sam")
		if len(got) != 1 {
			t.Fatalf("sam restored %d times: %q", len(got), got)
		}
		if r := recordOf(t, res, "sam"); r.FormerID != "660000000000000000000002" || r.JobTitle != "Account Executive" {
			t.Errorf("sam: %q", got)
		}
	})

	t.Run("a backup without ids: an account created with the username and renamed at the same instant", func(t *testing.T) {
		noID := noIDOf(t, "660000000000000000000002")
		// kim (…0b) created as sam and renamed kim at once, listed newest
		// first; sam (…02, the backup's) deleted by id.
		kim := `"resource": {"id": "66000000000000000000000b", "type": "user", "username": "kim"}`
		events := diEvent(orgA, 5, "user_update", kim+`, "changes": [{"field": "username", "from": "sam", "to": "kim"}]`) +
			diEvent(orgA, 5, "user_create", `"resource": {"id": "66000000000000000000000b", "type": "user", "username": "sam"}`) +
			diEvent(orgA, 27, "user_delete", sam)
		res := readWithBackup(t, events, Options{}, noID)
		if r := recordOf(t, res, "sam"); r.FormerID != "660000000000000000000002" || r.JobTitle != "Account Executive" {
			t.Errorf("sam: id %q jobTitle %q", r.FormerID, r.JobTitle)
		}
	})

	t.Run("among several organizations, the rename naming none: a user renamed since a backup without ids comes back once", func(t *testing.T) {
		noID := noIDOf(t, "660000000000000000000001")
		events := diEvent("", 25, "user_update", dana+`, "changes": [{"field": "username", "from": "dana", "to": "dana2"}]`) +
			diEvent(orgA, 28, "user_delete", `"resource": {"id": "660000000000000000000001", "type": "user", "username": "dana2"}, "changes": [{"field": "email", "from": "dana@example.com"}]`) +
			diEvent(orgB, 28, "user_delete", `"resource": {"id": "660000000000000000000008", "type": "user", "username": "ola"}`)
		res := readWithBackup(t, events, Options{Now: now, Org: orgA}, noID)
		if got := userRecs(res, "dana"); len(got) != 1 {
			t.Errorf("dana restored %d times: %q", len(got), got)
		}
	})

	t.Run("a backup without ids dated after the deletion (a zone ahead of UTC): its values", func(t *testing.T) {
		// the backup 2026-11-20 10:15 local (UTC+10: 00:15 UTC); sam deleted 05:00 UTC.
		noID := noIDOf(t, "660000000000000000000002")
		events := `{"event_type": "user_delete", "organization": "` + orgA + `", "id": "69aaaaaaaaaaaaaaaaaaaaa2", "timestamp": "2026-11-20T05:00:00Z", ` + sam + "}\n"
		r := recordOf(t, readWithBackup(t, events, Options{}, noID), "sam")
		if r.JobTitle != "Account Executive" {
			t.Errorf("sam: jobTitle %q; details %q", r.JobTitle, r.Details)
		}
	})

	t.Run("a user deleted since the backup whose username another account holds now is left out, told", func(t *testing.T) {
		// sam was made again by hand, with a new id.
		now := &Current{Name: "users.json", Users: []CurrentUser{
			{ID: "660000000000000000000003", Record: Record{User: User{Username: "lee", Email: "lee@example.com"}}, Organization: orgA},
			{ID: "660000000000000000000077", Record: Record{User: User{Username: "sam", Email: "sam.again@example.com"}}, Organization: orgA}}}
		res := readWithBackup(t, diEvent(orgA, 28, "user_delete", dana), Options{Now: now, Existing: (*Existing)(nil).With(now)}, org)
		var left []string
		for _, l := range res.LeftOut {
			left = append(left, l.Username+": "+l.Reason+", "+l.Detail)
		}
		if len(res.Records) != 1 || !slices.Equal(left, []string{"sam: " + ReasonExists + ", the username sam is in users.json"}) {
			t.Errorf("records %d, left out %q", len(res.Records), left)
		}
	})

	t.Run("devices a backup binds, all at its date: none is said to be bound last", func(t *testing.T) {
		two := withDate(t, "20261120T1015004321", func(dir string) {
			p := filepath.Join(dir, "Association-UserToSystem.json")
			b, _ := os.ReadFile(p)
			os.WriteFile(p, bytes.ReplaceAll(b, []byte(`"FromId": "660000000000000000000002"`), []byte(`"FromId": "660000000000000000000001"`)), 0o644)
		})
		r := recordOf(t, readWithBackup(t, diEvent(orgA, 28, "user_delete", dana), Options{}, two), "dana")
		if len(r.Devices) != 1 || r.SystemID == "" || slices.ContainsFunc(r.Notes, func(n string) bool { return strings.Contains(n, "bound last") }) {
			t.Errorf("SystemID %q, devices %q, notes %q", r.SystemID, r.Devices, r.Notes)
		}
	})

	t.Run("a backup naming no organization: --org's, else refused among several", func(t *testing.T) {
		b := *org
		b.Org = ""
		events := diEvent(orgA, 28, "user_delete", dana) + diEvent(orgB, 28, "user_delete", sam)
		var refused *RefusedError
		if _, err := Read(context.Background(), []Input{{Name: "e", R: strings.NewReader(events)}}, Options{Backups: []*Backup{&b}}); !errors.As(err, &refused) {
			t.Errorf("among several organizations: %v", err)
		}
		res := readWithBackup(t, events, Options{Org: orgA}, &b)
		if r := recordOf(t, res, "dana"); r.JobTitle != "Engineer" {
			t.Errorf("with --org: jobTitle %q", r.JobTitle)
		}
	})

	t.Run("users now: none, or of another organization, are refused", func(t *testing.T) {
		events := diEvent(orgA, 28, "user_delete", dana)
		for _, n := range []*Current{{Name: "empty.json"}, {Name: "other.json", Users: []CurrentUser{{ID: "660000000000000000000009", Organization: orgB}}}} {
			var refused *RefusedError
			if _, err := Read(context.Background(), []Input{{Name: "e", R: strings.NewReader(events)}}, Options{Backups: []*Backup{org}, Now: n}); !errors.As(err, &refused) {
				t.Errorf("%s: %v", n.Name, err)
			}
		}
	})
}

// TestReadGetJCBackupDay: older modules named Get-JCBackup's files by the
// day alone (MMddyyyy): the backup is of that day's start.
func TestReadGetJCBackupDay(t *testing.T) {
	users := dayNamedCopy(t, same)
	dir := filepath.Dir(users)
	if BackupPart(users) != "backup" || UsersOfPart(filepath.Join(dir, "JumpCloudSystemUsers_11202026.CSV")) != users {
		t.Fatal("the older names are not told")
	}
	b, err := ReadBackup(users)
	if err != nil {
		t.Fatal(err)
	}
	if !b.Date.Equal(time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)) || b.Users() != 2 || b.Memberships() != 3 {
		t.Errorf("date %v, %d users, %d memberships", b.Date, b.Users(), b.Memberships())
	}
	if _, err := ReadBackup(filepath.Join(dir, "JumpCloudUsers_13452026.CSV")); err == nil || !strings.Contains(err.Error(), "cannot be read") {
		t.Errorf("an impossible day: %v", err)
	}
}

// dayNamedCopy copies Get-JCBackup's set of testdata/shared/backup-csv
// under the names older modules gave it, by the day alone
// (JumpCloudUsers_11202026.CSV), each file's bytes turned by edit, and
// returns the users CSV's path.
func dayNamedCopy(t testing.TB, edit func([]byte) []byte) string {
	t.Helper()
	src := "../testdata/shared/backup-csv"
	dir := tempDir(t)
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, strings.Replace(e.Name(), "20261120T101500", "11202026", 1)), edit(b), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, "JumpCloudUsers_11202026.CSV")
}

// TestTenureHolder: who held a username at a time, by the events that
// gave it or took it away.
func TestTenureHolder(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2026, 11, d, 9, 0, 0, 0, time.UTC) }
	var ts tenures
	ts.took("a", "Sam", day(2))  // created
	ts.left("a", "sam", day(10)) // renamed away
	ts.left("b", "sam", day(5))  // held it from before the export, deleted
	ts.took("c", "sam", day(12)) // renamed to it
	ts.left("c", "sam", day(20)) // deleted
	ts.left("d", "kim", day(8))  // renamed away: held it before
	for _, c := range []struct {
		name string
		day  int
		want string
	}{
		{"sam", 1, "b"},  // a not yet; b held it before leaving
		{"sam", 3, ""},   // a and b both seem to: the events do not tell
		{"sam", 7, "a"},  // b gone
		{"sam", 11, ""},  // a renamed away, c not yet
		{"sam", 15, "c"}, // c
		{"sam", 21, ""},  // c deleted
		{"kim", 1, "d"},  // d, until renamed away
		{"kim", 9, ""},   // nobody
		{"lee", 9, ""},   // no events
	} {
		if got := ts.holder(c.name, day(c.day)); got != c.want {
			t.Errorf("%s on day %d: %q, want %q", c.name, c.day, got, c.want)
		}
	}
}
