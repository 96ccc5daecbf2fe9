package export

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/jcrestore/jcrestore/convert"
	"github.com/jcrestore/jcrestore/convert/jsonstream"
)

// Evidence is what one file given to verify is: a restore plan (the
// import CSV, the reviewed workbook, the restore script), the users as
// JumpCloud holds them now, or the restore script's results (which hold
// both, and every step). Each is recognised by its content, never by its
// name.
type Evidence struct {
	Name   string
	Kind   string // "plan", "users" or "results"
	Size   int64
	SHA256 string
	Plan   *convert.Expected // a plan, or the results' plan
	Users  *convert.Users    // the users now, or those the results hold
	Steps  []convert.Step    // the results' steps
	// Beside is a file the plan was read with: the CSV beside a restore
	// script ("" for none).
	Beside *Evidence
}

// Kinds of evidence.
const (
	EvidencePlan    = "plan"
	EvidenceUsers   = "users"
	EvidenceResults = "results"
)

// maxEvidence bounds a file verify reads whole: larger than the users of
// any organization written as JSON.
const maxEvidence = 1 << 30

// resultsTool is the tool named in a results file (restore.ps1).
const resultsTool = "jcrestore restore script"

// ReadEvidence reads the file at path. An error opening it is the
// *fs.PathError of os.Open.
func ReadEvidence(path string) (*Evidence, error) {
	b, err := readWhole(path)
	if err != nil {
		return nil, err
	}
	return readEvidence(path, b)
}

// readEvidence reads b, the file at path (a restore script's CSV is read
// beside it).
func readEvidence(path string, b []byte) (*Evidence, error) {
	var err error
	e := newEvidence(path, b)
	if bytes.HasPrefix(b, []byte("PK\x03\x04")) {
		e.Kind = EvidencePlan
		if e.Plan, err = workbookPlan(path, b); err != nil {
			return nil, err
		}
		return e, nil
	}
	text, err := decoded(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	trimmed := bytes.TrimLeft(text, " \t\r\n")
	var results resultsFile
	if len(trimmed) > 0 && trimmed[0] == '{' {
		_ = json.Unmarshal(text, &results) // not JSON: read as users, which says where
	}
	switch {
	case results.Tool == resultsTool:
		e.Kind = EvidenceResults
		err = e.results(&results, text)
	case bytes.Contains(text, []byte("$Data = '")) && bytes.Contains(text, []byte("Written by jcrestore")):
		e.Kind = EvidencePlan
		e.Plan, e.Beside, err = scriptPlan(path, string(text))
	case len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '['):
		e.Kind = EvidenceUsers
		e.Users, err = convert.ReadUsers(path, text)
	case isUsersCSV(text):
		e.Kind = EvidenceUsers
		e.Users, err = convert.ReadUsers(path, text)
	default:
		e.Kind = EvidencePlan
		e.Plan, err = csvPlan(path, text)
	}
	if err != nil {
		return nil, err
	}
	return e, nil
}

// newEvidence is the evidence of the file at path, b, yet to be read.
func newEvidence(path string, b []byte) *Evidence {
	sum := sha256.Sum256(b)
	return &Evidence{Name: path, Size: int64(len(b)), SHA256: hex.EncodeToString(sum[:])}
}

// readWhole reads a file of at most maxEvidence bytes.
func readWhole(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxEvidence+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	if len(b) > maxEvidence {
		return nil, fmt.Errorf("%s: more than %d MB: larger than any plan or users file", path, maxEvidence>>20)
	}
	return b, nil
}

// isUsersCSV reports whether text is Get-JCUser | Export-Csv: a header
// (after its #TYPE line) with the columns _id and username.
func isUsersCSV(text []byte) bool {
	if bytes.HasPrefix(text, []byte("#TYPE")) {
		return true
	}
	line, _, _ := bytes.Cut(text, []byte("\n"))
	header, err := csv.NewReader(bytes.NewReader(line)).Read()
	if err != nil {
		return false
	}
	var id, user bool
	for _, h := range header {
		id = id || h == "_id"
		user = user || h == "username"
	}
	return id && user
}

