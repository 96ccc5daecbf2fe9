package convert

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unsafe"

	"github.com/tidwall/gjson"
)

// What JumpCloud holds now, for verify: the users as Get-JCUser returns
// them (importer-and-followup.md §3), written by ConvertTo-Json or by
// Export-Csv. They are the same objects as the user in a deletion event,
// so the same attrs reads them, and a value is compared as the plan has
// it: addresses by type, phone numbers by type, custom attributes by name,
// the state and flags as account settings.

// CurrentUser is one user as JumpCloud holds them now.
type CurrentUser struct {
	Record              // the columns, attributes and state; Manager is the manager's user id
	ID           string // the user's id (_id)
	Organization string
	// Lost are the fields the file wrote as a type name, such as
	// Export-Csv's System.Object[]: what cannot be compared.
	Lost []string

	lostColumns    uint64 // the columns Lost feeds, by bit of their index in Columns
	lostAttributes bool   // whether Lost feeds the custom attributes
	touched        uint16 // the account settings the file spoke of
}

// Current are the users JumpCloud holds now, as one file has them, in
// its order.
type Current struct {
	Name  string
	Users []CurrentUser
	// Notes are what the file made of its users worth telling: a
	// username twice, values that cannot be compared.
	Notes []Message
}

// ReadCurrent reads text (already decoded to UTF-8) as the users JumpCloud
// holds now: Get-JCUser | ConvertTo-Json (an array, one object, or an
// object whose value or users is the array, as PowerShell's -InputObject
// and the restore script's results write them), or Get-JCUser |
// Export-Csv, with or without its #TYPE line. A file that is neither is
// an error naming what it is, and where it stops being readable.
func ReadCurrent(name string, text []byte) (*Current, error) {
	if LooksJSON(text) {
		return usersJSON(name, text)
	}
	return usersCSV(name, text)
}

// LooksJSON reports whether text begins, past white space, a JSON array
// or object: how a file of users or events is told from a CSV.
func LooksJSON(text []byte) bool {
	t := bytes.TrimLeft(text, " \t\r\n")
	return len(t) > 0 && (t[0] == '[' || t[0] == '{')
}

// LooksHTML reports whether text begins as a web page: a file saved from
// a browser where an export or a list of users was meant.
func LooksHTML(text []byte) bool {
	head := strings.ToLower(string(text[:min(len(text), 512)]))
	return strings.Contains(head, "<html") || strings.Contains(head, "<!doctype")
}

// NotUsersError is a file given as the users JumpCloud holds that holds
// something else: Says what it is.
type NotUsersError struct {
	Name, Says string
}

func (e *NotUsersError) Error() string { return e.Name + ": " + e.Says }

// ReadCurrentValues reads users from JSON values one by one, each
// Get-JCUser's object as JumpCloud returned it, where[i] saying where
// values[i] was read: the accounts the restore script read back.
func ReadCurrentValues(name string, values [][]byte, where []string) (*Current, error) {
	u := &Current{Name: name, Users: make([]CurrentUser, 0, len(values))}
	for i, raw := range values {
		item := gjson.ParseBytes(raw)
		if !gjson.ValidBytes(raw) || !item.IsObject() {
			return nil, fmt.Errorf("%s: not an account of Get-JCUser's", where[i])
		}
		h, m := currentUser(item, where[i])
		if m&hasUsername == 0 {
			return nil, fmt.Errorf("%s: not an account of Get-JCUser's", where[i])
		}
		u.Users = append(u.Users, h)
	}
	u.check()
	return u, nil
}

// currentUser reads one of Get-JCUser's objects, and marks which of the
// fields that tell a user from an event it has: in the same pass, where
// looking each up would read the object three times more.
func currentUser(item gjson.Result, at string) (CurrentUser, marks) {
	var h CurrentUser
	var a attrs
	var m marks
	item.ForEach(func(k, v gjson.Result) bool {
		m |= markOf(k.Str)
		h.offer(&a, k.Str, v)
		return true
	})
	h.settle(&a, at)
	return h, m
}

// marks are the fields of an object that tell one of Get-JCUser's users
// from a Directory Insights event.
type marks uint8

const (
	hasUsername marks = 1 << iota
	hasEventType
	hasService
	hasInitiatedBy
)

func markOf(field string) marks {
	switch field {
	case "username":
		return hasUsername
	case "event_type":
		return hasEventType
	case "service":
		return hasService
	case "initiated_by":
		return hasInitiatedBy
	}
	return 0
}

// event reports whether the object is a Directory Insights event.
func (m marks) event() bool {
	return m&hasEventType != 0 || m&(hasService|hasInitiatedBy) == hasService|hasInitiatedBy
}

