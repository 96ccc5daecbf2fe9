package convert

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tidwall/gjson"
)

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
		them := "them"
		if len(devices) == 1 {
			them = "it"
		}
		r.Notes = append(r.Notes, fmt.Sprintf("bound to %s (%s): the import CSV binds no device; bind %s again after the import",
			Plural(len(devices), "device", "devices"), strings.Join(devices, ", "), them))
	}
}