// workbookPlan reads the reviewed workbook as a plan: the rows marked
// Restore, with their After import column.
func workbookPlan(path string, b []byte) (*convert.Expected, error) {
	a, err := ReadReview(bytes.NewReader(b), filepath.Dir(path))
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	exp := &convert.Expected{Name: path, Users: a.Records, Columns: convert.AllColumns, Attributes: true, Settings: true}
	// What approve left out is not planned.
	for _, u := range a.Unclear {
		why := fmt.Sprintf("Restore %q is unclear", u.Said)
		if u.Why != "" {
			why = "its After import is unclear"
		}
		exp.Notes = append(exp.Notes, convert.Message{Severity: convert.Warning, Where: fmt.Sprintf("%s: Users row %d", path, u.Row),
			Text: fmt.Sprintf("warning: %s: %s, so approve left the user out: not verified", u.Username, why)})
	}
	for _, d := range a.Deleted {
		exp.Columns &^= 1 << convert.ColumnIndex(d)
	}
	for _, r := range a.Records {
		if r.Organization != "" {
			exp.Organization = r.Organization
			break
		}
	}
	return exp, nil
}

// scriptPlan reads a restore script as a plan: what it sets after the
// import, and the values of the CSV beside it that it imports.
func scriptPlan(path, text string) (*convert.Expected, *Evidence, error) {
	_, data, ok := ScriptData(text)
	var d scriptData
	if !ok || json.Unmarshal(data, &d) != nil {
		return nil, nil, fmt.Errorf("%s: a restore script whose data cannot be read: was it edited? Write it again with --script", path)
	}
	var beside *Evidence
	if d.CSV != "" {
		csvPath := filepath.Join(filepath.Dir(path), filepath.FromSlash(d.CSV))
		if b, err := readWhole(csvPath); err == nil {
			beside = newEvidence(csvPath, b)
			beside.Kind = EvidencePlan
			text, err := decoded(b)
			if err == nil {
				beside.Plan, err = csvPlan(csvPath, text)
			}
			if err != nil {
				return nil, nil, err
			}
		} else if !errors.Is(err, os.ErrNotExist) {
			return nil, nil, err
		}
	}
	var rows *convert.Expected
	if beside != nil {
		rows = beside.Plan
	}
	exp := scriptExpected(path, &d, rows)
	if beside == nil && d.CSV != "" {
		exp.Notes = append(exp.Notes, convert.Notef("%s is not beside %s: only the username, state, flags and manager it sets were compared", d.CSV, path))
	}
	return exp, beside, nil
}

// scriptExpected is the plan of a restore script's data d, read from the
// file name: each user's row of the CSV plan rows (nil when it is not
// there), with what the script sets after the import.
func scriptExpected(name string, d *scriptData, rows *convert.Expected) *convert.Expected {
	exp := &convert.Expected{Name: name, Organization: d.Organization, Settings: true,
		Columns: 1<<convert.ColumnIndex("Username") | 1<<convert.ColumnIndex("manager")}
	var records []convert.Record
	if rows != nil {
		records, exp.Columns, exp.Attributes = rows.Users, rows.Columns, rows.Attributes
	}
	exp.Users = planUsers(d.Users, records, name)
	return exp
}

