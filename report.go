package main

import (
	"cmp"
	"fmt"
	"io"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/jcrestore/jcrestore/convert"
)

// reporter writes what a run tells the admin on stderr, each message
// prefixed once with the program name: the problems found while reading,
// the findings and notes of the users, the summary line, and a progress
// line while a long read goes on. On a terminal the messages of one kind
// stop after a screenful, and a count tells how many more there were;
// elsewhere only unreadable events are bounded (maxShown). Control bytes
// in messages (an input's NULs, escapes) are shown escaped.
type reporter struct {
	quiet bool // only warnings and errors: no notes, summary or progress line

	mu       sync.Mutex
	w        io.Writer
	bar      bool // a progress line is on screen
	terminal int  // a screenful of lines; 0 when w is not a terminal
	shown    map[kind]int
	hidden   map[kind]int
	// tallied are the findings summed up in one line (Issue.Tally): how
	// many, and the fields they are in.
	tallied map[string]*tally
}

// tally is a kind of finding summed up in one line.
type tally struct {
	n      int
	fields []string
}

// kind is a kind of message, named for the count of those not shown.
type kind struct {
	one, many string
	reading   bool // a problem found while reading: bounded everywhere
}

var (
	unreadableKind = kind{"more unreadable event", "more unreadable events", true}
	readingNote    = kind{"more note on reading", "more notes on reading", true}
	errorKind      = kind{"more error", "more errors", false}
	warning        = kind{"more warning", "more warnings", false}
	note           = kind{"more note", "more notes", false}
)

// maxShown is how many problems of each kind found while reading are
// printed in full when stderr is not a terminal.
const maxShown = 50

// newReporter writes to w.
func newReporter(w io.Writer, quiet bool) *reporter {
	return &reporter{w: w, quiet: quiet, terminal: screenful(w), shown: map[kind]int{}, hidden: map[kind]int{}, tallied: map[string]*tally{}}
}

// line prints one message, whatever the kind and number of the others.
func (r *reporter) line(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.clearBar()
	fmt.Fprintf(r.w, "jcrestore: %s\n", printable(fmt.Sprintf(format, args...)))
}

// message prints m by its severity: a note unless quiet, warnings and
// errors always, each kind up to a screenful on a terminal.
func (r *reporter) message(m convert.Message) {
	k := warning
	switch m.Severity {
	case convert.Note:
		k = note
	case convert.Error:
		k = errorKind
	}
	r.say(k, "%s", m)
}

// say prints a message of the kind k, unless a screenful of them was
// printed already.
func (r *reporter) say(k kind, format string, args ...any) {
	if (k == note || k == readingNote) && r.quiet {
		return
	}
	r.mu.Lock()
	limit := r.terminal
	if limit == 0 && k.reading {
		limit = maxShown
	}
	r.shown[k]++
	hide := limit > 0 && r.shown[k] > limit
	if hide {
		r.hidden[k]++
	}
	r.mu.Unlock()
	if !hide {
		r.line(format, args...)
	}
}

// printable is s with its control characters but newline and tab
// escaped (\x00), so that a message never prints raw control bytes.
func printable(s string) string {
	if !strings.ContainsFunc(s, control) {
		return s
	}
	var b strings.Builder
	for _, c := range s {
		if control(c) {
			fmt.Fprintf(&b, "\\x%02x", c)
		} else {
			b.WriteRune(c)
		}
	}
	return b.String()
}

func control(c rune) bool {
	return c < 0x20 && c != '\n' && c != '\t' || c == 0x7f || c >= 0x80 && c < 0xa0
}

// clearBar removes the progress line; r.mu must be held.
func (r *reporter) clearBar() {
	if r.bar {
		fmt.Fprint(r.w, "\r\033[K")
		r.bar = false
	}
}

// problem prints a problem found while reading; it is a convert
// Options.Report.
func (r *reporter) problem(p convert.Problem) {
	k := unreadableKind
	if p.Kind == convert.Notice {
		k = readingNote
	}
	r.say(k, "%s", p.Error())
}

// flush tells how many messages of each kind were not printed so far.
func (r *reporter) flush() {
	for _, k := range []kind{unreadableKind, readingNote, errorKind, warning, note} {
		if n := r.hidden[k]; n > 0 {
			hint := ""
			if r.terminal > 0 {
				hint = " (2> messages.txt keeps them all)"
			}
			r.line("%s not shown%s", convert.Plural(n, k.one, k.many), hint)
			r.hidden[k] = 0
		}
	}
}

