package convert

import (
	"cmp"
	"fmt"
	"strings"
	"time"

	"github.com/tidwall/gjson"
)

// AuditEntry is one user-related event as the review workbook lists it.
type AuditEntry struct {
	Time        time.Time // zero when unreadable
	Type        string
	Service     string
	Username    string
	InitiatedBy string
	Changes     string // "field: from -> to; ..."
	ClientIP    string
	ID          string
	Source      string // file:line
	// Organization is the organization's id: the event's, or for one that
	// names none, the one the others share ("" among several).
	Organization string
}

// audited reports whether events of type typ belong in the audit trail:
// what happens to user accounts (not their logins), and group and device
// associations.
func audited(typ string) bool {
	return strings.HasPrefix(typ, "user_") && !strings.Contains(typ, "login") || typ == "association_change"
}

// auditEntry describes e for the audit trail, in words; v is the event
// object. A deletion reads "deleted (email alice@example.com, firstname
// Alice)", a creation "created (...)", a change "jobTitle: Analyst →
// Senior Analyst", an association "device ALICE-MBP bound to
// alice.nguyen as administrator, without password". The user ids in it
// are named once all is read (nameIDs).
func auditEntry(e *event, v gjson.Result) AuditEntry {
	a := AuditEntry{
		Time: e.time, Type: e.typ, Service: strings.Clone(e.service), InitiatedBy: e.initiatedBy, ID: e.id,
		Username: strings.Clone(resourceName(e.resource)),
		ClientIP: strings.Clone(scalar(v.Get("client_ip"))),
		Source:   Position{File: e.at.File, Line: e.at.Line}.String(),
	}
	var parts []string
	e.eachChange(func(c change) {
		if c.field == "" {
			return
		}
		switch e.typ {
		case "user_delete":
			if w := valueWords(c.from); w != "" {
				parts = append(parts, c.field+" "+w)
			}
		case "user_create":
			if w := valueWords(c.to); w != "" {
				parts = append(parts, c.field+" "+w)
			}
		default:
			parts = append(parts, fmt.Sprintf("%s: %s → %s", c.field, cmp.Or(valueWords(c.from), "(none)"), cmp.Or(valueWords(c.to), "(none)")))
		}
	})
	switch e.typ {
	case "user_delete":
		parts = []string{"deleted (" + strings.Join(parts, ", ") + ")"}
	case "user_create":
		parts = []string{"created (" + strings.Join(parts, ", ") + ")"}
	}
	if as := v.Get("association"); as.Exists() {
		from, to := as.Get("connection.from"), as.Get("connection.to")
		user, target := from, to
		if !isUser(user) {
			user, target = to, from
		}
		if isUser(user) && a.Username == "" {
			a.Username = strings.Clone(scalar(user.Get("name")))
		}
		parts = append(parts, associationWords(scalar(as.Get("op")), user, target, as.Get("attributes")))
	}
	a.Changes = strings.Join(parts, "; ")
	return a
}

// associationWords words an association_change: "device ALICE-MBP bound
// to alice.nguyen as administrator, without password", "alice.nguyen
// added to group Finance".
func associationWords(op string, user, target, attrs gjson.Result) string {
	who := cmp.Or(scalar(user.Get("name")), objectID(user), "a user")
	typ := strings.ToLower(scalar(target.Get("type")))
	what := cmp.Or(linkWords[typ], typ) + " " + cmp.Or(scalar(target.Get("name")), objectID(target))
	added := strings.EqualFold(op, "add") || strings.EqualFold(op, "update")
	switch {
	case typ == "user_group" && added:
		return who + " added to " + what
	case typ == "user_group":
		return who + " removed from " + what
	case !added:
		return what + " unbound from " + who
	}
	s := what + " bound to " + who
	if l := (Link{Type: typ}); l.sudoAllowed() {
		if admin, noPassword, unknown := bindingRights(attrs); unknown {
			s += " (rights not readable)"
		} else {
			s += " " + rightsWords(admin, noPassword)
		}
	}
	return s
}

// maxWords bounds how much of one value the trail shows: it stops at an
// item, never in the middle of one.
const maxWords = 300

// valueWords words a change's value for the audit trail: text as it is;
// phone numbers, addresses, custom attributes and other lists as text
// ("work +1 312 555 0102; mobile +1 312 555 0199"), never raw JSON, their
// internal ids left out.
func valueWords(v gjson.Result) string {
	if !v.IsObject() && !v.IsArray() {
		return strings.Clone(scalar(v))
	}
	var items []string
	n := 0
	each := func(item gjson.Result) bool {
		w := itemWords(item)
		if w == "" {
			return true
		}
		if n+len(w) > maxWords && len(items) > 0 {
			items = append(items, "…")
			return false
		}
		items, n = append(items, w), n+len(w)+2
		return true
	}
	if v.IsArray() {
		v.ForEach(func(_, item gjson.Result) bool { return each(item) })
	} else {
		each(v)
	}
	return strings.Join(items, "; ")
}

// itemWords words one item of a value: a phone number, an address, a
// custom attribute, an email, or its keys and values.
func itemWords(item gjson.Result) string {
	if !item.IsObject() {
		return strings.Clone(scalar(item))
	}
	get := func(k string) string { return scalar(item.Get(k)) }
	typ := get("type")
	switch {
	case item.Get("number").Exists():
		return strings.TrimSpace(typ + " " + get("number"))
	case item.Get("locality").Exists() || item.Get("streetAddress").Exists() || item.Get("postalCode").Exists():
		var p []string
		for _, k := range [...]string{"streetAddress", "extendedAddress", "poBox", "locality", "region", "postalCode", "country"} {
			if s := get(k); s != "" {
				p = append(p, s)
			}
		}
		return strings.TrimSpace(typ + " " + strings.Join(p, ", "))
	case item.Get("name").Exists() && item.Get("value").Exists():
		return get("name") + "=" + get("value")
	case item.Get("value").Exists():
		return strings.TrimSpace(typ + " " + get("value"))
	}
	var p []string
	item.ForEach(func(k, val gjson.Result) bool {
		if key := k.Str; key != "id" && key != "_id" && !val.IsObject() && !val.IsArray() && scalar(val) != "" {
			p = append(p, key+" "+scalar(val))
		}
		return true
	})
	return strings.Join(p, ", ")
}

// nameIDs puts the username beside each user id the trail's changes hold
// that names knows in the entry's organization (a manager is stored as an
// id): "bob.martin (6650a1000000000000000a02)".
func nameIDs(trail []AuditEntry, names func(org, id string) string) {
	for i := range trail {
		c := trail[i].Changes
		var b strings.Builder
		last := 0
		for j := 0; j+24 <= len(c); j++ {
			if (j > 0 && isHex(c[j-1])) || !IsID(c[j:j+24]) || j+24 < len(c) && isHex(c[j+24]) {
				continue
			}
			if name := names(trail[i].Organization, c[j:j+24]); name != "" {
				b.WriteString(c[last:j])
				b.WriteString(name + " (" + c[j:j+24] + ")")
				last = j + 24
				j += 23
			}
		}
		if last > 0 {
			b.WriteString(c[last:])
			trail[i].Changes = b.String()
		}
	}
}

// resourceName is the username a resource gives: username, or a user's
// name where it gives none (see fromResource).
func resourceName(r gjson.Result) string {
	if u := r.Get("username"); u.Exists() || !isUser(r) {
		return scalar(u)
	}
	return scalar(r.Get("name"))
}
