package convert

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tidwall/gjson"
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

// apply records the values an event set at time at.
func (h *history) apply(a *attrs, t time.Time) {
	at := unixNano(t)
	for i := range columnCount {
		if !a.touched[i] {
			continue
		}
		st := stamp{uint8(i), a.user.get(i), at}
		j := slices.IndexFunc(h.cols, func(s stamp) bool { return s.col == uint8(i) })
		switch {
		case j < 0:
			h.cols = append(h.cols, st)
		case at >= h.cols[j].at:
			h.cols[j] = st
		}
	}
	if a.attributesTouched && (!h.attrsSet || at >= h.attrsAt) {
		h.attrs, h.attrsAt, h.attrsSet = a.attributes, at, true
	}
}

// fold fills the record's empty columns with the newest values its user's
// earlier events set, and returns the columns it filled. The deletion's own
// values always win.
func (h *history) fold(r *Record) []string {
	var filled []string
	deleted := unixNano(r.DeletedAt)
	before := func(at int64) bool { return deleted == 0 || at <= deleted }
	slices.SortFunc(h.cols, func(a, b stamp) int { return int(a.col) - int(b.col) })
	for _, st := range h.cols {
		i := int(st.col)
		if st.value != "" && r.User.get(i) == "" && before(st.at) && Columns[i] != "Password" {
			r.User.set(i, st.value)
			filled = append(filled, Columns[i])
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

// fromLifecycle gathers what a user_create or user_update event sets:
// each change's new value, then the keys of resource.
func (a *attrs) fromLifecycle(e *event) {
	e.eachChange(func(c change) { a.add(c.field, c.to) })
	e.resource.ForEach(func(k, v gjson.Result) bool {
		a.add(k.Str, v)
		return true
	})
}

// membership is one group or device a user was associated with, as of the
// newest association_change read for the pair.
type membership struct {
	kind  string // "user_group" or "system"
	id    string
	name  string
	added bool
	at    time.Time
}

// same reports whether m and o are about the same group or device.
func (m membership) same(o membership) bool {
	return m.kind == o.kind && m.id == o.id && (m.id != "" || m.name == o.name)
}

// associations are the memberships of the users, by user id or by
// "u:"+username when the event gives no id. A user has few, so a slice.
type associations map[string][]membership

// assocChange is what one association_change says, read on its own.
type assocChange struct {
	userID, userName string
	m                membership
}

// readAssociation reads an association_change: which side is the user,
// which the group or device, and whether it was added or removed. ok is
// false when it is about something else.
func readAssociation(v gjson.Result, at time.Time) (c assocChange, ok bool) {
	a := v.Get("association")
	from, to := a.Get("connection.from"), a.Get("connection.to")
	user, target := from, to
	if !isUser(user) {
		user, target = to, from
	}
	if !isUser(user) {
		return c, false
	}
	var kind string // a constant: a substring would keep the event in memory
	switch scalar(target.Get("type")) {
	case "user_group":
		kind = "user_group"
	case "system":
		kind = "system"
	default:
		return c, false
	}
	var added bool
	switch strings.ToLower(scalar(a.Get("op"))) {
	case "add", "update":
		added = true
	case "remove", "delete":
	default:
		return c, false
	}
	c.userID, c.userName = scalar(user.Get("object_id")), scalar(user.Get("name"))
	if c.userID == "" && c.userName == "" {
		return c, false
	}
	c.m = membership{kind: kind, id: strings.Clone(scalar(target.Get("object_id"))), name: strings.Clone(scalar(target.Get("name"))), added: added, at: at}
	return c, true
}

// key is the user an association change is about: its id, or "u:" and
// its username in lower case when the event gives no id.
func (c assocChange) key() string {
	if c.userID == "" {
		return "u:" + strings.ToLower(c.userName)
	}
	return c.userID
}

// add records an association change.
func (as associations) add(c assocChange) {
	key, nm := c.key(), c.m
	ms := as[key]
	for i := range ms {
		if ms[i].same(nm) {
			if !nm.at.Before(ms[i].at) {
				ms[i] = nm
			}
			return
		}
	}
	// A copy of the key even when the map has it: storing a value stores
	// the key given too, and a substring would keep the event in memory.
	as[strings.Clone(key)] = append(ms, nm)
}

func isUser(side gjson.Result) bool {
	t := scalar(side.Get("type"))
	return t == "user" || t == "systemuser"
}

// rebuild sets the record's groups and devices as they were when the user
// was deleted: the memberships whose newest change before the deletion
// added them.
func (as associations) rebuild(r *Record) {
	// The newest change before the deletion of each group or device, under
	// the user's id and under its username.
	var newest []membership
	for _, key := range []string{r.FormerID, "u:" + strings.ToLower(r.Username)} {
		for _, m := range as[key] {
			if !r.DeletedAt.IsZero() && m.at.After(r.DeletedAt) {
				continue
			}
			i := slices.IndexFunc(newest, m.same)
			switch {
			case i < 0:
				newest = append(newest, m)
			case m.at.After(newest[i].at):
				newest[i] = m
			}
		}
	}
	var groups, devices []string
	for _, m := range newest {
		switch {
		case !m.added:
		case m.kind == "system":
			devices = append(devices, strings.TrimSpace(m.name+" ("+m.id+")"))
		case m.name != "":
			groups = append(groups, m.name)
		default:
			r.Notes = append(r.Notes, fmt.Sprintf("member of the user group %s, whose name the export does not give: add it by hand", m.id))
		}
	}
	slices.Sort(groups)
	slices.Sort(devices)
	if len(groups) > 0 {
		r.Groups = groups
	}
	r.Devices = devices
	if len(devices) > 0 {
		r.Notes = append(r.Notes, fmt.Sprintf("bound to %s (%s): the import CSV binds no device; bind %s again after the import",
			count(len(devices), "device", "devices"), strings.Join(devices, ", "), plural(len(devices), "it", "them")))
	}
}

func count(n int, one, many string) string {
	return fmt.Sprintf("%d %s", n, plural(n, one, many))
}

// isID reports whether s looks like a JumpCloud object id (24 hex digits).
func isID(s string) bool {
	if len(s) != 24 {
		return false
	}
	for i := range len(s) {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// managersFirst orders the records so that a manager who is restored too
// comes before the users who report to them: Import-JCUsersFromCSV looks
// the manager up by name as it creates each user. Otherwise the order
// stays as it is.
func managersFirst(recs []Record) {
	index := make(map[string]int, len(recs))
	for i, r := range recs {
		index[strings.ToLower(r.Username)] = i
	}
	if !slices.ContainsFunc(recs, func(r Record) bool { _, ok := index[strings.ToLower(r.Manager)]; return ok }) {
		return // nobody's manager is restored too: keep the order, copy nothing
	}
	order := make([]int, 0, len(recs))
	state := make([]byte, len(recs)) // 0 new, 1 being placed, 2 placed
	var place func(i int)
	place = func(i int) {
		if state[i] != 0 {
			return // placed, or a cycle of managers: leave it where it is
		}
		state[i] = 1
		if m, ok := index[strings.ToLower(recs[i].Manager)]; ok && m != i {
			place(m)
		}
		state[i] = 2
		order = append(order, i)
	}
	for i := range recs {
		place(i)
	}
	moved := make([]Record, len(recs))
	for to, from := range order {
		moved[to] = recs[from]
	}
	copy(recs, moved)
}