// record prints what validation found and the notes of one record.
func (r *reporter) record(rec *convert.Record) {
	r.findings(rec, func(convert.Issue) bool { return true })
	for _, n := range rec.Notes {
		r.say(note, "%s: %s: note: %s", rec.Source, rec.Name(), n)
	}
}

// findings prints the findings of a record that keep says to.
func (r *reporter) findings(rec *convert.Record, keep func(convert.Issue) bool) {
	for _, is := range rec.Issues {
		if !keep(is) {
			continue
		}
		if is.Tally != "" {
			t := r.tallied[is.Tally]
			if t == nil {
				t = &tally{}
				r.tallied[is.Tally] = t
			}
			t.n++
			if !slices.Contains(t.fields, is.Field) {
				t.fields = append(t.fields, is.Field)
			}
			continue
		}
		k := warning
		switch is.Severity {
		case convert.Error:
			k = errorKind
		case convert.Note:
			k = note
		}
		r.say(k, "%s: %s: %s", rec.Source, rec.Name(), is)
	}
}

// tallies prints the findings summed up in one line each, and forgets
// them.
func (r *reporter) tallies() {
	if t := r.tallied[convert.TallyFormula]; t != nil {
		r.say(warning, "warning: %s with +, =, -, @ (%s): a spreadsheet would read them as formulas; import the CSV as it is, never open and save it in Excel (the review workbook lists each)",
			convert.Plural(t.n, "value begins", "values begin"), strings.Join(t.fields, ", "))
	}
	clear(r.tallied)
}

// records prints what validation found and the notes of users: first,
// of every user, what the import does not restore as it was (state,
// access, managers: what the screenful must not hide), then the rest.
func (r *reporter) records(users []convert.Record) {
	after := func(is convert.Issue) bool { return is.Asks == convert.AsksAfterImport }
	for i := range users {
		r.findings(&users[i], after)
	}
	for i := range users {
		r.findings(&users[i], func(is convert.Issue) bool { return !after(is) })
		for _, n := range users[i].Notes {
			r.say(note, "%s: %s: note: %s", users[i].Source, users[i].Name(), n)
		}
	}
	r.tallies()
}

// stepsAfter words, for a summary line, the users the CSV alone does not
// restore as they were (n), and who restores the rest (script, or "").
func stepsAfter(n int, script string) string {
	switch {
	case n == 0:
		return ""
	case script != "":
		return fmt.Sprintf(", %s with steps after the import (%s takes them; the warnings say what it cannot); next, in PowerShell with Connect-JCOnline: .\\%s -WhatIf, then .\\%s",
			convert.Plural(n, "user", "users"), script, filepath.Base(script), filepath.Base(script))
	}
	return fmt.Sprintf(", %s with steps after the import (their warnings say which; --script writes a script that does them)", convert.Plural(n, "user", "users"))
}

// readLine says what a read found: "N events read (M unreadable), K
// deleted users found".
func readLine(res *convert.Result) string {
	var b strings.Builder
	b.WriteString(convert.Plural(res.Events, "event", "events") + " read")
	if res.Unreadable > 0 {
		fmt.Fprintf(&b, " (%s unreadable)", convert.Count(res.Unreadable))
	}
	for _, bk := range res.Backups {
		fmt.Fprintf(&b, ", %s", bk.Words())
	}
	b.WriteString(", " + convert.Plural(res.Users, "deleted user", "deleted users") + " found")
	return b.String()
}

// hints say why a read that looked for users in vain found none, and
// which options matched nothing: an event type no event has, an admin who
// deleted nobody, a --map path absent from every deletion.
func hints(res *convert.Result, o convert.Options) []convert.Message {
	var hints []convert.Message
	if res.Users == 0 {
		types := o.Events
		if len(types) == 0 {
			types = []string{"user_delete"}
		}
		hints = append(hints, convert.Notef("%s", noUsers(res, types)))
	}
	admins := map[string]int{}
	for _, l := range res.LeftOut {
		if o.DeletedBy != "" && l.Reason == convert.ReasonNotDeletedBy(o.DeletedBy) {
			admins[cmp.Or(l.DeletedBy, "unknown")]++
		}
	}
	if len(res.Records) == 0 && len(admins) > 0 {
		hints = append(hints, convert.Notef("no deletion was initiated by %s; the deletions read were by %s", o.DeletedBy, counted(admins)))
	}
	for _, col := range slices.Sorted(maps.Keys(o.Map)) {
		i := convert.ColumnIndex(col)
		found := func(r convert.Record) bool { return r.Cell(i) != "" }
		if len(res.Records) > 0 && !slices.ContainsFunc(res.Records, found) {
			hints = append(hints, convert.Message{Severity: convert.Warning, Asks: convert.AsksReview,
				Text: fmt.Sprintf("warning: --map %s=%s: no deletion has a value there, so %s is empty", col, o.Map[col], col)})
		}
	}
	return hints
}

