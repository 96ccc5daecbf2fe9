package convert

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// What the import CSV cannot carry, the restore script sets once the
// import has created the users: the state and flags each had, every
// device binding with its rights, groups by id, direct associations, and
// last the managers (importer-and-followup.md §2). This file says what
// that is for a record, and words it as the review workbook shows it
// (and approve reads it back).

// Link is a user's direct association, as the export shows it when the
// user was deleted: a device, a user group, an application, a directory.
type Link struct {
	Type       string // one of LinkTypes
	ID, Name   string
	Sudo       bool // a device or device group: as an administrator
	NoPassword bool // a device or device group: sudo without a password
	// RightsUnknown: the export does not tell whether the binding had
	// sudo (PowerShell cut its attributes): it is bound as a standard user.
	RightsUnknown bool
}

// LinkTypes are the association types a user can have directly, as
// Directory Insights and the API name them.
var LinkTypes = []string{"system", "user_group", "application", "ldap_server", "radius_server", "g_suite", "office_365", "system_group"}

// linkWords are how the workbook names each type.
var linkWords = map[string]string{"system": "device", "user_group": "group", "application": "application", "ldap_server": "LDAP server",
	"radius_server": "RADIUS server", "g_suite": "G Suite", "office_365": "Microsoft 365", "system_group": "device group"}

// linkTypesByWords are LinkTypes in the order parseLink tries their
// words: the longest first, so that "device group Servers" is never read
// as the device "group Servers" ("device " begins "device group ").
var linkTypesByWords = func() []string {
	types := slices.Clone(LinkTypes)
	slices.SortStableFunc(types, func(a, b string) int { return len(linkWords[b]) - len(linkWords[a]) })
	return types
}()

// sudoAllowed reports whether a link of this type can carry administrator
// rights: a device, and a device group bound directly.
func (l Link) sudoAllowed() bool {
	return l.Type == "system" || l.Type == "system_group"
}

// rightsWords words the rights of a device or device group bound: "as
// administrator, without password". Without password counts only for
// an administrator, as the restore script binds.
func rightsWords(admin, noPassword bool) string {
	switch {
	case admin && noPassword:
		return "as administrator, without password"
	case admin:
		return "as administrator, with password"
	}
	return "as a standard user"
}

// withSystemID are links with the device of r's SystemID column (an
// import CSV's, or one a reviewer typed) where links lack it, bound as
// its Administrator column says.
func withSystemID(links []Link, r *Record) []Link {
	if IsID(r.SystemID) && !slices.ContainsFunc(links, func(l Link) bool { return l.Type == "system" && strings.EqualFold(l.ID, r.SystemID) }) {
		admin := strings.HasSuffix(strings.ToLower(r.Administrator), "true")
		links = append(slices.Clip(links), Link{Type: "system", ID: strings.ToLower(r.SystemID), Sudo: admin})
	}
	return links
}

// Flags are the account settings the restore script sets again, as
// Set-JCUser names its [bool] parameters. samba_service_user is not one of
// them: no cmdlet of the module sets it.
var Flags = []string{"account_locked", "sudo", "passwordless_sudo", "password_never_expires", "ldap_binding_user", "enable_managed_uid", "allow_public_key"}

// flagBits are the account bits of Flags, in order.
var flagBits = []uint16{acctLocked, acctSudo, acctPasswordlessSudo, acctPasswordNeverExpires, acctLDAPBinding, acctManagedUID, acctPublicKey}

// AfterImport is what the restore script sets for one user once the
// import created them.
type AfterImport struct {
	Suspend bool     // set the state SUSPENDED again
	Flags   []string // of Flags, those the user had
	Links   []Link   // every device, group and direct association (those with an id)
	Manager string   // the manager (the manager column's), set once every user exists
	// Reports are the users whose manager the user was until the deletion
	// changed it: set back only when the admin asks (-RestoreReports).
	Reports []string
	// ByHand are what no cmdlet sets again, of byHand: said, so that
	// approve tells them again, and left to the admin.
	ByHand []string
}

// byHand are the account settings the script cannot set, with their
// bits: in the After import column as "staged (by hand)".
var byHand = []setting{{"staged", acctStaged}, {"samba_service_user", acctSamba}}

// setting is an account setting by name, with its bit.
type setting struct {
	name string
	bit  uint16
}

