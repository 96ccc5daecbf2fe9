package convert

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"hash/maphash"
	"io"
	"maps"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/jcrestore/jcrestore/convert/jsonstream"
)

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
	// Progress, when set, counts the bytes read from the inputs as they
	// are read, for a progress line.
	Progress *atomic.Int64
	// Org keeps the deletions of one organization (its id): the others are
	// left out (ReasonOtherOrg).
	Org string
	// Report, when set, receives each problem as soon as it is found.
	Report func(Problem)
	// Backups are backups made before the deletion (ReadBackup): a user
	// a deletion names comes back as the backup holds them, then as the
	// events after it changed them.
	Backups []*Backup
	// Now, with Backups, are the users JumpCloud holds now
	// (--deleted-since-backup): a backup's user who is none of them, and
	// whom no deletion names, is deleted too.
	Now *Current
}

// tuning is how Read reads; tests change it, to compare reading in
// parallel with reading in sequence.
type tuning struct {
	sequential bool // one goroutine only
	blockSize  int  // of the blocks read in parallel (jsonstream's default if 0)
	scribble   bool // see jsonstream.Options.Scribble
}

// reader holds the state of one Read across its inputs. Its memory grows
// with the number of users: what a user's events say is kept per user,
// and only until the end tells which users were deleted. Of every event
// it keeps only a fingerprint, 8 to 21 bytes (see fingerprints).
type reader struct {
	reading
	opts  Options
	tune  tuning
	stats Stats
	orgs  orgs            // what the read keeps of the users, by organization
	seen  map[string]bool // ids of deletion events read
	order int             // deletions read
	fps   fingerprints    // of the events read
	trail []AuditEntry
	types map[string]*counted // the events read by type (Stats.ByType once all is read)
	known map[string]string   // the services and organizations met, each once (see intern)
	files []File
	// backups are those read, in the order given: Options.Backups less
	// one given twice.
	backups []*Backup
	// foreign counts the objects of the input being read that are of a
	// kind foreign.go knows (JumpCloud's users, OCSF records), by what a
	// file of them holds.
	foreign map[string]int
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
		reading: reading{seed: maphash.MakeSeed(), deletes: map[string]bool{}, mapped: opts.Map, trail: opts.Trail, inspect: opts.Inspect},
		opts:    opts,
		tune:    tune,
		stats:   Stats{ByType: map[string]int{}},
		seen:    map[string]bool{},
		types:   map[string]*counted{},
		known:   map[string]string{},
		foreign: map[string]int{},
	}
	for _, t := range opts.Events {
		r.deletes[t] = true
	}
	for _, in := range inputs {
		if err := r.read(ctx, in); err != nil {
			return nil, err
		}
		if err := ctx.Err(); err != nil { // an input's read stopped by it
			return nil, err
		}
	}
	if err := r.addBackups(); err != nil {
		return nil, err
	}
	// All is read: the fingerprints are not needed while the users are
	// rebuilt. The garbage of the read goes too, now: else the heap may
	// grow to twice what was live at the last collection of the read,
	// fingerprints and all, before the next (on the generated
	// 1,000,000-event export, peak RSS 131-140 MB without this, 112-122
	// with it, for one collection of about 40 MB).
	r.fps = fingerprints{}
	runtime.GC()
	for typ, c := range r.types {
		r.stats.ByType[typ] = c.n
	}
	if r.stats.Repeats > 0 {
		r.problem(Problem{Kind: Notice, Message: Plural(r.stats.Repeats, "event was", "events were") +
			" read more than once (the same id and content, as in overlapping exports) and counted once"})
	}
	if org := opts.Org; org != "" && r.orgs.ledgers[org] == nil {
		named := slices.DeleteFunc(slices.Sorted(maps.Keys(r.orgs.ledgers)), func(o string) bool { return o == "" })
		for i, o := range named {
			named[i] = strconv.Quote(o)
		}
		r.problem(Problem{Kind: Notice, Message: fmt.Sprintf("--org %s: no user's event names this organization (those read name %s)", org, cmp.Or(strings.Join(named, ", "), "none"))})
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
	events, lost, repeats := r.stats.Events, r.stats.Unreadable, r.stats.Repeats
	src := &measured{r: in.R, progress: r.opts.Progress}
	if r.opts.Digest {
		src.h = newHasher()
	}
	in.R = src
	err := r.readEvents(ctx, in, &file)
	file.Size = src.n
	if src.h != nil {
		file.SHA256 = src.h.sum()
	}
	file.Repeats = r.stats.Repeats - repeats
	file.Events, file.Unreadable = r.stats.Events-events+file.Repeats, r.stats.Unreadable-lost
	if file.Container == "empty" && file.Unreadable > 0 && !file.Empty {
		file.Container = "no JSON value"
	}
	r.files = append(r.files, file)
	return err
}

