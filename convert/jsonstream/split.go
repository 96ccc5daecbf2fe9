package jsonstream

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// maxEventSize is the largest single value a Reader reads. A larger value
// is reported with its position and skipped, so that memory stays bounded
// whatever the input holds. Real events are a few kilobytes.
const maxEventSize = 16 << 20

// keepBefore is how many bytes before an event stay buffered, so that a
// syntax error on the event's first line can be shown with its line.
const keepBefore = 256

// piece is one top-level JSON value: an event, or something to unwrap.
// raw is valid until the next call of next; keys is where the keys asked
// for are in it, when the fast path read it.
type piece struct {
	raw  []byte
	at   Position
	keys keys
}

// splitter cuts a stream of JSON text into top-level values without parsing
// it as one document: objects one after another (NDJSON, concatenated, or a
// single pretty object), and the elements of top-level arrays in any layout.
// A broken value is reported with its exact position and the splitter
// resynchronises at the next line that starts a value at the same or a
// smaller indentation, so that one bad event does not lose the rest.
type splitter struct {
	r    io.Reader
	name string
	want []string // the keys to note (Options.Keys)

	buf  []byte
	n    int   // bytes in buf
	pos  int   // next byte to look at
	base int64 // input offset of buf[0]

	line      int   // line of buf[pos]
	lineStart int64 // input offset where that line begins

	sc       scanner
	inArray  bool // inside a top-level array
	arrays   int  // top-level arrays seen
	objects  int  // top-level values outside arrays
	lines    int  // of those, how many began a line
	multi    bool // a value outside arrays spanned lines
	resynced bool // a resynchronisation skipped part of that array
	eof      bool
	rerr     error // the read error that ended the input, reported once
	done     bool
	values   int // top-level values and containers seen
}

func newSplitter(r io.Reader, name string, want []string) *splitter {
	return &splitter{r: r, name: name, want: want, buf: make([]byte, 256<<10), line: 1}
}

// fill moves buf[keep:n] to the front and reads more. It returns how far the
// bytes moved, and false when nothing more can be read.
func (s *splitter) fill(keep int) (int, bool) {
	if keep > 0 {
		copy(s.buf, s.buf[keep:s.n])
		s.n -= keep
		s.pos -= keep
		s.base += int64(keep)
	}
	if s.eof {
		return keep, false
	}
	if s.n == len(s.buf) {
		s.buf = append(s.buf, make([]byte, len(s.buf))...)
	}
	for {
		m, err := s.r.Read(s.buf[s.n:])
		s.n += m
		if err != nil {
			s.eof = true
			if err != io.EOF {
				s.rerr = err
			}
			return keep, m > 0
		}
		if m > 0 {
			return keep, true
		}
	}
}

func (s *splitter) position(i int) Position {
	return Position{File: s.name, Line: s.line, Col: int(s.base+int64(i)-s.lineStart) + 1}
}

// advance moves pos to i, counting the lines passed.
func (s *splitter) advance(i int) {
	for {
		j := bytes.IndexByte(s.buf[s.pos:i], '\n')
		if j < 0 {
			break
		}
		s.line++
		s.pos += j + 1
		s.lineStart = s.base + int64(s.pos)
	}
	s.pos = i
}

// indent is the number of blank bytes before the first other byte of the
// line that holds buf[i], as far as the buffer still holds that line.
func (s *splitter) indent(i int) int {
	ls := int(s.lineStart - s.base)
	if ls < 0 {
		return int(s.base + int64(i) - s.lineStart)
	}
	k := ls
	for k < i && (s.buf[k] == ' ' || s.buf[k] == '\t') {
		k++
	}
	return k - ls
}