// decoded is b as UTF-8 text.
func decoded(b []byte) ([]byte, error) {
	dec, _, err := jsonstream.Decode(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(dec)
}

// planUsers makes the script's users records: their row of the CSV
// (matched by username), with what the script sets after the import.
func planUsers(users []scriptUser, rows []convert.Record, where string) []convert.Record {
	row := make(map[string]int, len(rows)) // by username in lower case: the first
	for i := len(rows) - 1; i >= 0; i-- {
		row[strings.ToLower(rows[i].Username)] = i
	}
	out := make([]convert.Record, 0, len(users))
	for i, u := range users {
		r := convert.Record{User: convert.User{Username: u.Username, Manager: u.Manager}, Source: fmt.Sprintf("%s: user %d", where, i+1)}
		if j, ok := row[strings.ToLower(u.Username)]; ok {
			r = rows[j]
		}
		a := convert.AfterImport{Suspend: u.Suspend, Flags: u.Flags, Reports: u.Reports, Manager: u.Manager}
		for _, dev := range u.Devices {
			a.Links = append(a.Links, convert.Link{Type: "system", ID: dev.ID, Name: dev.Name, Sudo: dev.Admin, NoPassword: dev.NoPassword})
		}
		for _, l := range append(u.Groups, u.Links...) {
			a.Links = append(a.Links, convert.Link{Type: l.Type, ID: l.ID, Name: l.Name})
		}
		r.SetAfterImport(a)
		if u.Manager != "" {
			r.Manager = u.Manager // the CSV leaves it to the script
		}
		out = append(out, r)
	}
	return out
}

// results reads the restore script's results file: its plan (the
// script's data and the text of the CSV it imported), its steps, and the
// users as JumpCloud had them when it finished.
func (e *Evidence) results(file *resultsFile, text []byte) error {
	e.Steps = file.Steps
	users, err := convert.ReadUsers(e.Name, text)
	if err != nil {
		return err
	}
	e.Users = users
	if file.Plan == nil {
		return nil
	}
	var rows *convert.Expected
	if file.CSV != "" {
		if rows, err = csvPlan(e.Name+": "+file.Plan.CSV, []byte(file.CSV)); err != nil {
			return err
		}
	}
	e.Plan = scriptExpected(e.Name, file.Plan, rows)
	return nil
}

// resultsFile is what verify reads of a results file, by restore.ps1's
// names; its users are read as any users file is.
type resultsFile struct {
	Tool  string         `json:"tool"`
	Plan  *scriptData    `json:"plan"`
	CSV   string         `json:"csvText"` // the CSV it imported, as text
	Steps []convert.Step `json:"steps"`
}

// csvPlan reads an import CSV as a plan, in either layout: its columns
// are matched by name as --template matches them.
func csvPlan(path string, text []byte) (*convert.Expected, error) {
	text = bytes.TrimPrefix(text, []byte("\ufeff"))
	if looksLikeHTML(text) {
		return nil, fmt.Errorf("%s: a web page (HTML), neither a plan nor users: save the output of Get-JCUser | ConvertTo-Json -Depth 6 > users.json", path)
	}
	cr := csv.NewReader(bytes.NewReader(text))
	cr.Comma, cr.FieldsPerRecord = delimiter(text), -1
	var table [][]string
	var where []string
	for {
		row, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, fmt.Errorf("%s:%d:%d: %v", path, pe.Line, pe.Column, pe.Err)
			}
			return nil, fmt.Errorf("%s: %v", path, err)
		}
		line, _ := cr.FieldPos(0)
		table = append(table, row)
		where = append(where, fmt.Sprintf("%s:%d", path, line))
	}
	if len(table) == 0 {
		return nil, fmt.Errorf("%s is empty: neither a plan nor users", path)
	}
	return tablePlan(path, table[0], table[1:], where[1:])
}

func looksLikeHTML(text []byte) bool {
	head := strings.ToLower(string(text[:min(len(text), 512)]))
	return strings.Contains(head, "<html") || strings.Contains(head, "<!doctype")
}

// tablePlan reads rows under header as the import CSV's: each column
// found by its name, as a template's are.
func tablePlan(path string, header []string, rows [][]string, where []string) (*convert.Expected, error) {
	exp := &convert.Expected{Name: path}
	sources := make([]source, len(header))
	for i, h := range header {
		sources[i] = templateSource(h, convert.Normalize(h))
		switch sources[i].kind {
		case data:
			exp.Columns |= 1 << sources[i].n
		case attrName, attrValue:
			exp.Attributes = true
		}
	}
	for _, col := range [...]string{"Username", "Email"} {
		if exp.Columns&(1<<convert.ColumnIndex(col)) == 0 {
			line, _ := csvLine(header)
			return nil, fmt.Errorf("%s: neither a plan (an import CSV with Username and Email columns) nor users (Get-JCUser's output, JSON or CSV with _id and username): it begins %q", path, line)
		}
	}
	for n, cells := range rows {
		if blank(cells) {
			continue
		}
		var r convert.Record
		for i, s := range sources {
			if i >= len(cells) {
				break
			}
			v := cells[i]
			switch s.kind {
			case data:
				r.User.SetCell(s.n, v)
			case group:
				if v != "" {
					r.Groups = append(r.Groups, v)
				}
			case attrName, attrValue:
				for len(r.Attributes) <= s.n {
					r.Attributes = append(r.Attributes, convert.Attribute{})
				}
				if s.kind == attrName {
					r.Attributes[s.n].Name = v
				} else {
					r.Attributes[s.n].Value = v
				}
			}
		}
		r.Attributes = compactAttributes(r.Attributes)
		r.Source = where[n]
		exp.Users = append(exp.Users, r)
	}
	return exp, nil
}

