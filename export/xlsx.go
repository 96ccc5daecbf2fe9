package export

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/jcrestore/jcrestore/convert"
	"github.com/xuri/excelize/v2"
)

// Sheet names of the review workbook, in their order.
const (
	// sheetSignOff is the first page an auditor signs: what was deleted,
	// by whom, what is to be restored, from which inputs.
	sheetSignOff = "Sign-off"
	SheetUsers   = "Users"
	sheetEvents  = "Events"
	sheetSummary = "Summary"
	SheetAbout   = "About"
)

// printed are the data columns of the Users sheet that a reviewer decides
// on, first after who the user is: with Restore, Status, the names and
// Notes and After import, they are what prints (the print area); the
// other values stay on screen.
var printed = []string{"Email", "jobTitle", "department", "manager"}

// Title is the first cell of the About sheet; approve looks for it to know
// a workbook is a jcrestore review workbook.
const Title = "jcrestore review workbook"

// Columns of the Users sheet around the data columns.
const (
	colRestore   = "Restore"
	colStatus    = "Status"
	colNotes     = "Notes"
	colDeletedAt = "Deleted at (UTC)"
	colDeletedBy = "Deleted by"
	colEventID   = "Event ID"
	colFormerID  = "Former user ID"
	colSource    = "Source"
	// colOrganization is the id of the organization each user was deleted
	// from, when the export names one: approve never mixes two in a CSV.
	colOrganization = "Organization"
	// colDevices lists the devices a user was bound to that the import CSV
	// does not bind, when there are any.
	colDevices = "Devices (bind again by hand)"
	// colManagerID is the user id of each user's manager, when the export
	// gives one: what an import other than Import-JCUsersFromCSV needs.
	colManagerID = "Manager's user ID"
	// colAfter is what the restore script sets for the user after the
	// import (convert.AfterImport), when any user has something: the
	// reviewer may delete a step, and approve --script writes the rest.
	colAfter = "After import (restore script)"
)

// dateFormat shows deletion times; the cells hold real date-times in UTC.
const dateFormat = "yyyy-mm-dd hh:mm:ss"

// Review is what the review workbook shows: every deleted user found (rows
// with errors too, marked No), the audit trail and the counts of a Read,
// and where it all came from.
type Review struct {
	Result  *convert.Result // validated records, left-out users, trail, the files read
	Options []string        // the options given, as typed
	Version string
	Made    time.Time
	Next    string // the command that turns the reviewed workbook into the CSV
	// Organization is the id of the organization of the users in the
	// workbook ("" when the export names none).
	Organization string
	// TmpDir is where a sheet too large to keep in memory is kept while
	// it is written: beside the output, as it holds personal data ("" is
	// the system's temporary directory).
	TmpDir string
	// Progress, when set, counts the rows written (Users, Events and
	// Written), of Rows(), for a progress line.
	Progress *atomic.Int64
}

// Rows is how many rows writing r takes: Progress counts up to it.
func (r *Review) Rows() int {
	return 2*len(r.Result.Records) + len(r.Result.Trail)
}

type styles struct {
	header, text, date int
	wrap               int // text, wrapped: Notes, changes, values of several lines
	status             map[string]int
}

func newStyles(f *excelize.File) (*styles, error) {
	var st styles
	var err error
	add := func(s *excelize.Style) int {
		if err != nil {
			return 0
		}
		var id int
		id, err = f.NewStyle(s)
		return id
	}
	// Every cell at the top of its row: a row made tall by a wrapped
	// note reads as one user's, on screen and on paper.
	top := &excelize.Alignment{Vertical: "top"}
	fill := func(bg, fg string) *excelize.Style {
		return &excelize.Style{NumFmt: 49, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{bg}}, Font: &excelize.Font{Color: fg}, Alignment: top}
	}
	format := dateFormat
	st.header = add(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"D9E1F2"}}, Alignment: top})
	st.text = add(&excelize.Style{NumFmt: 49, Alignment: top}) // "@": what a reviewer types stays text
	st.wrap = add(&excelize.Style{NumFmt: 49, Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}})
	// Dates align left, as the text beside them.
	st.date = add(&excelize.Style{CustomNumFmt: &format, Alignment: &excelize.Alignment{Horizontal: "left", Vertical: "top"}})
	st.status = map[string]int{
		"OK":      add(fill("C6EFCE", "006100")),
		"Warning": add(fill("FFEB9C", "9C5700")),
		"Error":   add(fill("FFC7CE", "9C0006")),
	}
	return &st, err
}

// column is one column of a streamed sheet.
type column struct {
	name  string
	style int
	width int  // in characters, grown to fit the content
	cap   int  // the widest it gets, if not 60
	wrap  bool // its text wraps at the width; elsewhere only a value of several lines does
}

