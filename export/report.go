package export

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jcrestore/jcrestore/convert"
)

// Reporter writes what a run tells the admin on stderr: each message
// prefixed once with the program name, a bounded number of unreadable
// events in full, every finding and note of the users, the summary line,
// and a progress line while a long read goes on.
type Reporter struct {
	Quiet bool // no summary and no progress line

	mu     sync.Mutex
	w      io.Writer
	bar    bool   // a progress line is on screen
	shown  [2]int // problems printed, by kind (convert.Unreadable, convert.Notice)
	hidden [2]int // and not printed
}

// maxShown is how many problems of each kind are printed in full.
const maxShown = 50

// NewReporter writes to w.
func NewReporter(w io.Writer, quiet bool) *Reporter { return &Reporter{w: w, Quiet: quiet} }

// Line prints one message.
func (r *Reporter) Line(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.clearBar()
	fmt.Fprintf(r.w, "jcrestore: "+format+"\n", args...)
}

// clearBar removes the progress line; r.mu must be held.
func (r *Reporter) clearBar() {
	if r.bar {
		fmt.Fprint(r.w, "\r\033[K")
		r.bar = false
	}
}

// Problem prints a problem found while reading; it is a convert
// Options.Report.
func (r *Reporter) Problem(p convert.Problem) {
	k := min(int(p.Kind), 1)
	r.mu.Lock()
	r.shown[k]++
	hide := r.shown[k] > maxShown
	if hide {
		r.hidden[k]++
	}
	r.mu.Unlock()
	if !hide {
		r.Line("%s", p.Error())
	}
}

// Flush tells how many problems were not printed.
func (r *Reporter) Flush() {
	for k, what := range [2][2]string{{"more unreadable event", "more unreadable events"}, {"more note", "more notes"}} {
		if n := r.hidden[k]; n > 0 {
			r.Line("%s not shown", convert.Plural(n, what[0], what[1]))
			r.hidden[k] = 0
		}
	}
}

// Record prints what validation found and the notes of one record.
func (r *Reporter) Record(rec *convert.Record) {
	for _, is := range rec.Issues {
		r.Line("%s: %s: %s", rec.Source, rec.Name(), is)
	}
	for _, n := range rec.Notes {
		r.Line("%s: %s: note: %s", rec.Source, rec.Name(), n)
	}
}

// ReadLine says what a read found: "N events read (M unreadable), K
// deleted users found".
func ReadLine(res *convert.Result) string {
	var b strings.Builder
	b.WriteString(convert.Plural(res.Events, "event", "events") + " read")
	if res.Unreadable > 0 {
		fmt.Fprintf(&b, " (%d unreadable)", res.Unreadable)
	}
	b.WriteString(", " + convert.Plural(res.Users, "deleted user", "deleted users") + " found")
	return b.String()
}

// NoUsers says that a read found no deleted users, and among what.
func NoUsers(res *convert.Result) string {
	if res.Events == 0 {
		return "the input holds no events"
	}
	return "no deleted users found among " + convert.Plural(res.Events, "event", "events")
}

// Summary is the last line of a conversion to CSV: events read, users
// found, written, left out and why.
func (r *Reporter) Summary(res *convert.Result, written, invalidLeftOut int) {
	if r.Quiet {
		return
	}
	line := ReadLine(res)
	if res.History > 0 {
		line += fmt.Sprintf(" (%s from their earlier events)", convert.Plural(res.History, "value", "values"))
	}
	line += fmt.Sprintf(", %d written", written)
	var why []convert.Tally
	if invalidLeftOut > 0 {
		why = append(why, convert.Tally{Label: "with errors", N: invalidLeftOut})
	}
	why = append(why, res.Count().LeftOut...)
	if leftOut := invalidLeftOut + len(res.LeftOut); leftOut > 0 {
		parts := make([]string, len(why))
		for i, t := range why {
			parts[i] = fmt.Sprintf("%d %s", t.N, t.Label)
		}
		line += fmt.Sprintf(", %d left out (%s)", leftOut, strings.Join(parts, ", "))
	}
	r.Line("%s", line)
}

// Progress is the progress line of a read.
type Progress struct {
	done  chan struct{}
	wg    sync.WaitGroup
	read  *atomic.Int64
	total int64
}

// StartProgress shows how far reading the inputs has come (read counts
// the bytes read so far: convert's Options.Progress), once it has gone on
// for after, on stderr when that is a terminal and no input is: a line
// redrawn over a paste would garble it.
func (r *Reporter) StartProgress(inputs []convert.Input, read *atomic.Int64, after time.Duration) *Progress {
	p := &Progress{done: make(chan struct{}), read: read}
	if r.Quiet || !IsTerminal(r.w) || slices.ContainsFunc(inputs, func(in convert.Input) bool { return IsTerminal(in.R) }) {
		return p
	}
	for _, in := range inputs {
		if f, ok := in.R.(*os.File); ok {
			if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
				p.total += fi.Size()
			}
		}
	}
	p.wg.Go(func() {
		tick := time.NewTicker(200 * time.Millisecond)
		defer tick.Stop()
		for start := time.Now(); ; {
			select {
			case <-p.done:
				r.mu.Lock()
				r.clearBar()
				r.mu.Unlock()
				return
			case <-tick.C:
				if time.Since(start) < after {
					continue
				}
				r.mu.Lock()
				fmt.Fprintf(r.w, "\r\033[Kjcrestore: reading %s", p.status())
				r.bar = true
				r.mu.Unlock()
			}
		}
	})
	return p
}

func (p *Progress) status() string {
	const mb = 1 << 20
	n := p.read.Load()
	if p.total <= 0 {
		return fmt.Sprintf("%d MB", n/mb)
	}
	const width = 30
	done := int(min(n, p.total) * width / p.total)
	return fmt.Sprintf("[%s%s] %3d%% %d/%d MB", strings.Repeat("=", done), strings.Repeat(" ", width-done), min(n, p.total)*100/p.total, n/mb, p.total/mb)
}

// Stop removes the progress line and ends it.
func (p *Progress) Stop() {
	close(p.done)
	p.wg.Wait()
}

// IsTerminal reports whether v is a terminal.
func IsTerminal(v any) bool {
	f, ok := v.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// OrgList lists organizations, one per line, each with its number of
// deleted users.
func OrgList(groups []convert.Group) string {
	var b strings.Builder
	for _, g := range groups {
		fmt.Fprintf(&b, "\n  %-24s  %s", OrgName(g.Org), convert.Plural(len(g.Records), "deleted user", "deleted users"))
	}
	return b.String()
}

// StrictReason says why --strict wrote nothing.
func StrictReason(unreadable, invalid int) string {
	var parts []string
	if unreadable > 0 {
		parts = append(parts, convert.Plural(unreadable, "unreadable event", "unreadable events"))
	}
	if invalid > 0 {
		parts = append(parts, convert.Plural(invalid, "user", "users")+" with errors")
	}
	return strings.Join(parts, ", ")
}