// IsUsersCSV reports whether text (decoded) is Get-JCUser | Export-Csv:
// after Windows PowerShell's #TYPE line, a header with the columns _id
// and username.
func IsUsersCSV(text []byte) bool {
	header, _, _, err := usersCSVHeader(text)
	return err == nil && slices.Contains(header, "_id") && slices.Contains(header, "username")
}

// usersCSVHeader reads the header of a users CSV: the rows follow in cr;
// skipped counts the lines before the header (the #TYPE line).
func usersCSVHeader(text []byte) (header []string, cr *csv.Reader, skipped int, err error) {
	if bytes.HasPrefix(text, []byte("#TYPE")) {
		i := bytes.IndexByte(text, '\n')
		if i < 0 {
			return nil, nil, 1, errors.New("only a #TYPE line")
		}
		text, skipped = text[i+1:], 1
	}
	cr = csv.NewReader(bytes.NewReader(text))
	cr.FieldsPerRecord = 0
	header, err = cr.Read()
	return header, cr, skipped, err
}

// giveUsers says what verify wants where events were given.
const giveUsers = "give the users as JumpCloud holds them now (Get-JCUser | ConvertTo-Json -Depth 6 > users.json)"

// usersJSON reads Get-JCUser's objects from the JSON text.
func usersJSON(name string, text []byte) (*Current, error) {
	if head := text[:min(len(text), 4096)]; bytes.Contains(head, []byte(`"event_type"`)) {
		return nil, &NotUsersError{name, "Directory Insights events, not users: " + giveUsers}
	}
	if err := jsonError(name, text); err != nil {
		return nil, err
	}
	// Parsed in place, not copied: the users' values are text's bytes,
	// which verify keeps until it ends, and never changes.
	doc := gjson.Parse(unsafe.String(unsafe.SliceData(text), len(text)))
	list := doc
	if doc.IsObject() && !doc.Get("username").Exists() {
		for _, key := range [...]string{"value", "users"} {
			if v := doc.Get(key); v.IsArray() {
				list = v
				break
			}
		}
		if list.IsObject() {
			return nil, &NotUsersError{name, fmt.Sprintf("not users: a JSON object without username, value or users (%s)", keysOf(doc))}
		}
	}
	u := &Current{Name: name}
	if list.IsArray() {
		u.Users = make([]CurrentUser, 0, list.Get("#").Int())
	}
	var bad error
	line, counted := 1, 0 // the line at text[counted]: users come in order
	each := func(item gjson.Result) bool {
		if item.Index > counted {
			line += bytes.Count(text[counted:item.Index], []byte("\n"))
			counted = item.Index
		}
		at := fmt.Sprintf("%s:%d", name, line)
		if !item.IsObject() {
			bad = fmt.Errorf("%s: not a user but %s", at, describe(item))
			return false
		}
		h, m := currentUser(item, at)
		switch {
		case m.event():
			bad = fmt.Errorf("%s: a Directory Insights event, not a user: %s", at, giveUsers)
		case m&hasUsername == 0:
			bad = fmt.Errorf("%s: not a user of Get-JCUser: no username (%s)", at, keysOf(item))
		default:
			u.Users = append(u.Users, h)
		}
		return bad == nil
	}
	if list.IsArray() {
		list.ForEach(func(_, item gjson.Result) bool { return each(item) })
	} else {
		each(list)
	}
	if bad != nil {
		return nil, bad
	}
	u.check()
	return u, nil
}

// jsonError says where text stops being JSON: "users.json:12:3:
// unexpected end of JSON input".
func jsonError(name string, text []byte) error {
	if gjson.ValidBytes(text) {
		return nil
	}
	var raw json.RawMessage
	err := json.Unmarshal(text, &raw)
	var se *json.SyntaxError
	if !errors.As(err, &se) {
		return fmt.Errorf("%s: not JSON: %v", name, err)
	}
	at := int(se.Offset)
	if at > 0 {
		at-- // the offset is after the byte read last
	}
	if se.Error() == "unexpected end of JSON input" {
		return fmt.Errorf("%s:%d: cut short: the JSON ends before its last value does (was the file copied whole?)", name, lineAt(text, len(text)))
	}
	line := lineAt(text, at)
	col := at - bytes.LastIndexByte(text[:at], '\n')
	return fmt.Errorf("%s:%d:%d: not JSON: %s", name, line, col, se.Error())
}

// lineAt is the line of the byte at i, from 1.
func lineAt(text []byte, i int) int {
	return bytes.Count(text[:min(max(i, 0), len(text))], []byte("\n")) + 1
}

// keysOf names an object's first keys, for an error.
func keysOf(v gjson.Result) string {
	var keys []string
	v.ForEach(func(k, _ gjson.Result) bool {
		keys = append(keys, k.Str)
		return len(keys) < 6
	})
	if len(keys) == 0 {
		return "it has no keys"
	}
	return "its keys: " + strings.Join(keys, ", ") + ", ..."
}

