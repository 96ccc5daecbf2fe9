package convert

import (
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

// auditEntry describes e for the audit trail; v is the event object.
func auditEntry(e *event, v gjson.Result) AuditEntry {
	a := AuditEntry{
		Time: e.time, Type: e.typ, Service: strings.Clone(e.service), InitiatedBy: e.initiatedBy, ID: e.id,
		Username: strings.Clone(resourceName(e.resource)),
		ClientIP: strings.Clone(scalar(v.Get("client_ip"))),
		Source:   Position{File: e.at.File, Line: e.at.Line}.String(),
	}
	var parts []string
	e.eachChange(func(c change) {
		if c.field != "" {
			parts = append(parts, fmt.Sprintf("%s: %s -> %s", c.field, shortValue(c.from), shortValue(c.to)))
		}
	})
	if as := v.Get("association"); as.Exists() {
		// A group or device association: "add: user_group Finance -> user jdoe".
		from, to := as.Get("connection.from"), as.Get("connection.to")
		for _, side := range [...]gjson.Result{from, to} {
			if isUser(side) && a.Username == "" {
				a.Username = strings.Clone(scalar(side.Get("name")))
			}
		}
		parts = append(parts, fmt.Sprintf("%s: %s %s -> %s %s", scalar(as.Get("op")),
			scalar(from.Get("type")), scalar(from.Get("name")), scalar(to.Get("type")), scalar(to.Get("name"))))
	}
	a.Changes = strings.Join(parts, "; ")
	return a
}

// resourceName is the username a resource gives: username, or a user's
// name where it gives none (see fromResource).
func resourceName(r gjson.Result) string {
	if u := r.Get("username"); u.Exists() || !isUser(r) {
		return scalar(u)
	}
	return scalar(r.Get("name"))
}

// shortValue renders a change value for the audit trail: text as it is,
// anything else as compact JSON, cut at 200 bytes.
func shortValue(v gjson.Result) string {
	s := scalar(v)
	if v.IsObject() || v.IsArray() {
		s = v.Get("@ugly").Raw // without the layout's white space
	}
	if len(s) > 200 {
		s = strings.ToValidUTF8(s[:200], "") + "…"
	}
	return s
}
