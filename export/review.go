package export

import (
	"archive/zip"
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jcrestore/jcrestore/convert"
	"github.com/xuri/excelize/v2"
)

// Limits for opening a workbook: how large the file may be and what its
// zip may unpack to in all. The largest review jcrestore writes, one of
// 100,000 users, is a 28 MB file that unpacks to 196 MB (its Users sheet
// 95 MB); the review of a generated 90-day export of 1,000,000 events
// (9,892 users) unpacks to 85 MB. A workbook that unpacks to more holds
// what jcrestore did not write, such as a million blank rows a
// spreadsheet program kept for a formatted column: refused at once, where
// reading it took a minute.
const (
	MaxReviewFile = 256 << 20
	maxUnzipped   = 512 << 20
)

// Approved is what a reviewed workbook asks for.
type Approved struct {
	Records   []convert.Record // the rows marked Restore, as edited, in sheet order
	Rows      int              // user rows in the sheet
	NotMarked []string         // the usernames of the others
	// Unclear are the rows whose Restore approve does not understand
	// ("Maybe", or empty): not restored, and reported.
	Unclear []Unclear
	// Deleted are the data columns the reviewer deleted: written empty.
	Deleted []string
	// Edits are what the reviewer changed in the rows marked Restore,
	// against what convert wrote (the hidden Written sheet); Unedited
	// says why they could not be told, where they could not.
	Edits    []Edit
	Unedited string
}

// Edit is one value a reviewer changed, or one step of After import
// removed or added.
type Edit struct {
	Row             int
	Username, Field string
	Was, Now        string // a value: as convert wrote it, and as reviewed
	Removed, Added  bool   // a step of After import (Field is the step)
}

// String words an edit: "jobTitle edited in review: Senior Engineer →
// Staff Engineer", "suspend removed from After import".
func (e Edit) String() string {
	switch {
	case e.Removed:
		return e.Field + " removed from After import"
	case e.Added:
		return e.Field + " added to After import"
	}
	return fmt.Sprintf("%s edited in review: %s → %s", e.Field, shownValue(e.Was), shownValue(e.Now))
}

func shownValue(v string) string {
	if v == "" {
		return "(empty)"
	}
	return v
}

// Unclear is a row whose Restore value is neither yes nor no, or whose
// After import column approve does not understand.
type Unclear struct {
	Row            int
	Username, Said string
	Why            string // for the After import column: what is wrong
}

// The Restore values approve understands, in any case; restoreHelp says
// them to the reviewer.
var (
	restoreYes = []string{"yes", "y", "true", "1", "x"}
	restoreNo  = []string{"no", "n", "false", "0"}
)

const restoreHelp = "Restore takes Yes (or y, true, 1, x) and No (or n, false, 0)"

// ReadReview reads the Users sheet of the review workbook b by its header
// names, so that columns may be moved, hidden or deleted, rows sorted,
// filtered, deleted or edited, and extra columns added. It returns the rows
// whose Restore is yes, and those whose Restore it does not understand.
// Restore, Username and Email must be there; another data column deleted
// is written empty (Approved.Deleted). The sheets are read streamed from
// the zip: nothing is unpacked to a file.
func ReadReview(b []byte) (*Approved, error) {
	return ReadReviewCounted(b, nil)
}

