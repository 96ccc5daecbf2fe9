package export

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/jcrestore/jcrestore/convert"
)

// source says where a column's cells come from.
type source struct {
	kind int // one of the constants below
	n    int // data column index, or 0-based group or attribute number
}

const (
	empty = iota
	data
	group
	attrName
	attrValue
)

// Layout is the shape of a CSV: its header and where each column's cells
// come from.
type Layout struct {
	// Header is the column names as written.
	Header []string
	// RawHeader, when set, is written instead of Header, byte for byte: a
	// template's first line is copied exactly.
	RawHeader []byte
	// BOM starts the file with a UTF-8 byte order mark.
	BOM bool
	// CRLF ends lines with "\r\n" instead of "\n".
	CRLF bool
	// Comma is the delimiter; 0 is a comma.
	Comma rune
	// Importer says the layout is read by Import-JCUsersFromCSV: the
	// PowerShell layout, or a template with its columns (FirstName,
	// LastName, Username and Email, as New-JCImportTemplate names them).
	Importer bool
	// Unknown lists template columns that jcrestore has no data for.
	Unknown []string

	sources []source
}

// PowerShell is the layout of JumpCloud's New-JCImportTemplate for new users
// with the extended, location and telephony blocks, in the module's order,
// followed only where some record has data in them by the template's later
// blocks (see optionalBlocks), Group1..N and Attribute1_name,
// Attribute1_value, ... UTF-8 with BOM, for Excel (Import-Csv reads UTF-8
// either way).
func PowerShell(records []convert.Record) *Layout {
	l := &Layout{BOM: true, Importer: true}
	for i := range convert.TemplateColumns {
		l.add(convert.Columns[i], dataSource(i))
	}
	groups, attrs := 0, 0
	for _, r := range records {
		groups = max(groups, len(r.Groups))
		attrs = max(attrs, len(r.Attributes))
	}
	for _, block := range optionalBlocks {
		used := slices.ContainsFunc(records, func(r convert.Record) bool {
			return slices.ContainsFunc(block, func(c string) bool { return r.User.Cell(convert.ColumnIndex(c)) != "" })
		})
		for _, c := range block {
			if used {
				l.add(c, dataSource(convert.ColumnIndex(c)))
			}
		}
	}
	for i := range groups {
		l.add(fmt.Sprintf("Group%d", i+1), source{group, i})
	}
	for i := range attrs {
		l.add(fmt.Sprintf("Attribute%d_name", i+1), source{attrName, i})
		l.add(fmt.Sprintf("Attribute%d_value", i+1), source{attrValue, i})
	}
	return l
}

// optionalBlocks are the data columns after convert.TemplateColumns, in
// New-JCImportTemplate's blocks and order: each is written where some row
// has data in it.
var optionalBlocks = [][]string{{"unix_uid", "unix_guid"}, {"enable_user_portal_multifactor"}, {"SystemID", "Administrator"}}

// password is the index of the Password column, which is always written
// empty whatever the record holds.
var password = convert.ColumnIndex("Password")

func dataSource(i int) source {
	if i == password {
		return source{kind: empty}
	}
	return source{data, i}
}

func (l *Layout) add(name string, s source) {
	l.Header = append(l.Header, name)
	l.sources = append(l.sources, s)
}

// repeatedColumn matches the normalised names of the repeated columns:
// groupN, attributeNname and attributeNvalue.
var repeatedColumn = regexp.MustCompile(`^(?:(?:user)?group(\d+)|(?:custom)?attribute(\d+)(name|value))$`)

// maxRepeated bounds N in GroupN and AttributeN_*: a workbook's header
// cannot make approve allocate more.
const maxRepeated = 9999

// repeated reads the normalised column name n as GroupN (kind group),
// AttributeN_name (attrName) or AttributeN_value (attrValue), with N-1;
// ok is false for any other name, and for N 0 or past maxRepeated.
func repeated(n string) (s source, ok bool) {
	m := repeatedColumn.FindStringSubmatch(n)
	if m == nil {
		return s, false
	}
	s.kind, s.n = group, 0
	num := m[1]
	if num == "" {
		s.kind, num = attrName, m[2]
		if m[3] == "value" {
			s.kind = attrValue
		}
	}
	k, err := strconv.Atoi(num)
	if err != nil || k < 1 || k > maxRepeated {
		return s, false
	}
	s.n = k - 1
	return s, true
}

