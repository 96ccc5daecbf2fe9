package convert

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"io"
	"maps"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jcrestore/jcrestore/convert/jsonstream"
	"github.com/tidwall/gjson"
)

// DefaultEvents are the event types that produce rows unless told otherwise.
var DefaultEvents = []string{"user_delete"}

// Input is one export to read, named as messages should name it. Reopen,
// when set, reads it again from the start: a second pass looks there for
// the usernames of managers the first pass could not name.
type Input struct {
	Name   string
	R      io.Reader
	Reopen func() (io.ReadCloser, error)
}

// Options says which deletions count and how to read them.
type Options struct {
	// Events are the event types that produce rows (DefaultEvents if empty).
	Events []string
	// Since and Until keep deletions in [Since, Until); zero means open.
	Since, Until time.Time
	// DeletedBy keeps deletions initiated by this admin (email, username or
	// id, compared without regard to case).
	DeletedBy string
	// Existing, when set, leaves out users whose username or email is
	// taken by a user that exists now.
	Existing *Existing
	// Map reads a column from a gjson path of the deletion event instead of
	// the usual places. Keys are column names.
	Map map[string]string
	// Trail collects the audit trail (Result.Trail): every user lifecycle
	// event and association_change read.
	Trail bool
	// Inspect also reads the service and time of every event and how
	// each file is laid out (Result.Files, Stats.ByService, First, Last):
	// what inspect shows. It costs a little time per event.
	Inspect bool
	// Report, when set, receives each problem as soon as it is found.
	Report func(Problem)
}

// tuning is how Read reads; tests change it, to compare reading in
// parallel with reading in sequence.
type tuning struct {
	sequential bool // one goroutine only
	blockSize  int  // of the blocks read in parallel (jsonstream's default if 0)
}

// Stats counts what Read saw.
type Stats struct {
	Inputs     int
	Events     int            // Directory Insights events read
	ByType     map[string]int // events read, by event_type
	Unreadable int            // events (or whole inputs) that could not be read
	Deletions  int            // deletion events read
	Repeated   int            // deletion events read more than once (same id)
	Users      int            // distinct deleted users found
	PSCut      int            // user events that PowerShell cut at its default depth
	History    int            // values filled from the users' earlier events

	// With Options.Inspect:
	ByService   map[string]map[string]int // events read, by service, then type
	First, Last time.Time                 // the oldest and the newest event
}

// File is what Read found in one input (with Options.Inspect).
type File struct {
	Name       string
	Layers     []string // what was undone: gzip, a BOM, UTF-16
	Container  string   // how the events are laid out
	Events     int
	Unreadable int
}

// LeftOut is a deleted user left out on purpose: Reason is the kind
// (ReasonBack, ReasonExists, or the filter's own words), Detail the
// particulars, if any.
type LeftOut struct {
	Record
	Reason string
	Detail string
}

// Reasons for leaving a user out that are told per user.
const (
	ReasonBack   = "already back"
	ReasonExists = "taken by a current user"
)

// Result is what Read found: the users to restore in deletion order, the
// users left out on purpose, and (with Options.Trail) the audit trail,
// oldest first.
type Result struct {
	Stats
	Records []Record
	LeftOut []LeftOut
	Trail   []AuditEntry
	Files   []File
}

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
}

// audited reports whether events of type typ belong in the audit trail:
// what happens to user accounts (not their logins), and group and device
// associations.
func audited(typ string) bool {
	return strings.HasPrefix(typ, "user_") && !strings.Contains(typ, "login") || typ == "association_change"
}

