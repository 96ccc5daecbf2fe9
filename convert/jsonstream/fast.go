package jsonstream

import (
	"encoding/binary"
	"math/bits"
)

// fastState is what fastEvent made of its bytes.
type fastState int8

const (
	fastOK     fastState = iota // one whole, valid object
	fastBroken                  // a syntax error, or nested too deep
	fastMore                    // valid so far, but the bytes end before the object does
)

// fastEvent checks that b starts with one whole, valid JSON object and
// returns the index just past it. It is the splitter's fast path: a
// structured loop that keeps no state between calls, so it must see the
// whole object at once. When the object is broken, or not complete within
// b, the resumable scanner reads it again and says exactly what is wrong;
// fastEvent never accepts what encoding/json would refuse.
//
// On the way it notes where the object's top-level keys named in want
// have plain string values, and the lines the object spans (see keys), so
// that most events are told apart without being read again.
//
// Its time is a chain: where each token ends decides where the next one
// starts. So the common steps are kept short (no blank after a colon or
// comma costs a comparison, a short string one word, a pretty-printed
// line's indentation one word) and no byte is read twice.
func fastEvent(b []byte, want []string) (end int, k keys, st fastState) {
	if len(b) == 0 || b[0] != '{' {
		return 0, k, fastBroken
	}
	var small [64]byte
	stack := small[:0]
	k.want, k.all = want, 1<<len(want)-1
	k.pending = -1
	i := 0
	for {
		// b[i] starts a value. The helpers return -1 for a syntax error
		// and len(b) when the bytes end first.
		switch c := b[i]; c {
		case '{', '[':
			if len(stack) >= maxDepth {
				return 0, k, fastBroken
			}
			k.pending = -1 // a key wanted whose value is no string
			stack = append(stack, c)
			if i = k.skip(b, i+1); i >= len(b) {
				return 0, k, fastMore
			}
			if c == '[' && b[i] != ']' {
				continue // the first element
			}
			if c == '{' && b[i] != '}' {
				if i = k.member(b, i, len(stack) == 1); i < 0 || i >= len(b) {
					return 0, k, stateAt(i)
				}
				continue
			}
			stack = stack[:len(stack)-1] // empty: closed at once
			i++
		case '"':
			var esc bool
			start := i + 1
			i, esc = stringEnd(b, start)
			k.escaped = k.escaped || esc
			if k.pending >= 0 && !esc && i > 0 {
				k.spans[k.pending] = span{int32(start), int32(i - 1)} // the value of a top-level key wanted
			}
		case 't':
			i = literal(b, i, "true")
		case 'f':
			i = literal(b, i, "false")
		case 'n':
			i = literal(b, i, "null")
		default:
			i = numberEnd(b, i)
		}
		if i < 0 {
			return 0, k, fastBroken
		}
		k.pending = -1
		// After a value: close what ends here, then find the next value.
		for next := false; !next; {
			if len(stack) == 0 {
				k.done()
				return i, k, fastOK
			}
			if i = k.skip(b, i); i >= len(b) {
				return 0, k, fastMore
			}
			top := stack[len(stack)-1]
			switch c := b[i]; {
			case c == ',' && top == '{':
				if i = k.member(b, k.skip(b, i+1), len(stack) == 1); i < 0 || i >= len(b) {
					return 0, k, stateAt(i)
				}
				next = true
			case c == ',':
				if i = k.skip(b, i+1); i >= len(b) {
					return 0, k, fastMore
				}
				next = true
			case c == '}' && top == '{', c == ']' && top == '[':
				stack = stack[:len(stack)-1]
				i++
			default:
				return 0, k, fastBroken
			}
		}
	}
}

// stateAt tells a syntax error (i < 0) from bytes that ended too soon.
func stateAt(i int) fastState {
	if i < 0 {
		return fastBroken
	}
	return fastMore
}

