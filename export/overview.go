package export

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jcrestore/jcrestore/convert"
	"github.com/xuri/excelize/v2"
)

// The Summary and About sheets: what a reviewer or an auditor reads first,
// small enough to be written cell by cell.

// largestFirst turns counts into the rows of a Summary table, largest
// first.
func largestFirst(m map[string]int) []convert.Tally {
	var out []convert.Tally
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, convert.Tally{Label: k, N: m[k]})
	}
	slices.SortStableFunc(out, func(a, b convert.Tally) int { return cmp.Compare(b.N, a.N) })
	return out
}

func writeSummary(f *excelize.File, r *Review, st *styles) error {
	res := r.Result
	c := res.Count()
	leftOut := map[string]int{}
	for _, t := range c.LeftOut {
		reason := t.Label
		if reason == convert.ReasonBack {
			reason += " (created again later)"
		}
		leftOut["Left out: "+reason] += t.N
	}

	const sh = sheetSummary
	row := 1
	put := func(style int, values ...any) error {
		cell, _ := excelize.CoordinatesToCellName(1, row)
		row++
		if err := f.SetSheetRow(sh, cell, &values); err != nil {
			return err
		}
		if style != 0 {
			end, _ := excelize.CoordinatesToCellName(len(values), row-1)
			return f.SetCellStyle(sh, cell, end, style)
		}
		return nil
	}
	table := func(title, what string, rows []convert.Tally) (first, last int, err error) {
		row++
		if err = put(st.header, title, what); err != nil {
			return
		}
		first = row
		for _, c := range rows {
			if err = put(0, c.Label, c.N); err != nil {
				return
			}
		}
		return first, row - 1, nil
	}

	users := []convert.Tally{{Label: "Deleted users found", N: c.Users}, {Label: "Marked Restore", N: c.Restore},
		{Label: "With errors (marked No)", N: c.Errors}, {Label: "Values filled from the users' earlier events", N: res.History}}
	if res.Backed > 0 {
		users = append(users, convert.Tally{Label: "Values filled from a backup", N: res.Backed})
	}
	users = append(users, largestFirst(leftOut)...)
	if err := put(st.header, "jcrestore summary", ""); err != nil {
		return err
	}
	if r.Organization != "" {
		if err := put(0, "Organization", r.Organization); err != nil {
			return err
		}
	}
	if _, _, err := table("Users", "Count", users); err != nil {
		return err
	}
	days := largestFirst(c.PerDay)
	slices.SortFunc(days, func(a, b convert.Tally) int { return cmp.Compare(a.Label, b.Label) })
	first, last, err := table("Deletions per day", "Deletions", days)
	if err != nil {
		return err
	}
	if _, _, err := table("Deletions per admin", "Deletions", largestFirst(c.PerAdmin)); err != nil {
		return err
	}
	if _, _, err := table("Events read by type", "Events", largestFirst(res.ByType)); err != nil {
		return err
	}
	if err := f.SetColWidth(sh, "A", "A", fitWidth(f, sh, 42)); err != nil {
		return err
	}
	values := 12.0
	if r.Organization != "" {
		values = 26 // the organization's id, whole
	}
	if err := f.SetColWidth(sh, "B", "B", values); err != nil {
		return err
	}
	if len(days) == 0 {
		return nil
	}
	// One colour for the bars (they are all the same thing) and dark
	// labels, readable on paper.
	dark := excelize.Font{Color: "000000", Size: 10}
	// Below the tables: printed, the page is no wider than they are.
	below, _ := excelize.CoordinatesToCellName(1, row+1)
	return f.AddChart(sh, below, &excelize.Chart{
		Type: excelize.Col,
		Series: []excelize.ChartSeries{{
			Name:       fmt.Sprintf("%s!$B$%d", sh, first-1),
			Categories: fmt.Sprintf("%s!$A$%d:$A$%d", sh, first, last),
			Values:     fmt.Sprintf("%s!$B$%d:$B$%d", sh, first, last),
			Fill:       excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"4472C4"}},
		}},
		VaryColors: ptr(false),
		XAxis:      excelize.ChartAxis{Font: dark},
		YAxis:      excelize.ChartAxis{Font: dark, MajorGridLines: true},
		Title:      excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: "Deletions per day", Font: &excelize.Font{Color: "000000", Size: 12, Bold: true}}}},
		Legend:     excelize.ChartLegend{Position: "none"},
		Format:     excelize.GraphicOptions{ScaleX: 1.2, ScaleY: 1.2},
	})
}