// reader holds the state of one Read across its inputs. Its memory grows
// with the number of users, not with the number of events: what a user's
// events say is kept per user, and only until the end tells which users
// were deleted.
type reader struct {
	opts    Options
	tune    tuning
	events  map[string]bool
	stats   Stats
	kept    map[string]*candidate // deletions that pass the filters, by user
	outside map[string]*candidate // deletions the filters left out, by user
	seen    map[string]bool       // ids of deletion events read
	order   int
	trail   []AuditEntry
	history map[string]*history // by user id: what user_create and user_update set
	created map[string]created  // the latest user_create by "u:"+username and "e:"+email, in lower case
	assoc   associations        // group and device memberships
	names   map[string]string   // user id -> username
	types   map[string]string   // the event types met, each once
	files   []File
}

// candidate is the latest deletion of one user so far.
type candidate struct {
	s        *summary  // the deletion
	at       time.Time // when the user was deleted
	username string
	lower    string // the username in lower case, to sort by
	order    int
	earlier  []*candidate
	reason   string // why the filters left it out
}

type created struct {
	at     time.Time
	source string
}

// Read reads every input and rebuilds one Record per deleted user. Problems
// with the input never stop it: they go to opts.Report and are counted in
// Stats.Unreadable. It returns an error only when ctx is cancelled.
func Read(ctx context.Context, inputs []Input, opts Options) (*Result, error) {
	return readWith(ctx, inputs, opts, tuning{})
}

func readWith(ctx context.Context, inputs []Input, opts Options, tune tuning) (*Result, error) {
	if opts.Report == nil {
		opts.Report = func(Problem) {}
	}
	if len(opts.Events) == 0 {
		opts.Events = DefaultEvents
	}
	r := &reader{
		opts:    opts,
		tune:    tune,
		events:  make(map[string]bool),
		stats:   Stats{ByType: make(map[string]int)},
		kept:    make(map[string]*candidate),
		outside: make(map[string]*candidate),
		seen:    make(map[string]bool),
		history: make(map[string]*history),
		created: make(map[string]created),
		assoc:   make(associations),
		names:   make(map[string]string),
		types:   make(map[string]string),
	}
	for _, t := range opts.Events {
		r.events[t] = true
	}
	for _, in := range inputs {
		if err := r.read(ctx, in); err != nil {
			return nil, err
		}
	}
	return r.finish(ctx, inputs)
}

func (r *reader) problem(p Problem) {
	if p.Kind == Unreadable {
		r.stats.Unreadable++
	}
	r.opts.Report(p)
}

func (r *reader) read(ctx context.Context, in Input) error {
	r.stats.Inputs++
	file := File{Name: in.Name}
	events, lost := r.stats.Events, r.stats.Unreadable
	err := r.readEvents(ctx, in, &file)
	if r.opts.Inspect {
		file.Events, file.Unreadable = r.stats.Events-events, r.stats.Unreadable-lost
		if file.Container == "empty" && file.Unreadable > 0 {
			file.Container = "no JSON value"
		}
		r.files = append(r.files, file)
	}
	return err
}

// readEvents reads the events of one input; file learns its encoding and
// how its values are laid out.
func (r *reader) readEvents(ctx context.Context, in Input, file *File) error {
	src, layers, err := jsonstream.Decode(in.R)
	file.Layers = layers
	if err != nil {
		r.problem(Problem{Pos: Position{File: in.Name}, Message: err.Error()})
		file.Container = "unreadable"
		return nil
	}
	workers := min(runtime.GOMAXPROCS(0), maxWorkers)
	if r.tune.sequential {
		workers = 0
	}
	js := jsonstream.NewReader(src, in.Name, jsonstream.Options{Keys: noted, Prepare: r.prepare, Workers: workers, BlockSize: r.tune.blockSize})
	defer js.Close()
	psCut, lost := r.stats.PSCut, r.stats.Unreadable
	for n := 0; ; n++ {
		if n%1024 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		v, prob, ok := js.Next()
		if !ok {
			break
		}
		if prob != nil {
			r.problem(*prob)
			continue
		}
		r.take(&v)
	}
	file.Container = js.Layout()
	if js.Values() == 0 && r.stats.Unreadable == lost {
		r.problem(Problem{Pos: Position{File: in.Name}, Message: "no input: the file is empty"})
	}
	if n := r.stats.PSCut - psCut; n > 0 {
		r.problem(Problem{Kind: Notice, Pos: Position{File: in.Name}, Message: fmt.Sprintf(
			"%d user %s cut short by PowerShell's ConvertTo-Json at its default depth; the values were recovered best-effort. "+
				"For exact data export again with ConvertTo-Json -Depth 10", n, plural(n, "event was", "events were"))})
	}
	return nil
}