// noUsers says that a read found no deleted users, and among what.
func noUsers(res *convert.Result, types []string) string {
	if res.Events == 0 {
		return "the input holds no events"
	}
	found := slices.ContainsFunc(types, func(t string) bool { return res.ByType[t] > 0 })
	if found || len(res.LeftOut) > 0 {
		return "no deleted users found among " + convert.Plural(res.Events, "event", "events")
	}
	known := append(slices.Sorted(maps.Keys(res.ByType)), "user_delete")
	suggest := ""
	for _, t := range types {
		if n := nearest(t, known); n != "" && n != t {
			suggest = "; did you mean --events " + n + "?"
			break
		}
	}
	return fmt.Sprintf("no %s event among the %s read (%s); the users to restore are named by deletions (--events chooses which types count)%s",
		strings.Join(types, " or "), convert.Plural(res.Events, "event", "events"), counted(res.ByType), suggest)
}

// counted lists counts by name, the largest first: "user_update (3),
// user_login (1)".
func counted(m map[string]int) string {
	names := slices.SortedFunc(maps.Keys(m), func(a, b string) int { return cmp.Or(m[b]-m[a], strings.Compare(a, b)) })
	parts := make([]string, 0, min(len(names), 10))
	for i, n := range names {
		if i == 10 {
			parts = append(parts, fmt.Sprintf("%d more", len(names)-10))
			break
		}
		parts = append(parts, fmt.Sprintf("%s (%s)", n, convert.Count(m[n])))
	}
	return strings.Join(parts, ", ")
}

// summary is the last line of a conversion to CSV: events read, users
// found, written (where: see writtenTo), left out and why.
func (r *reporter) summary(res *convert.Result, written, invalidLeftOut int, where, after string) {
	r.flush()
	if r.quiet {
		return
	}
	line := readLine(res)
	switch {
	case res.Backed > 0 && res.History > 0:
		line += fmt.Sprintf(" (%s from a backup, %s from their earlier events)", convert.Plural(res.Backed, "value", "values"), convert.Count(res.History))
	case res.Backed > 0:
		line += fmt.Sprintf(" (%s from a backup)", convert.Plural(res.Backed, "value", "values"))
	case res.History > 0:
		line += fmt.Sprintf(" (%s from their earlier events)", convert.Plural(res.History, "value", "values"))
	}
	line += ", " + convert.Count(written) + " written" + where + after
	var why []convert.Tally
	if invalidLeftOut > 0 {
		why = append(why, convert.Tally{Label: "with errors", N: invalidLeftOut})
	}
	why = append(why, res.Count().LeftOut...)
	if leftOut := invalidLeftOut + len(res.LeftOut); leftOut > 0 {
		parts := make([]string, len(why))
		for i, t := range why {
			parts[i] = convert.Count(t.N) + " " + t.Label
		}
		line += fmt.Sprintf(", %s left out (%s)", convert.Count(leftOut), strings.Join(parts, ", "))
	}
	if invalidLeftOut > 0 {
		line += "; to keep the users with errors, fix them in a review workbook (-o review.xlsx) or write them anyway with --include-invalid"
	}
	r.line("%s", line)
}

// strictReason says why --strict wrote nothing.
func strictReason(unreadable, invalid int) string {
	var parts []string
	if unreadable > 0 {
		parts = append(parts, convert.Plural(unreadable, "unreadable event", "unreadable events"))
	}
	if invalid > 0 {
		parts = append(parts, convert.Plural(invalid, "user", "users")+" with errors")
	}
	return strings.Join(parts, ", ")
}

// writtenTo says where the rows went, for a summary line: " to FILE" for
// one file, "" for stdout, or files the lines before named.
func writtenTo(paths []string) string {
	if len(paths) != 1 || paths[0] == "" {
		return ""
	}
	return " to " + paths[0]
}