// measured counts the bytes read through it, also into progress when
// set, and hashes them when h is set.
type measured struct {
	r        io.Reader
	n        int64
	h        *hasher
	progress *atomic.Int64
}

func (m *measured) Read(b []byte) (int, error) {
	n, err := m.r.Read(b)
	m.n += int64(n)
	if m.h != nil && n > 0 {
		m.h.write(b[:n])
	}
	if m.progress != nil {
		m.progress.Add(int64(n))
	}
	return n, err
}

// hasher computes the SHA-256 of the bytes written to it on a goroutine
// of its own, from copies: hashing a gigabyte export is then off the
// reading path, a copy being a fraction of a hash's time. sum must be
// called once, at the end.
type hasher struct {
	h          hash.Hash
	work, free chan []byte
	done       chan struct{}
}

func newHasher() *hasher {
	const buffers = 4 // a few: the reading waits when the hash falls behind
	hs := &hasher{h: sha256.New(), work: make(chan []byte, buffers), free: make(chan []byte, buffers), done: make(chan struct{})}
	for range buffers {
		hs.free <- nil
	}
	go func() {
		for b := range hs.work {
			hs.h.Write(b)
			hs.free <- b
		}
		close(hs.done)
	}()
	return hs
}

func (hs *hasher) write(p []byte) {
	b := <-hs.free
	hs.work <- append(b[:0], p...)
}

// sum is the SHA-256 of all written, in hex; it ends the goroutine.
func (hs *hasher) sum() string {
	close(hs.work)
	<-hs.done
	return hex.EncodeToString(hs.h.Sum(nil))
}

