package convert

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/tidwall/gjson"
)

// Beyond the directory: what a deleted user had in JumpCloud's other
// services, which the deletion ended and neither the import nor the
// restore script brings back. Directory Insights tells of them (its API
// specification of 2026-03, services password_manager,
// saas_app_management and access_management): passwordmanager_user_remove
// (the user removed from the Password Manager), saas_management_account_
// user_assign (a SaaS account linked to the user),
// access_management_association_change (access an Access Workflow granted,
// for a time). jcrestore says them, for the admin to do or decide.
//
// The specification gives these events' fields but not which names the
// user, so every plausible place is read: resource, association (a user
// or systemuser side), the username field, and an email in changes.

// Kinds of Beyond.
const (
	BeyondPasswordManager = "passwordmanager_user_remove"
	BeyondSaaS            = "saas_management_account_user_assign"
	BeyondAccess          = "access_management_association_change"
)

// beyondTypes are the event types read for Beyond.
var beyondTypes = []string{BeyondPasswordManager, BeyondSaaS, BeyondAccess}

// Beyond is one thing a deleted user had elsewhere in JumpCloud: Kind is
// the event type that told it, Detail what it was about (a SaaS
// application, an Access Workflow), At when.
type Beyond struct {
	Kind, Detail string
	At           time.Time
}

// aside is what a Beyond event says, and of which user.
type aside struct {
	Beyond
	id, username, email string
}

// readAside reads a Beyond event e of type typ.
func readAside(typ string, e *event, v gjson.Result) *aside {
	a := &aside{Beyond: Beyond{Kind: typ, At: e.time}}
	for _, side := range [...]gjson.Result{e.resource, v.Get("association")} {
		if isUser(side) || !side.Get("type").Exists() {
			a.id = cmp.Or(a.id, strings.Clone(scalar(side.Get("id"))))
			a.username = cmp.Or(a.username, strings.Clone(scalar(side.Get("username"))))
			a.email = cmp.Or(a.email, strings.Clone(strings.ToLower(scalar(side.Get("email")))))
			if isUser(side) {
				a.username = cmp.Or(a.username, strings.Clone(scalar(side.Get("name"))))
			}
		}
	}
	a.username = cmp.Or(a.username, strings.Clone(scalar(v.Get("username"))))
	e.eachChange(func(c change) {
		if Normalize(c.field) == "email" {
			a.email = cmp.Or(a.email, strings.Clone(strings.ToLower(cmp.Or(scalar(c.to), scalar(c.from)))))
		}
	})
	switch typ {
	case BeyondSaaS:
		a.Detail = strings.Clone(cmp.Or(scalar(e.resource.Get("application_name")), scalar(e.resource.Get("name")), scalar(e.resource.Get("application_id"))))
	case BeyondAccess:
		w := v.Get("workflow")
		a.Detail = strings.Clone(cmp.Or(scalar(w.Get("name")), scalar(w.Get("id"))))
	}
	if a.id == "" && a.username == "" && a.email == "" {
		return nil
	}
	return a
}

// beyond are the Beyond events of rec's user among asides: those before
// the deletion, and a removal from the Password Manager made with it.
func beyond(asides []*aside, rec *Record) []Beyond {
	var out []Beyond
	for _, a := range asides {
		mine := a.id != "" && a.id == rec.FormerID || a.username != "" && strings.EqualFold(a.username, rec.Username) ||
			a.email != "" && strings.EqualFold(a.email, rec.Email)
		if !mine {
			continue
		}
		before := rec.DeletedAt.IsZero() || a.At.IsZero() || !a.At.After(rec.DeletedAt)
		if a.Kind == BeyondPasswordManager {
			before = before || a.At.Sub(rec.DeletedAt) <= cascade
		}
		if before && !slices.ContainsFunc(out, func(b Beyond) bool { return b.Kind == a.Kind && b.Detail == a.Detail }) {
			out = append(out, a.Beyond)
		}
	}
	return out
}

// checkBeyond tells what rec's user had beyond the directory.
func checkBeyond(c *checker, r *Record) {
	var saas, access []string
	for _, b := range r.Beyond {
		switch b.Kind {
		case BeyondPasswordManager:
			c.after("Password Manager", "removed from JumpCloud's Password Manager with the deletion: invite the user to the Password Manager again, and share their folders with them again")
		case BeyondSaaS:
			saas = append(saas, cmp.Or(b.Detail, "an account"))
		case BeyondAccess:
			access = append(access, cmp.Or(b.Detail, "an Access Workflow"))
		}
	}
	if len(saas) > 0 {
		c.after("SaaS accounts", "linked to the user in SaaS Management: %s; link %s to the user again by hand", strings.Join(saas, ", "), them(len(saas)))
	}
	if len(access) > 0 {
		c.add(Note, "access", "had time-bound access through %s: not restored, as it was granted for a time; request it again if it is still needed", strings.Join(access, ", "))
	}
}
