package main

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/jcrestore/jcrestore/convert"
	"github.com/jcrestore/jcrestore/export"
	"github.com/urfave/cli/v2"
	"golang.org/x/text/width"
)

func inspectAction(c *cli.Context) error {
	rep := newReporter(c.App.ErrWriter, false)
	names, backups, err := inputFiles(c, rep)
	if err != nil {
		return err
	}
	if s, path, err := restoreScript(names, len(backups)); err != nil || s != nil {
		if err != nil {
			return err
		}
		return writeTo(c, "", false, func(w io.Writer) error { return writeScriptPlan(w, path, s, c.Bool("json")) })
	}
	var problems convert.Problems
	res, err := readInputs(c, rep, names, convert.Options{Inspect: true, Report: problems.Add, Backups: backups})
	if err != nil {
		return err
	}
	if err := foreignInputs(rep, res); err != nil {
		return err
	}
	in := convert.Inspect(res, &problems, now())
	write := writeInspection
	if c.Bool("json") {
		write = writeInspectionJSON
	}
	if err := writeTo(c, "", false, func(w io.Writer) error { return write(w, in) }); err != nil {
		return err
	}
	if !res.Usable() {
		return &exitError{code: exitNoInput}
	}
	return nil
}

// restoreScript is the restore script among the inputs, read, where one
// is: inspect then prints its plan, and it must come alone. A script is
// known by its first lines.
func restoreScript(names []string, backups int) (*export.Script, string, error) {
	for _, n := range names {
		if n == "-" {
			continue
		}
		f, err := os.Open(n)
		if err != nil {
			return nil, "", fail(exitUsage, "%s", export.PathError(err))
		}
		head := make([]byte, 4096)
		k, _ := io.ReadFull(f, head)
		f.Close()
		if !bytes.Contains(head[:k], []byte("Written by jcrestore")) {
			continue
		}
		if len(names)+backups > 1 {
			return nil, "", fail(exitUsage, "%s is a restore script: inspect it alone to see its plan", n)
		}
		b, err := os.ReadFile(n)
		if err != nil {
			return nil, "", fail(exitUsage, "%s", export.PathError(err))
		}
		s, err := export.ReadScript(n, b)
		if err != nil {
			return nil, "", fail(exitNoInput, "%s", err)
		}
		return s, n, nil
	}
	return nil, "", nil
}

