package convert

import (
	"archive/zip"
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/jcrestore/jcrestore/convert/jsonstream"
	"github.com/tidwall/gjson"
)

// Backups. Directory Insights keeps 90 days and logs only what changed;
// a backup made before the deletion holds each user whole. Two kinds are
// read:
//
//   - Backup-JCOrganization's: a zip JumpCloud_<date>.zip (or the folder
//     it was made from) holding <Type>.json or .csv per object type,
//     Association-<Source>To<Target>.json per pair, and Manifest.json
//     (date, organizationId). Objects are the SDK's, serialised by
//     ConvertTo-Json with their property names in PascalCase (Username,
//     PhoneNumbers, FromId); as CSV, nested values are JSON text.
//   - Get-JCBackup's CSV files, JumpCloudUsers_<time>.CSV (Get-JCUser's
//     properties, addresses, phone numbers and attributes as JSON text),
//     JumpCloudSystemUsers_, JumpCloudUserGroupMembers_ and
//     JumpCloudSystems_ beside it with the same time.
//
// Both write local time without a zone: the date is read as UTC.

// Backup is what a backup made before the deletion holds of one
// organization's users: each user's values, flags and attributes as of
// its date, and their groups, devices and direct links.
type Backup struct {
	Name string // the zip, folder or users CSV given
	By   string // the cmdlet that made it: Backup-JCOrganization or Get-JCBackup
	Org  string // the organization's id: the manifest's, or the users' own; "" when neither says
	Date time.Time
	span time.Duration // how long after Date it may have been made: a day, where its name gives the day alone
	// Size and SHA256 are those of the zip or the users CSV (of a folder,
	// of its User file), for the review workbook's About sheet.
	Size   int64
	SHA256 string

	users  []backupUser
	links  associations      // memberships as of Date, by user id or "u:"+username
	covers map[string]bool   // the LinkTypes whose memberships it holds (the others it does not speak of)
	names  map[string]string // usernames by user id, for managers
}

// backupUser is one user of a backup.
type backupUser struct {
	id, username, email string
	sets                *history  // every value the backup holds, as of its date
	at                  string    // where: "JumpCloud_...zip/User.json:12"
	created             time.Time // when the account was created (its Created, in UTC); zero when the backup does not say
}

// Users is how many users the backup holds.
func (b *Backup) Users() int { return len(b.users) }

// Memberships is how many groups, devices and direct links of its users
// the backup holds.
func (b *Backup) Memberships() int {
	n := 0
	for _, ms := range b.links {
		n += len(ms)
	}
	return n
}

// Words says what the backup is: "a backup of 120 users
// (Backup-JCOrganization, 2026-11-20 10:15)".
func (b *Backup) Words() string {
	return fmt.Sprintf("a backup of %s (%s, %s)", Plural(len(b.users), "user", "users"), b.By, b.Date.Format("2006-01-02 15:04"))
}

// source is how the audit trail and the workbook name a value taken from
// the backup: "backup 2026-11-20".
func (b *Backup) source() string { return "backup " + b.Date.Format("2006-01-02") }

// The limits a backup is read under, those of a review workbook: a zip
// of at most 256 MB, whose files read unpack to at most 512 MB (tests
// make them smaller).
var (
	maxBackupFile     int64 = 256 << 20
	maxBackupUnzipped int64 = 512 << 20
)

// getJCBackup matches the names of Get-JCBackup's files: what they hold,
// and the time they were made (yyyyMMddTHHmmss, or MMddyyyy in older
// modules).
var getJCBackup = regexp.MustCompile(`(?i)^JumpCloud(Users|SystemUsers|UserGroupMembers|SystemGroupMembers|Systems)_(\d{8}T\d{6}|\d{8})\.csv$`)