// maxWorkers bounds the goroutines that read blocks in parallel. The
// goroutine that takes their results does about a third of the workers'
// work (a profile of a 1 GB export): more than four workers would mostly
// wait for it, each holding blocks in memory.
const maxWorkers = 4

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// batch is what a value that is not one plain event holds: the events
// found in it (an envelope, an array, a string holding JSON) and what was
// wrong with it, in order.
type batch struct{ items []item }

// item is one event or one problem of a batch.
type item struct {
	ev   *prepared
	prob *Problem
}

// The top-level keys the byte layer notes on the way, by their index in
// noted.
const (
	keyType = iota
	keyService
	keyTime
)

var noted = []string{keyType: "event_type", keyService: "service", keyTime: "timestamp"}

// prepare reads one top-level value as far as jcrestore uses it. It runs
// on the workers when blocks are read in parallel, so it only reads what
// Read set before reading. It returns nil for an event whose type the
// byte layer read and that is read no further (take reads it from v), a
// *prepared for one event, or a *batch.
func (r *reader) prepare(v *jsonstream.Value) any {
	typ, known := v.Key(keyType)
	switch {
	case known && typ != nil:
		if !r.usesBytes(typ) && (!r.opts.Inspect || plain(v, keyService) && plain(v, keyTime)) {
			return nil
		}
		return r.event(string(typ), v.At, gjson.Result{}, v.Raw)
	case !known:
		if t := gjson.GetBytes(v.Raw, "event_type"); t.Exists() {
			return r.event(t.String(), v.At, gjson.Result{}, v.Raw)
		}
	}
	b := &batch{}
	unwrap(gjson.ParseBytes(v.Raw), v.At, 0, func(v gjson.Result, at Position) {
		b.items = append(b.items, item{ev: r.event(strings.Clone(scalar(v.Get("event_type"))), at, v, nil)})
	}, func(p Problem) {
		b.items = append(b.items, item{prob: &p})
	})
	return b
}

// plain reports whether the byte layer read the key n of v: a plain
// string, or no such key.
func plain(v *jsonstream.Value, n int) bool {
	_, known := v.Key(n)
	return known
}

// take adds what prepare found in a value to what the read knows, in
// input order.
func (r *reader) take(v *jsonstream.Value) {
	switch p := v.Prep.(type) {
	case nil:
		typ, _ := v.Key(keyType)
		r.count(intern(r.types, typ))
		if r.opts.Inspect {
			service, _ := v.Key(keyService)
			ts, _ := v.Key(keyTime)
			t := time.Time{}
			if ts != nil {
				t = parseTimeText(string(ts))
			}
			r.inspect(intern(r.types, service), intern(r.types, typ), t)
		}
	case *prepared:
		r.took(p)
	case *batch:
		for _, it := range p.items {
			if it.prob != nil {
				r.problem(*it.prob)
			} else {
				r.took(it.ev)
			}
		}
	}
}

func (r *reader) took(p *prepared) {
	r.count(p.typ)
	if r.opts.Inspect {
		r.inspect(p.service, p.typ, p.time)
	}
	if p.used != nil {
		r.apply(p)
	}
}

// intern returns b as a string, the same string each time it is given
// the same bytes with the same m, so that events are counted by type
// without allocating.
func intern(m map[string]string, b []byte) string {
	if s, ok := m[string(b)]; ok {
		return s
	}
	s := string(b)
	m[s] = s
	return s
}