func writeAbout(f *excelize.File, r *Review, st *styles) error {
	const sh = SheetAbout
	rows := [][]any{
		{Title},
		{},
		{"jcrestore version", r.Version},
		{"Made (UTC)", r.Made.UTC()},
		{"Options", strings.Join(r.Options, " ")},
	}
	if r.Organization != "" {
		rows = append(rows, []any{"Organization", r.Organization})
	}
	rows = append(rows, []any{}, []any{"Input", "SHA-256", "Size (bytes)"})
	inputs := len(rows) // the header of the inputs' table
	for _, in := range r.Result.Files {
		rows = append(rows, []any{in.Name, in.SHA256, in.Size})
	}
	for _, b := range r.Result.Backups {
		rows = append(rows, []any{b.Name + ": " + b.Words(), b.SHA256, b.Size})
	}
	rows = append(rows, []any{},
		[]any{"Next step", "On the Users sheet, set Restore to Yes or No for each user and edit any value; hide columns rather than delete them."},
		[]any{"", restoreHelp + "."},
		[]any{"", "Save, then run:"},
		[]any{"", r.Next},
		[]any{"", "It writes the restore script of the rows marked Restore (add -o restore.csv for the CSV too). In a PowerShell session connected with Connect-JCOnline: .\\restore.ps1 -WhatIf, then .\\restore.ps1, then jcrestore verify restore-results.json."})
	// Bold: the title, the names of the facts, the inputs' header.
	bold := [][2]string{{"A1", "A1"}, {"A3", fmt.Sprintf("A%d", inputs-2)}, {fmt.Sprintf("A%d", inputs), fmt.Sprintf("C%d", inputs)}}
	var left [2]string // the sizes, aligned as the other values are
	if n := len(r.Result.Files); n > 0 {
		left = [2]string{fmt.Sprintf("C%d", inputs+1), fmt.Sprintf("C%d", inputs+n)}
	}
	if err := writeFacts(f, sh, st, rows, bold, left); err != nil {
		return err
	}
	// The options and the next step wrap in B, in rows as tall as their
	// lines (spreadsheet programs do not grow them): printed, the page is
	// no wider than the facts.
	wrapped := []int{5}
	for row := inputs + len(r.Result.Files) + 2; row <= len(rows); row++ {
		wrapped = append(wrapped, row)
	}
	for _, row := range wrapped {
		b := fmt.Sprintf("B%d", row)
		if err := f.SetCellStyle(sh, b, b, st.wrap); err != nil {
			return err
		}
		v, _ := f.GetCellValue(sh, b)
		if lines := (utf8.RuneCountInString(v) + aboutWidth - 5) / (aboutWidth - 4); lines > 1 {
			if err := f.SetRowHeight(sh, row, 15*float64(lines)); err != nil {
				return err
			}
		}
	}
	if err := f.SetColWidth(sh, "A", "A", fitWidth(f, sh, 24)); err != nil {
		return err
	}
	if err := f.SetColWidth(sh, "B", "B", aboutWidth); err != nil {
		return err
	}
	return f.SetColWidth(sh, "C", "C", 14)
}

// aboutWidth is the width of column B of the About sheet, in characters:
// a SHA-256 whole.
const aboutWidth = 66

// writeFacts writes rows from A1 of the small sheet sh (an About sheet),
// the ranges in bold as headers, B4 (when it was made) as a date, and the
// range left, if any, aligned left, as text is.
func writeFacts(f *excelize.File, sh string, st *styles, rows [][]any, bold [][2]string, left [2]string) error {
	for i, values := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow(sh, cell, &values); err != nil {
			return err
		}
	}
	for _, c := range bold {
		if err := f.SetCellStyle(sh, c[0], c[1], st.header); err != nil {
			return err
		}
	}
	if err := f.SetCellStyle(sh, "B4", "B4", st.date); err != nil {
		return err
	}
	if left[0] == "" {
		return nil
	}
	style, err := f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{Horizontal: "left"}})
	if err != nil {
		return err
	}
	return f.SetCellStyle(sh, left[0], left[1], style)
}

// fitWidth is a width for column A of the small sheet sh that shows its
// longest value whole (an input's path, an admin's email), at least least
// and at most 100 characters.
func fitWidth(f *excelize.File, sh string, least int) float64 {
	widest := least
	cols, _ := f.GetCols(sh)
	if len(cols) > 0 {
		for _, v := range cols[0] {
			widest = max(widest, utf8.RuneCountInString(v)+2)
		}
	}
	return float64(min(widest, 100))
}

