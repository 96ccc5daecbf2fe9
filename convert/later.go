package convert

import (
	"cmp"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/maphash"
	"math/bits"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Events read again at the end. What a user's earlier events say matters
// only for the users who turn out to be deleted, and that is known once
// every input is read. So rather than hold what the events of every user
// say, the read writes a summary of each event it may need again (what
// prepare found, in a few hundred bytes) to a spool, a temporary file, and
// notes under which keys (a user id, a username, an email): at the end it
// reads back only those of the deleted users and of their managers. Memory
// then grows with the deleted users, not with all users; per event written
// it needs 8 bytes, and 8 per key.

// Kinds of keys an event is noted under.
const (
	keyHistory = 'h' // a user id: its user_create and user_update events
	keyCreated = 'c' // "u:"+username or "e:"+email, in lower case: user_create events
	keyAssoc   = 'a' // a user id, or "u:"+username: association_change events
	keyName    = 'n' // a user id: events that give its username
)

// keyed notes that the event ev is found under a key that hashes to h.
// Many keys share a hash of 32 bits: what is read back is checked.
type keyed struct {
	h  uint32
	ev int32
}

// later holds the events to read again and their keys.
type later struct {
	spool
	seed   maphash.Seed
	mask   uint32 // of the hash bits kept: all but in tests of collisions
	files  []string
	evs    chunks[int64] // where each event starts in the spool
	keys   chunks[keyed] // each chunk sorted by hash once all are in
	sorted bool
	err    error // the first error reading back, reported once
}

func newLater() *later {
	return &later{seed: maphash.MakeSeed(), mask: ^uint32(0)}
}

func (l *later) hash(kind byte, key string) uint32 {
	var h maphash.Hash
	h.SetSeed(l.seed)
	h.WriteByte(kind)
	h.WriteString(key)
	return uint32(h.Sum64()) & l.mask
}

// add writes the encoded summary of an event of the current input to the
// spool, after the input's index; note files it under keys.
func (l *later) add(b []byte) int32 {
	ev := l.evs.add(l.size)
	var file [binary.MaxVarintLen64]byte
	l.write(file[:binary.PutUvarint(file[:], uint64(len(l.files)-1))], b)
	return int32(ev)
}

func (l *later) note(ev int32, kind byte, key string) {
	l.keys.add(keyed{l.hash(kind, key), ev})
}

// seal readies the keys for find: once all events are in, and before
// find is called on several goroutines.
func (l *later) seal() {
	if !l.sorted {
		for _, c := range l.keys.cs {
			slices.SortFunc(c, func(a, b keyed) int { return cmp.Or(cmp.Compare(a.h, b.h), cmp.Compare(a.ev, b.ev)) })
		}
		l.sorted = true
	}
}

// find returns the events noted under the key, in input order, once
// seal was called. Another key may hash alike: callers check that an
// event is what they look for.
func (l *later) find(kind byte, key string) []int32 {
	h := l.hash(kind, key)
	var evs []int32
	for _, c := range l.keys.cs { // in input order
		i, _ := slices.BinarySearchFunc(c, h, func(k keyed, h uint32) int { return cmp.Compare(k.h, h) })
		for ; i < len(c) && c[i].h == h; i++ {
			evs = append(evs, c[i].ev)
		}
	}
	return evs
}

// read returns the summary ev, read into *buf, and the name of its input.
func (l *later) read(ev int32, buf *[]byte) ([]byte, string, error) {
	off, end := *l.evs.at(int(ev)), l.size
	if int(ev)+1 < l.evs.n {
		end = *l.evs.at(int(ev) + 1)
	}
	b := slices.Grow((*buf)[:0], int(end-off))[:end-off]
	*buf = b
	if err := l.readAt(b, off); err != nil {
		return nil, "", err
	}
	file, k := binary.Uvarint(b)
	if k <= 0 || file >= uint64(len(l.files)) {
		return nil, "", errDamaged
	}
	return b[k:], l.files[file], nil
}

var errDamaged = errors.New("a summary read back is damaged")

// chunks is a list that grows without copying what it holds: in chunks,
// each twice as large as the one before.
type chunks[T any] struct {
	cs [][]T
	n  int
}

const firstChunk = 1 << 16

// add appends v and returns its index.
func (c *chunks[T]) add(v T) int {
	if len(c.cs) == 0 || len(c.cs[len(c.cs)-1]) == cap(c.cs[len(c.cs)-1]) {
		c.cs = append(c.cs, make([]T, 0, firstChunk<<len(c.cs)))
	}
	last := &c.cs[len(c.cs)-1]
	*last = append(*last, v)
	c.n++
	return c.n - 1
}

// at returns the element i. Chunk k starts at firstChunk * (2^k - 1).
func (c *chunks[T]) at(i int) *T {
	k := bits.Len(uint(i/firstChunk+1)) - 1
	return &c.cs[k][i-firstChunk*(1<<k-1)]
}

// spool keeps bytes written once and read back in pieces: in memory up to
// spoolBuffer bytes, then in a temporary file, removed when closed. Should
// no file be made, or writing to it fail (a full disk, say), what follows
// stays in memory. Once written to, it may be read on several goroutines.
//
// What it keeps is personal data, and the admin chose where that goes:
// the file holds it encrypted (AES-CTR) under a key made for it that lives
// only in this process's memory, so that what is left on the disk says
// nothing once the process is gone.
type spool struct {
	f       *os.File
	removed bool         // f has no name any more
	key     cipher.Block // of f
	flushed int64        // the bytes in f
	full    bool         // f takes no more
	mem     []byte       // the bytes after those
	enc     []byte       // mem encrypted, reused
	size    int64
}

const spoolBuffer = 1 << 16

// write writes the parts of one event.
func (s *spool) write(parts ...[]byte) {
	for _, b := range parts {
		s.size += int64(len(b))
		s.mem = append(s.mem, b...)
	}
	if len(s.mem) >= spoolBuffer {
		s.flush()
	}
}

// flush moves what is in memory to the file, whole events at a time; the
// first makes the file.
func (s *spool) flush() {
	if s.full || len(s.mem) == 0 {
		return
	}
	if s.f == nil {
		key := make([]byte, 32)
		rand.Read(key)
		block, err := aes.NewCipher(key)
		if err != nil {
			panic(err) // a 32-byte key is always right
		}
		f, err := os.CreateTemp("", "jcrestore-*")
		if err != nil {
			s.full = true
			return
		}
		// Where an open file can be removed (not on Windows), it goes at
		// once: nothing is left behind, however the process ends.
		s.f, s.removed, s.key = f, os.Remove(f.Name()) == nil, block
	}
	s.enc = slices.Grow(s.enc[:0], len(s.mem))[:len(s.mem)]
	s.stream(s.flushed).XORKeyStream(s.enc, s.mem)
	if _, err := s.f.WriteAt(s.enc, s.flushed); err != nil {
		s.full = true
		return
	}
	s.flushed += int64(len(s.mem))
	s.mem = s.mem[:0]
}

// readAt reads what was written at off.
func (s *spool) readAt(p []byte, off int64) error {
	if off >= s.flushed {
		copy(p, s.mem[off-s.flushed:])
		return nil
	}
	if _, err := s.f.ReadAt(p, off); err != nil {
		return err
	}
	s.stream(off).XORKeyStream(p, p)
	return nil
}

// stream is the key stream of f from the byte off on: the key is used for
// this file only, so the counter alone makes the IV.
func (s *spool) stream(off int64) cipher.Stream {
	var iv [aes.BlockSize]byte
	binary.BigEndian.PutUint64(iv[8:], uint64(off/aes.BlockSize))
	st := cipher.NewCTR(s.key, iv[:])
	var skip [aes.BlockSize]byte
	st.XORKeyStream(skip[:off%aes.BlockSize], skip[:off%aes.BlockSize])
	return st
}

func (s *spool) close() {
	if s.f != nil {
		s.f.Close()
		if !s.removed {
			os.Remove(s.f.Name())
		}
	}
}

// rereader reads summaries back from r.later and makes what the end of
// the read needs of them. Each goroutine has its own.
type rereader struct {
	l     *later
	buf   []byte
	cache map[int32]*summary // when set, those of the user at hand, each decoded once
	err   error              // the first error reading back
}

// again reads the summary ev back. It returns nil when the spool cannot
// be read.
func (x *rereader) again(ev int32) *summary {
	if s, ok := x.cache[ev]; ok {
		return s
	}
	var s *summary
	b, file, err := x.l.read(ev, &x.buf)
	if err == nil {
		s = new(summary)
		err = s.decode(b)
		s.at.File = file
	}
	if err != nil {
		x.err, s = cmp.Or(x.err, err), nil
	}
	if x.cache != nil {
		x.cache[ev] = s
	}
	return s
}

// settled is what settling a deleted user finds besides the record.
type settled struct {
	history int     // values filled from the user's earlier events
	back    created // when the user was created again, if ever
}

// settle makes the record of the deleted user c: the latest deletion,
// gaps filled from the earlier ones and from the user's earlier events,
// their groups and devices; and finds whether the user was created again.
func (x *rereader) settle(c *candidate, rec *Record) settled {
	if x.cache == nil {
		x.cache = map[int32]*summary{}
	}
	defer clear(x.cache)
	*rec = x.record(c)
	slices.SortStableFunc(c.earlier, func(a, b *candidate) int { return b.at.Compare(a.at) })
	for _, old := range c.earlier {
		e := x.record(old)
		note := fmt.Sprintf("also deleted earlier: %s (event %s, %s)", when(e.DeletedAt), e.EventID, e.Source)
		if filled := fillGaps(rec, &e); len(filled) > 0 {
			note += "; " + strings.Join(filled, ", ") + " taken from that deletion"
		}
		rec.Notes = append(rec.Notes, note)
	}
	var s settled
	if h := x.history(rec.FormerID); h != nil {
		if filled := h.fold(rec); len(filled) > 0 {
			s.history = len(filled)
			rec.Details = append(rec.Details, "from the user's earlier events: "+strings.Join(filled, ", "))
		}
	}
	x.associations(rec).rebuild(rec)
	s.back = x.recreated(rec)
	return s
}

// record reads back the deletion of c and makes its record. Should the
// spool fail, the record has what c holds.
func (x *rereader) record(c *candidate) Record {
	s := x.again(c.ev)
	if s == nil {
		return Record{User: User{Username: c.username}, DeletedAt: c.at}
	}
	return s.record()
}

// history is what the user_create and user_update events of the user id
// set, or nil when there are none.
func (x *rereader) history(id string) *history {
	var h *history
	for _, ev := range x.l.find(keyHistory, id) {
		s := x.again(ev)
		if s == nil || s.kind != kindCreate && s.kind != kindUpdate || s.userID != id {
			continue // another key with the same hash
		}
		if h == nil {
			h = &history{}
		}
		h.apply(&s.a, s.time)
	}
	return h
}

// associations are the memberships of the user the record is about.
func (x *rereader) associations(rec *Record) associations {
	as := associations{}
	for _, key := range [...]string{rec.FormerID, "u:" + strings.ToLower(rec.Username)} {
		for _, ev := range x.l.find(keyAssoc, key) {
			if s := x.again(ev); s != nil && s.kind == kindAssoc && s.assoc.key() == key {
				as.add(s.assoc)
			}
		}
	}
	return as
}

// recreated finds a user_create for the same username or email after the
// deletion: the latest for the username, else for the email. Its time is
// zero when there is none.
func (x *rereader) recreated(rec *Record) created {
	for i, key := range [...]string{"u:" + strings.ToLower(rec.Username), "e:" + strings.ToLower(rec.Email)} {
		if len(key) <= 2 {
			continue
		}
		var c created
		for _, ev := range x.l.find(keyCreated, key) {
			s := x.again(ev)
			if s == nil || s.kind != kindCreate || s.createdKeys()[i] != key {
				continue
			}
			if s.time.After(c.at) {
				c = created{at: s.time, source: s.at.String()}
			}
		}
		if c.at.After(rec.DeletedAt) {
			return c
		}
	}
	return created{}
}

// settleAll settles the users cs on as many goroutines as the splitting
// of blocks uses, and returns their records and what else was found, in
// the same order. The error is ctx's, when it is cancelled.
func (r *reader) settleAll(ctx context.Context, cs []*candidate) ([]Record, []settled, error) {
	r.later.seal()
	recs, out := make([]Record, len(cs)), make([]settled, len(cs))
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make([]error, min(runtime.GOMAXPROCS(0), maxWorkers))
	for w := range errs {
		wg.Go(func() {
			x := &rereader{l: r.later}
			for i := next.Add(1) - 1; i < int64(len(cs)) && ctx.Err() == nil; i = next.Add(1) - 1 {
				out[i] = x.settle(cs[i], &recs[i])
			}
			errs[w] = x.err
		})
	}
	wg.Wait()
	r.laterFailed(cmp.Or(errs...))
	return recs, out, ctx.Err()
}

// laterFailed reports, once, that events could not be read back.
func (r *reader) laterFailed(err error) {
	if err != nil && r.later.err == nil {
		r.later.err = err
		r.problem(Problem{Kind: Notice, Message: "reading back the earlier events of deleted users from a temporary file: " +
			err.Error() + "; what those events said is missing from the output"})
	}
}

// encode appends the summary to b, but for the name of its input.
func (s *summary) encode(b []byte) []byte {
	b = append(b, s.kind)
	b = binary.AppendUvarint(b, uint64(s.at.Line))
	b = appendTime(b, s.time)
	b = appendStrings(b, s.id, s.initiatedBy, s.userID, s.names[0].id, s.names[0].name, s.names[1].id, s.names[1].name)
	a := &s.a
	var buf [columnCount]uint8
	cols := buf[:0]
	for i := range columnCount {
		if a.touched[i] || s.kind == kindDeletion && a.user.get(i) != "" { // --map sets columns untouched
			cols = append(cols, uint8(i))
		}
	}
	b = binary.AppendUvarint(b, uint64(len(cols)))
	for _, i := range cols {
		b = append(b, i, boolByte(a.touched[i]))
		b = appendStrings(b, a.user.get(int(i)))
	}
	b = append(b, boolByte(a.attributesTouched))
	b = binary.AppendUvarint(b, uint64(len(a.attributes)))
	for _, at := range a.attributes {
		b = appendStrings(b, at.Name, at.Value)
	}
	b = binary.AppendUvarint(b, uint64(len(a.notes)))
	b = appendStrings(b, a.notes...)
	c := &s.assoc
	b = appendStrings(b, c.userID, c.userName, c.m.kind, c.m.id, c.m.name)
	b = append(b, boolByte(c.m.added))
	return appendTime(b, c.m.at)
}

// decode reads a summary that encode wrote.
func (s *summary) decode(b []byte) error {
	d := decoder{b: b}
	s.kind = d.byte()
	s.at.Line = int(d.uvarint())
	s.time = d.time()
	d.strings(&s.id, &s.initiatedBy, &s.userID, &s.names[0].id, &s.names[0].name, &s.names[1].id, &s.names[1].name)
	a := &s.a
	for n := d.count(); n > 0; n-- {
		i, touched := int(d.byte()), d.byte() == 1
		if i >= columnCount {
			d.bad = true
			break
		}
		a.touched[i] = touched
		a.user.set(i, d.string())
	}
	a.attributesTouched = d.byte() == 1
	for n := d.count(); n > 0; n-- {
		var at Attribute
		d.strings(&at.Name, &at.Value)
		a.attributes = append(a.attributes, at)
	}
	for n := d.count(); n > 0; n-- {
		a.notes = append(a.notes, d.string())
	}
	c := &s.assoc
	d.strings(&c.userID, &c.userName, &c.m.kind, &c.m.id, &c.m.name)
	c.m.added = d.byte() == 1
	c.m.at = d.time()
	if d.bad || len(d.b) > 0 {
		return errDamaged
	}
	return nil
}

func boolByte(v bool) byte {
	if v {
		return 1
	}
	return 0
}

func appendStrings(b []byte, ss ...string) []byte {
	for _, s := range ss {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	return b
}

// appendTime appends t (UTC, or zero) as seconds and nanoseconds, and
// whether it is zero.
func appendTime(b []byte, t time.Time) []byte {
	if t.IsZero() {
		return append(b, 0)
	}
	b = append(b, 1)
	b = binary.AppendVarint(b, t.Unix())
	return binary.AppendUvarint(b, uint64(t.Nanosecond()))
}

// decoder reads what encode wrote; bad notes a value that is cut short.
type decoder struct {
	b   []byte
	bad bool
}

func (d *decoder) byte() byte {
	if len(d.b) == 0 {
		d.bad = true
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

func (d *decoder) uvarint() uint64 {
	n, k := binary.Uvarint(d.b)
	if k <= 0 {
		d.bad = true
		return 0
	}
	d.b = d.b[k:]
	return n
}

// count reads a length or a number of items, each at least a byte long.
func (d *decoder) count() int {
	n := d.uvarint()
	if n > uint64(len(d.b)) {
		d.bad = true
		return 0
	}
	return int(n)
}

func (d *decoder) string() string {
	n := d.count()
	if n > len(d.b) {
		d.bad = true
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}

func (d *decoder) strings(ss ...*string) {
	for _, s := range ss {
		*s = d.string()
	}
}

func (d *decoder) time() time.Time {
	if d.byte() == 0 {
		return time.Time{}
	}
	sec, k := binary.Varint(d.b)
	if k <= 0 {
		d.bad = true
		return time.Time{}
	}
	d.b = d.b[k:]
	ns := d.uvarint()
	if ns >= 1e9 {
		d.bad = true
		return time.Time{}
	}
	return time.Unix(sec, int64(ns)).UTC()
}