// sheet streams rows into a sheet whose columns are known in advance. The
// rows are made on the fly by row, twice: once to fit the column widths
// (which the stream writer needs first), once to write them. No sheet is
// ever held in memory as cells.
type sheet struct {
	f      *excelize.File
	name   string
	cols   []column
	n      int                          // rows
	row    func(i int, dst []any) []any // makes row i (0-based) into dst
	frozen int                          // columns frozen at the left, with the header row
	done   *atomic.Int64                // counts the rows written, where set
	// printed, when set, is how many columns from A print (the print
	// area, with every row), at the printScale of their widths: the
	// sheet's page setup is then write's, once the widths are known.
	printed int
}

// write streams the header and the rows, with fitted widths (capped), a
// frozen header, the Restore drop-down where asked, and a table for the
// filter buttons.
func (s *sheet) write(st *styles, dropList string) error {
	var buf []any
	for i := range s.n {
		buf = s.row(i, buf[:0])
		for j, v := range buf {
			if c, ok := v.(excelize.Cell); ok {
				if str, ok := c.Value.(string); ok {
					for line := range strings.Lines(str) {
						s.cols[j].width = max(s.cols[j].width, utf8.RuneCountInString(strings.TrimRight(line, "\r\n")))
					}
				}
			}
		}
	}
	if dropList != "" && s.n > 0 {
		dv := excelize.NewDataValidation(true)
		dv.SetSqref(fmt.Sprintf("%s2:%s%d", dropList, dropList, s.n+1))
		if err := dv.SetDropList([]string{"Yes", "No"}); err != nil {
			return err
		}
		if err := s.f.AddDataValidation(s.name, dv); err != nil {
			return err
		}
	}
	widths := make([]int, len(s.cols)) // in characters
	for i, c := range s.cols {
		widths[i] = min(max(c.width, utf8.RuneCountInString(c.name)+3, 8), cmp.Or(c.cap, 60)) + 2
	}
	if s.printed > 0 {
		if err := pageSetup(s.f, s.name, paper{scale: printScale(widths[:s.printed], s.frozen)}); err != nil {
			return err
		}
		if err := printArea(s.f, s.name, s.printed, s.n+1); err != nil {
			return err
		}
	}
	sw, err := s.f.NewStreamWriter(s.name)
	if err != nil {
		return err
	}
	// excelize puts each column's settings before those already made:
	// setting them from the last column to the first leaves the <col>
	// elements in the ascending order spreadsheet programs expect.
	for i := len(s.cols) - 1; i >= 0; i-- {
		c := s.cols[i]
		if err := sw.SetColWidth(i+1, i+1, float64(widths[i])); err != nil {
			return err
		}
		if c.style != 0 {
			if err := sw.SetColStyle(i+1, i+1, c.style); err != nil {
				return err
			}
		}
	}
	panes := &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}
	if s.frozen > 0 {
		panes.XSplit, panes.ActivePane = s.frozen, "bottomRight"
		panes.TopLeftCell, _ = excelize.CoordinatesToCellName(s.frozen+1, 2)
	}
	if err := sw.SetPanes(panes); err != nil {
		return err
	}
	// Printed, every page repeats the header and the frozen columns.
	titles := s.name + "!$1:$1"
	if s.frozen > 0 {
		last, _ := excelize.ColumnNumberToName(s.frozen)
		titles = s.name + "!$A:$" + last + "," + titles
	}
	if err := s.f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", RefersTo: titles, Scope: s.name}); err != nil {
		return err
	}
	header := make([]any, len(s.cols))
	for i, c := range s.cols {
		header[i] = excelize.Cell{StyleID: st.header, Value: c.name}
	}
	if err := sw.SetRow("A1", header); err != nil {
		return err
	}
	for i := range s.n {
		buf = s.row(i, buf[:0])
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(cell, buf, s.wrapped(buf, widths, st)...); err != nil {
			return err
		}
		if s.done != nil {
			s.done.Add(1)
		}
	}
	if s.n > 0 {
		last, _ := excelize.CoordinatesToCellName(len(s.cols), s.n+1)
		if err := sw.AddTable(&excelize.Table{Range: "A1:" + last, Name: s.name, StyleName: "TableStyleLight1"}); err != nil {
			return err
		}
	}
	return sw.Flush()
}