// emptyInput says that in holds nothing.
func emptyInput(in Input) string {
	switch {
	case in.Pasted:
		return "nothing was pasted"
	case in.Reopen == nil:
		return "no input: nothing to read"
	}
	return "no input: the file is empty"
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
	src, foreign := sniff(src)
	if foreign != "" {
		file.Container, file.Foreign = "no events", foreign
		r.stats.NotEvents++
		return nil
	}
	workers := min(runtime.GOMAXPROCS(0), maxWorkers)
	if r.tune.sequential {
		workers = 0
	}
	keys := noted[:keyService] // what inspect alone needs costs the fast path time
	if r.opts.Inspect {
		keys = noted
	}
	js := jsonstream.NewReader(src, in.Name, jsonstream.Options{Keys: keys, Prepare: r.prepare, Workers: workers, BlockSize: r.tune.blockSize, Scribble: r.tune.scribble, Ahead: r.fps.ahead})
	defer js.Close()
	psCut, psCutAssoc, lost, events := r.stats.PSCut, r.stats.PSCutAssoc, r.stats.Unreadable, r.stats.Events
	clear(r.foreign)
	for n := 0; ; n++ {
		if n%1024 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		v, prob, ok := js.Next()
		if !ok {
			break
		}
		if prob != nil {
			file.Cut = file.Cut || prob.Cut
			r.problem(*prob)
			continue
		}
		r.take(&v)
	}
	file.Container = js.Layout()
	for _, what := range slices.Sorted(maps.Keys(r.foreign)) {
		if n := r.foreign[what]; r.stats.Events == events {
			file.Foreign = what // all it holds, told once by the command
		} else {
			r.problem(Problem{Kind: Notice, Pos: Position{File: in.Name}, Message: fmt.Sprintf("%s left out: the file %s", Plural(n, "object that is no event was", "objects that are no events were"), what)})
		}
	}
	if js.Values() == 0 && r.stats.Unreadable == lost {
		file.Empty = true
		r.stats.Empty++
		r.problem(Problem{Pos: Position{File: in.Name}, Message: emptyInput(in)})
	}
	users, assocs := r.stats.PSCut-psCut, r.stats.PSCutAssoc-psCutAssoc
	if users+assocs > 0 {
		var cut []string
		if users > 0 {
			cut = append(cut, Plural(users, "user event", "user events"))
		}
		if assocs > 0 {
			cut = append(cut, Plural(assocs, "association_change event", "association_change events")+" (groups and devices)")
		}
		were := " were"
		if users+assocs == 1 {
			were = " was"
		}
		r.problem(Problem{Kind: Notice, Pos: Position{File: in.Name}, Message: strings.Join(cut, " and ") + were +
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

// take adds what prepare found in a value to what the read knows, in
// input order.
func (r *reader) take(v *jsonstream.Value) {
	switch p := v.Prep.(type) {
	case nil:
		if v.Tag != 0 && r.repeated(v.Tag) { // the event's fingerprint: see prepare
			return
		}
		typ, _ := v.Key(keyType)
		t := r.count(typ)
		if r.opts.Inspect {
			service, _ := v.Key(keyService)
			ts, _ := v.Key(keyTime)
			org, _ := v.Key(keyOrg)
			at := time.Time{}
			if ts != nil {
				at = parseTimeText(string(ts))
			}
			r.inspect(intern(r.known, service), t, intern(r.known, org), at)
		}
	case *prepared:
		r.takeEvent(p)
	case *batch:
		for _, it := range p.items {
			if it.prob != nil {
				if it.prob.Kind == Notice {
					r.stats.NotEvents++
				}
				if what := foreignObjects[it.prob.Message]; what != "" {
					r.foreign[what]++ // told once, for the whole file
					continue
				}
				r.problem(*it.prob)
			} else {
				r.takeEvent(it.ev)
			}
		}
	}
}

// takeEvent adds one prepared event to what the read knows, unless it
// was read before.
func (r *reader) takeEvent(p *prepared) {
	if p.fp != 0 && r.repeated(p.fp) {
		return
	}
	typ := r.count(bytesOf(p.typ))
	if r.opts.Inspect {
		r.inspect(internString(r.known, p.service), typ, internString(r.known, p.org), p.time)
	}
	if p.unread != "" {
		r.problem(Problem{Kind: Notice, Pos: p.at, Message: p.unread})
	}
	if p.used != nil {
		r.apply(p)
	}
}

// repeated reports whether an event with the fingerprint fp was read
// already, and remembers it.
func (r *reader) repeated(fp uint64) bool {
	if r.fps.add(fp) {
		return false
	}
	r.stats.Repeats++
	return true
}

// intern returns b as a string, the same string each time it is given
// the same bytes with the same m, so that events are counted by type
// without allocating. Counts are kept under such strings: a map stores
// the key it is given with each value, and a string of an event's bytes
// would change with them (see inPlace).
func intern(m map[string]string, b []byte) string {
	if s, ok := m[string(b)]; ok {
		return s
	}
	s := string(b)
	m[s] = s
	return s
}

// internString is intern for a string.
func internString(m map[string]string, s string) string { return intern(m, bytesOf(s)) }

// bytesOf is the bytes of s, not to be changed.
func bytesOf(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

// inspect counts an event by service and type, and by organization, and
// widens the time range with t, its time. The strings are interned.
func (r *reader) inspect(service, typ, org string, t time.Time) {
	if r.stats.ByService == nil {
		r.stats.ByService, r.stats.ByOrg = map[string]map[string]int{}, map[string]int{}
	}
	r.stats.ByOrg[org]++
	m := r.stats.ByService[service]
	if m == nil {
		m = map[string]int{}
		r.stats.ByService[service] = m
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

// counted is how many events of a type were read.
type counted struct {
	name string
	n    int
}

// count counts an event of the type typ, and returns the type as a
// string that stays, the same for each event of the type (see intern).
func (r *reader) count(typ []byte) string {
	r.stats.Events++
	c := r.types[string(typ)]
	if c == nil {
		c = &counted{name: string(typ)}
		r.types[c.name] = c
	}
	c.n++
	return c.name
}

// apply adds a prepared event to what the read knows of its user, in
// the ledger of its organization: a deletion as it is; of the events that
// may tell more of a deleted user, what they say about their user.
func (r *reader) apply(p *prepared) {
	s := p.used
	// The summary's strings that are still substrings of the event are
	// replaced: a deletion's summary is kept.
	l := r.orgs.of(s.org)
	s.org = l.org
	l.names.add(s.names[0])
	l.names.add(s.names[1])
	subject := s.names[0] // substrings of the event: cloned where kept
	s.names = [2]userName{}
	if p.audit != nil {
		p.audit.Organization = l.org
		r.trail = append(r.trail, *p.audit)
	}
	if p.psCut {
		r.stats.PSCut++
	}
	if p.psCutAssoc {
		r.stats.PSCutAssoc++
	}
	switch s.kind {
	case kindDeletion:
		if s.id != "" {
			if r.seen[s.id] {
				return // read already, with other content
			}
			r.seen[s.id] = true
		}
		r.order++
		l.deleted.add(s, r.filter(s), r.order)
		if len(r.opts.Backups) > 0 {
			l.tenures.left(s.userID, s.gone.value("Username"), s.time)
		}
	case kindCreate, kindUpdate:
		if s.formerBoss != "" {
			l.reassigned = append(l.reassigned, reassignment{boss: s.formerBoss, report: userName{strings.Clone(subject.id), strings.Clone(subject.name)}, at: s.time})
		}
		if len(r.opts.Backups) > 0 && (s.kind == kindCreate || s.formerName != "") {
			l.tenures.left(s.userID, s.formerName, s.time)
			l.tenures.took(s.userID, s.sets.value("Username"), s.time)
		}
		l.history.add(s)
		if s.kind == kindCreate {
			l.created.add(s)
		}
	case kindAssoc:
		l.assoc.add(*s.assoc)
		l.names.associated(*s.assoc)
	case kindAside:
		l.asides = append(l.asides, s.aside)
	}
}

// filter returns why the options leave a deletion out, or "".
func (r *reader) filter(s *summary) string {
	o := r.opts
	if !o.Since.IsZero() || !o.Until.IsZero() {
		switch {
		case s.time.IsZero():
			return ReasonNoTime
		case !o.Since.IsZero() && s.time.Before(o.Since), !o.Until.IsZero() && !s.time.Before(o.Until):
			return ReasonOutside
		}
	}
	if o.DeletedBy != "" && !strings.EqualFold(o.DeletedBy, s.initiatedBy) {
		return ReasonNotDeletedBy(o.DeletedBy)
	}
	return ""
}

// finish rebuilds the deleted users from all that was read, organization
// by organization, each in deletion order, and leaves out those already
// back or taken by a current user, and with Options.Org those of other
// organizations.
func (r *reader) finish(ctx context.Context, inputs []Input) (*Result, error) {
	res := &Result{}
	ledgers := r.orgs.place()
	noteGone(ledgers)
	for _, l := range ledgers {
		l.resolveBackupIDs(r.orgs.ledgers[""])
	}
	if r.opts.Now != nil {
		// Of several backups, the newest says who was deleted since.
		for _, l := range ledgers {
			if b := l.newestBackup(); b != nil {
				if err := nowOf(r.opts.Now, b); err != nil {
					return nil, err
				}
				var apart *deletions // of events that name no organization, among several
				if none := r.orgs.ledgers[""]; none != nil && none != l {
					apart = none.deleted
				}
				r.order = l.deletedSinceBackup(b, r.opts.Now, apart, r.order, r.filter)
			}
		}
		noteGone(ledgers) // with the deletions since the backup
	}
	for _, l := range ledgers {
		recs, left, err := r.orgs.rebuild(ctx, l, inputs, r.opts.Existing, &r.stats)
		if err != nil {
			return nil, err
		}
		if r.opts.Org != "" && l.org != r.opts.Org {
			reason := ReasonOtherOrg
			if l.org == "" {
				reason = ReasonNoOrg
			}
			for _, rec := range recs {
				left = append(left, LeftOut{Record: rec, Reason: reason})
			}
			recs = nil
		}
		if res.Records == nil {
			res.Records = recs // most often the one organization's: not copied
		} else {
			res.Records = append(res.Records, recs...)
		}
		res.LeftOut = append(res.LeftOut, left...)
		if r.opts.Trail {
			r.trail = append(r.trail, l.trail...)
		}
	}
	res.Backups = r.backups
	res.Stats = r.stats
	res.Users = len(res.Records) + len(res.LeftOut)
	res.Trail = r.trail
	for i := range res.Trail {
		res.Trail[i].Organization = cmp.Or(res.Trail[i].Organization, r.orgs.noOrg)
	}
	nameIDs(res.Trail, func(org, id string) string {
		if l := r.orgs.ledgers[org]; l != nil {
			return cmp.Or(l.names[id], l.names[strings.ToLower(id)])
		}
		return ""
	})
	slices.SortStableFunc(res.Trail, func(a, b AuditEntry) int { return a.Time.Compare(b.Time) })
	if n, ok := res.ByOrg[""]; ok && r.orgs.noOrg != "" {
		res.ByOrg[r.orgs.noOrg] += n
		delete(res.ByOrg, "")
	}
	res.Files = r.files
	return res, nil
}