// ReadReviewCounted is ReadReview, counting the rows read into counted,
// for a progress line.
func ReadReviewCounted(b []byte, counted *atomic.Int64) (*Approved, error) {
	if len(b) > MaxReviewFile {
		return nil, fmt.Errorf("more than %d MB: larger than any review workbook jcrestore writes", MaxReviewFile>>20)
	}
	if err := unzippedSize(b); err != nil {
		return nil, err
	}
	bk, err := openBook(b)
	if err != nil {
		return nil, fmt.Errorf("not a readable Excel workbook (%v)", err)
	}
	if !slices.Contains(bk.sheets, SheetAbout) || !slices.Contains(bk.sheets, SheetUsers) {
		return nil, fmt.Errorf("not a jcrestore review workbook: it needs the sheets %s and %s (it has %s)", SheetUsers, SheetAbout, strings.Join(bk.sheets, ", "))
	}
	if title, err := firstCell(bk, SheetAbout); err != nil || title != Title {
		return nil, cmp.Or(err, fmt.Errorf("not a jcrestore review workbook: About!A1 is %q, not %q", title, Title))
	}
	rows, err := bk.rows(SheetUsers)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	if !rows.Next() {
		return nil, cmp.Or(rows.Err(), errors.New("the Users sheet is empty: it has no header row"))
	}
	header := rows.Columns()
	cols, err := reviewColumns(header)
	if err != nil {
		return nil, err
	}
	a := &Approved{Deleted: cols.deleted}
	written, err := readWritten(bk)
	if err != nil {
		a.Unedited = err.Error()
	}
	// A row each, as convert wrote them, not grown a kilobyte at a time;
	// at most for a mass deletion's count, whatever a hidden sheet says.
	a.Records = make([]convert.Record, 0, min(len(written), 100_000))
	for n := 2; rows.Next(); n++ {
		if counted != nil {
			counted.Add(1)
		}
		cells := rows.Columns()
		if blank(cells) {
			continue
		}
		a.Rows++
		said := strings.TrimSpace(cols.get(cells, colRestore))
		if slices.Contains(restoreYes, strings.ToLower(said)) {
			a.Records = append(a.Records, convert.Record{}) // made in its place: a kilobyte not copied
			r := &a.Records[len(a.Records)-1]
			cols.record(r, cells, n)
			if _, ok := cols.named[colAfter]; ok {
				steps, err := convert.ParseAfterImport(cols.get(cells, colAfter))
				if err != nil {
					a.Unclear = append(a.Unclear, Unclear{Row: n, Username: r.Username, Said: cols.get(cells, colAfter), Why: err.Error()})
					a.Records = a.Records[:len(a.Records)-1]
					continue
				}
				r.SetAfterImport(steps)
			}
			if written != nil {
				a.Edits = append(a.Edits, cols.edits(header, cells, written, n, r.Username)...)
			}
			continue
		}
		u := cols.cell(cells, cols.data[convert.ColumnIndex("Username")])
		if !slices.Contains(restoreNo, strings.ToLower(said)) {
			a.Unclear = append(a.Unclear, Unclear{Row: n, Username: u, Said: said})
		}
		if u != "" {
			a.NotMarked = append(a.NotMarked, u)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return a, nil
}

// firstCell is the value of the sheet's cell A1.
func firstCell(bk *book, sheet string) (string, error) {
	rows, err := bk.rows(sheet)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	if rows.Next() && len(rows.Columns()) > 0 {
		return rows.Columns()[0], nil
	}
	return "", rows.Err()
}

// readWritten reads the hidden Written sheet: what convert wrote of each
// user (a JSON object of header and value), by the row's key, as text:
// edits decodes a row's when it reads the row, so that a hundred
// thousand users' maps are not all held at once. A workbook without it
// (written before 2026-12, or by hand) has no edits to tell: an error
// says so.
func readWritten(bk *book) (map[string]string, error) {
	if !slices.Contains(bk.sheets, sheetWritten) {
		return nil, errors.New("the workbook keeps no record of what convert wrote (a workbook of an older jcrestore, or made by hand): the reviewer's edits are not told")
	}
	rows, err := bk.rows(sheetWritten)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	written := map[string]string{}
	for rows.Next() {
		cells := rows.Columns()
		if len(cells) < 2 || cells[0] == "Key" {
			continue
		}
		if _, ok := written[cells[0]]; !ok || json.Valid([]byte(cells[1])) { // a broken row does not hide a good one
			written[cells[0]] = cells[1]
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return written, nil
}

// edits are what the reviewer changed in one row (cells, under header,
// its number n) against what convert wrote of it.
func (c *reviewCols) edits(header, cells []string, written map[string]string, n int, username string) []Edit {
	text, ok := written[writtenKey(c.get(cells, colEventID), c.get(cells, colFormerID), c.get(cells, colSource))]
	var was map[string]string
	if !ok || json.Unmarshal([]byte(text), &was) != nil {
		return nil // a row the reviewer added, or whose key they changed
	}
	var out []Edit
	for i, h := range header {
		if h == "" || h == colAfter {
			continue
		}
		prior, known := was[h]
		now := c.cell(cells, i)
		if !known && !c.userValue[i] {
			continue // Restore, Status, Notes and the provenance: not the user's values
		}
		if now != prior {
			out = append(out, Edit{Row: n, Username: username, Field: h, Was: prior, Now: now})
		}
	}
	if _, ok := c.named[colAfter]; ok {
		before, after := afterSteps(was[colAfter]), afterSteps(c.get(cells, colAfter))
		for _, s := range before {
			if !slices.ContainsFunc(after, func(t string) bool { return strings.EqualFold(s, t) }) {
				out = append(out, Edit{Row: n, Username: username, Field: s, Removed: true})
			}
		}
		for _, s := range after {
			if !slices.ContainsFunc(before, func(t string) bool { return strings.EqualFold(s, t) }) {
				out = append(out, Edit{Row: n, Username: username, Field: s, Added: true})
			}
		}
	}
	return out
}

// isData reports whether the header h is one of the user's values: a
// data column, a group, a custom attribute.
func (c *reviewCols) isData(h string) bool {
	n := convert.Normalize(h)
	if _, ok := convert.Canonical(h); ok {
		return true
	}
	_, ok := repeated(n)
	return ok
}

// afterSteps are the steps of an After import cell, as written.
func afterSteps(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ";") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// unzippedSize refuses a workbook whose parts unpack to more than
// maxUnzipped, before any is unpacked. The sizes are those the zip
// declares: archive/zip reads no more than that of a part.
func unzippedSize(b []byte) error {
	z, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil // not a zip: excelize says so in its words
	}
	var total uint64
	for _, f := range z.File {
		if f.UncompressedSize64 > maxUnzipped {
			total = f.UncompressedSize64 // one part alone: a sum of parts that claim 2^64 bytes would wrap around
			break
		}
		total += f.UncompressedSize64
	}
	if total <= maxUnzipped {
		return nil
	}
	return fmt.Errorf("it unpacks to %d MB, more than the %d MB any review workbook needs (one of 100,000 users unpacks to 196 MB): "+
		"it holds more than jcrestore wrote, such as blank rows below the users; delete them (or copy the users into the workbook jcrestore wrote), save, and approve again",
		total>>20, maxUnzipped>>20)
}

func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// reviewCols maps the header of a Users sheet to the places of the values.
type reviewCols struct {
	index      map[string]int // normalised header -> cell index
	named      map[string]int // Restore and the provenance columns, by their names here
	data       []int          // cell index of each of convert.Columns, -1 where none
	groups     []int          // cell index of Group1, Group2, ... (-1 where missing)
	attributes [][2]int       // cell indexes of AttributeN_name and _value
	deleted    []string       // the data columns of every CSV that are not there
	userValue  []bool         // by cell index: the header is one of the user's values (isData), for edits
}

func reviewColumns(header []string) (*reviewCols, error) {
	c := &reviewCols{index: make(map[string]int), userValue: make([]bool, len(header))}
	for i, h := range header {
		c.userValue[i] = c.isData(h)
		n := convert.Normalize(h)
		if n == "" {
			continue
		}
		if _, dup := c.index[n]; dup {
			return nil, fmt.Errorf("the Users sheet has the column %q twice", h)
		}
		c.index[n] = i
		if s, ok := repeated(n); ok && s.kind == group {
			for len(c.groups) <= s.n {
				c.groups = append(c.groups, -1)
			}
			c.groups[s.n] = i
		} else if ok {
			for len(c.attributes) <= s.n {
				c.attributes = append(c.attributes, [2]int{-1, -1})
			}
			c.attributes[s.n][boolIndex(s.kind == attrValue)] = i
		}
	}
	for _, col := range convert.Columns {
		i, ok := c.index[convert.Normalize(col)]
		if !ok || col == "Password" {
			i = -1
		}
		c.data = append(c.data, i)
	}
	c.named = map[string]int{}
	for _, col := range []string{colRestore, colDeletedAt, colDeletedBy, colEventID, colFormerID, colSource, colOrganization, colManagerID, colAfter} {
		if i, ok := c.index[convert.Normalize(col)]; ok {
			c.named[col] = i
		}
	}
	if _, ok := c.named[colDeletedAt]; !ok {
		if i, ok := c.index[convert.Normalize("Deleted at")]; ok {
			c.named[colDeletedAt] = i // as workbooks before 2026-11 name it
		}
	}
	var missing []string
	for _, col := range convert.Columns[:convert.TemplateColumns] {
		if _, ok := c.index[convert.Normalize(col)]; !ok && col != "Password" {
			c.deleted = append(c.deleted, col)
		}
	}
	for _, col := range []string{colRestore, "Username", "Email"} {
		if _, ok := c.index[convert.Normalize(col)]; !ok {
			missing = append(missing, col)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("the Users sheet lacks %s, which approve needs (hide a column rather than delete it)", columns(missing))
	}
	return c, nil
}

// columns names one column or several: "the column Email", "the columns
// Username, Email".
func columns(names []string) string {
	if len(names) == 1 {
		return "the column " + names[0]
	}
	return "the columns " + strings.Join(names, ", ")
}

func boolIndex(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (c *reviewCols) cell(cells []string, i int) string {
	if i < 0 || i >= len(cells) {
		return ""
	}
	return cells[i]
}

// get returns the cell of a column named by one of the Col constants.
func (c *reviewCols) get(cells []string, name string) string {
	i, ok := c.named[name]
	if !ok {
		return ""
	}
	return c.cell(cells, i)
}

// record fills r, a new record, with one approved row; n is its row
// number.
func (c *reviewCols) record(r *convert.Record, cells []string, n int) {
	for i, j := range c.data {
		r.User.SetCell(i, c.cell(cells, j))
	}
	for _, i := range c.groups {
		if g := c.cell(cells, i); g != "" {
			r.Groups = append(r.Groups, g)
		}
	}
	for _, p := range c.attributes {
		name, value := c.cell(cells, p[0]), c.cell(cells, p[1])
		if name != "" || value != "" {
			r.Attributes = append(r.Attributes, convert.Attribute{Name: name, Value: value})
		}
	}
	r.DeletedAt = cellTime(c.get(cells, colDeletedAt))
	r.DeletedBy = c.get(cells, colDeletedBy)
	r.EventID = c.get(cells, colEventID)
	r.FormerID = c.get(cells, colFormerID)
	r.ManagerID = c.get(cells, colManagerID)
	r.Organization = c.get(cells, colOrganization)
	r.Source = fmt.Sprintf("Users row %d", n)
	if src := c.get(cells, colSource); src != "" {
		r.Source += " (" + src + ")"
	}
}

// cellTime reads a date cell's raw value (a serial number) or, where a
// reviewer typed one, a date as text.
func cellTime(v string) time.Time {
	if v == "" {
		return time.Time{}
	}
	if serial, err := strconv.ParseFloat(v, 64); err == nil {
		t, err := excelize.ExcelDateToTime(serial, false)
		if err == nil {
			return t.UTC().Round(time.Millisecond)
		}
	}
	for _, layout := range []string{"2006-01-02 15:04:05", time.RFC3339Nano, "2006-01-02"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t
		}
	}
	return time.Time{}
}

// Check tells what approve makes of a: FirstName and LastName deleted are
// an error where the importer's rules apply (importer); the rows whose
// Restore is unclear are warnings, any other column deleted a note.
func (a *Approved) Check(importer bool) ([]convert.Message, error) {
	var required []string
	for _, col := range []string{"FirstName", "LastName"} {
		if importer && slices.Contains(a.Deleted, col) {
			required = append(required, col)
		}
	}
	if len(required) > 0 {
		return nil, fmt.Errorf("the Users sheet lacks %s, which Import-JCUsersFromCSV requires (hide a column rather than delete it)", columns(required))
	}
	var msgs []convert.Message
	for _, u := range a.Unclear {
		text := fmt.Sprintf("Users row %d: %s: Restore is %q, neither yes nor no: not restored (%s)", u.Row, cmp.Or(u.Username, "(no username)"), u.Said, restoreHelp)
		if u.Why != "" {
			text = fmt.Sprintf("Users row %d: %s: %s: %s: not restored", u.Row, cmp.Or(u.Username, "(no username)"), colAfter, u.Why)
		}
		msgs = append(msgs, convert.Message{Severity: convert.Warning, Asks: convert.AsksReview, Text: text})
	}
	if len(a.Deleted) > 0 {
		msgs = append(msgs, convert.Notef("the Users sheet has no column %s: written empty (hide a column rather than delete it)", strings.Join(a.Deleted, ", ")))
	}
	return msgs, nil
}

// NotWritten are the users not marked Restore, by lower-case username,
// with why: managers who will not exist (see convert.Managers).
func (a *Approved) NotWritten() map[string]string {
	m := map[string]string{}
	for _, u := range a.NotMarked {
		m[strings.ToLower(u)] = u + " is not marked Restore"
	}
	return m
}