// wrapped wraps the text of row where it must (a wrapping column, a
// value of several lines) and returns the row's height for the lines it
// then takes at the columns' widths: spreadsheet programs do not grow a
// row for wrapped text that a file gives, and a value of several lines
// unwrapped shows on the row above.
func (s *sheet) wrapped(row []any, widths []int, st *styles) []excelize.RowOpts {
	lines := 1
	for j, v := range row {
		c, ok := v.(excelize.Cell)
		str, isText := c.Value.(string)
		if !ok || !isText || !s.cols[j].wrap && !strings.ContainsAny(str, "\n\r") {
			continue
		}
		if c.StyleID == st.text {
			c.StyleID = st.wrap
			row[j] = c
		}
		n := 0
		for line := range strings.Lines(str) {
			// Wrapped at spaces a line fills less than its width, and a
			// letter of the default font is narrower than the digit a
			// width counts: about even.
			n += max(1, (utf8.RuneCountInString(strings.TrimRight(line, "\r\n"))+widths[j]-3)/(widths[j]-2))
		}
		lines = max(lines, n)
	}
	if lines == 1 {
		return nil
	}
	// 15 points a line of the default font, and at most the 409 points a
	// row can have.
	return []excelize.RowOpts{{Height: min(15*float64(lines), 409)}}
}

// text makes v a string cell with style, or no cell at all when empty.
func text(v string, style int) any {
	if v == "" {
		return nil
	}
	return excelize.Cell{StyleID: style, Value: v}
}

func date(t time.Time, style int) any {
	if t.IsZero() {
		return nil
	}
	return excelize.Cell{StyleID: style, Value: t.UTC()}
}

// usersLayout is the data columns of the Users sheet: the PowerShell
// layout of the records without Password, which jcrestore never fills.
func usersLayout(recs []convert.Record) *Layout {
	l := PowerShell(recs)
	i := slices.Index(l.Header, "Password")
	l.Header = slices.Delete(l.Header, i, i+1)
	l.sources = slices.Delete(l.sources, i, i+1)
	return l
}

func writeUsers(f *excelize.File, r *Review, st *styles) error {
	recs := r.Result.Records
	l := usersLayout(recs)
	// Who the row is (FirstName, LastName, Username) stays in sight, on
	// screen and on every printed page; then the values decided on, why
	// the row is marked so and what the script will do (all that prints),
	// then the rest of the data.
	who := slices.Index(l.Header, "Username") + 1
	s := &sheet{f: f, name: SheetUsers, n: len(recs), frozen: 2 + who, done: r.Progress}
	s.cols = append(s.cols, column{name: colRestore}, column{name: colStatus})
	after := slices.ContainsFunc(recs, func(r convert.Record) bool { return !r.AfterImport().Empty() })
	// The data columns in the order shown: who, what is decided on, then
	// the rest (order[k] is the index in l.Header of the k-th shown).
	order := make([]int, 0, len(l.Header))
	for i := range who {
		order = append(order, i)
	}
	for _, name := range printed {
		if i := slices.Index(l.Header, name); i >= 0 {
			order = append(order, i)
		}
	}
	for i := range l.Header {
		if !slices.Contains(order, i) {
			order = append(order, i)
		}
	}
	decided := who + countPrinted(l.Header) // who the user is, and the printed columns
	// The printed columns wrap at widths that keep the print two pages
	// wide at 7 points or more (printScale, TestWorkbookPrinted).
	for k, i := range order {
		if k == decided {
			s.cols = append(s.cols, column{name: colNotes, style: st.text, cap: 34, wrap: true})
			if after {
				s.cols = append(s.cols, column{name: colAfter, style: st.text, cap: 34, wrap: true})
			}
		}
		c := column{name: l.Header[i], style: st.text}
		if k >= who && k < decided {
			c.cap, c.wrap = 28, true
		}
		s.cols = append(s.cols, c)
	}
	s.printed = 2 + decided + 1 // Restore, Status, the decided columns, Notes
	if after {
		s.printed++ // and After import
	}
	s.cols = append(s.cols, column{name: colDeletedAt, style: st.date, width: len(dateFormat)},
		column{name: colDeletedBy, style: st.text}, column{name: colEventID, style: st.text},
		column{name: colFormerID, style: st.text}, column{name: colSource, style: st.text})
	orgs := slices.ContainsFunc(recs, func(r convert.Record) bool { return r.Organization != "" })
	if orgs {
		s.cols = append(s.cols, column{name: colOrganization, style: st.text})
	}
	devices := slices.ContainsFunc(recs, func(r convert.Record) bool { return len(r.Devices) > 0 })
	if devices {
		s.cols = append(s.cols, column{name: colDevices, style: st.text, wrap: true})
	}
	managerIDs := slices.ContainsFunc(recs, func(r convert.Record) bool { return r.ManagerID != "" })
	if managerIDs {
		s.cols = append(s.cols, column{name: colManagerID, style: st.text})
	}
	var data []string
	s.row = func(i int, row []any) []any {
		rec := &recs[i]
		restore, status := restoreStatus(rec)
		row = append(row, text(restore, st.text), text(status, st.status[status]))
		data = l.row(data, rec)
		for k, j := range order {
			if k == decided {
				row = append(row, text(notes(rec), st.text))
				if after {
					row = append(row, text(rec.AfterImport().String(), st.text))
				}
			}
			row = append(row, text(data[j], st.text))
		}
		row = append(row, date(rec.DeletedAt, st.date), text(rec.DeletedBy, st.text), text(rec.EventID, st.text),
			text(rec.FormerID, st.text), text(rec.Source, st.text))
		if orgs {
			row = append(row, text(rec.Organization, st.text))
		}
		if devices {
			row = append(row, text(strings.Join(rec.Devices, "; "), st.text))
		}
		if managerIDs {
			row = append(row, text(rec.ManagerID, st.text))
		}
		return row
	}
	return s.write(st, "A")
}

