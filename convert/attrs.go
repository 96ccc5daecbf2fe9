package convert

import (
	"fmt"
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
// file: account state, secrets and flags that JumpCloud's import rejects or
// that must not come back on their own.
var ignored = map[string]bool{
	"password": true, "state": true, "suspended": true, "activated": true,
	"accountlocked": true, "sudo": true, "passwordlesssudo": true,
	"passwordneverexpires": true, "id": true, "type": true,
}

// add offers the value of the attribute name (as an event spells it).
func (a *attrs) add(name string, v gjson.Result) {
	if isCut(v) {
		a.psCut = true
		if p, ok := parsePS(v.Str); ok {
			v = p
		} else {
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
	default:
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
		c, ok := phoneColumns[Normalize(kind)]
		if !ok {
			a.note("phone number %q of type %q has no column and was left out", scalar(ph.Get("number")), kind)
			return
		}
		a.set(c, scalar(ph.Get("number")))
	})
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
	e.resource.ForEach(func(k, v gjson.Result) bool {
		a.add(k.Str, v)
		return true
	})
	a.psCut = a.psCut || e.psCut
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
