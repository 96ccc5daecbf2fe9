package convert

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
)

// candidate is the latest deletion of one user so far.
type candidate struct {
	s        *summary  // the deletion
	at       time.Time // when the user was deleted
	username string
	lower    string // the username in lower case, to sort by
	order    int
	earlier  []*candidate
	reason   string // why the filters left it out
}

type created struct {
	at     time.Time
	source string
}

// deletion takes a deletion.
func (r *reader) deletion(s *summary) {
	if s.id != "" {
		if r.seen[s.id] {
			return
		}
		r.seen[s.id] = true
	}
	name := strings.Clone(s.a.user.Username)
	key := "id:" + s.userID
	switch {
	case s.userID != "":
	case name != "":
		key = "u:" + strings.ToLower(name)
	default:
		key = "event:" + s.at.String() + ":" + s.id
	}
	r.order++
	c := &candidate{s: s, at: s.time, username: name, lower: strings.ToLower(name), order: r.order}
	if reason := r.filter(s); reason != "" {
		c.reason = reason
		merge(r.outside, key, c)
		return
	}
	merge(r.kept, key, c)
}

// filter returns why the options leave the deletion out, or "".
func (r *reader) filter(s *summary) string {
	o := r.opts
	if !o.Since.IsZero() || !o.Until.IsZero() {
		switch {
		case s.time.IsZero():
			return "deletion time unknown, outside --since/--until"
		case !o.Since.IsZero() && s.time.Before(o.Since), !o.Until.IsZero() && !s.time.Before(o.Until):
			return "deleted outside --since/--until"
		}
	}
	if o.DeletedBy != "" && !strings.EqualFold(o.DeletedBy, s.initiatedBy) {
		return "not deleted by " + o.DeletedBy
	}
	return ""
}

// after reports whether a is a later deletion than b: by time, and by input
// order where the times are equal or unknown.
func (a *candidate) after(b *candidate) bool {
	if c := a.at.Compare(b.at); c != 0 {
		return c > 0
	}
	return a.order > b.order
}

// merge keeps the latest deletion of a user under key and remembers the
// earlier ones.
func merge(m map[string]*candidate, key string, c *candidate) {
	old, ok := m[key]
	if !ok {
		m[key] = c
		return
	}
	if c.after(old) {
		old, c = c, old
		m[key] = old
	}
	old.earlier = append(append(old.earlier, c), c.earlier...)
	c.earlier = nil
}

// byUsername merges the users of m that share a username (ignoring case):
// the same name deleted twice under two ids is one user to restore. It
// returns them in input order.
func byUsername(m map[string]*candidate) []*candidate {
	merged := make(map[string]*candidate, len(m))
	for _, c := range inOrder(m) {
		key := "c:" + strconv.Itoa(c.order)
		if c.username != "" {
			key = "u:" + c.lower
		}
		merge(merged, key, c)
	}
	return inOrder(merged)
}

// inOrder returns the candidates of m in the order they were read.
func inOrder(m map[string]*candidate) []*candidate {
	cs := slices.Collect(maps.Values(m))
	slices.SortFunc(cs, func(a, b *candidate) int { return cmp.Compare(a.order, b.order) })
	return cs
}

// settle makes the record of the deleted user c: the latest deletion,
// gaps filled from the earlier ones and from the user's earlier events,
// their groups and devices; and finds whether the user was created again.
func (r *reader) settle(c *candidate) (Record, created) {
	rec := c.s.record()
	slices.SortStableFunc(c.earlier, func(a, b *candidate) int { return b.at.Compare(a.at) })
	for _, old := range c.earlier {
		e := old.s.record()
		note := fmt.Sprintf("also deleted earlier: %s (event %s, %s)", when(e.DeletedAt), e.EventID, e.Source)
		if filled := fillGaps(&rec, &e); len(filled) > 0 {
			note += "; " + strings.Join(filled, ", ") + " taken from that deletion"
		}
		rec.Notes = append(rec.Notes, note)
	}
	if h := r.history[rec.FormerID]; h != nil {
		if filled := h.fold(&rec); len(filled) > 0 {
			r.stats.History += len(filled)
			rec.Details = append(rec.Details, "from the user's earlier events: "+strings.Join(filled, ", "))
		}
	}
	r.assoc.rebuild(&rec)
	return rec, r.recreated(&rec)
}

// recreated finds a user_create for the same username or email after the
// deletion: the latest for the username, else for the email. Its time is
// zero when there is none.
func (r *reader) recreated(rec *Record) created {
	for _, key := range [...]string{"u:" + strings.ToLower(rec.Username), "e:" + strings.ToLower(rec.Email)} {
		if c := r.created[key]; len(key) > 2 && c.at.After(rec.DeletedAt) {
			return c
		}
	}
	return created{}
}

// fillGaps copies into dst the values src has where dst has none, and
// returns the columns it filled.
func fillGaps(dst, src *Record) []string {
	var filled []string
	for i, col := range Columns {
		if v := src.User.Cell(i); v != "" && dst.User.Cell(i) == "" {
			dst.User.SetCell(i, v)
			filled = append(filled, col)
		}
	}
	if len(dst.Attributes) == 0 && len(src.Attributes) > 0 {
		dst.Attributes = src.Attributes
		filled = append(filled, "custom attributes")
	}
	return filled
}

func when(t time.Time) string {
	if t.IsZero() {
		return "at an unknown time"
	}
	return t.Format("2006-01-02 15:04:05Z")
}
