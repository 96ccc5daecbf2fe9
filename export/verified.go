package export

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/jcrestore/jcrestore/convert"
	"github.com/xuri/excelize/v2"
)

// The verification workbook: what an auditor keeps of a verify. One row
// per planned user back as planned or missing, per field that differs and
// per step that failed; the evidence with its SHA-256 on About.

// Sheets of the verification workbook.
const (
	SheetVerified = "Verified"
	// VerifiedTitle is the first cell of its About sheet.
	VerifiedTitle = "jcrestore verification"
)

// Verified is what the verification workbook shows.
type Verified struct {
	Result   *convert.Verification
	Evidence []*Evidence // the files given, and those read with them
	Options  []string
	Version  string
	Made     time.Time
}

// WriteVerified writes the verification workbook: Verified, About.
func WriteVerified(w io.Writer, v *Verified) error {
	f := newFile("")
	defer f.Close()
	if err := f.SetSheetName("Sheet1", SheetVerified); err != nil {
		return err
	}
	if _, err := f.NewSheet(SheetAbout); err != nil {
		return err
	}
	st, err := newStyles(f)
	if err != nil {
		return err
	}
	for _, sh := range []string{SheetVerified, SheetAbout} {
		if err := pageSetup(f, sh, 1); err != nil {
			return err
		}
	}
	rows := verifiedRows(v.Result)
	verdictStyle := map[string]int{string(convert.Back): st.status["OK"], string(convert.Differs): st.status["Warning"], string(convert.Missing): st.status["Error"], "step failed": st.status["Error"]}
	s := &sheet{f: f, name: SheetVerified, frozen: 1, n: len(rows),
		cols: []column{{name: "Username", style: st.text}, {name: "Email", style: st.text}, {name: "Verdict", style: st.text},
			{name: "Field", style: st.text}, {name: "Planned", style: st.text, cap: 40, wrap: true}, {name: "Now", style: st.text, cap: 40, wrap: true},
			{name: "Note", style: st.text, cap: 50, wrap: true}, {name: "Plan", style: st.text}, {name: "User ID now", style: st.text}},
		row: func(i int, dst []any) []any {
			r := rows[i]
			return append(dst, text(r[0], st.text), text(r[1], st.text), text(r[2], verdictStyle[r[2]]),
				text(r[3], st.text), text(r[4], st.text), text(r[5], st.text), text(r[6], st.text), text(r[7], st.text), text(r[8], st.text))
		}}
	if err := s.write(st, ""); err != nil {
		return err
	}
	if err := writeVerifiedAbout(f, v, st); err != nil {
		return err
	}
	return f.Write(w)
}

// verifiedRows are the rows of the Verified sheet: username, email,
// verdict, field, planned, now, note, plan, user id.
func verifiedRows(v *convert.Verification) [][9]string {
	var rows [][9]string
	for _, u := range v.Users {
		row := func(verdict, field, planned, now, note string) {
			rows = append(rows, [9]string{u.Username, u.Email, verdict, field, planned, now, note, u.Plan, u.ID})
		}
		var notCompared []string
		for _, f := range u.Fields {
			if f.NotCompared != "" {
				notCompared = append(notCompared, f.Field)
			}
		}
		note := ""
		if len(notCompared) > 0 {
			note = "not compared: " + strings.Join(notCompared, ", ")
		}
		switch u.Verdict {
		case convert.Missing:
			row(string(u.Verdict), "", "", "", "no user has this username or email now")
		case convert.Back:
			row(string(u.Verdict), "", "", "", strings.Join(slices.DeleteFunc([]string{compared(u), note}, func(s string) bool { return s == "" }), "; "))
		default:
			for i, d := range u.Differences() {
				n := ""
				if i == 0 {
					n = note
				}
				row(string(u.Verdict), d.Field, d.Planned, d.Now, n)
			}
		}
		for _, s := range u.Failed {
			row("step failed", strings.TrimSpace(s.Step+" "+s.Target), "done", s.Outcome, s.Error)
		}
	}
	for _, s := range v.OtherSteps {
		rows = append(rows, [9]string{s.Username, "", "step failed", strings.TrimSpace(s.Step + " " + s.Target), "done", s.Outcome, s.Error, "", ""})
	}
	return rows
}

// compared says how many fields of u were compared.
func compared(u convert.UserCheck) string {
	n := 0
	for _, f := range u.Fields {
		if f.NotCompared == "" {
			n++
		}
	}
	return convert.Plural(n, "field compared", "fields compared")
}

func writeVerifiedAbout(f *excelize.File, v *Verified, st *styles) error {
	const sh = SheetAbout
	c := v.Result.Counts
	rows := [][]any{
		{VerifiedTitle},
		{},
		{"jcrestore version", v.Version},
		{"Made (UTC)", v.Made.UTC()},
		{"Options", strings.Join(v.Options, " ")},
		{"Planned users", c.Planned},
		{"Back as planned", c.Back},
		{"With differences", c.Differ},
		{"Missing", c.Missing},
		{"Steps failed", c.StepsFailed},
		{"Other users now", c.Others},
		{},
		{"Evidence", "Kind", "Size (bytes)", "SHA-256"},
	}
	header := len(rows)
	for _, e := range v.Evidence {
		rows = append(rows, []any{e.Name, e.Kind, e.Size, e.SHA256})
	}
	if len(v.Result.Notes) > 0 {
		rows = append(rows, []any{})
		for i, n := range v.Result.Notes {
			name := ""
			if i == 0 {
				name = "Notes"
			}
			rows = append(rows, []any{name, n.String()})
		}
	}
	bold := [][2]string{{"A1", "A1"}, {"A3", fmt.Sprintf("A%d", header-2)}, {fmt.Sprintf("A%d", header), fmt.Sprintf("D%d", header)}}
	if err := writeFacts(f, sh, st, rows, bold, [2]string{"B6", fmt.Sprintf("C%d", header+len(v.Evidence))}); err != nil {
		return err
	}
	if err := f.SetColWidth(sh, "A", "A", fitWidth(f, sh, 24)); err != nil {
		return err
	}
	if err := f.SetColWidth(sh, "B", "C", 14); err != nil {
		return err
	}
	return f.SetColWidth(sh, "D", "D", 68)
}