// next returns the next top-level value, or a problem found on the way; ok
// is false at the end of the input.
func (s *splitter) next() (p piece, prob *Problem, ok bool) {
	for !s.done {
		if s.pos == s.n {
			if _, more := s.fill(max(0, s.pos-keepBefore)); !more {
				s.done = true
				break
			}
			continue
		}
		switch c := s.buf[s.pos]; c {
		case ' ', '\t', '\r', '\n', ',':
			// Commas are accepted between top-level values too: a few
			// events copied out of the middle of an array are still events.
			s.advance(s.pos + 1)
		case '[':
			if !s.inArray {
				s.open()
				s.advance(s.pos + 1)
				continue
			}
			return s.value()
		case ']':
			if s.inArray {
				s.inArray = false
				s.advance(s.pos + 1)
				continue
			}
			return piece{}, s.unexpected(c), true
		case '{', '"', '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 't', 'f', 'n':
			s.begin(s.indent(s.pos) == int(s.base+int64(s.pos)-s.lineStart))
			return s.value()
		default:
			return piece{}, s.unexpected(c), true
		}
	}
	if s.rerr != nil {
		err := s.rerr
		s.rerr = nil
		return piece{}, &Problem{Pos: s.position(s.pos), Message: "reading stopped: " + readError(err), Cut: errors.Is(err, io.ErrUnexpectedEOF)}, true
	}
	if s.inArray && !s.resynced {
		s.inArray = false
		return piece{}, &Problem{Pos: s.position(s.pos), Message: "unexpected end of input: the array is not closed with ']' (file cut off?)", Cut: true}, true
	}
	return piece{}, nil, false
}

// open counts a top-level array that opens.
func (s *splitter) open() {
	s.inArray, s.resynced = true, false
	s.values++
	s.arrays++
}

// begin counts a value that starts, outside arrays: first says it is the
// first thing on its line.
func (s *splitter) begin(first bool) {
	if !s.inArray {
		s.values++
		s.objects++
		if first {
			s.lines++
		}
	}
}

// end notes whether a value that ended, outside arrays, spanned lines.
func (s *splitter) end(multiline bool) {
	s.multi = s.multi || !s.inArray && multiline
}

// layout describes how the values were laid out, for inspect.
func (s *splitter) layout() string {
	switch {
	case s.values == 0:
		return "empty"
	case s.arrays == 1 && s.objects == 0:
		return "a JSON array"
	case s.arrays > 0 && s.objects == 0:
		return fmt.Sprintf("%d JSON arrays", s.arrays)
	case s.arrays > 0:
		return "JSON arrays and values outside them"
	case s.objects == 1:
		return "one JSON value"
	case s.lines == s.objects && !s.multi:
		return "NDJSON (one value per line)"
	}
	return "JSON values one after another"
}

// value scans one JSON value starting at pos.
func (s *splitter) value() (piece, *Problem, bool) {
	if p, ok := s.fast(); ok {
		return p, nil, true
	}
	start := s.pos
	startPos := s.position(start)
	indent := s.indent(start)
	sc := &s.sc
	sc.reset()
	i, skipping := start, false
	for {
		stop := s.n
		if !skipping {
			stop = min(s.n, start+maxEventSize)
		}
		i = sc.scan(s.buf, i, stop)
		if sc.closed || sc.state == scanError {
			break
		}
		if !skipping && i-start >= maxEventSize {
			skipping = true
		}
		if i < s.n {
			continue // stopped at the size limit with bytes left to scan
		}
		keep := max(0, start-keepBefore)
		if skipping {
			// Past the limit nothing is kept: count the lines and let go.
			s.advance(i)
			keep = i
		}
		shift, more := s.fill(keep)
		i -= shift
		start -= shift
		if !more {
			sc.finish()
			break
		}
	}

	switch {
	case skipping:
		prob := &Problem{Pos: startPos, Message: fmt.Sprintf("a value larger than %d MiB was skipped", maxEventSize>>20)}
		if sc.state == scanError {
			s.advance(i)
			s.resync(s.base+int64(i)-1, indent)
		} else {
			s.advance(i)
		}
		return piece{}, prob, true
	case sc.closed:
		s.advance(i)
		s.end(s.line > startPos.Line)
		return piece{raw: s.buf[start:i], at: startPos}, nil, true
	case s.buf[start] != '{' && s.buf[start] != '[' && s.buf[start] != '"':
		// A bare word where a value should be: report it whole.
		s.lookahead(&start, &i)
		word := s.buf[start:i]
		if k := bytes.IndexAny(s.buf[start:min(s.n, start+40)], " \t\r\n,]}"); k >= 0 {
			word = s.buf[start : start+k]
		}
		text, caret := excerpt(s.buf[:s.n], start)
		prob := &Problem{Pos: startPos, Message: fmt.Sprintf("invalid value %q: not JSON", word), Excerpt: text, Caret: caret}
		s.skipJunk(start, start+len(word))
		return piece{}, prob, true
	case sc.state != scanError:
		text, caret := excerpt(s.buf[:s.n], start)
		s.stop() // an open array is part of the same cut
		return piece{}, &Problem{Pos: startPos, Message: "the event is cut off: the input ends before it closes", Excerpt: text, Caret: caret, Cut: true}, true
	}
	s.lookahead(&start, &i)
	return piece{}, s.broken(start, startPos, indent, i), true
}