// writeSignOff writes the page an auditor signs, first in the workbook:
// the deletions (how many, when, by whom), what is marked Restore (as
// written, and as the Users sheet holds it when printed), the inputs and
// their SHA-256, and lines for a name, a date and a signature.
func writeSignOff(f *excelize.File, r *Review, st *styles) error {
	const sh = sheetSignOff
	res := r.Result
	c := res.Count()
	var first, last time.Time
	deleted := func(t time.Time) {
		if !t.IsZero() && (first.IsZero() || t.Before(first)) {
			first = t
		}
		if t.After(last) {
			last = t
		}
	}
	for i := range res.Records {
		deleted(res.Records[i].DeletedAt)
	}
	for i := range res.LeftOut {
		deleted(res.LeftOut[i].DeletedAt)
	}
	const stamp = "2006-01-02 15:04 UTC"
	between := "unknown"
	if !first.IsZero() {
		between = first.UTC().Format(stamp) + " to " + last.UTC().Format(stamp)
	}
	var by []string
	for i, t := range largestFirst(c.PerAdmin) {
		if i == 5 {
			by = append(by, fmt.Sprintf("and %d more", len(c.PerAdmin)-5))
			break
		}
		by = append(by, fmt.Sprintf("%s (%s)", t.Label, convert.Count(t.N)))
	}
	rows := [][]any{
		{"Restore of deleted JumpCloud users: sign-off"},
		{},
	}
	if r.Organization != "" {
		rows = append(rows, []any{"Organization", r.Organization})
	}
	rows = append(rows,
		[]any{"Users deleted", c.Users},
		[]any{"Deleted", between},
		[]any{"Deleted by", strings.Join(by, ", ")},
		[]any{"Marked Restore when written", c.Restore},
		[]any{"Marked Restore when printed", nil}, // a formula, below
		[]any{"Audit trail", fmt.Sprintf("%s events on the Events sheet, not printed", convert.Count(len(res.Trail)))},
		[]any{"Review workbook made (UTC)", r.Made.UTC().Format(stamp) + " by jcrestore " + r.Version},
		[]any{},
		[]any{"Input", "SHA-256"},
	)
	inputs := len(rows)  // the header of the inputs' table
	marked := inputs - 4 // the row counting Restore when printed
	for _, in := range res.Files {
		rows = append(rows, []any{in.Name, in.SHA256})
	}
	for _, b := range res.Backups {
		rows = append(rows, []any{b.Name + ": " + b.Words(), b.SHA256})
	}
	rows = append(rows, []any{})
	sign := len(rows) + 1
	for _, what := range []string{"Reviewed by (name)", "Date", "Signature"} {
		rows = append(rows, []any{what, ""}, []any{})
	}
	bold := [][2]string{{"A1", "A1"}, {"A3", fmt.Sprintf("A%d", inputs-2)}, {fmt.Sprintf("A%d", inputs), fmt.Sprintf("B%d", inputs)}}
	for i, values := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow(sh, cell, &values); err != nil {
			return err
		}
	}
	for _, c := range bold {
		if err := f.SetCellStyle(sh, c[0], c[1], st.header); err != nil {
			return err
		}
	}
	// What the Users sheet holds when the page is printed: the reviewer
	// may have changed Restore since, to any yes approve takes.
	restore := fmt.Sprintf("%s!A2:A%d", SheetUsers, max(len(res.Records), 1)+1)
	yes := `{"` + strings.Join(restoreYes, `","`) + `"}`
	if err := f.SetCellFormula(sh, fmt.Sprintf("B%d", marked), fmt.Sprintf(`SUMPRODUCT(--ISNUMBER(MATCH(LOWER(TRIM(%s)),%s,0)))`, restore, yes)); err != nil {
		return err
	}
	left, err := f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{Horizontal: "left"}})
	if err != nil {
		return err
	}
	if err := f.SetCellStyle(sh, "B3", fmt.Sprintf("B%d", marked), left); err != nil {
		return err
	}
	line, err := f.NewStyle(&excelize.Style{Border: []excelize.Border{{Type: "bottom", Color: "000000", Style: 1}}})
	if err != nil {
		return err
	}
	for row := sign; row < sign+6; row += 2 {
		if err := f.SetCellStyle(sh, fmt.Sprintf("B%d", row), fmt.Sprintf("B%d", row), line); err != nil {
			return err
		}
		if err := f.SetRowHeight(sh, row, 30); err != nil { // room to sign
			return err
		}
	}
	if err := f.SetColWidth(sh, "A", "A", fitWidth(f, sh, 30)); err != nil {
		return err
	}
	return f.SetColWidth(sh, "B", "B", 66) // a SHA-256 whole
}
