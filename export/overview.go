package export

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"
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
	return f.AddChart(sh, "D2", &excelize.Chart{
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
		Format:     excelize.GraphicOptions{ScaleX: 1.5, ScaleY: 1.2},
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
	rows = append(rows, []any{}, []any{"Input", "Size (bytes)", "SHA-256"})
	inputs := len(rows) // the header of the inputs' table
	for _, in := range r.Result.Files {
		rows = append(rows, []any{in.Name, in.Size, in.SHA256})
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
		left = [2]string{fmt.Sprintf("B%d", inputs+1), fmt.Sprintf("B%d", inputs+n)}
	}
	if err := writeFacts(f, sh, st, rows, bold, left); err != nil {
		return err
	}
	if err := f.SetColWidth(sh, "A", "A", fitWidth(f, sh, 24)); err != nil {
		return err
	}
	return f.SetColWidth(sh, "B", "C", 66)
}

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