// AfterImport is what the restore script sets for r after the import.
func (r *Record) AfterImport() AfterImport {
	a := AfterImport{Suspend: r.account&acctSuspended != 0, Manager: r.Manager, Reports: r.Reports}
	for i, bit := range flagBits {
		if r.account&bit != 0 {
			a.Flags = append(a.Flags, Flags[i])
		}
	}
	for _, l := range r.Links {
		if IsID(l.ID) {
			a.Links = append(a.Links, l)
		}
	}
	for _, h := range byHand {
		if r.account&h.bit != 0 {
			a.ByHand = append(a.ByHand, h.name)
		}
	}
	return a
}

// Empty reports whether there is nothing to set.
func (a AfterImport) Empty() bool {
	return !a.Suspend && len(a.Flags) == 0 && len(a.Links) == 0 && a.Manager == "" && len(a.Reports) == 0 && len(a.ByHand) == 0
}

// String words a as the review workbook's After import column shows it
// and approve reads it back: "suspend; account_locked; device HAL-MBP
// (6610...e2) admin nopassword; group Finance (6610...c1); reports ann,
// bob". The manager is not in it: it is the manager column's.
func (a AfterImport) String() string {
	var parts []string
	if a.Suspend {
		parts = append(parts, "suspend")
	}
	parts = append(parts, a.Flags...)
	for _, l := range a.Links {
		p := fmt.Sprintf("%s %s (%s)", linkWords[l.Type], cleanName(l.Name), l.ID)
		if l.Sudo {
			p += " admin"
		}
		if l.NoPassword {
			p += " nopassword"
		}
		parts = append(parts, p)
	}
	if len(a.Reports) > 0 {
		parts = append(parts, "reports "+strings.Join(a.Reports, ", "))
	}
	for _, h := range a.ByHand {
		parts = append(parts, h+" (by hand)")
	}
	return strings.Join(parts, "; ")
}

// cleanName keeps a name from breaking the column's syntax.
func cleanName(s string) string {
	return strings.NewReplacer(";", ",", "(", "[", ")", "]", "\n", " ", "\r", " ").Replace(s)
}

// linkStep is one association as String words it.
var linkStep = regexp.MustCompile(`^(.+?) (.*)\(([0-9a-fA-F]{24})\)((?: admin| nopassword)*)$`)

// ParseAfterImport reads what a reviewer left in the After import column
// (see String): the steps in any order and case, any of them deleted.
// What it does not understand is an error that names it.
func ParseAfterImport(s string) (AfterImport, error) {
	var a AfterImport
	for _, part := range strings.Split(s, ";") {
		part = strings.TrimSpace(part)
		lower := strings.ToLower(part)
		switch {
		case part == "":
		case lower == "suspend":
			a.Suspend = true
		case strings.HasPrefix(lower, "reports "):
			for _, n := range strings.Split(part[len("reports "):], ",") {
				if n = strings.TrimSpace(n); n != "" {
					a.Reports = append(a.Reports, n)
				}
			}
		case slices.ContainsFunc(byHand, func(h setting) bool { return lower == h.name+" (by hand)" }):
			a.ByHand = append(a.ByHand, strings.TrimSuffix(lower, " (by hand)"))
		case slices.Contains(Flags, lower):
			if !slices.Contains(a.Flags, lower) {
				a.Flags = append(a.Flags, lower)
			}
		default:
			l, ok := parseLink(part)
			if !ok {
				return a, fmt.Errorf("%q is no step of the restore script (suspend, a flag such as account_locked, or a device, group or other link with its id in brackets)", part)
			}
			a.Links = append(a.Links, l)
		}
	}
	slices.SortFunc(a.Flags, func(x, y string) int { return slices.Index(Flags, x) - slices.Index(Flags, y) })
	return a, nil
}

// parseLink reads "device HAL-MBP (6610...e2) admin".
func parseLink(part string) (Link, bool) {
	m := linkStep.FindStringSubmatch(part)
	if m == nil {
		return Link{}, false
	}
	for _, typ := range linkTypesByWords {
		words := linkWords[typ]
		if !strings.HasPrefix(strings.ToLower(m[1]+" "+m[2]), strings.ToLower(words)+" ") {
			continue
		}
		name := strings.TrimSpace((m[1] + " " + m[2])[len(words):])
		l := Link{Type: typ, ID: strings.ToLower(m[3]), Name: name}
		l.Sudo = strings.Contains(m[4], "admin") || strings.Contains(m[4], "nopassword")
		l.NoPassword = strings.Contains(m[4], "nopassword")
		if l.Sudo && !l.sudoAllowed() {
			return Link{}, false
		}
		return l, true
	}
	return Link{}, false
}

