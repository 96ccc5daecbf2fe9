package convert

import (
	"hash/maphash"
	"slices"
	"strings"
	"time"

	"github.com/jcrestore/jcrestore/convert/jsonstream"
	"github.com/tidwall/gjson"
)

// prepared is what can be read from one event alone, before it is added to
// what the read knows: on the workers when blocks are read in parallel.
type prepared struct {
	fp      uint64 // see reading.fingerprint
	typ     string
	org     string      // with Options.Inspect, or when used
	service string      // with Options.Inspect
	time    time.Time   // with Options.Inspect, or when used
	used    *summary    // of a type jcrestore reads (see uses)
	audit   *AuditEntry // with Options.Trail
	psCut   bool        // PowerShell cut the event's changes short
	// psCutAssoc: PowerShell cut the association_change short.
	psCutAssoc bool
	unread     string   // why an event jcrestore uses was not read, told as a notice
	at         Position // where the event is, with unread
}

// summary is what the read uses of one event. It is made for every
// event of a type jcrestore reads, so it holds in place only what all
// have; a deletion keeps it to the end.
type summary struct {
	kind        byte
	at          Position // file and line
	time        time.Time
	id          string       // the event's id
	initiatedBy string       // the admin's email, username or id
	org         string       // the organization's id (a substring of the event until applied)
	userID      string       // resource.id: the user a deletion, user_create or user_update is about
	names       [2]userName  // from resource and initiated_by
	gone        *gone        // of a deletion: what it says of its user
	sets        *history     // of a user_create or user_update: what it sets, as of its time
	assoc       *assocChange // of an association_change
	formerBoss  string       // of a user_update: the manager (a user id) it changed away from
	formerName  string       // of a user_update: the username it changed away from
	aside       *aside       // of an event of beyondTypes
}

// Kinds of summaries.
const (
	kindOther    byte = iota // of use for the names it gives, or the trail
	kindDeletion             // a deletion (see deletes)
	kindCreate               // a user_create
	kindUpdate               // a user_update
	kindAssoc                // an association_change between a user and a group or device
	kindAside                // what a user had beyond the directory (beyond.go)
)

// reading is what reading one event depends on, fixed before the read
// starts: the read's options. Its methods run on the workers.
type reading struct {
	seed    maphash.Seed      // of fingerprints
	deletes map[string]bool   // the event types that produce rows
	mapped  map[string]string // column -> gjson path (--map)
	trail   bool              // gather the audit trail
	inspect bool              // read every event's service and time
}

// uses reports whether events of type typ are read beyond their type.
func (rd *reading) uses(typ string) bool {
	switch typ {
	case "user_create", "user_update", "association_change", BeyondPasswordManager, BeyondSaaS, BeyondAccess:
		return true
	}
	return rd.deletes[typ] || rd.trail && audited(typ)
}

// usesBytes is uses for a type as bytes, without making a string of it.
func (rd *reading) usesBytes(typ []byte) bool {
	switch string(typ) {
	case "user_create", "user_update", "association_change", BeyondPasswordManager, BeyondSaaS, BeyondAccess:
		return true
	}
	return rd.deletes[string(typ)] || rd.trail && audited(string(typ))
}

// deletion reports whether e, of type typ, deletes a user: a deletion type
// from the directory service (or from a service not named).
func (rd *reading) deletion(typ string, e *event) bool {
	return rd.deletes[typ] && (e.service == "" || e.service == "directory")
}

// event reads an event of type typ, from v or else from raw: as far as
// jcrestore uses its type, and its service and time for inspect.
func (rd *reading) event(typ string, at Position, v gjson.Result, raw []byte) *prepared {
	if !v.Exists() {
		v = inPlace(raw) // raw lives until the event is taken: see reader.apply
	}
	if !rd.uses(typ) {
		p := &prepared{typ: typ}
		if rd.inspect {
			p.service, p.time, p.org = scalar(v.Get("service")), parseTime(v.Get("timestamp")), scalar(v.Get("organization"))
		}
		return p
	}
	var e event
	e.parse(v, at)
	s := &summary{
		at:          Position{File: at.File, Line: at.Line},
		time:        e.time,
		id:          e.id,
		initiatedBy: e.initiatedBy,
		org:         e.org,
		names:       [2]userName{userNameOf(e.resource), userNameOf(e.initiatedByV)},
	}
	p := &prepared{typ: typ, service: e.service, time: e.time, org: e.org, used: s, at: at}
	switch {
	case rd.deletion(typ, &e):
		s.kind = kindDeletion
		var a attrs
		a.fromDeletion(&e)
		for col, path := range rd.mapped {
			a.user.SetCell(ColumnIndex(col), strings.Clone(scalar(gjson.Get(e.raw, path))))
		}
		s.gone = goneOf(&a)
		p.psCut = a.psCut
	case typ == "user_create", typ == "user_update":
		s.kind = kindUpdate
		if typ == "user_create" {
			s.kind = kindCreate
		}
		var a attrs
		a.fromLifecycle(&e)
		s.sets = historyOf(&a, e.time)
		p.psCut = a.psCut
		if typ == "user_update" {
			e.eachChange(func(c change) {
				switch Normalize(c.field) {
				case "manager":
					if IsID(scalar(c.from)) && scalar(c.from) != scalar(c.to) {
						s.formerBoss = strings.Clone(scalar(c.from))
					}
				case "username":
					if from := scalar(c.from); from != "" && !strings.EqualFold(from, scalar(c.to)) {
						s.formerName = strings.Clone(from)
					}
				}
			})
		}
	case typ == "association_change":
		c, ok, unread := readAssociation(v, e.time)
		if ok {
			s.kind, s.assoc = kindAssoc, &c
		} else if unread != "" {
			p.unread = "association_change not read: " + unread + "; its group or device is not restored"
		}
		p.psCutAssoc = c.cut
	case slices.Contains(beyondTypes, typ):
		if a := readAside(typ, &e, v); a != nil {
			s.kind, s.aside = kindAside, a
		}
	}
	if s.kind == kindDeletion || s.kind == kindCreate || s.kind == kindUpdate {
		s.userID = strings.Clone(scalar(e.resource.Get("id")))
	}
	p.psCut = p.psCut || e.psCut // known once the changes and resource were walked
	if rd.trail && audited(typ) {
		a := auditEntry(&e, v)
		p.audit = &a
	}
	return p
}