// offer takes one property of a user.
func (h *CurrentUser) offer(a *attrs, key string, v gjson.Result) {
	switch key {
	case "_id", "id":
		h.ID = strings.Clone(strings.ToLower(scalar(v))) // not a part of the file, which can go
	case "organization":
		h.Organization = strings.Clone(strings.ToLower(scalar(v)))
	case "manager":
		// An id; where a nested object ({"id": ...}), its id.
		if v.IsObject() {
			v = v.Get("id")
		}
		a.set("manager", scalar(v))
	default:
		a.add(key, v)
	}
}

// settle keeps what attrs made of the user.
func (h *CurrentUser) settle(a *attrs, at string) {
	h.User, h.Attributes, h.Source = a.user, a.attributes, at
	h.account, h.touched = a.account.set, a.account.touched
	if h.account&acctMFA != 0 {
		h.EnableUserPortalMultifactor = "True"
	}
	for _, name := range a.lost {
		if cols, attributes := fedBy(name); cols != 0 || attributes {
			h.Lost = append(h.Lost, name)
			h.lostColumns |= cols
			h.lostAttributes = h.lostAttributes || attributes
		}
	}
}

// fedBy are the columns (by bit of their index in Columns) that the
// field name of a user feeds, and whether it feeds the custom attributes.
func fedBy(name string) (cols uint64, attributes bool) {
	var a attrs
	switch n := Normalize(name); n {
	case "addresses", "phonenumbers":
		a.add(name, gjson.Parse(`[]`)) // touches their columns
	case "attributes":
		return 0, true
	default:
		if c, ok := canonical(n); ok {
			return 1 << ColumnIndex(c), false
		}
	}
	return a.touched, false
}

// usersCSV reads Get-JCUser | Export-Csv: a header of Get-JCUser's
// property names (_id among them), nested values as the type names
// PowerShell wrote for them.
func usersCSV(name string, text []byte) (*Current, error) {
	header, cr, skipped, err := usersCSVHeader(text)
	if errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s is empty: no users", name)
	}
	if err != nil && skipped == 1 && cr == nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	if err != nil {
		return nil, notUsersCSV(name, text, csvError(name, skipped, err))
	}
	if !slices.Contains(header, "_id") || !slices.Contains(header, "username") {
		return nil, notUsersCSV(name, text, nil)
	}
	u := &Current{Name: name}
	for {
		row, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, csvError(name, skipped, err)
		}
		line, _ := cr.FieldPos(0)
		var h CurrentUser
		var a attrs
		for i, v := range row {
			if v == "" {
				continue
			}
			h.offer(&a, header[i], gjson.Result{Type: gjson.String, Str: v})
		}
		h.settle(&a, fmt.Sprintf("%s:%d", name, line+skipped))
		u.Users = append(u.Users, h)
	}
	u.check()
	return u, nil
}

// notUsersCSV says what a file that is no users CSV looks like.
func notUsersCSV(name string, text []byte, err error) error {
	switch {
	case LooksHTML(text):
		return &NotUsersError{name, "a web page (HTML), not users: save the output of Get-JCUser | ConvertTo-Json -Depth 6 instead"}
	case err != nil:
		return err
	}
	line, _, _ := strings.Cut(string(text), "\n")
	if len(line) > 80 {
		line = line[:80] + "..."
	}
	return &NotUsersError{name, fmt.Sprintf("neither users (JSON, or a CSV with the columns _id and username) nor a plan: it begins %q", strings.TrimSpace(line))}
}

// check notes usernames the file holds twice, and the fields it wrote as
// type names.
func (u *Current) check() {
	seen := map[string]string{}
	for _, h := range u.Users {
		k := strings.ToLower(h.Username)
		if first, ok := seen[k]; ok {
			u.Notes = append(u.Notes, Message{Severity: Warning, Where: h.Source,
				Text: fmt.Sprintf("warning: the username %s is here twice (first at %s): the first is compared", h.Username, first)})
			continue
		}
		seen[k] = h.Source
	}
	var lost []string
	for _, h := range u.Users {
		for _, l := range h.Lost {
			if !slices.Contains(lost, l) {
				lost = append(lost, l)
			}
		}
	}
	if len(lost) > 0 {
		u.Notes = append(u.Notes, Message{Severity: Warning, Where: u.Name,
			Text: fmt.Sprintf("warning: %s not compared: PowerShell wrote them as %s, not as data; save the users with Get-JCUser | ConvertTo-Json -Depth 6 to compare them", strings.Join(lost, ", "), lostArray)})
	}
}
