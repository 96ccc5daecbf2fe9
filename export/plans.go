package export

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/jcrestore/jcrestore/convert"
)

// The plans verify compares with what JumpCloud holds, read back from
// the files jcrestore wrote: the import CSV (in either layout) and the
// reviewed workbook; the restore script and its record have readers of
// their own (ReadScript, ReadResults).

// ReadWorkbookPlan reads the reviewed workbook as a plan: the rows marked
// Restore, with their After import column.
func ReadWorkbookPlan(path string, b []byte) (*convert.Planned, error) {
	a, err := ReadReview(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	exp := &convert.Planned{Name: path, Users: a.Records, Columns: convert.AllColumns, Attributes: true, Settings: true}
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

// ReadCSVPlan reads an import CSV as a plan, in either layout: its columns
// are matched by name as --template matches them.
func ReadCSVPlan(path string, text []byte) (*convert.Planned, error) {
	text = bytes.TrimPrefix(text, []byte("\ufeff"))
	if convert.LooksHTML(text) {
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
		if len(table) > 0 && blank(row) {
			continue // a spreadsheet's empty line
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

// tablePlan reads rows under header as the import CSV's: each column
// found by its name, as a template's are. Every row is a user, a blank
// one too (a restore script's users are counted).
func tablePlan(path string, header []string, rows [][]string, where []string) (*convert.Planned, error) {
	exp := &convert.Planned{Name: path, Users: make([]convert.Record, 0, len(rows))}
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