// writeScriptPlan prints the plan of the restore script s, read from
// path, in words, user by user: every step -WhatIf would show.
func writeScriptPlan(w io.Writer, path string, s *export.Script, asJSON bool) error {
	words := s.Words()
	if asJSON {
		type user struct {
			Username string   `json:"username"`
			Email    string   `json:"email"`
			Source   string   `json:"source"`
			Steps    []string `json:"steps"`
		}
		out := struct {
			File         string `json:"file"`
			Organization string `json:"organization"`
			Record       string `json:"record"`
			Reviewed     string `json:"reviewed,omitempty"`
			Users        []user `json:"users"`
		}{path, s.Organization, s.Results, s.Reviewed, make([]user, len(s.Users))}
		for i, u := range s.Users {
			out.Users[i] = user{u.Row.Username, u.Row.Email, u.Row.Source, words[i]}
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(out)
	}
	var b strings.Builder
	org := "an organization it does not name"
	if s.Organization != "" {
		org = "the organization " + s.Organization
	}
	fmt.Fprintf(&b, "%s: the restore script of %s of %s; its record: %s\n", path, convert.Plural(len(s.Users), "user", "users"), org, s.Results)
	if s.Reviewed != "" {
		fmt.Fprintf(&b, "written from the reviewed workbook %s\n", s.Reviewed)
	}
	after := 0
	for i, u := range s.Users {
		if !u.After.Empty() {
			after++
		}
		fmt.Fprintf(&b, "\n%s <%s> (%s)\n", u.Row.Username, u.Row.Email, u.Row.Source)
		for _, step := range words[i] {
			fmt.Fprintf(&b, "  %s\n", step)
		}
	}
	fmt.Fprintf(&b, "\n%s to import, %s with steps after the import. Run .\\%s -WhatIf to see what it would do in your organization now.\n",
		convert.Plural(len(s.Users), "user", "users"), convert.Count(after), filepath.Base(path))
	_, err := io.WriteString(w, printable(b.String()))
	return err
}

// maxUsersListed is how many deleted users an inspection names for a
// person; the JSON names them all.
const maxUsersListed = 20

// writeInspection prints an inspection for a person.
func writeInspection(w io.Writer, in *convert.Inspection) error {
	var lines []string
	p := func(format string, args ...any) { lines = append(lines, printable(fmt.Sprintf(format, args...))) }
	p("Files:")
	for _, f := range in.Files {
		held := convert.Plural(f.Events, "event", "events")
		switch {
		case f.Empty:
			held = "nothing in it"
		case f.Repeats == f.Events && f.Events > 0:
			held += ", all read before"
		case f.Repeats > 0:
			held += fmt.Sprintf(", %s read before", convert.Count(f.Repeats))
		}
		cut := ""
		if f.CutAt > 0 {
			cut = fmt.Sprintf("; INCOMPLETE: it ends in the middle, at byte %s (still downloading, or cut when copied)", convert.Count(int(f.CutAt)))
		}
		p("  %s\t%s, %s\t%s%s%s", f.Name, strings.Join(f.Encoding, ", "), f.Container, held, unreadable(f.Unreadable-boolInt(f.Empty)), cut)
	}
	if len(in.Backups) > 0 {
		p("Backups:")
		for _, b := range in.Backups {
			org := ""
			if b.Organization != "" {
				org = ", organization " + b.Organization
			}
			p("  %s\t%s of %s%s\t%s, %s", b.Name, b.By, b.Date.Format("2006-01-02 15:04"), org,
				convert.Plural(b.Users, "user", "users"), convert.Plural(b.Memberships, "group, device or link", "groups, devices or links"))
		}
	}
	p("")
	events := convert.Count(in.Events)
	if in.Repeats > 0 {
		events += fmt.Sprintf(" (%s more read twice, counted once)", convert.Count(in.Repeats))
	}
	if in.Empty > 0 {
		events += fmt.Sprintf(", %s", convert.Plural(in.Empty, "input empty", "inputs empty"))
	}
	p("Events: %s%s", events, unreadable(in.Unreadable-in.Empty))
	for _, service := range slices.Sorted(maps.Keys(in.ByService)) {
		types := in.ByService[service]
		for _, typ := range slices.Sorted(maps.Keys(types)) {
			p("  %s\t%s\t%s", cmp.Or(service, "(no service)"), typ, convert.Count(types[typ]))
		}
	}
	if in.First != nil {
		p("From %s to %s", in.First.Format(time.RFC3339), in.Last.Format(time.RFC3339))
	}
	p("")
	u := in.UsersDeleted
	p("Users deleted: %s (with an email %s, a first name %s, a last name %s), the newest deletion first:", convert.Count(u.Total), convert.Count(u.WithEmail), convert.Count(u.WithFirstName), convert.Count(u.WithLastName))
	for _, why := range slices.Sorted(maps.Keys(u.LeftOut)) {
		p("  left out, %s: %s", why, convert.Count(u.LeftOut[why]))
	}
	for i, du := range u.Users {
		if i == maxUsersListed {
			p("  and %s more (inspect --json lists them all)", convert.Count(len(u.Users)-i))
			break
		}
		at := "(no time)"
		if du.DeletedAt != nil {
			at = du.DeletedAt.Format(time.RFC3339)
		}
		at += "\tby " + cmp.Or(du.DeletedBy, "(unknown)")
		if du.LeftOut != "" {
			at += "\tleft out, " + du.LeftOut
		}
		p("  %s\t%s\t%s\t%s", cmp.Or(du.Username, "(no username)"), cmp.Or(du.Email, "(no email)"), cmp.Or(strings.TrimSpace(du.FirstName+" "+du.LastName), "(no name)"), at)
	}
	if len(in.Organizations) > 0 {
		p("Organizations:")
		for _, o := range in.Organizations {
			p("  %s\t%s\t%s", export.OrgName(o.ID), convert.Plural(o.Events, "event", "events"), convert.Plural(o.UsersDeleted, "user deleted", "users deleted"))
		}
		if len(in.Organizations) > 1 {
			p("  a CSV holds the users of one organization: convert with --org ID, or --split-by-org")
		}
	}
	if len(in.Admins) > 0 {
		p("Deleted by:")
		for _, a := range in.Admins {
			when := ""
			if a.First != nil {
				when = fmt.Sprintf("\t%s to %s", a.First.Format(time.RFC3339), a.Last.Format(time.RFC3339))
			}
			p("  %s\t%s%s", a.Admin, convert.Plural(a.Users, "user", "users"), when)
		}
	}
	p("")
	if len(in.Problems) == 0 {
		p("No problems found.")
	} else {
		p("Problems:")
		for _, pr := range in.Problems {
			place := ""
			if pr.Place != "" {
				place = pr.Place + ": "
			}
			note := ""
			if pr.Kind == "note" {
				note = "note: "
			}
			p("  %s%s%s", place, note, pr.Message)
		}
	}
	_, err := io.WriteString(w, aligned(lines))
	return err
}

// aligned lays out lines whose cells end in tabs as text/tabwriter does
// with two spaces of padding, but measures cells by the columns they take
// on a terminal, not by runes: 佐藤 takes four. A column lines up across
// each run of lines that have a cell in it.
func aligned(lines []string) string {
	cells := make([][]string, len(lines))
	for i, l := range lines {
		cells[i] = strings.Split(l, "\t")
	}
	widths := make([][]int, len(lines)) // of each line's tab-ended cells
	for i := range lines {
		widths[i] = make([]int, len(cells[i])-1)
	}
	for col := 0; ; col++ {
		found := false
		for i := 0; i < len(lines); {
			if len(widths[i]) <= col {
				i++
				continue
			}
			found = true
			end, w := i, 0
			for ; end < len(lines) && len(widths[end]) > col; end++ {
				w = max(w, displayWidth(cells[end][col]))
			}
			for ; i < end; i++ {
				widths[i][col] = w
			}
		}
		if !found {
			break
		}
	}
	var b strings.Builder
	for i, cs := range cells {
		for col, c := range cs {
			b.WriteString(c)
			if col < len(widths[i]) {
				b.WriteString(strings.Repeat(" ", widths[i][col]-displayWidth(c)+2))
			}
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// displayWidth is how many columns s takes on a terminal: two for a wide
// (East Asian) character, none for a combining mark.
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		switch {
		case unicode.In(r, unicode.Mn, unicode.Me) || r == '\u200b':
		case width.LookupRune(r).Kind() == width.EastAsianWide || width.LookupRune(r).Kind() == width.EastAsianFullwidth:
			n += 2
		default:
			n++
		}
	}
	return n
}

// writeInspectionJSON prints an inspection as one JSON object, for
// scripts.
func writeInspectionJSON(w io.Writer, in *convert.Inspection) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(in)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// unreadable is " (N unreadable)", or "" for none.
func unreadable(n int) string {
	if n == 0 {
		return ""
	}
	return " (" + convert.Count(n) + " unreadable)"
}