// record is the record a deletion makes.
func (s *summary) record() Record {
	return Record{
		User:       s.gone.user(),
		Attributes: s.gone.attributes,
		DeletedAt:  s.time,
		DeletedBy:  s.initiatedBy,
		EventID:    s.id,
		FormerID:   s.userID,
		Source:     s.at.String(),
		Notes:      s.gone.notes,
		CutLost:    s.gone.lost,
	}
}

// gone is what a deletion event says of its user, as the read keeps
// it to the end: of the columns only those with a value (a User holds
// every column, most of them empty).
type gone struct {
	cells      []cell
	attributes []Attribute
	notes      []string
	lost       []string // see attrs.lost
	account    account
}

// cell is the value of the column Columns[col].
type cell struct {
	col   uint8
	value string
}

// goneOf keeps what a, read from a deletion, says.
func goneOf(a *attrs) *gone {
	var buf [64]cell
	cells := buf[:0]
	for i := range Columns {
		if v := a.user.Cell(i); v != "" {
			cells = append(cells, cell{uint8(i), v})
		}
	}
	return &gone{cells: slices.Clone(cells), attributes: a.attributes, notes: a.notes, lost: a.lost, account: a.account}
}

// value is the value of the column, or "".
func (g *gone) value(column string) string {
	i := ColumnIndex(column)
	for _, c := range g.cells {
		if int(c.col) == i {
			return c.value
		}
	}
	return ""
}

// user is the deleted user's columns.
func (g *gone) user() User {
	var u User
	for _, c := range g.cells {
		u.SetCell(int(c.col), c.value)
	}
	return u
}

// batch is what a value that is not one plain event holds: the events
// found in it (an envelope, an array, a string holding JSON) and what was
// wrong with it, in order.
type batch struct{ items []item }

// item is one event or one problem of a batch. A notice is about an object
// that is no event (see unwrap).
type item struct {
	ev   *prepared
	prob *Problem
}

// The top-level keys the byte layer notes on the way, by their index in
// noted.
const (
	keyType = iota
	keyID
	keyService // for inspect
	keyTime    // for inspect
	keyOrg     // for inspect
)

var noted = []string{keyType: "event_type", keyID: "id", keyService: "service", keyTime: "timestamp", keyOrg: "organization"}

// prepare reads one top-level value as far as jcrestore uses it. It runs
// on the workers when blocks are read in parallel, so it only reads what
// Read set before reading. It returns nil for an event whose type the
// byte layer read and that is read no further (take reads it from v), a
// *prepared for one event, or a *batch. An event's fingerprint is also
// its value's tag, for fingerprints.ahead.
func (rd *reading) prepare(v *jsonstream.Value) any {
	typ, known := v.Key(keyType)
	var p *prepared
	switch {
	case known && typ != nil:
		if !rd.usesBytes(typ) && plain(v, keyID) && (!rd.inspect || plain(v, keyService) && plain(v, keyTime) && plain(v, keyOrg)) {
			id, _ := v.Key(keyID)
			v.Tag = rd.fingerprint(id, v.CompactLen())
			return nil
		}
		p = rd.event(string(typ), v.At, gjson.Result{}, v.Raw)
	case !known:
		if t := gjson.GetBytes(v.Raw, "event_type"); t.Exists() {
			p = rd.event(t.String(), v.At, gjson.Result{}, v.Raw)
		}
	}
	if p != nil {
		id, known := v.Key(keyID)
		if !known {
			id = []byte(scalar(gjson.GetBytes(v.Raw, "id")))
		}
		p.fp = rd.fingerprint(id, v.CompactLen())
		v.Tag = p.fp
		return p
	}
	b := &batch{}
	unwrap(gjson.ParseBytes(v.Raw), v.At, 0, func(v gjson.Result, at Position) {
		p := rd.event(strings.Clone(scalar(v.Get("event_type"))), at, v, nil)
		p.fp = rd.fingerprint([]byte(scalar(v.Get("id"))), jsonstream.CompactLen([]byte(v.Raw)))
		b.items = append(b.items, item{ev: p})
	}, func(p Problem) {
		b.items = append(b.items, item{prob: &p})
	})
	return b
}

// fingerprint tells an event read again, in an overlapping export, from
// another: the hash of its id and of its length without the white space
// between its tokens, the same in every layout. Two events with the same
// id and different content (Elastic's test data has such a pair) differ
// in length. It is 0 for an event without an id, and never else.
func (rd *reading) fingerprint(id []byte, compactLen int) uint64 {
	if len(id) == 0 {
		return 0
	}
	return max(maphash.Bytes(rd.seed, id)^uint64(compactLen)*0x9e3779b97f4a7c15, 1)
}

// plain reports whether the byte layer read the key n of v: a plain
// string, or no such key.
func plain(v *jsonstream.Value, n int) bool {
	_, known := v.Key(n)
	return known
}