// inspect counts an event by service and type and widens the time range
// with t, its time.
func (r *reader) inspect(service, typ string, t time.Time) {
	if r.stats.ByService == nil {
		r.stats.ByService = map[string]map[string]int{}
	}
	m := r.stats.ByService[service]
	if m == nil {
		m = map[string]int{}
		r.stats.ByService[strings.Clone(service)] = m
	}
	if _, ok := m[typ]; !ok {
		m[strings.Clone(typ)] = 0
	}
	m[typ]++
	if !t.IsZero() {
		if r.stats.First.IsZero() || t.Before(r.stats.First) {
			r.stats.First = t
		}
		if t.After(r.stats.Last) {
			r.stats.Last = t
		}
	}
}

func (r *reader) count(typ string) {
	r.stats.Events++
	if _, ok := r.stats.ByType[typ]; !ok {
		typ = strings.Clone(typ) // a new key must not keep its event in memory
	}
	r.stats.ByType[typ]++
}

// uses reports whether events of type typ are read beyond their type.
func (r *reader) uses(typ string) bool {
	switch typ {
	case "user_create", "user_update", "association_change":
		return true
	}
	return r.events[typ] || r.opts.Trail && audited(typ)
}

// usesBytes is uses for a type as bytes, without making a string of it.
func (r *reader) usesBytes(typ []byte) bool {
	switch string(typ) {
	case "user_create", "user_update", "association_change":
		return true
	}
	return r.events[string(typ)] || r.opts.Trail && audited(string(typ))
}

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
			s.a.user.Set(col, strings.Clone(scalar(gjson.Get(e.raw, path))))
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

// userName is a user id and its username, from a resource or initiated_by
// object; both are empty when it names no user.
type userName struct{ id, name string }

func userNameOf(v gjson.Result) userName {
	if t := scalar(v.Get("type")); t != "user" && t != "systemuser" {
		return userName{}
	}
	return userName{scalar(v.Get("id")), scalar(v.Get("username"))}
}

// name remembers which username a user id has, from a resource or
// initiated_by object.
func (r *reader) name(v gjson.Result) {
	r.addName(userNameOf(v))
}

// addName remembers a username for a user id; the first one read stands.
func (r *reader) addName(n userName) {
	if n.id != "" && n.name != "" {
		if _, ok := r.names[n.id]; !ok {
			r.names[strings.Clone(n.id)] = strings.Clone(n.name)
		}
	}
}