// BackupPart says what the file or folder at p is of a backup: "backup"
// for one to read (a zip or folder with Backup-JCOrganization's
// Manifest.json, Get-JCBackup's users CSV), "part" for another of
// Get-JCBackup's files, read with its users CSV, and "" for anything
// else.
func BackupPart(p string) string {
	if m := getJCBackup.FindStringSubmatch(filepath.Base(p)); m != nil {
		if strings.EqualFold(m[1], "Users") {
			return "backup"
		}
		return "part"
	}
	fi, err := os.Stat(p)
	switch {
	case err != nil:
		return ""
	case fi.IsDir():
		if _, err := os.Stat(filepath.Join(p, "Manifest.json")); err == nil {
			return "backup"
		}
		return ""
	case !fi.Mode().IsRegular():
		return ""
	}
	f, err := os.Open(p)
	if err != nil {
		return ""
	}
	defer f.Close()
	zr, err := zip.NewReader(f, fi.Size())
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) { // names with \ are not extracted here, only read
		return ""
	}
	for _, zf := range zr.File {
		if zipBase(zf.Name) == "Manifest.json" {
			return "backup"
		}
	}
	return ""
}

// UsersOfPart is, for a file BackupPart calls a part, the name of the
// users CSV of the same Get-JCBackup run that reads it
// (JumpCloudUsers_<time>.CSV), in the same folder.
func UsersOfPart(p string) string {
	m := getJCBackup.FindStringSubmatch(filepath.Base(p))
	if m == nil {
		return ""
	}
	return filepath.Join(filepath.Dir(p), "JumpCloudUsers_"+m[2]+".CSV")
}

// bundle is the files of a backup, by their names in lower case: what
// read gives of one, decoded to UTF-8.
type bundle struct {
	name  string // the backup as given
	dir   string // the folder its files are in; "" for a zip's, named inside it (zip/User.json)
	files map[string]string
	read  func(name string) ([]byte, error)
}

// ReadBackup reads the backup at p: a Backup-JCOrganization zip or folder,
// or Get-JCBackup's users CSV (its other files are read from beside it).
// A backup that holds no user, or cannot be read, is an error.
func ReadBackup(p string) (*Backup, error) {
	b := &Backup{Name: p}
	var bu *bundle
	var err error
	if m := getJCBackup.FindStringSubmatch(filepath.Base(p)); m != nil {
		b.By = "Get-JCBackup"
		layout := "20060102T150405"
		if len(m[2]) == 8 {
			layout, b.span = "01022006", 24*time.Hour // a day, no time: the day's start
		}
		if b.Date, err = time.Parse(layout, m[2]); err != nil {
			return nil, fmt.Errorf("%s: the time in its name cannot be read as Get-JCBackup writes it (%s)", p, layout)
		}
		bu, err = csvBackup(p, m[2])
	} else {
		b.By = "Backup-JCOrganization"
		bu, err = organizationBackup(p)
	}
	if err != nil {
		return nil, err
	}
	if err := b.digest(p, bu); err != nil {
		return nil, err
	}
	if b.By == "Get-JCBackup" {
		err = b.readGetJCBackup(bu)
	} else {
		err = b.readOrganization(bu)
	}
	if err != nil {
		return nil, err
	}
	if len(b.users) == 0 {
		return nil, fmt.Errorf("%s: a backup that holds no user", p)
	}
	return b, nil
}

// digest measures the backup's file: the zip, the users CSV, or a
// folder's User file.
func (b *Backup) digest(p string, bu *bundle) error {
	if fi, err := os.Stat(p); err == nil && fi.IsDir() {
		dir := p
		for _, n := range []string{"user.json", "user.csv"} {
			if f, ok := bu.files[n]; ok {
				p = filepath.Join(dir, f)
				break
			}
		}
		if p == dir {
			return nil // no users: said once the backup is read
		}
	}
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return fmt.Errorf("%s: %w", p, err)
	}
	b.Size, b.SHA256 = n, hex.EncodeToString(h.Sum(nil))
	return nil
}

