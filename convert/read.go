package convert

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/jcrestore/jcrestore/convert/jsonstream"
	"github.com/tidwall/gjson"
)

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
	// Events are the event types that produce rows (user_delete if empty).
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
	// Inspect also reads the service and time of every event
	// (Stats.ByService, First, Last): what inspect shows. It costs a
	// little time per event.
	Inspect bool
	// Digest also computes the SHA-256 of each input (File.SHA256), for
	// the review workbook's About sheet.
	Digest bool
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
	Events     int            // Directory Insights events read
	ByType     map[string]int // events read, by event_type
	Unreadable int            // events (or whole inputs) that could not be read
	Users      int            // distinct deleted users found
	PSCut      int            // user events that PowerShell cut at its default depth
	History    int            // values filled from the users' earlier events

	// With Options.Inspect:
	ByService   map[string]map[string]int // events read, by service, then type
	First, Last time.Time                 // the oldest and the newest event
}

// File is what Read found in one input.
type File struct {
	Name       string
	Size       int64    // bytes read, before gzip and the rest were undone
	SHA256     string   // of those bytes, in hex (with Options.Digest)
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
		opts.Events = []string{"user_delete"}
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
	file := File{Name: in.Name}
	events, lost := r.stats.Events, r.stats.Unreadable
	src := &measured{r: in.R}
	if r.opts.Digest {
		src.h = sha256.New()
	}
	in.R = src
	err := r.readEvents(ctx, in, &file)
	file.Size = src.n
	if src.h != nil {
		file.SHA256 = hex.EncodeToString(src.h.Sum(nil))
	}
	file.Events, file.Unreadable = r.stats.Events-events, r.stats.Unreadable-lost
	if file.Container == "empty" && file.Unreadable > 0 {
		file.Container = "no JSON value"
	}
	r.files = append(r.files, file)
	return err
}

// measured counts the bytes read through it and, when h is set, hashes
// them.
type measured struct {
	r io.Reader
	n int64
	h hash.Hash
}

func (m *measured) Read(b []byte) (int, error) {
	n, err := m.r.Read(b)
	m.n += int64(n)
	if m.h != nil {
		m.h.Write(b[:n])
	}
	return n, err
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
		r.problem(Problem{Kind: Notice, Pos: Position{File: in.Name}, Message: Plural(n, "user event was", "user events were") +
			" cut short by PowerShell's ConvertTo-Json at its default depth; the values were recovered best-effort. " +
			"For exact data export again with ConvertTo-Json -Depth 10"})
	}
	return nil
}

// maxWorkers bounds the goroutines that read blocks in parallel. The
// goroutine that takes their results does about a third of the workers'
// work (a profile of a 1 GB export): more than four workers would mostly
// wait for it, each holding blocks in memory.
const maxWorkers = 4

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
