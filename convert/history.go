package convert

import (
	"math/bits"
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
	attrsSrc uint8 // where attrs are from (see stamp.src)
	// lost are the fields PowerShell's ConvertTo-Json wrote as
	// System.Object[] in one of the events (see attrs.lost).
	lost []string
}

// histories are the histories of the users, by user id.
type histories map[string]*history

// add records what a user_create or user_update says of its user (see
// summary.sets): of equal times, what is read later wins.
func (hs histories) add(s *summary) {
	if s.userID == "" {
		return
	}
	if h := hs[s.userID]; h != nil {
		h.take(s.sets, true)
	} else {
		hs[s.userID] = s.sets // userID is a copy
	}
}

// merge takes in the histories of o: of equal times, the value here
// wins.
func (hs histories) merge(o histories) {
	for id, h := range o {
		if mine := hs[id]; mine != nil {
			mine.take(h, false)
		} else {
			hs[id] = h
		}
	}
}

// take takes in the values of o that are newer than those of h, and with
// ties those as new.
func (h *history) take(o *history, ties bool) {
	newer := func(at, than int64) bool { return at > than || ties && at == than }
	at := func(col uint8) int { return slices.IndexFunc(h.cols, func(s stamp) bool { return s.col == col }) }
	added := 0
	for _, st := range o.cols {
		if at(st.col) < 0 {
			added++
		}
	}
	if len(h.cols)+added > cap(h.cols) { // grown by what is added, not doubled: users are many
		h.cols = append(make([]stamp, 0, len(h.cols)+added), h.cols...)
	}
	for _, st := range o.cols {
		j := at(st.col)
		switch {
		case j < 0:
			h.cols = append(h.cols, st)
		case newer(st.at, h.cols[j].at):
			h.cols[j] = st
		}
	}
	if o.attrsSet && (!h.attrsSet || newer(o.attrsAt, h.attrsAt)) {
		h.attrs, h.attrsAt, h.attrsSet, h.attrsSrc = o.attrs, o.attrsAt, true, o.attrsSrc
	}
	for _, l := range o.lost {
		if !slices.Contains(h.lost, l) {
			h.lost = append(h.lost, l)
		}
	}
}

// value is the value h holds for the column, or "".
func (h *history) value(column string) string {
	i := ColumnIndex(column)
	for _, st := range h.cols {
		if int(st.col) == i {
			return st.value
		}
	}
	return ""
}

// stamp is a value a column was set to, and when.
type stamp struct {
	col   uint8
	src   uint8 // where the value is from: fromEvents, fromBackup, or fromEarlier+i
	value string
	at    int64 // Unix nanoseconds; 0 when unknown
}

// Where a stamp's value is from: the user's events, the i-th newest
// backup of the user (fromBackup+i), or the i-th newest earlier deletion
// (fromEarlier+i).
const (
	fromEvents  uint8 = 0
	fromBackup  uint8 = 1
	fromEarlier       = fromBackup + maxBackups
)

// from marks every value of h as from src.
func (h *history) from(src uint8) *history {
	for i := range h.cols {
		h.cols[i].src = src
	}
	h.attrsSrc = src
	return h
}

// source is where the value h holds for the column (or custom
// attribute) filled is from.
func (h *history) source(filled string) uint8 {
	if strings.HasPrefix(filled, "custom attribute ") {
		return h.attrsSrc
	}
	i := ColumnIndex(filled)
	for _, st := range h.cols {
		if int(st.col) == i {
			return st.src
		}
	}
	return fromEvents
}

// until is h without what was set after t (none when t is zero).
func (h *history) until(t time.Time) *history {
	if t.IsZero() {
		return h
	}
	at := unixNano(t)
	c := *h
	c.cols = slices.DeleteFunc(slices.Clone(h.cols), func(st stamp) bool { return st.at > at })
	if c.attrsSet && c.attrsAt > at {
		c.attrs, c.attrsAt, c.attrsSet = nil, 0, false
	}
	return &c
}

// historyOfRecord is the history of what rec, an earlier deletion at t
// with the account settings ac, held: its columns with a value, its
// settings, and its custom attributes.
func historyOfRecord(rec *Record, ac account, t time.Time, src uint8) *history {
	at := unixNano(t)
	h := &history{}
	for i := range Columns {
		if v := rec.User.Cell(i); v != "" {
			h.cols = append(h.cols, stamp{col: uint8(i), src: src, value: v, at: at})
		}
	}
	for k := range 16 {
		if bit := uint16(1) << k; ac.touched&bit != 0 {
			value := ""
			if ac.set&bit != 0 {
				value = "1"
			}
			h.cols = append(h.cols, stamp{col: accountStamp + uint8(k), src: src, value: value, at: at})
		}
	}
	if len(rec.Attributes) > 0 {
		h.attrs, h.attrsAt, h.attrsSet, h.attrsSrc = rec.Attributes, at, true, src
	}
	return h
}

func unixNano(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// historyOf is the history of one event at time t, what a says it set:
// its columns, and its account settings as stamps past the columns' (see
// accountStamp).
func historyOf(a *attrs, t time.Time) *history {
	at := unixNano(t)
	h := &history{cols: make([]stamp, 0, bits.OnesCount64(a.touched)+bits.OnesCount16(a.account.touched))}
	for i := range Columns {
		if a.touched&(1<<i) != 0 {
			h.cols = append(h.cols, stamp{col: uint8(i), value: a.user.Cell(i), at: at})
		}
	}
	for k := range 16 {
		if bit := uint16(1) << k; a.account.touched&bit != 0 {
			value := ""
			if a.account.set&bit != 0 {
				value = "1"
			}
			h.cols = append(h.cols, stamp{col: accountStamp + uint8(k), value: value, at: at})
		}
	}
	if a.attributesTouched {
		h.attrs, h.attrsAt, h.attrsSet = a.attributes, at, true
	}
	h.lost = a.lost
	return h
}

// accountStamp is the col of the stamp of account setting bit 0; settings
// follow.
const accountStamp = 64

// fold fills the record's empty columns with the newest values its user's
// earlier events set, and the settings of ac the deletion did not speak
// of, and returns the columns it filled; the fields PowerShell cut in
// those events join the record's CutLost. The deletion's own values
// always win.
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
	// What PowerShell cut in an earlier event is lost as well, unless
	// another value stands (checkCut).
	for _, l := range h.lost {
		if !slices.Contains(r.CutLost, l) {
			r.CutLost = append(slices.Clip(r.CutLost), l)
		}
	}
	return filled
}