// organizationBackup opens a Backup-JCOrganization zip, or its folder.
func organizationBackup(p string) (*bundle, error) {
	fi, err := os.Stat(p)
	if err != nil {
		return nil, err
	}
	bu := &bundle{name: p, files: map[string]string{}}
	if fi.IsDir() {
		bu.dir = p
		entries, err := os.ReadDir(p)
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			if e.Type().IsRegular() {
				bu.files[strings.ToLower(e.Name())] = e.Name()
			}
		}
		bu.read = func(name string) ([]byte, error) {
			return readDecoded(filepath.Join(p, name), maxBackupFile)
		}
		return bu, nil
	}
	if fi.Size() > maxBackupFile {
		return nil, fmt.Errorf("%s: %s bytes, more than a backup of %d MB this reads", p, Count(int(fi.Size())), maxBackupFile>>20)
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	// The zip is read whole: it is closed before its files are read.
	raw, err := io.ReadAll(f)
	f.Close()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return nil, fmt.Errorf("%s: not a zip that can be read (%v)", p, err)
	}
	byName := map[string]*zip.File{}
	for _, zf := range zr.File {
		if !strings.HasSuffix(zf.Name, "/") {
			bu.files[strings.ToLower(zipBase(zf.Name))] = zf.Name
			byName[zf.Name] = zf
		}
	}
	var unzipped int64 // by the files read so far
	bu.read = func(name string) ([]byte, error) {
		zf := byName[name]
		rc, err := zf.Open()
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %v", p, name, err)
		}
		defer rc.Close()
		// Counted as stored, before decoding: a file cut at the limit is
		// never read as if whole.
		raw, err := io.ReadAll(io.LimitReader(rc, maxBackupUnzipped-unzipped+1))
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %v", p, name, err)
		}
		if unzipped += int64(len(raw)); unzipped > maxBackupUnzipped {
			return nil, fmt.Errorf("%s: its files unpack to more than the %d MB a backup may", p, maxBackupUnzipped>>20)
		}
		text, err := decoded(bytes.NewReader(raw), int64(len(raw)))
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %v", p, name, err)
		}
		return text, nil
	}
	return bu, nil
}

