package convert

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/tidwall/gjson"
)

// attrs gathers one user's attributes from event values. The first value
// found for a column wins, so callers offer values in priority order.
type attrs struct {
	user       User
	attributes []Attribute
	notes      []string
	psCut      bool
	lost       []string // the values PowerShell wrote as System.Object[], by field name
	account    account  // the settings the import does not bring back

	// touched marks the columns a change spoke of, with a value or
	// without (cleared), one bit each by index in Columns;
	// attributesTouched the custom attributes. History needs both: a newer
	// update that clears a value wins over an older one that set it.
	touched           uint64
	attributesTouched bool
}

// set stores value in the column (named exactly) unless it already has
// one. The value is copied: a substring would keep the whole event in
// memory.
func (a *attrs) set(column, value string) {
	i := ColumnIndex(column)
	a.touched |= 1 << i
	if value != "" && a.user.Cell(i) == "" {
		a.user.SetCell(i, strings.Clone(value))
	}
}

// touch marks the columns of a structured attribute as spoken of: a new
// list of addresses replaces the old one whole.
func (a *attrs) touch(columns ...string) {
	for _, c := range columns {
		a.touched |= 1 << ColumnIndex(c)
	}
}

func (a *attrs) note(format string, args ...any) {
	n := fmt.Sprintf(format, args...)
	for _, old := range a.notes {
		if old == n {
			return
		}
	}
	a.notes = append(a.notes, n)
}

// ignored are attribute names events carry that have no place in an import
// file: secrets, ids, and the columns jcrestore fills from other events
// (the device bound, from association_change).
var ignored = map[string]bool{
	"password": true, "activated": true, "id": true, "type": true,
	"systemid": true, "administrator": true,
}

// account is what events say of a user's account settings that the import
// does not bring back as they were: set and touched, by bit.
type account struct{ set, touched uint16 }

// The account settings, by bit, with the field events give them in and
// what the admin is told of a user who had them when deleted.
const (
	acctSuspended uint16 = 1 << iota
	acctLocked
	acctSudo
	acctPasswordlessSudo
	acctMFA // carried: enable_user_portal_multifactor
	acctTOTP
	acctPasswordNeverExpires
	acctStaged // state STAGED: invited, never activated
	acctLDAPBinding
	acctSamba
	acctManagedUID
	acctPublicKey
)

var accountSettings = [...]struct {
	bit          uint16
	name, field  string // as events spell it, and normalised
	had, outcome string
}{
	{acctSuspended, "suspended", "suspended", "was suspended when deleted", "the import creates users in the organization's default state for new users, so suspend the user again after the import"},
	{acctLocked, "account_locked", "accountlocked", "was locked out when deleted", "the import creates the user unlocked, so lock the account again if that was meant"},
	{acctSudo, "sudo", "sudo", "was an administrator (sudo) on their devices", "the import cannot grant it, so grant it again on the devices after the import"},
	{acctPasswordlessSudo, "passwordless_sudo", "passwordlesssudo", "had passwordless sudo", "the import cannot grant it, so grant it again after the import"},
	{acctMFA, "enable_user_portal_multifactor", "enableuserportalmultifactor", "had to use MFA at the user portal", "the CSV requires it again (enable_user_portal_multifactor): the user enrolls again, within the default 7 days"},
	{acctTOTP, "totp_enabled", "totpenabled", "was enrolled in TOTP MFA", "the restored user enrolls again"},
	{acctPasswordNeverExpires, "password_never_expires", "passwordneverexpires", "had a password that never expires", "the import cannot set it, so set it again after the import"},
	{acctStaged, "state", "-", "was STAGED (invited, never activated) when deleted", "the import creates users in the organization's default state for new users, and no cmdlet stages a user again: check the user's state after the import"},
	{acctLDAPBinding, "ldap_binding_user", "ldapbindinguser", "was an LDAP binding user", "the import cannot set it, so set it again after the import"},
	{acctSamba, "samba_service_user", "sambaserviceuser", "was a Samba service user", "neither the import nor a cmdlet of the module sets it: set it again in the Admin Portal after the import"},
	{acctManagedUID, "enable_managed_uid", "enablemanageduid", "had a UID and GID managed by JumpCloud", "the import cannot set it, so set it again after the import"},
	{acctPublicKey, "allow_public_key", "allowpublickey", "could log in with a public key", "the import cannot set it, so set it again after the import"},
}

// mark records a setting's value, unless a value was offered before.
func (ac *account) mark(bit uint16, on bool) {
	if ac.touched&bit != 0 {
		return
	}
	ac.touched |= bit
	if on {
		ac.set |= bit
	}
}

// fill takes the settings o spoke of and ac did not.
func (ac *account) fill(o account) {
	ac.set |= o.set &^ ac.touched
	ac.touched |= o.touched
}

// flag reads the value of an account setting: a boolean, or its text.
func flag(v gjson.Result) bool {
	on, _ := strconv.ParseBool(strings.ToLower(scalar(v)))
	return on
}

