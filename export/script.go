package export

import (
	"bytes"
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/jcrestore/jcrestore/convert"
)

// The restore script is restore.ps1, the same code for every export, with
// the users as one data literal in it: JSON, in base64, between single
// quotes. Base64 has no quote, dollar sign, backtick or line break of its
// own, so no value of an export can end the literal or become code,
// whatever it holds; PowerShell's FromBase64String ignores the line
// breaks that keep the lines short. The data holds each user's import
// row, so the script is the whole restore: no CSV has to be beside it.

//go:embed restore.ps1
var scriptCode string

// scriptMarker is the line of restore.ps1 that the data replaces.
const scriptMarker = "\nDATA\n"

// Script is the restore script of one output: the users of one
// organization.
type Script struct {
	Organization string // "" when the export names none: the script then checks none
	Results      string // the record it keeps beside itself, by name
	// Reviewed names the reviewed workbook the script was written from,
	// with its SHA-256 ("" when convert wrote it from the export).
	Reviewed string
	Users    []convert.Restore
}

// scriptData is what the script reads of its data. The names are the
// script's (restore.ps1).
type scriptData struct {
	Organization string `json:"organization"`
	Results      string `json:"results"`
	Reviewed     string `json:"reviewed,omitempty"`
	// Columns are the header of the CSV the script imports; each user's
	// Row has a cell for each.
	Columns []string     `json:"columns"`
	Users   []scriptUser `json:"users"`
}

type scriptUser struct {
	Username string       `json:"username"`
	Email    string       `json:"email"`
	Row      cells        `json:"row"`
	Steps    []scriptStep `json:"steps"`
	Manager  string       `json:"manager"`
	Reports  []string     `json:"reports"`
	ByHand   []string     `json:"byHand"`
	Source   string       `json:"source"` // where the plan found the user: events.json:12
}

// cells are a user's row. encoding/json alone would grow them by
// doubling, to 64 cells for 36 in seven allocations (at 100,000 users,
// 100 MB and a tenth of verify's CPU): they are read to their length.
type cells []string

func (c *cells) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*c = nil // as encoding/json reads null into a slice
		return nil
	}
	row := make([]string, 0, quoted(b))
	if err := json.Unmarshal(b, &row); err != nil {
		return err
	}
	*c = row
	return nil
}

// quoted counts the JSON strings in b: of an array of strings, its
// length.
func quoted(b []byte) int {
	n := 0
	for i := 0; i < len(b); i++ {
		if b[i] == '"' {
			n++
			for i++; i < len(b) && b[i] != '"'; i++ {
				if b[i] == '\\' {
					i++
				}
			}
		}
	}
	return n
}

// scriptStep is a convert.Action, with its words.
type scriptStep struct {
	Kind       string `json:"kind"`
	Target     string `json:"target"`
	Type       string `json:"type"`
	Name       string `json:"name"`
	Admin      bool   `json:"admin"`
	NoPassword bool   `json:"noPassword"`
	Words      string `json:"words"`
}

