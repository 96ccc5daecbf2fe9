package convert

import (
	"slices"
	"strings"
	"time"
)

// history is what a user's user_create and user_update events set: the
// columns they touched, each with the time it was set, so that the newest
// value wins whatever order the events are read in (serverless exports are
// newest first). It holds only what was touched: users are many, and most
// events touch a field or two.
type history struct {
	cols     []stamp
	attrs    []Attribute
	attrsAt  int64 // Unix nanoseconds; 0 when unknown
	attrsSet bool
}

// histories are the histories of the users, by user id.
type histories map[string]*history

// add records what a user_create or user_update says of its user.
func (hs histories) add(s *summary) {
	if s.userID == "" {
		return
	}
	h := hs[s.userID]
	if h == nil {
		h = &history{}
		hs[strings.Clone(s.userID)] = h
	}
	h.apply(&s.a, s.time)
}

// merge takes in the histories of o: the newest value of each column
// wins, and of equal times the one here.
func (hs histories) merge(o histories) {
	for id, h := range o {
		mine := hs[id]
		if mine == nil {
			hs[id] = h
			continue
		}
		for _, st := range h.cols {
			j := slices.IndexFunc(mine.cols, func(s stamp) bool { return s.col == st.col })
			switch {
			case j < 0:
				mine.cols = append(mine.cols, st)
			case st.at > mine.cols[j].at:
				mine.cols[j] = st
			}
		}
		if h.attrsSet && (!mine.attrsSet || h.attrsAt > mine.attrsAt) {
			mine.attrs, mine.attrsAt, mine.attrsSet = h.attrs, h.attrsAt, true
		}
	}
}

// stamp is a value a column was set to, and when.
type stamp struct {
	col   uint8
	value string
	at    int64 // Unix nanoseconds; 0 when unknown
}

func unixNano(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// apply records the values an event set at time at: its columns, and
// its account settings as stamps past the columns' (see accountStamp).
func (h *history) apply(a *attrs, t time.Time) {
	at := unixNano(t)
	put := func(st stamp) {
		j := slices.IndexFunc(h.cols, func(s stamp) bool { return s.col == st.col })
		switch {
		case j < 0:
			h.cols = append(h.cols, st)
		case at >= h.cols[j].at:
			h.cols[j] = st
		}
	}
	for i := range Columns {
		if a.touched&(1<<i) != 0 {
			put(stamp{uint8(i), a.user.Cell(i), at})
		}
	}
	for k := range 16 {
		if bit := uint16(1) << k; a.account.touched&bit != 0 {
			value := ""
			if a.account.set&bit != 0 {
				value = "1"
			}
			put(stamp{accountStamp + uint8(k), value, at})
		}
	}
	if a.attributesTouched && (!h.attrsSet || at >= h.attrsAt) {
		h.attrs, h.attrsAt, h.attrsSet = a.attributes, at, true
	}
}

// accountStamp is the col of the stamp of account setting bit 0; settings
// follow.
const accountStamp = 64

// fold fills the record's empty columns with the newest values its user's
// earlier events set, and the settings of ac the deletion did not speak
// of, and returns the columns it filled. The deletion's own values always
// win.
func (h *history) fold(r *Record, ac *account) []string {
	var filled []string
	deleted := unixNano(r.DeletedAt)
	before := func(at int64) bool { return deleted == 0 || at <= deleted }
	slices.SortFunc(h.cols, func(a, b stamp) int { return int(a.col) - int(b.col) })
	for _, st := range h.cols {
		i := int(st.col)
		if i < len(Columns) && st.value != "" && r.User.Cell(i) == "" && before(st.at) && Columns[i] != "Password" {
			r.User.SetCell(i, st.value)
			filled = append(filled, Columns[i])
		}
	}
	for _, st := range h.cols {
		if st.col >= accountStamp && before(st.at) {
			ac.mark(1<<(st.col-accountStamp), st.value != "")
		}
	}
	if len(r.Attributes) == 0 && len(h.attrs) > 0 && before(h.attrsAt) {
		r.Attributes = h.attrs
		for _, a := range h.attrs {
			filled = append(filled, "custom attribute "+a.Name)
		}
	}
	return filled
}