// fast reads the object at pos with fastEvent, reading on once when the
// buffer ends inside it. It returns false, having moved nothing but the
// buffer, when the value is not an object, is broken, or is still not
// complete: value's resumable scanner takes over, so that no byte is
// scanned more than three times.
func (s *splitter) fast() (piece, bool) {
	if s.buf[s.pos] != '{' {
		return piece{}, false
	}
	for try := 0; try < 2; try++ {
		start := s.pos
		end, k, st := fastEvent(s.buf[start:s.n], s.want)
		switch {
		case st == fastOK && end <= maxEventSize:
			at := s.position(start)
			s.advance(start + end)
			s.end(s.line > at.Line)
			return piece{raw: s.buf[start : start+end], at: at, keys: k}, true
		case st != fastMore, s.n-start >= maxEventSize:
			return piece{}, false // broken, or too large: the scanner reports it
		}
		if _, more := s.fill(max(0, start-keepBefore)); !more {
			return piece{}, false
		}
	}
	return piece{}, false
}

// unexpected reports a byte that cannot start a value and skips to the next
// line that starts one.
func (s *splitter) unexpected(c byte) *Problem {
	at := s.pos
	start := at
	s.lookahead(&start, &at) // the rest of the line, for the excerpt and below
	text, caret := excerpt(s.buf[:s.n], at)
	msg := fmt.Sprintf("invalid character %s: not JSON", quoteByte(c))
	if s.values > 0 {
		msg = fmt.Sprintf("invalid character %s after the end of a value", quoteByte(c))
	}
	prob := &Problem{Pos: s.position(at), Message: msg, Excerpt: text, Caret: caret}
	s.skipJunk(at, at+1)
	return prob
}

// skipJunk moves past junk that started at buffer index at where a value
// should be, and whose last byte is before end: to the next '{' or '[' on
// the same line ("\x00{...}", "-- {...}"), or else to the next line that
// opens a value.
func (s *splitter) skipJunk(at, end int) {
	rest := s.buf[end:s.n]
	if nl := bytes.IndexByte(rest, '\n'); nl >= 0 {
		rest = rest[:nl]
	}
	if k := bytes.IndexAny(rest, "{["); k >= 0 {
		s.advance(end + k)
		return
	}
	s.advance(at)
	s.resync(s.base+int64(at), s.indent(at))
}

// lookaheadSize is how far past an error the rest of its line is read, to
// show it and to find where the broken value ends.
const lookaheadSize = 1 << 20