// add offers the value of the attribute name (as an event spells it).
func (a *attrs) add(name string, v gjson.Result) {
	if isCut(v) {
		a.psCut = true
		if p, ok := parsePS(v.Str); ok {
			v = p
		} else {
			if !slices.Contains(a.lost, name) {
				a.lost = append(a.lost, strings.Clone(name))
			}
			return
		}
	}
	switch n := Normalize(name); n {
	case "addresses":
		for _, kind := range [...]string{"home", "work"} {
			for _, p := range addressParts {
				a.touch(kind + "_" + p.suffix)
			}
		}
		a.addresses(v)
	case "phonenumbers":
		for _, c := range phoneColumns {
			a.touch(c)
		}
		a.phones(v)
	case "attributes":
		a.attributesTouched = true
		a.customAttributes(v)
	case "recoveryemail":
		if v.IsObject() {
			v = v.Get("address")
		}
		a.set("recoveryEmail", scalar(v))
	case "emails": // SCIM: [{"primary": true, "type": "work", "value": ...}]
		a.set("Email", scimEmail(v))
	case "state": // ACTIVATED, SUSPENDED or STAGED
		if st := strings.ToUpper(scalar(v)); st != "" {
			a.account.mark(acctSuspended, st == "SUSPENDED")
			a.account.mark(acctStaged, st == "STAGED")
		}
	case "name": // SCIM: {"givenName", "familyName", "middleName"}
		if v.IsObject() {
			a.set("FirstName", scalar(v.Get("givenName")))
			a.set("LastName", scalar(v.Get("familyName")))
			a.set("MiddleName", scalar(v.Get("middleName")))
		}
	default:
		for _, st := range accountSettings {
			if n == st.field {
				a.account.mark(st.bit, flag(v))
				return
			}
		}
		if ignored[n] {
			return
		}
		if c, ok := canonical(n); ok {
			a.set(c, scalar(v))
		}
	}
}

// each calls f for every object in v, which may be one object or an array.
func each(v gjson.Result, f func(gjson.Result)) {
	if v.IsObject() {
		f(v)
		return
	}
	v.ForEach(func(_, item gjson.Result) bool {
		if item.IsObject() {
			f(item)
		}
		return true
	})
}

// addressParts maps the keys of an address object to column suffixes.
var addressParts = [...]struct{ key, suffix string }{
	{"streetAddress", "streetAddress"},
	{"poBox", "poBox"},
	{"locality", "city"},
	{"region", "state"},
	{"postalCode", "postalCode"},
	{"country", "country"},
}

func (a *attrs) addresses(v gjson.Result) {
	each(v, func(addr gjson.Result) {
		kind := Normalize(scalar(addr.Get("type")))
		if kind != "home" && kind != "work" {
			if kind == "" {
				kind = "untyped"
			}
			a.note("an address of type %s has no column and was left out", kind)
			return
		}
		for _, p := range addressParts {
			a.set(kind+"_"+p.suffix, scalar(addr.Get(p.key)))
		}
		if x := scalar(addr.Get("extendedAddress")); x != "" {
			a.note("the %s address line %q has no column and was left out", kind, x)
		}
	})
}

// phoneColumns maps normalised phone number types to columns.
var phoneColumns = map[string]string{
	"mobile":     "mobile_number",
	"home":       "home_number",
	"work":       "work_number",
	"workmobile": "work_mobile_number",
	"workfax":    "work_fax_number",
}

func (a *attrs) phones(v gjson.Result) {
	each(v, func(ph gjson.Result) {
		kind := scalar(ph.Get("type"))
		number := scalar(ph.Get("number"))
		if number == "" {
			number = scalar(ph.Get("value")) // SCIM
		}
		c, ok := phoneColumns[Normalize(kind)]
		if !ok {
			a.note("phone number %q of type %q has no column and was left out", number, kind)
			return
		}
		a.set(c, number)
	})
}

// scimEmail picks the email of a SCIM list of emails: the primary one,
// else the first of type work, else the first.
func scimEmail(v gjson.Result) string {
	var first, work, primary string
	each(v, func(e gjson.Result) {
		value := scalar(e.Get("value"))
		switch {
		case value == "":
		case e.Get("primary").Bool() && primary == "":
			primary = value
		case strings.EqualFold(scalar(e.Get("type")), "work") && work == "":
			work = value
		}
		if first == "" {
			first = value
		}
	})
	return cmp.Or(primary, work, first)
}

// customAttributes adds the custom attributes of v whose names are new; a
// name that v itself holds twice is noted, and its first value kept.
func (a *attrs) customAttributes(v gjson.Result) {
	known := len(a.attributes)
	each(v, func(at gjson.Result) {
		name := scalar(at.Get("name"))
		if name == "" {
			return
		}
		for i, old := range a.attributes {
			if strings.EqualFold(old.Name, name) {
				if i >= known {
					a.note("the custom attribute %q appears twice; the first value was kept", name)
				}
				return
			}
		}
		a.attributes = append(a.attributes, Attribute{Name: strings.Clone(name), Value: strings.Clone(scalar(at.Get("value")))})
	})
}

// fromDeletion offers what a deletion event says about its user, in the
// documented priority: each changes entry's old value (from, else to), then
// the keys of resource.
func (a *attrs) fromDeletion(e *event) {
	e.eachChange(func(c change) {
		v := c.from
		if !v.Exists() || v.Type == gjson.Null {
			v = c.to
		}
		a.add(c.field, v)
	})
	a.fromResource(e.resource)
	a.psCut = a.psCut || e.psCut
}

// fromResource offers the keys of an event's resource. Its "name" is the
// username where the resource gives no username (JumpCloud's API docs show
// {"id", "type": "user", "name": "john.doe"}), and else the display name
// (as in the docs' {"username", "name": "displayName"}).
func (a *attrs) fromResource(r gjson.Result) {
	username := r.Get("username").Exists()
	r.ForEach(func(k, v gjson.Result) bool {
		name := k.Str
		if name == "name" && v.Type == gjson.String {
			name = "username"
			if username {
				name = "displayname"
			}
		}
		a.add(name, v)
		return true
	})
}

// fromLifecycle gathers what a user_create or user_update event sets:
// each change's new value, then the keys of resource.
func (a *attrs) fromLifecycle(e *event) {
	e.eachChange(func(c change) { a.add(c.field, c.to) })
	a.fromResource(e.resource)
}
