package jsonstream

import (
	"io"
	"strconv"
	"unicode/utf8"
)

// Value is one top-level JSON value: an event, or something that may hold
// events (an envelope, a string, a nested array).
type Value struct {
	// Raw is the value's bytes, valid until the next call of Next.
	Raw []byte
	At  Position
	// Prep is what Options.Prepare returned for the value.
	Prep any
	// Tag is a number Options.Prepare may set on the value it is given,
	// handed out with it, and to Options.Ahead.
	Tag uint64

	keys keys
}

// CompactLen is the length of the value's content: without the white
// space between its tokens, and with each escape in its strings counted
// as the bytes it stands for (\u00fc as the two of ü). It is the same for
// every way of writing the same value (pretty or compact, keys in any
// order, escaped or not), for telling a value read twice (in an array and
// in NDJSON, from two exporters) from another.
func (v *Value) CompactLen() int {
	if v.keys.found && !v.keys.escaped {
		return len(v.Raw) - v.keys.blank
	}
	return CompactLen(v.Raw)
}

// CompactLen is the length of the content of the JSON text raw (see
// Value.CompactLen).
func CompactLen(raw []byte) int {
	n, inString := 0, false
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case inString && c == '\\' && i+1 < len(raw):
			w, skip := escapeLen(raw[i+1:])
			n += w
			i += skip
			continue
		case c == '"':
			inString = !inString
		case !inString && (c == ' ' || c == '\t' || c == '\n' || c == '\r'):
			continue
		}
		n++
	}
	return n
}

// escapeLen reads the escape whose letter starts b (after its backslash):
// how many bytes of UTF-8 it stands for, and how many bytes of b it takes.
// A \u escape of a surrogate pair counts four bytes over both halves; one
// that is broken counts as written.
func escapeLen(b []byte) (width, skip int) {
	if b[0] != 'u' || len(b) < 5 {
		return 1, 1
	}
	r, err := strconv.ParseUint(string(b[1:5]), 16, 32)
	if err != nil {
		return 6, 5
	}
	switch {
	case r >= 0xd800 && r < 0xdc00: // the first half of a pair: the second counts the four
		return 0, 5
	case r >= 0xdc00 && r < 0xe000:
		return 4, 5
	}
	return utf8.RuneLen(rune(r)), 5
}

// Key returns the value of the top-level key Options.Keys[n] when the
// splitter read it on the way: the contents of a plain string (a part of
// Raw, without escapes), or nil when the object has no such key; known is
// false when it must be looked up (the value is not a plain string, the
// object has keys with escapes, or it was read the slow way).
func (v *Value) Key(n int) (value []byte, known bool) {
	return v.keys.value(v.Raw, n)
}

// Options says how a Reader reads.
type Options struct {
	// Keys are top-level keys of objects whose values the splitter notes
	// on the way, at most MaxKeys of them (see Value.Key).
	Keys []string
	// Prepare, when set, is called once for every value, before Next
	// returns it; what it returns is handed out as Value.Prep. With
	// Workers it runs on the workers, several at once, and must only read
	// what they share. The value's bytes are valid only during the call.
	Prepare func(v *Value) any
	// Workers is how many goroutines split blocks and prepare their
	// values; 0 reads in sequence, on the caller's goroutine.
	Workers int
	// BlockSize is the size of the blocks read in parallel
	// (DefaultBlockSize if 0).
	BlockSize int
	// Ahead, when set, is given the tags of the values of each block read
	// in parallel before the first of them is handed out, on the
	// goroutine that calls Next: for work that goes faster done for many
	// values at once than one at a time.
	Ahead func(tags []uint64)
	// Scribble overwrites the bytes of each block read in parallel once
	// its values were handed out, before the block is reused: for tests
	// that nothing kept refers to a value's bytes past Next's next call.
	Scribble bool
}

// Reader reads the top-level values of one input in order, in parallel
// where the input's lines allow it and in sequence elsewhere, with the
// same values, problems and positions either way.
type Reader struct {
	s       *splitter
	prepare func(v *Value) any
	par     *parallel // while blocks are read in parallel
	v       Value     // the value read in sequence, for prepare
}

// NewReader reads the UTF-8 text r (see Decode), named name in positions.
// It panics when asked for more than MaxKeys keys.
func NewReader(r io.Reader, name string, opts Options) *Reader {
	if len(opts.Keys) > MaxKeys {
		panic("jsonstream: more than MaxKeys keys")
	}
	rd := &Reader{s: newSplitter(r, name, opts.Keys), prepare: opts.Prepare}
	if opts.Workers > 0 {
		rd.par = startParallel(rd.s, opts)
	}
	return rd
}

// Next returns the next value, or a problem found on the way; ok is false
// at the end of the input.
func (r *Reader) Next() (v Value, prob *Problem, ok bool) {
	if r.par != nil {
		if v, ok := r.par.next(); ok {
			return v, nil, true
		}
		r.par = nil
	}
	p, prob, ok := r.s.next()
	if !ok || prob != nil {
		return Value{}, prob, ok
	}
	r.v = Value{Raw: p.raw, At: p.at, keys: p.keys}
	if r.prepare != nil {
		r.v.Prep = r.prepare(&r.v)
	}
	return r.v, nil, true
}

// Close stops the goroutines of a read that ends before its input does;
// after the end of the input it does nothing.
func (r *Reader) Close() {
	if r.par != nil {
		r.par.close()
		r.par = nil
	}
}

// Values is how many top-level values and arrays were met so far.
func (r *Reader) Values() int { return r.s.values }

// Layout describes how the values were laid out, for inspect: "a JSON
// array", "NDJSON (one value per line)", "one JSON value", ...
func (r *Reader) Layout() string { return r.s.layout() }