// SetAfterImport makes a what the restore script sets for r: the state,
// the flags, the links and the reports (approve, from the reviewed
// workbook).
func (r *Record) SetAfterImport(a AfterImport) {
	r.account &^= acctSuspended
	for _, bit := range flagBits {
		r.account &^= bit
	}
	if a.Suspend {
		r.account |= acctSuspended
	}
	for _, f := range a.Flags {
		r.account |= flagBits[slices.Index(Flags, f)]
	}
	for _, h := range byHand {
		r.account &^= h.bit
		if slices.Contains(a.ByHand, h.name) {
			r.account |= h.bit
		}
	}
	r.Links, r.Reports = a.Links, a.Reports
}

// Action is one change the restore script makes for a user once the
// import created them, with its words: the script shows them under
// -WhatIf and in its record, and inspect prints them.
type Action struct {
	Kind   string // one of the Act constants
	Target string // the flag's name, or the id of what is bound or joined
	Type   string // ActBind: the association's type, of LinkTypes
	Name   string // what is bound or joined, as the export names it
	// Admin and NoPassword are the rights of a device or device group
	// bound: administrator (sudo), and sudo without a password.
	Admin, NoPassword bool
}

// The kinds of Action, as the restore script names them.
const (
	ActSuspend = "suspend" // set the state SUSPENDED
	ActFlag    = "flag"    // set one of Flags
	ActBind    = "bind"    // bind a device or other direct association
	ActGroup   = "group"   // add to a user group
)

// Actions are the changes of a the script makes for a user, in its order:
// the state, the flags, the devices, the groups, the other associations.
// The manager and the reports come once every user exists, apart.
func (a AfterImport) Actions() []Action {
	var out []Action
	if a.Suspend {
		out = append(out, Action{Kind: ActSuspend, Target: "SUSPENDED"})
	}
	for _, f := range a.Flags {
		out = append(out, Action{Kind: ActFlag, Target: f})
	}
	for _, pass := range [...]func(Link) bool{
		func(l Link) bool { return l.Type == "system" },
		func(l Link) bool { return l.Type == "user_group" },
		func(l Link) bool { return l.Type != "system" && l.Type != "user_group" },
	} {
		for _, l := range a.Links {
			if !pass(l) {
				continue
			}
			act := Action{Kind: ActBind, Target: l.ID, Type: l.Type, Name: l.Name}
			if l.Type == "user_group" {
				act.Kind, act.Type = ActGroup, ""
			}
			if l.sudoAllowed() {
				act.Admin, act.NoPassword = l.Sudo, l.Sudo && l.NoPassword
			}
			out = append(out, act)
		}
	}
	return out
}

// String words the action: "bind device NOOR-MBP (6a00...01) as
// administrator, without password".
func (act Action) String() string {
	switch act.Kind {
	case ActSuspend:
		return "suspend (state SUSPENDED)"
	case ActFlag:
		return "set " + act.Target
	case ActGroup:
		return "add to group " + named(act.Name, act.Target)
	}
	s := "bind " + linkWords[act.Type] + " " + named(act.Name, act.Target)
	if (Link{Type: act.Type}).sudoAllowed() {
		s += " " + rightsWords(act.Admin, act.NoPassword)
	}
	return s
}

// named words what an action binds or joins: its name and id, or its id.
func named(name, id string) string {
	if name == "" {
		return "(" + id + ")"
	}
	return cleanName(name) + " (" + id + ")"
}

// AfterImportOf is what a restore script's actions set, with the manager
// and reports it sets apart: the inverse of Actions, for verify and
// inspect, which read a script's plan back.
func AfterImportOf(acts []Action, manager string, reports []string) AfterImport {
	a := AfterImport{Manager: manager, Reports: reports}
	for _, act := range acts {
		switch act.Kind {
		case ActSuspend:
			a.Suspend = true
		case ActFlag:
			if slices.Contains(Flags, act.Target) && !slices.Contains(a.Flags, act.Target) {
				a.Flags = append(a.Flags, act.Target)
			}
		case ActGroup:
			a.Links = append(a.Links, Link{Type: "user_group", ID: act.Target, Name: act.Name})
		case ActBind:
			a.Links = append(a.Links, Link{Type: act.Type, ID: act.Target, Name: act.Name, Sudo: act.Admin, NoPassword: act.Admin && act.NoPassword})
		}
	}
	slices.SortFunc(a.Flags, func(x, y string) int { return slices.Index(Flags, x) - slices.Index(Flags, y) })
	return a
}