// deletion takes a deletion.
func (r *reader) deletion(s *summary) {
	if s.id != "" {
		if r.seen[s.id] {
			r.stats.Repeated++
			return
		}
		r.seen[s.id] = true
	}
	r.stats.Deletions++
	name := strings.Clone(s.a.user.Username)
	key := "id:" + s.userID
	switch {
	case s.userID != "":
	case name != "":
		key = "u:" + strings.ToLower(name)
	default:
		key = "event:" + s.at.String() + ":" + s.id
	}
	r.order++
	c := &candidate{s: s, at: s.time, username: name, lower: strings.ToLower(name), order: r.order}
	if reason := r.filter(s); reason != "" {
		c.reason = reason
		merge(r.outside, key, c)
		return
	}
	merge(r.kept, key, c)
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

// filter returns why the options leave the deletion out, or "".
func (r *reader) filter(s *summary) string {
	o := r.opts
	if !o.Since.IsZero() || !o.Until.IsZero() {
		switch {
		case s.time.IsZero():
			return "deletion time unknown, outside --since/--until"
		case !o.Since.IsZero() && s.time.Before(o.Since), !o.Until.IsZero() && !s.time.Before(o.Until):
			return "deleted outside --since/--until"
		}
	}
	if o.DeletedBy != "" && !strings.EqualFold(o.DeletedBy, s.initiatedBy) {
		return "not deleted by " + o.DeletedBy
	}
	return ""
}

// after reports whether a is a later deletion than b: by time, and by input
// order where the times are equal or unknown.
func (a *candidate) after(b *candidate) bool {
	if c := a.at.Compare(b.at); c != 0 {
		return c > 0
	}
	return a.order > b.order
}

// merge keeps the latest deletion of a user under key and remembers the
// earlier ones.
func merge(m map[string]*candidate, key string, c *candidate) {
	old, ok := m[key]
	if !ok {
		m[key] = c
		return
	}
	if c.after(old) {
		old, c = c, old
		m[key] = old
	}
	old.earlier = append(append(old.earlier, c), c.earlier...)
	c.earlier = nil
}

// byUsername merges the users of m that share a username (ignoring case):
// the same name deleted twice under two ids is one user to restore. It
// returns them in input order.
func byUsername(m map[string]*candidate) []*candidate {
	merged := make(map[string]*candidate, len(m))
	for _, c := range inOrder(m) {
		key := "c:" + strconv.Itoa(c.order)
		if c.username != "" {
			key = "u:" + c.lower
		}
		merge(merged, key, c)
	}
	return inOrder(merged)
}

// inOrder returns the candidates of m in the order they were read.
func inOrder(m map[string]*candidate) []*candidate {
	cs := slices.Collect(maps.Values(m))
	slices.SortFunc(cs, func(a, b *candidate) int { return cmp.Compare(a.order, b.order) })
	return cs
}

func (r *reader) finish(ctx context.Context, inputs []Input) (*Result, error) {
	kept, outside := byUsername(r.kept), byUsername(r.outside)
	r.kept, r.outside = nil, nil
	keptNames := make(map[string]bool, len(kept))
	for _, c := range kept {
		keptNames[c.lower] = true
	}
	// By deletion time, then username.
	slices.SortStableFunc(kept, func(a, b *candidate) int {
		return cmp.Or(a.at.Compare(b.at), cmp.Compare(a.lower, b.lower))
	})
	res := &Result{Records: make([]Record, 0, len(kept))}
	for _, c := range kept {
		rec, back := r.settle(c)
		if !back.at.IsZero() {
			res.LeftOut = append(res.LeftOut, LeftOut{Record: rec, Reason: ReasonBack, Detail: fmt.Sprintf("created again %s (%s)", when(back.at), back.source)})
		} else if why := r.opts.Existing.Taken(&rec); why != "" {
			res.LeftOut = append(res.LeftOut, LeftOut{Record: rec, Reason: ReasonExists, Detail: why})
		} else {
			res.Records = append(res.Records, rec)
		}
	}
	for _, c := range outside {
		if c.username == "" || !keptNames[c.lower] {
			res.LeftOut = append(res.LeftOut, LeftOut{Record: c.s.record(), Reason: c.reason})
		}
	}
	if err := r.managers(ctx, inputs, res.Records); err != nil {
		return nil, err
	}
	managersFirst(res.Records)
	res.Stats = r.stats
	res.Users = len(res.Records) + len(res.LeftOut)
	res.Trail = r.trail
	slices.SortStableFunc(res.Trail, func(a, b AuditEntry) int { return a.Time.Compare(b.Time) })
	res.Files = r.files
	return res, nil
}

// settle makes the record of the deleted user c: the latest deletion,
// gaps filled from the earlier ones and from the user's earlier events,
// their groups and devices; and finds whether the user was created again.
func (r *reader) settle(c *candidate) (Record, created) {
	rec := c.s.record()
	slices.SortStableFunc(c.earlier, func(a, b *candidate) int { return b.at.Compare(a.at) })
	for _, old := range c.earlier {
		e := old.s.record()
		note := fmt.Sprintf("also deleted earlier: %s (event %s, %s)", when(e.DeletedAt), e.EventID, e.Source)
		if filled := fillGaps(&rec, &e); len(filled) > 0 {
			note += "; " + strings.Join(filled, ", ") + " taken from that deletion"
		}
		rec.Notes = append(rec.Notes, note)
	}
	if h := r.history[rec.FormerID]; h != nil {
		if filled := h.fold(&rec); len(filled) > 0 {
			r.stats.History += len(filled)
			rec.Details = append(rec.Details, "from the user's earlier events: "+strings.Join(filled, ", "))
		}
	}
	r.assoc.rebuild(&rec)
	return rec, r.recreated(&rec)
}

// recreated finds a user_create for the same username or email after the
// deletion: the latest for the username, else for the email. Its time is
// zero when there is none.
func (r *reader) recreated(rec *Record) created {
	for _, key := range [...]string{"u:" + strings.ToLower(rec.Username), "e:" + strings.ToLower(rec.Email)} {
		if c := r.created[key]; len(key) > 2 && c.at.After(rec.DeletedAt) {
			return c
		}
	}
	return created{}
}

// managers turns the manager of each record from a user id, as Directory
// Insights stores it, into that user's username: from the events read,
// and for ids still unknown from a second look at the inputs that can be
// read again, at only the events that hold one of those ids.
func (r *reader) managers(ctx context.Context, inputs []Input, recs []Record) error {
	unknown := map[string]bool{}
	for _, rec := range recs {
		if _, ok := r.names[rec.Manager]; isID(rec.Manager) && !ok {
			unknown[rec.Manager] = true
		}
	}
	if len(unknown) > 0 {
		for _, in := range inputs {
			if in.Reopen == nil {
				continue
			}
			if err := r.lookNames(ctx, in, unknown); err != nil {
				return err
			}
		}
	}
	for i := range recs {
		if name, ok := r.names[recs[i].Manager]; ok && isID(recs[i].Manager) {
			recs[i].Details = append(recs[i].Details, fmt.Sprintf("manager %s is the user id of %s", recs[i].Manager, name))
			recs[i].Manager = name
		}
	}
	return nil
}

// lookNames reads an input again for the usernames of the given user ids.
// Problems were reported on the first pass and are not reported again.
func (r *reader) lookNames(ctx context.Context, in Input, ids map[string]bool) error {
	rc, err := in.Reopen()
	if err != nil {
		return nil // reported on the first pass if it mattered; the ids stay as they are
	}
	defer rc.Close()
	src, _, err := jsonstream.Decode(rc)
	if err != nil {
		return nil
	}
	js := jsonstream.NewReader(src, in.Name, jsonstream.Options{})
	for n := 0; ; n++ {
		if n%1024 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		v, prob, ok := js.Next()
		if !ok {
			return nil
		}
		if prob != nil || !holdsID(v.Raw, ids) {
			continue
		}
		unwrap(gjson.ParseBytes(v.Raw), v.At, 0, func(v gjson.Result, _ Position) {
			r.name(v.Get("resource"))
			r.name(v.Get("initiated_by"))
		}, func(Problem) {})
	}
}

// holdsID reports whether raw has one of ids as a quoted string: a linear
// scan of its quotes, so that the second pass stays fast.
func holdsID(raw []byte, ids map[string]bool) bool {
	for i := 0; ; {
		j := bytes.IndexByte(raw[i:], '"')
		if j < 0 {
			return false
		}
		i += j + 1
		if i+25 <= len(raw) && raw[i+24] == '"' && ids[string(raw[i:i+24])] {
			return true
		}
	}
}

// fillGaps copies into dst the values src has where dst has none, and
// returns the columns it filled.
func fillGaps(dst, src *Record) []string {
	var filled []string
	for i, col := range Columns {
		if v := src.User.get(i); v != "" && dst.User.get(i) == "" {
			dst.User.set(i, v)
			filled = append(filled, col)
		}
	}
	if len(dst.Attributes) == 0 && len(src.Attributes) > 0 {
		dst.Attributes = src.Attributes
		filled = append(filled, "custom attributes")
	}
	return filled
}

func when(t time.Time) string {
	if t.IsZero() {
		return "at an unknown time"
	}
	return t.Format("2006-01-02 15:04:05Z")
}
