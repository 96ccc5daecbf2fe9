package export

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/jcrestore/jcrestore/convert"
	"github.com/xuri/excelize/v2"
)

// The verification workbook: what an auditor keeps of a verify. Its
// first sheet is the summary (counts, the evidence with its SHA-256), its
// second one row per thing that is not as planned (users missing or not
// restored, differences, failed steps, what was not checked), then one
// per user back as planned.

// Sheets of the verification workbook.
const (
	SheetVerified = "Verified"
	// VerifiedTitle is the first cell of its About sheet.
	VerifiedTitle = "jcrestore verification"
)

// File is one file verify read, as the workbook lists it.
type File struct {
	Name, Kind string
	Size       int64
	SHA256     string
}

// Verified is what the verification workbook shows.
type Verified struct {
	Result   *convert.Verification
	Evidence []File // the files given
	Options  []string
	Version  string
	Made     time.Time
}

// WriteVerified writes the verification workbook: About (the summary),
// Verified.
func WriteVerified(w io.Writer, v *Verified) error {
	f := newFile("")
	defer f.Close()
	if err := f.SetSheetName("Sheet1", SheetAbout); err != nil {
		return err
	}
	if _, err := f.NewSheet(SheetVerified); err != nil {
		return err
	}
	st, err := newStyles(f)
	if err != nil {
		return err
	}
	for _, sh := range []string{SheetVerified, SheetAbout} {
		if err := pageSetup(f, sh, paper{wide: 1}); err != nil {
			return err
		}
	}
	rows := verifiedRows(v.Result)
	verdictStyle := map[string]int{string(convert.Back): st.status["OK"], string(convert.Differs): st.status["Warning"], string(convert.NotChecked): st.status["Warning"],
		string(convert.Missing): st.status["Error"], string(convert.NotRestore): st.status["Error"], "step failed": st.status["Error"]}
	s := &sheet{f: f, name: SheetVerified, frozen: 1, n: len(rows),
		cols: []column{{name: "Username", style: st.text}, {name: "Email", style: st.text}, {name: "Verdict", style: st.text},
			{name: "Field", style: st.text, cap: 40, wrap: true}, {name: "Planned", style: st.text, cap: 40, wrap: true}, {name: "Now", style: st.text, cap: 40, wrap: true},
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
// verdict, field, planned, now, note, plan, user id. The problems come
// first, in the order an auditor reads them: users missing or not
// restored, differences, failed steps, what was not checked; then the
// users back as planned.
func verifiedRows(v *convert.Verification) [][9]string {
	var rank [5][][9]string // missing, differences, failed steps, not checked, back
	for _, u := range v.Users {
		row := func(k int, verdict, field, planned, now, note string) {
			rank[k] = append(rank[k], [9]string{u.Username, u.Email, verdict, field, planned, now, note, u.Plan, u.ID})
		}
		switch u.Verdict {
		case convert.Missing, convert.NotRestore:
			row(0, string(u.Verdict), "", "", "", u.Why)
		case convert.Back:
			row(4, string(u.Verdict), "", "", "", compared(u))
		case convert.Differs:
			for _, d := range u.Differences() {
				row(1, string(u.Verdict), d.Field, d.Planned, d.Now, "")
			}
		}
		for _, s := range u.Failed {
			row(2, "step failed", cmp.Or(s.Words, strings.TrimSpace(s.Step+" "+s.Target)), "done", s.Outcome, s.Message)
		}
		if u.Verdict == convert.Differs || u.Verdict == convert.NotChecked {
			for _, n := range u.Unchecked {
				row(3, string(convert.NotChecked), "", "", "", n)
			}
		}
	}
	for _, s := range v.OtherSteps {
		rank[2] = append(rank[2], [9]string{s.Username, "", "step failed", cmp.Or(s.Words, strings.TrimSpace(s.Step+" "+s.Target)), "done", s.Outcome, s.Message, "", ""})
	}
	return slices.Concat(rank[:]...)
}

// compared says how many things were compared for u.
func compared(u convert.UserCheck) string {
	return convert.Plural(len(u.Fields), "thing compared", "things compared")
}

func writeVerifiedAbout(f *excelize.File, v *Verified, st *styles) error {
	const sh = SheetAbout
	c := v.Result.Counts
	steps := any("not given")
	if c.StepsGiven {
		steps = c.StepsFailed
	}
	rows := [][]any{
		{VerifiedTitle},
		{},
		{"jcrestore version", v.Version},
		{"Made (UTC)", v.Made.UTC()},
		{"Options", strings.Join(v.Options, " ")},
		{"Planned users", c.Planned},
		{"Back as planned", c.Back},
		{"With differences", c.Differ},
		{"Back, not checked in full", c.NotChecked},
		{"Missing", c.Missing},
		{"Not restored", c.NotRestore},
		{"Steps failed", steps},
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
	// Wide enough for the date and time of Made, which prints as ### in
	// a narrower column.
	if err := f.SetColWidth(sh, "B", "C", 20); err != nil {
		return err
	}
	return f.SetColWidth(sh, "D", "D", 68)
}