// compactAttributes drops the empty pairs of a row's attribute columns.
func compactAttributes(list []convert.Attribute) []convert.Attribute {
	out := list[:0]
	for _, a := range list {
		if a.Name != "" || a.Value != "" {
			out = append(out, a)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// csvLine words a header row as its line, for an error.
func csvLine(header []string) (string, error) {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	if err := w.Write(header); err != nil {
		return "", err
	}
	w.Flush()
	s := strings.TrimSpace(b.String())
	if len(s) > 80 {
		s = s[:80] + "..."
	}
	return s, nil
}

// Assemble makes verify's three parts of the evidence given: the plan
// (a plan file, else the results' own), the users as JumpCloud holds them
// now (a users file, else the results'), and the steps of the results.
// Any other mix is an error that says what each file is.
func Assemble(ev []*Evidence) (*convert.Expected, *convert.Users, []convert.Step, error) {
	var plans, users, results []*Evidence
	var beside []string // the CSVs read with a restore script
	for _, e := range ev {
		if e.Beside != nil {
			beside = append(beside, e.Beside.Name)
		}
	}
	for _, e := range ev {
		switch e.Kind {
		case EvidencePlan:
			if _, same := SameFile(e.Name, beside); same {
				continue // the script's plan has it already
			}
			plans = append(plans, e)
		case EvidenceUsers:
			users = append(users, e)
		case EvidenceResults:
			results = append(results, e)
		}
	}
	const save = "save them with Get-JCUser | ConvertTo-Json -Depth 6 > users.json"
	switch {
	case len(plans) > 1 && len(users) == 0 && len(results) == 0:
		return nil, nil, nil, fmt.Errorf("%s and %s are both plans, and verify compares one plan with the users as JumpCloud holds them now: %s", names(plans[:len(plans)-1]), plans[len(plans)-1].Name, save)
	case len(plans) > 1:
		return nil, nil, nil, fmt.Errorf("%s and %s are both plans: give one", names(plans[:len(plans)-1]), plans[len(plans)-1].Name)
	case len(users) > 1:
		return nil, nil, nil, fmt.Errorf("%s and %s both hold the users as JumpCloud has them now: give one", names(users[:len(users)-1]), users[len(users)-1].Name)
	case len(results) > 1:
		return nil, nil, nil, fmt.Errorf("%s and %s are both results of the restore script: give the one of its last run", names(results[:len(results)-1]), results[len(results)-1].Name)
	}
	var exp *convert.Expected
	var now *convert.Users
	var steps []convert.Step
	if len(results) == 1 {
		exp, now, steps = results[0].Plan, results[0].Users, results[0].Steps
	}
	if len(plans) == 1 {
		exp = plans[0].Plan
	}
	if len(users) == 1 {
		now = users[0].Users
	}
	switch {
	case exp == nil && len(results) == 1:
		return nil, nil, nil, fmt.Errorf("%s holds no plan (a restore script older than this jcrestore wrote it): give the plan too, e.g. jcrestore verify restore.csv %s", results[0].Name, results[0].Name)
	case exp == nil:
		return nil, nil, nil, fmt.Errorf("%s: the users as JumpCloud holds them now, and no plan to compare them with: give the restore CSV, the reviewed workbook or the restore script too", users[0].Name)
	case now == nil:
		return nil, nil, nil, fmt.Errorf("%s is a plan, and the users as JumpCloud holds them now are missing: %s, then jcrestore verify %s users.json", exp.Name, save, exp.Name)
	}
	return exp, now, steps, nil
}

// names joins the files' names with commas.
func names(ev []*Evidence) string {
	n := make([]string, len(ev))
	for i, e := range ev {
		n[i] = e.Name
	}
	return strings.Join(n, ", ")
}
