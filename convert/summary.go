package convert

import (
	"strings"
	"time"

	"github.com/tidwall/gjson"
)

// prepared is what can be read from one event alone, before it is added to
// what the read knows: on the workers when blocks are read in parallel.
type prepared struct {
	typ     string
	service string      // with Options.Inspect
	time    time.Time   // with Options.Inspect, or when used
	used    *summary    // of a type jcrestore reads (see uses)
	audit   *AuditEntry // with Options.Trail
	psCut   bool        // PowerShell cut the event's changes short
}

// summary is what the read uses of one event.
type summary struct {
	kind        byte
	at          Position // file and line
	time        time.Time
	id          string      // the event's id
	initiatedBy string      // the admin's email, username or id
	userID      string      // resource.id: the user a deletion, user_create or user_update is about
	names       [2]userName // from resource and initiated_by
	a           attrs       // what a deletion, user_create or user_update says
	assoc       assocChange // of an association_change
}

// Kinds of summaries.
const (
	kindOther    byte = iota // of use for the names it gives, or the trail
	kindDeletion             // a deletion (see deletes)
	kindCreate               // a user_create
	kindUpdate               // a user_update
	kindAssoc                // an association_change between a user and a group or device
)

// event reads an event of type typ, from v or else from raw: as far as
// jcrestore uses its type, and its service and time for inspect.
func (r *reader) event(typ string, at Position, v gjson.Result, raw []byte) *prepared {
	if !r.uses(typ) {
		p := &prepared{typ: typ}
		if r.opts.Inspect {
			if !v.Exists() {
				v = gjson.ParseBytes(raw)
			}
			p.service, p.time = scalar(v.Get("service")), parseTime(v.Get("timestamp"))
		}
		return p
	}
	if !v.Exists() {
		v = gjson.ParseBytes(raw)
	}
	e := parseEvent(v, at)
	s := &summary{
		at:          Position{File: at.File, Line: at.Line},
		time:        e.time,
		id:          e.id,
		initiatedBy: e.initiatedBy,
		names:       [2]userName{userNameOf(e.resource), userNameOf(e.initiatedByV)},
	}
	p := &prepared{typ: typ, service: e.service, time: e.time, used: s}
	switch {
	case r.deletes(typ, e):
		s.kind = kindDeletion
		s.a.fromDeletion(e)
		for col, path := range r.opts.Map {
			s.a.user.SetCell(ColumnIndex(col), strings.Clone(scalar(gjson.Get(e.raw, path))))
		}
	case typ == "user_create", typ == "user_update":
		s.kind = kindUpdate
		if typ == "user_create" {
			s.kind = kindCreate
		}
		s.a.fromLifecycle(e)
	case typ == "association_change":
		if c, ok := readAssociation(v, e.time); ok {
			s.kind, s.assoc = kindAssoc, c
		}
	}
	if s.kind == kindDeletion || s.kind == kindCreate || s.kind == kindUpdate {
		s.userID = strings.Clone(scalar(e.resource.Get("id")))
	}
	p.psCut = e.psCut || s.a.psCut // known once the changes and resource were walked
	if r.opts.Trail && audited(typ) {
		a := auditEntry(e, v)
		p.audit = &a
	}
	return p
}

// deletes reports whether e, of type typ, deletes a user: a deletion type
// from the directory service (or from a service not named).
func (r *reader) deletes(typ string, e *event) bool {
	return r.events[typ] && (e.service == "" || e.service == "directory")
}

// apply adds a prepared event to what the read knows: a deletion as it
// is; of the events that may tell more of a deleted user, what they say
// about their user.
func (r *reader) apply(p *prepared) {
	s := p.used
	if p.audit != nil {
		r.trail = append(r.trail, *p.audit)
	}
	if p.psCut {
		r.stats.PSCut++
	}
	r.addName(s.names[0])
	r.addName(s.names[1])
	switch s.kind {
	case kindDeletion:
		r.deletion(s)
	case kindCreate, kindUpdate:
		if s.userID != "" {
			h := r.history[s.userID]
			if h == nil {
				h = &history{}
				r.history[strings.Clone(s.userID)] = h
			}
			h.apply(&s.a, s.time)
		}
		if s.kind == kindCreate {
			r.creation(s)
		}
	case kindAssoc:
		r.assoc.add(s.assoc)
		if c := s.assoc; c.userID != "" && c.userName != "" {
			// The name an association gives stands over the others.
			r.names[strings.Clone(c.userID)] = strings.Clone(c.userName)
		}
	}
}

// creation remembers a user_create under its username and its email: a
// deleted user created again later is already back.
func (r *reader) creation(s *summary) {
	c := created{at: s.time, source: s.at.String()}
	for _, key := range s.createdKeys() {
		if len(key) > 2 && c.at.After(r.created[key].at) {
			r.created[key] = c
		}
	}
}

// createdKeys are the keys a user_create is known under, to find the
// users created again after their deletion.
func (s *summary) createdKeys() [2]string {
	return [...]string{"u:" + strings.ToLower(s.a.user.Username), "e:" + strings.ToLower(s.a.user.Email)}
}

// record is the record a deletion makes.
func (s *summary) record() Record {
	return Record{
		User:       s.a.user,
		Attributes: s.a.attributes,
		DeletedAt:  s.time,
		DeletedBy:  s.initiatedBy,
		EventID:    s.id,
		FormerID:   s.userID,
		Source:     s.at.String(),
		Notes:      s.a.notes,
	}
}