// WriteScript writes the restore script s.
func WriteScript(w io.Writer, s *Script) error {
	rows := make([]convert.Record, len(s.Users))
	for i, u := range s.Users {
		rows[i] = u.Row
	}
	layout := PowerShell(rows)
	d := scriptData{Organization: s.Organization, Results: s.Results, Reviewed: s.Reviewed, Columns: layout.Header, Users: make([]scriptUser, len(s.Users))}
	for i, u := range s.Users {
		r := &s.Users[i].Row
		su := scriptUser{Username: r.Username, Email: r.Email, Row: layout.row(nil, r), Steps: []scriptStep{},
			Manager: u.After.Manager, Reports: nonNil(u.After.Reports), ByHand: nonNil(u.After.ByHand), Source: r.Source}
		for _, act := range u.After.Actions() {
			su.Steps = append(su.Steps, scriptStep{Kind: act.Kind, Target: act.Target, Type: act.Type, Name: act.Name,
				Admin: act.Admin, NoPassword: act.NoPassword, Words: act.String()})
		}
		d.Users[i] = su
	}
	data, err := json.Marshal(d)
	if err != nil {
		return err
	}
	code, rest, _ := strings.Cut(strings.ReplaceAll(scriptCode, "\r\n", "\n"), scriptMarker)
	var b strings.Builder
	b.Grow(len(code) + len(rest) + base64.StdEncoding.EncodedLen(len(data))*78/76 + 2)
	b.WriteString(code)
	b.WriteByte('\n')
	enc := base64.StdEncoding.EncodeToString(data)
	for len(enc) > 0 {
		n := min(len(enc), 76)
		b.WriteString(enc[:n])
		b.WriteByte('\n')
		enc = enc[n:]
	}
	b.WriteString(rest)
	_, err = io.WriteString(w, strings.ReplaceAll(b.String(), "\n", "\r\n"))
	return err
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// ScriptData returns the data of a restore script (its users, as the
// script reads them) and its code with the data taken out: the same text
// for every script. ok is false when script is not one.
func ScriptData(script string) (code string, data []byte, ok bool) {
	i, j, ok := dataLiteral([]byte(script))
	if !ok {
		return "", nil, false
	}
	data, err := base64.StdEncoding.DecodeString(script[i:j])
	if err != nil {
		return "", nil, false
	}
	return strings.ReplaceAll(script[:i]+script[j:], "\r\n", "\n"), data, true
}

// dataLiteral finds the data literal of a script, script[i:j]: the base64
// lines between "$Data = '" and the quote that ends it.
func dataLiteral(script []byte) (i, j int, ok bool) {
	open := []byte("$Data = '")
	i = bytes.Index(script, open)
	if i < 0 {
		return 0, 0, false
	}
	i += len(open)
	for i < len(script) && (script[i] == '\r' || script[i] == '\n') {
		i++
	}
	k := bytes.IndexByte(script[i:], '\'')
	if k < 0 {
		return 0, 0, false
	}
	return i, i + k, true
}

// IsScript reports whether text is a restore script jcrestore wrote.
func IsScript(text []byte) bool {
	return bytes.Contains(text, []byte("$Data = '")) && bytes.Contains(text, []byte("Written by jcrestore"))
}

// ReadScript reads a restore script back (WriteScript's inverse): its
// organization, the name of its record, and each user with the row it
// imports and what it sets after. name is where it was read, for errors
// and each user's place.
func ReadScript(name string, text []byte) (*Script, error) {
	d, err := readData(name, text)
	if err != nil {
		return nil, err
	}
	rows, after, err := d.users(name)
	if err != nil {
		return nil, err
	}
	s := &Script{Organization: d.Organization, Results: d.Results, Reviewed: d.Reviewed, Users: make([]convert.Restore, len(rows))}
	for i := range rows {
		s.Users[i] = convert.Restore{Row: rows[i], After: after[i]}
	}
	return s, nil
}

// ReadScriptPlan reads a restore script as verify's plan (Planned).
func ReadScriptPlan(name string, text []byte) (*convert.Planned, error) {
	d, err := readData(name, text)
	if err != nil {
		return nil, err
	}
	return d.planned(name)
}

// readData reads the data of the script text.
func readData(name string, text []byte) (*scriptData, error) {
	// Base64's decoder skips the line breaks of the literal.
	i, j, ok := dataLiteral(text)
	var d scriptData
	data := make([]byte, base64.StdEncoding.DecodedLen(j-i))
	if ok {
		n, err := base64.StdEncoding.Decode(data, text[i:j])
		ok, data = err == nil, data[:n]
	}
	if !ok || json.Unmarshal(data, &d) != nil {
		return nil, fmt.Errorf("%s: a restore script whose data cannot be read: was it edited? Write it again with --script", name)
	}
	return &d, nil
}

// users are the users of d, read from name: each user's import row, and
// what the script sets after. The rows' cells are let go as they are
// read.
func (d *scriptData) users(name string) ([]convert.Record, []convert.AfterImport, error) {
	table := make([][]string, len(d.Users))
	where := make([]string, len(d.Users))
	for i, u := range d.Users {
		table[i], where[i] = u.Row, fmt.Sprintf("%s: user %d", name, i+1)
		d.Users[i].Row = nil
	}
	rows, err := tablePlan(name, d.Columns, table, where)
	if err != nil || len(rows.Users) != len(d.Users) {
		return nil, nil, fmt.Errorf("%s: a restore script whose users' rows cannot be read: was it edited? Write it again with --script", name)
	}
	after := make([]convert.AfterImport, len(d.Users))
	for i, u := range d.Users {
		acts := make([]convert.Action, len(u.Steps))
		for j, st := range u.Steps {
			acts[j] = convert.Action{Kind: st.Kind, Target: st.Target, Type: st.Type, Name: st.Name, Admin: st.Admin, NoPassword: st.NoPassword}
		}
		if u.Source != "" {
			rows.Users[i].Source = u.Source
		}
		after[i] = convert.AfterImportOf(acts, u.Manager, u.Reports)
		after[i].ByHand = u.ByHand
	}
	return rows.Users, after, nil
}

// planned is the plan of the script data d, read from name: each user's
// import row, with what the script sets after, found in name by its
// place ("restore.ps1: user 3").
func (d *scriptData) planned(name string) (*convert.Planned, error) {
	rows, after, err := d.users(name)
	if err != nil {
		return nil, err
	}
	p := &convert.Planned{Name: name, Organization: d.Organization, Users: rows, Columns: convert.AllColumns, Attributes: true, Settings: true}
	for i := range rows {
		r := &rows[i]
		r.Source = fmt.Sprintf("%s: user %d", name, i+1)
		r.SetAfterImport(after[i])
		r.Manager = after[i].Manager // the import leaves it to the script
	}
	return p, nil
}

// Words are the steps of the script for each user, in words, as the
// script shows them under -WhatIf: what inspect prints of a script.
func (s *Script) Words() [][]string {
	out := make([][]string, len(s.Users))
	for i, u := range s.Users {
		out[i] = append(out[i], "import (Import-JCUsersFromCSV)")
		for _, act := range u.After.Actions() {
			out[i] = append(out[i], act.String())
		}
		if u.After.Manager != "" {
			out[i] = append(out[i], "set the manager: "+u.After.Manager)
		}
		for _, r := range u.After.Reports {
			out[i] = append(out[i], "with -RestoreReports: make them the manager of "+r+" again")
		}
		for _, h := range u.After.ByHand {
			out[i] = append(out[i], h+": by hand, after the restore (no cmdlet sets it)")
		}
	}
	return out
}
