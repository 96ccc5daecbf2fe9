package convert

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tidwall/gjson"
)

// membership is one group or device a user was associated with, as of the
// newest association_change read for the pair.
type membership struct {
	kind       string // a LinkType: "user_group", "system", "application", ...
	id         string
	name       string
	added      bool
	at         time.Time
	admin      bool // a device binding with sudo
	noPassword bool // and without a password
	// rightsUnknown: PowerShell cut the binding's attributes past
	// reading, so admin is not known (false).
	rightsUnknown bool
}

// same reports whether m and o are about the same group or device: by
// id, or by name where neither has one; a user group by its name also
// where one of them has no id (Get-JCBackup names groups by name alone,
// and their names are unique; devices' are not).
func (m membership) same(o membership) bool {
	switch {
	case m.kind != o.kind:
		return false
	case m.id != "" && o.id != "":
		return m.id == o.id
	case m.id == "" && o.id == "":
		return m.name == o.name
	}
	return m.kind == "user_group" && m.name != "" && strings.EqualFold(m.name, o.name)
}

// over is nm, which stands over m, with the id or name only m has.
func (nm membership) over(m membership) membership {
	nm.id, nm.name = cmp.Or(nm.id, m.id), cmp.Or(nm.name, m.name)
	return nm
}

// associations are the memberships of the users, by user id or by
// "u:"+username when the event gives no id. A user has few, so a slice.
type associations map[string][]membership

// assocChange is what one association_change says, read on its own.
type assocChange struct {
	userID, userName string
	m                membership
	cut              bool // PowerShell cut it short: read best-effort
}

// readAssociation reads an association_change: which side is the user,
// which the group or device, and whether it was added or removed. ok is
// false when it is about something else, or cannot be read: then unread
// says why, when the change is about a user and its shape is not one
// this reads (it is reported, with the event's place).
func readAssociation(v gjson.Result, at time.Time) (c assocChange, ok bool, unread string) {
	a, cutA := uncut(v.Get("association"))
	conn, cutConn := uncut(a.Get("connection"))
	from, cutFrom := uncut(conn.Get("from"))
	to, cutTo := uncut(conn.Get("to"))
	attrs, cutAttrs := uncut(a.Get("attributes"))
	c.cut = cutA || cutConn || cutFrom || cutTo || cutAttrs
	if isCut(a) || isCut(conn) || isCut(from) || isCut(to) {
		return c, false, "PowerShell's ConvertTo-Json cut it at its default depth past recovery"
	}
	user, target := from, to
	if !isUser(user) {
		user, target = to, from
	}
	if !isUser(user) {
		if !a.Exists() && !v.Get("connection").Exists() {
			return c, false, "it has no association"
		}
		return c, false, ""
	}
	// A constant: a substring would keep the event in memory. JumpCloud's
	// dashboards write USER_GROUP.
	i := slices.Index(LinkTypes, strings.ToLower(scalar(target.Get("type"))))
	if i < 0 {
		return c, false, ""
	}
	kind := LinkTypes[i]
	var added bool
	op := a.Get("op")
	if !op.Exists() {
		op = a.Get("action") // as some exporters name it
	}
	switch strings.ToLower(scalar(op)) {
	case "add", "update":
		added = true
	case "remove", "delete":
	default:
		return c, false, fmt.Sprintf("its op is %s, neither add nor remove", describeOp(op))
	}
	c.userID, c.userName = objectID(user), scalar(user.Get("name"))
	if c.userID == "" && c.userName == "" {
		return c, false, "it names the user by neither object_id nor name"
	}
	c.m = membership{kind: kind, id: strings.Clone(objectID(target)), name: strings.Clone(scalar(target.Get("name"))), added: added, at: at}
	c.m.admin, c.m.noPassword, c.m.rightsUnknown = bindingRights(attrs)
	return c, true, ""
}

// bindingRights reads the sudo attribute of a binding's attributes,
// where PowerShell's ConvertTo-Json wrote them or it as text too:
// administrator, without password, and whether the text could not be
// read (unknown; admin is then false).
func bindingRights(attributes gjson.Result) (admin, noPassword, unknown bool) {
	attrs, _ := uncut(attributes)
	sudo, _ := uncut(attrs.Get("sudo"))
	return sudo.Get("enabled").Bool(), sudo.Get("withoutPassword").Bool(), isCut(attrs) || isCut(sudo)
}

// uncut is v, or where PowerShell's ConvertTo-Json wrote it as a string at
// its default depth, what that string says, best effort (cut is then
// true). A string it cannot read stays as it is.
func uncut(v gjson.Result) (_ gjson.Result, cut bool) {
	if !isCut(v) {
		return v, false
	}
	if p, ok := parsePS(v.Str); ok {
		return p, true
	}
	return v, true
}

// objectID is the id of one side of an association: object_id, or id as
// some exporters write it.
func objectID(side gjson.Result) string {
	if id := scalar(side.Get("object_id")); id != "" {
		return id
	}
	return scalar(side.Get("id"))
}