// countPrinted counts the printed columns among header.
func countPrinted(header []string) int {
	n := 0
	for _, p := range printed {
		if slices.Contains(header, p) {
			n++
		}
	}
	return n
}

// printArea prints of the sheet sh its first cols columns and rows rows.
func printArea(f *excelize.File, sh string, cols, rows int) error {
	last, err := excelize.ColumnNumberToName(max(cols, 1))
	if err != nil {
		return err
	}
	return f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Area", RefersTo: fmt.Sprintf("'%s'!$A$1:$%s$%d", sh, last, max(rows, 1)), Scope: sh})
}

// sheetWritten keeps, hidden, what convert wrote of each user on the
// Users sheet, one JSON object a row under the row's key (its event id):
// approve tells the reviewer's edits against it.
const sheetWritten = "Written"

// writtenKey is the key of a record's row on the Written sheet.
func writtenKey(eventID, formerID, source string) string {
	return cmp.Or(eventID, formerID, source)
}

// writeWritten writes the Written sheet: for each user, the Users sheet's
// cells that hold a value, by their header, and After import.
func writeWritten(f *excelize.File, r *Review, st *styles) error {
	recs := r.Result.Records
	l := usersLayout(recs)
	s := &sheet{f: f, name: sheetWritten, n: len(recs), cols: []column{{name: "Key", style: st.text}, {name: "As written", style: st.text}}, done: r.Progress}
	var data []string
	s.row = func(i int, row []any) []any {
		rec := &recs[i]
		data = l.row(data, rec)
		cells := make(map[string]string, len(data)+1)
		for j, v := range data {
			if v != "" {
				cells[l.Header[j]] = v
			}
		}
		if a := rec.AfterImport().String(); a != "" {
			cells[colAfter] = a
		}
		b, _ := json.Marshal(cells)
		return append(row, text(writtenKey(rec.EventID, rec.FormerID, rec.Source), st.text), text(string(b), st.text))
	}
	if err := s.write(st, ""); err != nil {
		return err
	}
	return f.SetSheetVisible(sheetWritten, false, true)
}

// restoreStatus is the default decision for a record: No when validation
// found an error.
func restoreStatus(r *convert.Record) (restore, status string) {
	restore, status = "Yes", "OK"
	for _, is := range r.Issues {
		switch {
		case is.Severity == convert.Error:
			return "No", "Error"
		case is.Severity == convert.Warning:
			status = "Warning"
		}
	}
	return restore, status
}

// notes puts every finding and note of a record in words.
func notes(r *convert.Record) string {
	var parts []string
	for _, is := range r.Issues {
		parts = append(parts, is.String())
	}
	parts = append(parts, r.Notes...)
	parts = append(parts, r.Details...)
	return strings.Join(parts, "; ")
}

// writeEvents writes the audit trail, which stays on screen: printed, the
// sheet is its header alone (a print area), for the trail of a large
// incident runs to thousands of pages.
func writeEvents(f *excelize.File, r *Review, st *styles) error {
	trail := r.Result.Trail
	s := &sheet{f: f, name: sheetEvents, n: len(trail), cols: []column{
		{name: "Time (UTC)", style: st.date, width: len(dateFormat)}, {name: "Event type"}, {name: "Service"}, {name: "Username"},
		{name: "Initiated by"}, {name: "Changes", wrap: true, cap: 100}, {name: "Client IP"}, {name: "Event ID"}, {name: "Source"},
	}, done: r.Progress}
	s.row = func(i int, row []any) []any {
		e := &trail[i]
		return append(row, date(e.Time, st.date), text(e.Type, st.text), text(e.Service, st.text), text(e.Username, st.text),
			text(e.InitiatedBy, st.text), text(e.Changes, st.text), text(e.ClientIP, st.text), text(e.ID, st.text), text(e.Source, st.text))
	}
	if err := s.write(st, ""); err != nil {
		return err
	}
	return printArea(f, sheetEvents, len(s.cols), 1)
}

func ptr[T any](v T) *T { return &v }