// MaxKeys is how many top-level keys a Reader notes on the way.
const MaxKeys = 6

// keys is what fastEvent found on the way besides the end of the object.
// For each top-level key it was asked for: the first key spelled so
// (gjson, too, takes the first) whose value is a plain string gives its
// contents; a key that is not there at all is absent; anything else (a
// value that is no plain string, a key written with escapes that might
// spell it) must be looked up.
type keys struct {
	want    []string
	all     uint8 // a bit for each key wanted
	spans   [MaxKeys]span
	seen    uint8 // the keys met, by bit
	pending int8  // the key whose value is read next, or -1
	found   bool  // done was called: spans are final
	blank   int   // the white space between the object's tokens
	escaped bool  // some string has escapes: its length is not its content's
	lines   int   // the line breaks in the object
	lastNL  int   // the index of the last of them
}

// span is where a value is in an object's bytes: start >= 0 for a plain
// string's contents, or one of the states below.
type span struct{ start, end int32 }

const (
	spanAbsent = -1 // not a top-level key
	spanLook   = -2 // to be looked up
)

// member reads `"key" :` from b[i] on, and returns the index of the value
// after it, blanks skipped: -1 when the syntax is wrong, len(b) when the
// bytes end first. top says the key is a top-level one.
func (k *keys) member(b []byte, i int, top bool) int {
	if i >= len(b) {
		return len(b)
	}
	if b[i] != '"' {
		return -1
	}
	end, esc := stringEnd(b, i+1)
	if end < 0 || end >= len(b) {
		return end
	}
	k.escaped = k.escaped || esc
	next := end
	if b[next] != ':' {
		if next = k.skip(b, next); next >= len(b) {
			return len(b)
		}
		if b[next] != ':' {
			return -1
		}
	}
	if top && k.seen != k.all {
		k.topKey(b[i+1:end-1], esc)
	}
	if i = next + 1; i+1 < len(b) && b[i] == ' ' && b[i+1] > ' ' {
		k.blank++ // "key": value, as pretty-printed
		return i + 1
	}
	return k.skip(b, i)
}

// topKey follows the top-level keys of fastEvent: the key is key, with
// escapes when esc is set. A key with escapes might spell any key wanted:
// those not met yet must be looked up.
func (k *keys) topKey(key []byte, esc bool) {
	if esc {
		for n := range k.want {
			if k.seen&(1<<n) == 0 {
				k.seen |= 1 << n
				k.spans[n] = span{spanLook, 0}
			}
		}
		return
	}
	for n, w := range k.want {
		if k.seen&(1<<n) == 0 && string(key) == w {
			// Looked up unless its value turns out to be a plain string.
			k.seen |= 1 << n
			k.spans[n] = span{spanLook, 0}
			k.pending = int8(n)
			return
		}
	}
}

// done marks the keys never met absent.
func (k *keys) done() {
	for n := range k.want {
		if k.seen&(1<<n) == 0 {
			k.spans[n] = span{spanAbsent, 0}
		}
	}
	k.found = true
}

// value returns what raw, the object the spans are of, has for the key n:
// a plain string's contents, and whether that is all there is to know (a
// nil value then means the key is absent). When known is false the value
// must be looked up.
func (k *keys) value(raw []byte, n int) (v []byte, known bool) {
	if !k.found || n >= len(k.want) {
		return nil, false
	}
	switch sp := k.spans[n]; {
	case sp.start >= 0:
		return raw[sp.start:sp.end:sp.end], true
	case sp.start == spanAbsent:
		return nil, true
	}
	return nil, false
}

// skip returns the index of the first byte from i on that is not JSON
// white space, or len(b), counting the blanks and line breaks it skips.
// Compact JSON has none: that costs one comparison.
func (k *keys) skip(b []byte, i int) int {
	if i < len(b) && b[i] > ' ' {
		return i
	}
	return k.skipBlank(b, i)
}