// lookahead reads on until the buffer holds the line break after buffer
// index *at, or lookaheadSize bytes after it, or the end of the input. It
// keeps the bytes from *start on and moves both indices with the bytes.
func (s *splitter) lookahead(start, at *int) {
	for s.n-*at < lookaheadSize && bytes.IndexByte(s.buf[*at:s.n], '\n') < 0 {
		keep := max(0, *start-keepBefore)
		shift, more := s.fill(keep)
		*start -= shift
		*at -= shift
		if !more {
			return
		}
	}
}

// broken reports a value whose first syntax error is at buffer index errAt,
// then moves on: past the value when it closes on the same line (one bad
// element of a one-line array), otherwise to the next line that starts a
// value at this value's indentation or less.
func (s *splitter) broken(start int, at Position, indent, errAt int) *Problem {
	s.advance(errAt)
	text, caret := excerpt(s.buf[:s.n], errAt)
	prob := &Problem{Pos: s.position(errAt), Message: s.sc.msg, Excerpt: text, Caret: caret}
	if s.line > at.Line && s.buf[errAt] == '{' && s.indent(errAt) == prob.Pos.Col-1 && prob.Pos.Col-1 <= indent {
		// The error is the start of the next event: this one was cut off.
		text, caret = excerpt(s.buf[:s.n], start)
		prob = &Problem{Pos: at, Excerpt: text, Caret: caret,
			Message: fmt.Sprintf("the event is cut off: it is not closed before line %d, where the next one starts", s.line)}
	}
	if end := s.sameLineEnd(errAt); end > 0 {
		s.advance(end)
		return prob
	}
	s.resync(s.base+int64(start), indent)
	return prob
}

// sameLineEnd looks for the end of the broken value from its error on, on
// the same line and within the buffer: the closing bracket that brings the
// open containers back to none. It returns 0 when there is none.
func (s *splitter) sameLineEnd(i int) int {
	depth, inString, escaped := len(s.sc.stack), false, false
	for ; i < s.n; i++ {
		c := s.buf[i]
		switch {
		case c == '\n':
			return 0
		case inString && escaped:
			escaped = false
		case inString && c == '\\':
			escaped = true
		case c == '"':
			inString = !inString
		case inString:
		case c == '{' || c == '[':
			depth++
		case c == '}' || c == ']':
			depth--
			if depth == 0 {
				return i + 1
			}
		}
	}
	return 0
}

// resync moves to the first line, from the current one on, whose first
// non-blank byte opens a value ('{', or '[' outside an array) at an
// indentation of at most indent and lies after input offset after (so that
// a broken value is never read again). At the end of the input it stops.
func (s *splitter) resync(after int64, indent int) {
	s.resynced = s.inArray
	if ls := int(s.lineStart - s.base); ls >= 0 {
		s.pos = ls
	} else if !s.skipLine() {
		return
	}
	for {
		k := s.pos
		for {
			for k < s.n && k-s.pos <= indent && (s.buf[k] == ' ' || s.buf[k] == '\t') {
				k++
			}
			if k < s.n || k-s.pos > indent {
				break
			}
			shift, more := s.fill(s.pos)
			k -= shift
			if !more {
				s.stop()
				return
			}
		}
		if k < s.n && k-s.pos <= indent && s.base+int64(k) > after {
			if c := s.buf[k]; c == '{' || c == '[' && !s.inArray {
				s.advance(k)
				return
			}
		}
		s.pos = k
		if !s.skipLine() {
			return
		}
	}
}

// skipLine moves past the next line break; at the end of the input it stops
// reading and returns false.
func (s *splitter) skipLine() bool {
	for {
		if nl := bytes.IndexByte(s.buf[s.pos:s.n], '\n'); nl >= 0 {
			s.advance(s.pos + nl + 1)
			return true
		}
		s.pos = s.n
		if _, more := s.fill(s.n); !more {
			s.stop()
			return false
		}
	}
}

// stop ends the input after a resynchronisation ran into its end: the
// broken value was already reported, so an open array is not reported again.
func (s *splitter) stop() {
	s.done = true
	s.inArray = false
}