// describeOp words an association's op for a message.
func describeOp(op gjson.Result) string {
	if !op.Exists() {
		return "missing"
	}
	return fmt.Sprintf("%q", scalar(op))
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
func (as associations) add(c assocChange) { as.put(c.key(), c.m) }

// put records the membership change nm of the user key: the latest of
// each membership stands.
func (as associations) put(key string, nm membership) {
	ms := as[key]
	for i := range ms {
		if ms[i].same(nm) {
			if !nm.at.Before(ms[i].at) {
				ms[i] = nm.over(ms[i])
			} else {
				ms[i] = ms[i].over(nm)
			}
			return
		}
	}
	// A copy of the key even when the map has it: storing a value stores
	// the key given too, and a substring would keep the event in memory.
	as[strings.Clone(key)] = append(ms, nm)
}

// merge takes in the membership changes of o.
func (as associations) merge(o associations) {
	for key, ms := range o {
		for _, m := range ms {
			as.put(key, m)
		}
	}
}

// isUser reports whether one side of an association, or a resource, is a
// user: of type user or systemuser, in any case.
func isUser(side gjson.Result) bool {
	t := scalar(side.Get("type"))
	return strings.EqualFold(t, "user") || strings.EqualFold(t, "systemuser")
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
				newest[i] = m.over(newest[i])
			default:
				newest[i] = newest[i].over(m)
			}
		}
	}
	var groups []string
	var devices []membership
	r.Links = nil
	for _, m := range newest {
		if m.added {
			r.Links = append(r.Links, Link{Type: m.kind, ID: m.id, Name: m.name, Sudo: m.admin, NoPassword: m.admin && m.noPassword, RightsUnknown: m.rightsUnknown})
		}
		switch {
		case !m.added:
		case m.kind == "system":
			devices = append(devices, m)
		case m.kind != "user_group":
		case m.name != "":
			groups = append(groups, m.name)
		default:
			r.Notes = append(r.Notes, fmt.Sprintf("member of the user group %s, whose name the export does not give: add it by hand, or with the restore script (--script)", m.id))
		}
	}
	slices.SortFunc(r.Links, func(a, b Link) int {
		return cmp.Or(cmp.Compare(a.Type, b.Type), cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID))
	})
	slices.Sort(groups)
	if len(groups) > 0 {
		r.Groups = groups
	}
	r.bindDevices(devices)
}

// bindDevices fills SystemID and Administrator with the device bound last
// among those the user was bound to (of those bound at one time, the
// first), when the export gives its id: the
// import binds it once the user is created (a binding that fails leaves
// the user created), as an administrator only where the binding had sudo.
// The others are listed in Devices, to bind again by hand.
func (r *Record) bindDevices(devices []membership) {
	slices.SortStableFunc(devices, func(a, b membership) int { return b.at.Compare(a.at) })
	name := func(m membership) string {
		switch {
		case m.id == "":
			return m.name
		case m.name == "":
			return m.id
		}
		return m.name + " (" + m.id + ")"
	}
	bound, at := "", -1
	r.Devices = nil
	for i, m := range devices {
		if bound == "" && IsID(m.id) && r.SystemID == "" {
			bound, at = name(m), i
			r.SystemID, r.Administrator = m.id, "False"
			if m.admin {
				r.Administrator = "True"
			}
			continue
		}
		r.Devices = append(r.Devices, name(m))
	}
	// bound last: after every other (a backup gives its bindings one date)
	last := bound != "" && !slices.ContainsFunc(devices, func(m membership) bool { return m != devices[at] && !m.at.Before(devices[at].at) })
	slices.Sort(r.Devices)
	note := ""
	switch {
	case bound != "" && len(r.Devices) == 0:
		note = fmt.Sprintf("bound to the device %s: the CSV binds it again (SystemID)", bound)
	case last:
		note = fmt.Sprintf("bound to %s: the CSV binds %s, bound last (SystemID); bind %s again by hand after the import",
			Plural(len(devices), "device", "devices"), bound, strings.Join(r.Devices, ", "))
	case bound != "":
		note = fmt.Sprintf("bound to %s: the CSV binds %s (SystemID); bind %s again by hand after the import",
			Plural(len(devices), "device", "devices"), bound, strings.Join(r.Devices, ", "))
	case len(r.Devices) > 0:
		note = fmt.Sprintf("bound to %s (%s), whose id the export does not give: bind %s again by hand after the import",
			Plural(len(r.Devices), "device", "devices"), strings.Join(r.Devices, ", "), them(len(r.Devices)))
	}
	if note != "" {
		r.Notes = append(r.Notes, note)
		r.devicesNote = note
	}
}

// scriptDevices words the devices note for the restore script, which
// binds every device that has an id, each with the rights it had.
func (r *Record) scriptDevices() {
	i := slices.Index(r.Notes, r.devicesNote)
	if r.devicesNote == "" || i < 0 {
		return
	}
	var ids, none, unknown []string
	for _, l := range r.Links {
		if l.Type != "system" {
			continue
		}
		switch {
		case !IsID(l.ID):
			none = append(none, l.Name)
		case l.RightsUnknown:
			unknown = append(unknown, cmp.Or(l.Name, l.ID))
			ids = append(ids, cmp.Or(l.Name, l.ID))
		default:
			ids = append(ids, cmp.Or(l.Name, l.ID))
		}
	}
	rights := "each with the rights it had"
	switch {
	case len(unknown) == len(ids):
		rights = "as a standard user: the export does not tell their rights"
	case len(unknown) > 0:
		rights = fmt.Sprintf("each with the rights it had, but %s as a standard user: the export does not tell their rights", strings.Join(unknown, ", "))
	}
	note := fmt.Sprintf("bound to %s (%s): the restore script binds %s again, %s", Plural(len(ids), "device", "devices"), strings.Join(ids, ", "), them(len(ids)), rights)
	if len(ids) == 0 {
		note = ""
	}
	if len(none) > 0 {
		note = strings.TrimPrefix(note+"; ", "; ") + fmt.Sprintf("bind %s again by hand after the import: the export gives no id", strings.Join(none, ", "))
	}
	r.Notes = slices.Clone(r.Notes)
	r.Notes[i], r.devicesNote = note, note
}

func them(n int) string {
	if n == 1 {
		return "it"
	}
	return "them"
}