// zipBase is the name of a file in a zip without its folders:
// Compress-Archive keeps the folder JumpCloud_<date> in the names, with
// \ between them in Windows PowerShell 5.1; a backup zipped again by hand
// may have none.
func zipBase(name string) string { return path.Base(strings.ReplaceAll(name, `\`, "/")) }

// csvBackup gathers Get-JCBackup's files made at stamp beside the users
// CSV p.
func csvBackup(p, stamp string) (*bundle, error) {
	dir := filepath.Dir(p)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	bu := &bundle{name: p, dir: dir, files: map[string]string{}}
	for _, e := range entries {
		if m := getJCBackup.FindStringSubmatch(e.Name()); m != nil && m[2] == stamp && e.Type().IsRegular() {
			bu.files[strings.ToLower(m[1])] = e.Name()
		}
	}
	if _, err := os.Stat(p); err != nil {
		return nil, err
	}
	bu.files["users"] = filepath.Base(p)
	bu.read = func(name string) ([]byte, error) {
		return readDecoded(filepath.Join(dir, name), maxBackupFile)
	}
	return bu, nil
}

// readDecoded reads the file at p, of at most limit bytes, as UTF-8 text.
func readDecoded(p string, limit int64) ([]byte, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if fi.Size() > limit {
		return nil, fmt.Errorf("%s: %s bytes, more than the %d MB a backup's file may", p, Count(int(fi.Size())), limit>>20)
	}
	text, err := decoded(f, fi.Size())
	if err != nil {
		return nil, fmt.Errorf("%s: %v", p, err)
	}
	return text, nil
}

// decoded is r's text as UTF-8 (see jsonstream.Decode), read into a
// buffer of size, r's size as far as it is known.
func decoded(r io.Reader, size int64) ([]byte, error) {
	d, _, err := jsonstream.Decode(r)
	if err != nil {
		return nil, err
	}
	buf := bytes.NewBuffer(make([]byte, 0, size+bytes.MinRead))
	_, err = buf.ReadFrom(d)
	return buf.Bytes(), err
}

// each reads the file name of the bundle as objects, JSON or CSV, with
// their property names' first letters in lower case (PhoneNumbers,
// phoneNumbers), and gives f each in turn with where it is; ok is false
// when the bundle has no such file.
func (bu *bundle) each(name string, f func(o gjson.Result, at string)) (ok bool, err error) {
	file, ok := bu.files[strings.ToLower(name)]
	if !ok {
		return false, nil
	}
	text, err := bu.read(file)
	if err != nil {
		return true, err
	}
	at := bu.name + "/" + zipBase(file)
	if bu.dir != "" {
		at = filepath.Join(bu.dir, file)
	}
	if !LooksJSON(text) {
		return true, eachCSV(at, text, f)
	}
	if !gjson.ValidBytes(text) {
		return true, jsonError(at, text)
	}
	v := gjson.ParseBytes(text)
	// Windows PowerShell 5.1 may write an array as {"value": [...],
	// "Count": n}.
	if inner := field(v, "value"); v.IsObject() && inner.IsArray() && field(v, "count").Exists() {
		v = inner
	}
	line, counted := 1, 0 // the line of text[counted]
	var buf bytes.Buffer
	give := func(item gjson.Result) {
		if !item.IsObject() {
			return
		}
		if i := min(max(item.Index, counted), len(text)); i > counted {
			line += bytes.Count(text[counted:i], []byte("\n"))
			counted = i
		}
		buf.Reset() // ParseBytes copies
		writeLowered(&buf, item)
		f(gjson.ParseBytes(buf.Bytes()), fmt.Sprintf("%s:%d", at, line))
	}
	if v.IsArray() {
		v.ForEach(func(_, item gjson.Result) bool { give(item); return true })
	} else {
		give(v)
	}
	return true, nil
}

// eachCSV reads a CSV of Export-Csv as objects, given to f in turn: a
// cell of JSON text (a nested value, as both backups write them) as the
// value it says, any other as text.
func eachCSV(at string, text []byte, f func(o gjson.Result, at string)) error {
	header, cr, skipped, err := usersCSVHeader(text)
	if errors.Is(err, io.EOF) {
		return nil
	}
	if err != nil {
		return csvError(at, skipped, err)
	}
	var buf bytes.Buffer
	for {
		row, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return csvError(at, skipped, err)
		}
		buf.Reset()
		buf.WriteByte('{')
		for i, cell := range row {
			if i > 0 {
				buf.WriteByte(',')
			}
			writeString(&buf, header[i], true)
			buf.WriteByte(':')
			if c := strings.TrimSpace(cell); LooksJSON([]byte(c)) && gjson.Valid(c) {
				writeLowered(&buf, gjson.Parse(c))
			} else {
				writeString(&buf, cell, false)
			}
		}
		buf.WriteByte('}')
		line, _ := cr.FieldPos(0)
		f(gjson.ParseBytes(buf.Bytes()), fmt.Sprintf("%s:%d", at, line+skipped))
	}
}

// writeString writes s to buf as a JSON string, its first letter in
// lower case with lower; invalid UTF-8 becomes U+FFFD (as range reads
// it).
func writeString(buf *bytes.Buffer, s string, lower bool) {
	buf.WriteByte('"')
	for i, r := range s {
		switch {
		case r == '"' || r == '\\':
			buf.WriteByte('\\')
			buf.WriteRune(r)
		case r < 0x20:
			fmt.Fprintf(buf, `\u%04x`, r)
		case i == 0 && lower && 'A' <= r && r <= 'Z':
			buf.WriteRune(r + 'a' - 'A')
		default:
			buf.WriteRune(r)
		}
	}
	buf.WriteByte('"')
}

// writeLowered writes v's JSON to buf with the first letter of every
// object key in lower case, at every depth: the SDK's PascalCase as the
// API spells it.
func writeLowered(buf *bytes.Buffer, v gjson.Result) {
	switch {
	case v.IsObject():
		buf.WriteByte('{')
		first := true
		v.ForEach(func(k, item gjson.Result) bool {
			if !first {
				buf.WriteByte(',')
			}
			first = false
			writeString(buf, k.Str, true)
			buf.WriteByte(':')
			writeLowered(buf, item)
			return true
		})
		buf.WriteByte('}')
	case v.IsArray():
		buf.WriteByte('[')
		first := true
		v.ForEach(func(_, item gjson.Result) bool {
			if !first {
				buf.WriteByte(',')
			}
			first = false
			writeLowered(buf, item)
			return true
		})
		buf.WriteByte(']')
	default:
		buf.WriteString(cmp.Or(v.Raw, "null"))
	}
}

// field is the first of the keys v has, compared as Normalize does.
func field(v gjson.Result, keys ...string) gjson.Result {
	var found gjson.Result
	best := len(keys)
	v.ForEach(func(k, item gjson.Result) bool {
		if i := slices.Index(keys, Normalize(k.Str)); i >= 0 && i < best {
			found, best = item, i
		}
		return best > 0
	})
	return found
}

// firstText is the first of the keys of v that has a value, as text.
func firstText(v gjson.Result, keys ...string) string {
	for _, k := range keys {
		if s := strings.TrimSpace(scalar(field(v, k))); s != "" {
			return s
		}
	}
	return ""
}

// readOrganization reads a Backup-JCOrganization backup.
func (b *Backup) readOrganization(bu *bundle) error {
	var manifest gjson.Result
	var where string
	ok, err := bu.each("Manifest.json", func(o gjson.Result, at string) { manifest, where = o, at })
	switch {
	case err != nil:
		return err
	case !ok || !manifest.Exists():
		return fmt.Errorf("%s: a backup without its Manifest.json (Backup-JCOrganization writes one)", bu.name)
	}
	date := scalar(field(manifest, "date"))
	if b.Date, err = backupDate(date); err != nil {
		return fmt.Errorf("%s: its date %q cannot be read", where, date)
	}
	b.Org = strings.ToLower(scalar(field(manifest, "organizationid")))
	users := b.userReader()
	for _, ext := range []string{".json", ".csv"} {
		if ok, err = bu.each("User"+ext, users.add); ok || err != nil {
			break
		}
	}
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("%s: a backup without users (User.json): make it with Backup-JCOrganization -All, or -Type User", bu.name)
	}
	users.done()
	names := map[string]string{} // of groups, devices, applications, by id
	for _, t := range backupTypes {
		for _, ext := range []string{".json", ".csv"} {
			ok, err := bu.each(t.file+ext, func(o gjson.Result, _ string) {
				if id := strings.ToLower(scalar(field(o, "id"))); id != "" {
					names[t.kind+":"+id] = firstText(o, "displayname", "displaylabel", "name", "hostname")
				}
			})
			if err != nil {
				return err
			}
			if ok {
				break
			}
		}
	}
	b.links, b.covers = associations{}, map[string]bool{}
	for _, lower := range slices.Sorted(maps.Keys(bu.files)) {
		if !strings.HasPrefix(lower, "association-") {
			continue
		}
		if len(b.covers) == 0 {
			// With associations backed up, Backup-JCOrganization reads
			// those of the users with every type backed up too, and
			// writes a file only when some exist: a type's file without
			// its association file says the users had none of that type.
			for _, t := range backupTypes {
				if bu.files[strings.ToLower(t.file)+".json"] != "" || bu.files[strings.ToLower(t.file)+".csv"] != "" {
					b.covers[t.kind] = true
				}
			}
		}
		if kind := associationKind(lower); kind != "" {
			b.covers[kind] = true
		}
		if _, err := bu.each(lower, func(o gjson.Result, _ string) { b.association(o, names) }); err != nil {
			return err
		}
	}
	return nil
}

// associationKind is the LinkType of the user's memberships an
// association file holds by its name (association-usertosystem.json,
// association-usergrouptouser.csv), or "".
func associationKind(lower string) string {
	name := strings.TrimPrefix(strings.TrimSuffix(strings.TrimSuffix(lower, ".json"), ".csv"), "association-")
	var other string
	switch {
	case strings.HasPrefix(name, "userto"):
		other = strings.TrimPrefix(name, "userto")
	case strings.HasSuffix(name, "touser"):
		other = strings.TrimSuffix(name, "touser")
	}
	for _, t := range backupTypes {
		if other != "" && strings.EqualFold(t.file, other) {
			return t.kind
		}
	}
	return ""
}

// backupTypes are the object types whose files name what a user is
// linked to, by the file Backup-JCOrganization names them and their
// LinkType.
var backupTypes = []struct{ file, kind string }{
	{"UserGroup", "user_group"}, {"System", "system"}, {"SystemGroup", "system_group"}, {"Application", "application"},
	{"LdapServer", "ldap_server"}, {"RadiusServer", "radius_server"}, {"GSuite", "g_suite"}, {"Office365", "office_365"},
}

// backupDate reads a backup's date: yyyyMMddTHHmmssffff as
// Backup-JCOrganization writes it, or a timestamp.
func backupDate(s string) (time.Time, error) {
	if len(s) >= 15 && s[8] == 'T' {
		return time.Parse("20060102T150405", s[:15])
	}
	if t := parseTimeText(s); !t.IsZero() {
		return t, nil
	}
	return time.Time{}, errors.New("no date")
}

// users reads the backup's users, one object at a time: every value,
// flag and attribute the backup holds of each, as of its date.
type users struct {
	b      *Backup
	orgs   map[string]bool   // the organizations the users name
	byName map[string]string // user ids by username in lower case
}

func (b *Backup) userReader() *users {
	b.names = map[string]string{}
	return &users{b: b, orgs: map[string]bool{}, byName: map[string]string{}}
}

// add reads the user o, found at at.
func (us *users) add(o gjson.Result, at string) {
	var cu CurrentUser
	var a attrs
	o.ForEach(func(k, v gjson.Result) bool {
		if Normalize(k.Str) == "recoveryemailaddress" { // the SDK's flattening of recoveryEmail.address
			a.set("recoveryEmail", scalar(v))
			return true
		}
		cu.offer(&a, strings.ToLower(k.Str), v)
		return true
	})
	u := backupUser{id: cu.ID, username: a.user.Username, email: a.user.Email, sets: historyOf(&a, us.b.Date).from(fromBackup), at: at,
		created: parseTimeText(scalar(field(o, "created")))}
	if u.id == "" && u.username == "" {
		return
	}
	us.b.users = append(us.b.users, u)
	if u.id != "" && u.username != "" {
		us.b.names[u.id] = u.username
		us.byName[strings.ToLower(u.username)] = u.id
	}
	if cu.Organization != "" {
		us.orgs[cu.Organization] = true
	}
}

// done takes the organization the users name, where the backup names
// none and they all name one.
func (us *users) done() {
	if us.b.Org == "" && len(us.orgs) == 1 {
		for o := range us.orgs {
			us.b.Org = o
		}
	}
}

// key is the key of a user's memberships: their id, found by username
// where the file gives none.
func (us *users) key(id, username string) string {
	if id != "" {
		return strings.ToLower(id)
	}
	if id := us.byName[strings.ToLower(username)]; id != "" {
		return id
	}
	return "u:" + strings.ToLower(username)
}

// association reads one object of an Association-<Source>To<Target>
// file: a connection (Get-JcSdk<Type>Association: fromId, toId and
// their types, attributes) or an object with the paths to it
// (Get-JcSdkUserMember: id, type, paths). A link between a user and
// anything else is kept.
func (b *Backup) association(o gjson.Result, names map[string]string) {
	side := func(v gjson.Result, prefix string) (typ, id string) {
		typ, id = scalar(field(v, prefix+"type")), scalar(field(v, prefix+"id"))
		if nested := field(v, prefix); nested.IsObject() {
			typ, id = cmp.Or(typ, scalar(field(nested, "type"))), cmp.Or(id, scalar(field(nested, "id")))
		}
		return strings.ToLower(typ), strings.ToLower(id)
	}
	put := func(fromType, fromID, toType, toID string, attributes gjson.Result) {
		if fromType != "user" {
			fromType, fromID, toType, toID = toType, toID, fromType, fromID
		}
		i := slices.Index(LinkTypes, toType)
		if fromType != "user" || fromID == "" || toID == "" || i < 0 {
			return
		}
		m := membership{kind: LinkTypes[i], id: toID, name: names[LinkTypes[i]+":"+toID], added: true, at: b.Date}
		m.admin, m.noPassword, m.rightsUnknown = backupRights(attributes)
		b.links.put(fromID, m)
	}
	if paths := field(o, "paths"); paths.IsArray() {
		typ, id := strings.ToLower(scalar(field(o, "type"))), strings.ToLower(scalar(field(o, "id")))
		paths.ForEach(func(_, p gjson.Result) bool {
			if steps := p.Array(); len(steps) == 1 { // direct: a group's through another are not the user's own
				fromType, fromID := side(steps[0], "from")
				put(cmp.Or(fromType, "user"), fromID, typ, id, field(steps[0], "attributes"))
			}
			return true
		})
		return
	}
	fromType, fromID := side(o, "from")
	toType, toID := side(o, "to")
	put(fromType, fromID, toType, toID, field(o, "attributes"))
}

// backupRights reads the sudo attribute of a binding as the SDK's
// objects serialise it: under attributes, or under their
// additionalProperties.
func backupRights(attributes gjson.Result) (admin, noPassword, unknown bool) {
	attrs, _ := uncut(attributes)
	if extra := field(attrs, "additionalproperties"); extra.IsObject() {
		attrs = extra
	}
	sudo, _ := uncut(field(attrs, "sudo"))
	return field(sudo, "enabled").Bool(), field(sudo, "withoutpassword").Bool(), isCut(attrs) || isCut(sudo)
}

// readGetJCBackup reads Get-JCBackup's CSV files.
func (b *Backup) readGetJCBackup(bu *bundle) error {
	users := b.userReader()
	noID := false
	if _, err := bu.each("users", func(o gjson.Result, at string) {
		noID = noID || !field(o, "id").Exists()
		users.add(o, at)
	}); err != nil {
		return err
	}
	if noID {
		return fmt.Errorf("%s: not Get-JCBackup's users: it has no _id column", bu.name)
	}
	users.done()
	b.links, b.covers = associations{}, map[string]bool{}
	b.covers["system"] = bu.files["systemusers"] != ""
	b.covers["user_group"] = bu.files["usergroupmembers"] != ""
	// Devices: Get-JCSystemUser's HostName, SystemID, Username,
	// DirectBind; a binding through a device group is the group's.
	hosts := map[string]string{}
	if _, err := bu.each("systems", func(s gjson.Result, _ string) {
		hosts[strings.ToLower(scalar(field(s, "id")))] = firstText(s, "displayname", "hostname")
	}); err != nil {
		return err
	}
	if _, err := bu.each("systemusers", func(s gjson.Result, _ string) {
		id, user := strings.ToLower(scalar(field(s, "systemid"))), scalar(field(s, "username"))
		if id == "" || user == "" || strings.EqualFold(scalar(field(s, "directbind")), "false") {
			return
		}
		m := membership{kind: "system", id: id, name: cmp.Or(hosts[id], firstText(s, "displayname", "hostname")), added: true, at: b.Date}
		m.admin = flag(field(s, "administrator"))
		b.links.put(users.key(scalar(field(s, "userid")), user), m)
	}); err != nil {
		return err
	}
	// Groups: Get-JCUserGroupMember's GroupName, Username, UserID.
	_, err := bu.each("usergroupmembers", func(g gjson.Result, _ string) {
		name, user, id := scalar(field(g, "groupname")), scalar(field(g, "username")), scalar(field(g, "userid"))
		if name != "" && (user != "" || id != "") {
			b.links.put(users.key(id, user), membership{kind: "user_group", name: name, added: true, at: b.Date})
		}
	})
	return err
}

// RefusedError is an input that cannot be read with the others: a
// backup of another organization than the exports'.
type RefusedError struct{ Why string }

func (e *RefusedError) Error() string { return e.Why }