// skipBlank is skip's loop, kept out of line so that skip is inlined.
//
//go:noinline
func (k *keys) skipBlank(b []byte, i int) int {
	start := i
	for i < len(b) {
		switch b[i] {
		case '\n':
			k.lines++
			k.lastNL = i
			i++
			// A pretty-printed line's indentation, eight bytes at a time.
			for i+8 <= len(b) {
				if x := binary.LittleEndian.Uint64(b[i:]) ^ 0x2020202020202020; x != 0 {
					i += bits.TrailingZeros64(x) >> 3
					break
				}
				i += 8
			}
		case ' ', '\t', '\r':
			i++
		default:
			k.blank += i - start
			return i
		}
	}
	k.blank += i - start
	return len(b)
}

// stringEnd returns the index just past the closing quote of the string
// whose contents start at b[i]: -1 when it is broken, len(b) when the bytes
// end first; and whether the string has escapes.
func stringEnd(b []byte, i int) (int, bool) {
	esc := false
	for i < len(b) {
		// Eight bytes at a time while none ends the string or needs a
		// closer look: no quote, no backslash, no control byte.
		for i+8 <= len(b) {
			w := binary.LittleEndian.Uint64(b[i:])
			if m := special(w); m != 0 {
				i += bits.TrailingZeros64(m) >> 3
				if m&-m&quotes(w) != 0 {
					return i + 1, esc // the usual end
				}
				break
			}
			i += 8
		}
		if i >= len(b) {
			break
		}
		switch c := b[i]; {
		case c == '"':
			return i + 1, esc
		case c == '\\':
			esc = true
			if i+1 >= len(b) {
				return len(b), esc
			}
			switch b[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				for k := i + 2; k < i+6; k++ {
					if k >= len(b) {
						return len(b), esc
					}
					if !isHex(b[k]) {
						return -1, esc
					}
				}
				i += 6
			default:
				return -1, esc
			}
		case c < 0x20:
			return -1, esc
		default:
			i++
		}
	}
	return len(b), esc
}

// special returns a word with the high bit set in each byte of w that is a
// quote, a backslash or below 0x20; bytes after the first such byte may be
// marked wrongly, so only the lowest mark counts.
func special(w uint64) uint64 {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	q := w ^ ('"' * ones)
	bs := w ^ ('\\' * ones)
	return ((q-ones)&^q | (bs-ones)&^bs | (w-0x20*ones)&^w) & highs
}

// quotes returns a word with the high bit set in each byte of w that is a
// quote, exactly so in the lowest one; bytes after it may be marked
// wrongly.
func quotes(w uint64) uint64 {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	q := w ^ ('"' * ones)
	return (q - ones) &^ q & highs
}

// literal checks that b[i:] starts with word and returns the index past it:
// -1 when it does not, len(b) when the bytes end first.
func literal(b []byte, i int, word string) int {
	n := min(len(word), len(b)-i)
	if string(b[i:i+n]) != word[:n] {
		return -1
	}
	if n < len(word) {
		return len(b)
	}
	return i + n
}

// numberEnd returns the index past the JSON number at b[i]: -1 when it is
// not one, len(b) when the bytes end first (it might go on).
func numberEnd(b []byte, i int) int {
	if b[i] == '-' {
		i++
	}
	switch {
	case i >= len(b):
		return len(b)
	case b[i] == '0':
		i++
	case '1' <= b[i] && b[i] <= '9':
		i = digits(b, i+1)
	default:
		return -1
	}
	if i < len(b) && b[i] == '.' {
		if i = digits(b, i+1); i < len(b) && b[i-1] == '.' {
			return -1
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		start := i
		if i = digits(b, i); i < len(b) && i == start {
			return -1
		}
	}
	return i
}

func digits(b []byte, i int) int {
	for i < len(b) && '0' <= b[i] && b[i] <= '9' {
		i++
	}
	return i
}