// Template reads the header row of a CSV template (such as the one the
// Admin Portal's import offers) and returns a layout that writes that row
// exactly, in its delimiter (a comma, a semicolon as Excel saves CSV in
// many locales, or a tab) and line ending, and fills each column it
// recognises by its name or a common synonym, without regard to case,
// spaces or punctuation ("First Name", "Company Email*", "Phone
// (Mobile)", "Group2", "Custom Attribute 1 Value"). A template without a
// column for Username and one for Email is refused: every row would lack
// what JumpCloud requires. A BOM is not kept.
func Template(r io.Reader) (*Layout, error) {
	b, err := io.ReadAll(io.LimitReader(r, 1<<20))
	if err != nil {
		return nil, err
	}
	b = bytes.TrimPrefix(b, []byte("\ufeff"))
	comma := delimiter(b)
	cr := csv.NewReader(bytes.NewReader(b))
	cr.FieldsPerRecord, cr.Comma = -1, comma
	header, err := cr.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("the template is empty: it needs a header row")
	}
	if err != nil {
		return nil, fmt.Errorf("the template's header row: %w", err)
	}
	raw := b[:cr.InputOffset()]
	l := &Layout{RawHeader: bytes.TrimRight(raw, "\r\n"), CRLF: bytes.HasSuffix(raw, []byte("\r\n")), Comma: comma}
	seen := make(map[string]bool)
	for _, h := range header {
		if strings.TrimSpace(h) == "" {
			l.add(h, source{kind: empty})
			continue
		}
		if seen[strings.ToLower(h)] {
			return nil, fmt.Errorf("the template has the column %q twice (Import-Csv refuses such a file)", h)
		}
		seen[strings.ToLower(h)] = true
		s := templateSource(h, convert.Normalize(h))
		if c, _ := convert.Canonical(h); s.kind == empty && c != "Password" {
			l.Unknown = append(l.Unknown, h)
		}
		l.add(h, s)
	}
	var missing []string
	for _, col := range [...]string{"Username", "Email"} {
		if !slices.Contains(l.sources, dataSource(convert.ColumnIndex(col))) {
			missing = append(missing, col)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("the template has no column for %s, which JumpCloud requires (its columns: %s)", strings.Join(missing, " or "), strings.Join(header, ", "))
	}
	// The columns Import-JCUsersFromCSV reads, as New-JCImportTemplate
	// names them: its rules apply.
	l.Importer = true
	for _, col := range [...]string{"FirstName", "LastName", "Username", "Email"} {
		l.Importer = l.Importer && slices.ContainsFunc(header, func(h string) bool { return strings.EqualFold(strings.TrimSpace(h), col) })
	}
	return l, nil
}

// delimiter is the delimiter of the CSV b: of a comma, a semicolon and a
// tab, the one its first line has the most of outside quotes; a comma for
// a line of one column.
func delimiter(b []byte) rune {
	counts := map[rune]int{}
	quoted := false
	for _, c := range string(b) {
		switch {
		case c == '"':
			quoted = !quoted
		case quoted:
		case c == '\n':
			return bestDelimiter(counts)
		case c == ',' || c == ';' || c == '\t':
			counts[c]++
		}
	}
	return bestDelimiter(counts)
}

func bestDelimiter(counts map[rune]int) rune {
	best := ','
	for _, c := range [...]rune{';', '\t'} {
		if counts[c] > counts[best] {
			best = c
		}
	}
	return best
}

func templateSource(h, n string) source {
	if c, ok := convert.Canonical(h); ok {
		return dataSource(convert.ColumnIndex(c))
	}
	if s, ok := repeated(n); ok {
		return s
	}
	return source{kind: empty}
}

// Notes are what an admin should know of a template layout written with
// records: the template's columns jcrestore has nothing for, and the data
// the template has no column for.
func (l *Layout) Notes(records []convert.Record) []string {
	var notes []string
	if len(l.Unknown) > 0 {
		q := make([]string, len(l.Unknown))
		for i, c := range l.Unknown {
			q[i] = strconv.Quote(c)
		}
		notes = append(notes, fmt.Sprintf("the template's columns %s match no attribute jcrestore reads; they are left empty", strings.Join(q, ", ")))
	}
	if miss := l.unfilled(records); len(miss) > 0 {
		notes = append(notes, fmt.Sprintf("the template has no column for %s; that data is not written", strings.Join(miss, ", ")))
	}
	return notes
}

// unfilled lists, for data the layout has no column for, the column name and
// how many records hold such data: what a template drops.
func (l *Layout) unfilled(records []convert.Record) []string {
	has := make(map[source]bool)
	for _, s := range l.sources {
		has[s] = true
	}
	var out []string
	count := func(name string, s source, n int) {
		if n > 0 && !has[s] {
			out = append(out, fmt.Sprintf("%s (%s)", name, convert.Plural(n, "user", "users")))
		}
	}
	for i, c := range convert.Columns {
		if i == password {
			continue
		}
		n := 0
		for j := range records {
			if records[j].User.Cell(i) != "" {
				n++
			}
		}
		count(c, source{data, i}, n)
	}
	for i := 0; ; i++ {
		gs, as := 0, 0
		for _, r := range records {
			if len(r.Groups) > i {
				gs++
			}
			if len(r.Attributes) > i {
				as++
			}
		}
		if gs == 0 && as == 0 {
			break
		}
		count(fmt.Sprintf("Group%d", i+1), source{group, i}, gs)
		count(fmt.Sprintf("Attribute%d_name", i+1), source{attrName, i}, as)
		count(fmt.Sprintf("Attribute%d_value", i+1), source{attrValue, i}, as)
	}
	return out
}

// row fills the layout's cells for r into dst: the one path from a record
// to cells, for the CSV and the workbook alike.
func (l *Layout) row(dst []string, r *convert.Record) []string {
	dst = dst[:0]
	for _, s := range l.sources {
		v := ""
		switch s.kind {
		case data:
			v = r.User.Cell(s.n)
		case group:
			if s.n < len(r.Groups) {
				v = r.Groups[s.n]
			}
		case attrName:
			if s.n < len(r.Attributes) {
				v = r.Attributes[s.n].Name
			}
		case attrValue:
			if s.n < len(r.Attributes) {
				v = r.Attributes[s.n].Value
			}
		}
		dst = append(dst, v)
	}
	return dst
}
