package convert

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/tidwall/gjson"
)

// MaxEventSize is the largest single event jcrestore reads. A larger value
// is reported with its position and skipped, so that memory stays bounded
// whatever the input holds. Real events are a few kilobytes.
const MaxEventSize = 16 << 20

// maxDepth bounds nesting; encoding/json, which finds the exact place of a
// syntax error, stops at the same depth.
const maxDepth = 10000

// keepBefore is how many bytes before an event stay buffered, so that a
// syntax error on the event's first line can be shown with its line.
const keepBefore = 256

// piece is one top-level JSON value: an event, or something to unwrap.
// raw is valid until the next call of next.
type piece struct {
	raw []byte
	at  Position
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

	buf  []byte
	n    int   // bytes in buf
	pos  int   // next byte to look at
	base int64 // input offset of buf[0]

	line      int   // line of buf[pos]
	lineStart int64 // input offset where that line begins

	inArray bool // inside a top-level array
	eof     bool
	rerr    error // the read error that ended the input, reported once
	done    bool
	values  int // top-level values and containers seen
}

func newSplitter(r io.Reader, name string) *splitter {
	return &splitter{r: r, name: name, buf: make([]byte, 256<<10), line: 1}
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
				s.inArray = true
				s.values++
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
			if !s.inArray {
				s.values++
			}
			return s.value()
		default:
			return piece{}, s.unexpected(c), true
		}
	}
	if s.rerr != nil {
		err := s.rerr
		s.rerr = nil
		return piece{}, &Problem{Pos: s.position(s.pos), Message: "reading stopped: " + readError(err)}, true
	}
	if s.inArray {
		s.inArray = false
		return piece{}, &Problem{Pos: s.position(s.pos), Message: "unexpected end of input: the array is not closed with ']' (file cut off?)"}, true
	}
	return piece{}, nil, false
}

func readError(err error) string {
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return "the compressed data is cut off"
	}
	return err.Error()
}

// unexpected reports a byte that cannot start a value and skips to the next
// line that starts one.
func (s *splitter) unexpected(c byte) *Problem {
	at := s.pos
	text, caret := excerpt(s.buf[:s.n], at)
	msg := fmt.Sprintf("invalid character %s: not JSON", quoteByte(c))
	if s.values > 0 {
		msg = fmt.Sprintf("invalid character %s after the end of a value", quoteByte(c))
	}
	prob := &Problem{Pos: s.position(at), Message: msg, Excerpt: text, Caret: caret}
	s.advance(at)
	s.resync(s.base+int64(at), s.indent(at))
	return prob
}

func quoteByte(c byte) string {
	if c >= ' ' && c < 0x7f {
		return fmt.Sprintf("'%c'", c)
	}
	return fmt.Sprintf("%#02x", c)
}

// value scans one JSON value starting at pos.
func (s *splitter) value() (piece, *Problem, bool) {
	start := s.pos
	startPos := s.position(start)
	indent := s.indent(start)
	first := s.buf[start]
	scalar := first != '{' && first != '[' && first != '"'

	depth, inString, escaped, skipping := 0, false, false, false
	end, failAt, why := -1, -1, ""
	i := start
scan:
	for {
		for ; i < s.n; i++ {
			c := s.buf[i]
			if scalar {
				switch c {
				case ',', ']', '}', ' ', '\t', '\r', '\n':
					end = i
					break scan
				}
				continue
			}
			if inString {
				switch {
				case escaped:
					escaped = false
				case c == '\\':
					escaped = true
				case c == '"':
					inString = false
					if depth == 0 {
						end = i + 1
						break scan
					}
				case c == '\n':
					failAt, why = i, "line break inside a string (the line is cut off?)"
					break scan
				}
				continue
			}
			switch c {
			case '"':
				inString = true
			case '{', '[':
				depth++
				if depth > maxDepth {
					failAt, why = i, fmt.Sprintf("nested deeper than %d levels", maxDepth)
					break scan
				}
			case '}', ']':
				depth--
				if depth == 0 {
					end = i + 1
					break scan
				}
			}
		}
		if !skipping && i-start > MaxEventSize {
			if off, _ := syntaxError(s.buf[start:i]); off < i-start {
				failAt, why = start+off, ""
				break scan
			}
			skipping = true
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
			if scalar {
				end = i
				break scan
			}
			failAt = i
			break
		}
	}

	if skipping {
		s.advance(max(i, end))
		return piece{}, &Problem{Pos: startPos, Message: fmt.Sprintf("a value larger than %d MiB was skipped", MaxEventSize>>20)}, true
	}
	if end >= 0 {
		raw := s.buf[start:end]
		if gjson.ValidBytes(raw) {
			s.advance(end)
			return piece{raw: raw, at: startPos}, nil, true
		}
	}
	if scalar {
		// A bare word where a value should be: report it whole.
		text, caret := excerpt(s.buf[:s.n], start)
		prob := &Problem{Pos: startPos, Message: fmt.Sprintf("invalid value %q: not JSON", s.buf[start:end]), Excerpt: text, Caret: caret}
		s.resync(s.base+int64(start), indent)
		return piece{}, prob, true
	}
	return piece{}, s.broken(start, startPos, indent, end, failAt, why), true
}

// broken reports a value that is not valid JSON at the first place where
// encoding/json finds an error (or at failAt, where the scan gave up, for
// the reason why), then moves on: past the value when it closed on the line
// of its error (one bad element of a one-line array), otherwise to the next
// line that starts a value at this value's indentation or less.
func (s *splitter) broken(start int, at Position, indent, end, failAt int, why string) *Problem {
	limit := end
	if end < 0 {
		limit = min(failAt+1, s.n)
	}
	off, msg := syntaxError(s.buf[start:limit])
	if off >= limit-start {
		// Valid as far as it goes: the scan's reason, or a value cut off.
		switch {
		case why != "":
			off, msg = failAt-start, why
		case end >= 0:
			off, msg = 0, "invalid JSON"
		default:
			off, msg = 0, "the event is cut off: the input ends before it closes"
		}
	}
	errAt := start + off
	s.advance(errAt)
	text, caret := excerpt(s.buf[:s.n], errAt)
	prob := &Problem{Pos: s.position(errAt), Message: msg, Excerpt: text, Caret: caret}
	if s.line > at.Line && s.buf[errAt] == '{' && s.indent(errAt) == prob.Pos.Col-1 && prob.Pos.Col-1 <= indent {
		// The error is the start of the next event: this one was cut off.
		text, caret = excerpt(s.buf[:s.n], start)
		prob = &Problem{Pos: at, Excerpt: text, Caret: caret,
			Message: fmt.Sprintf("the event is cut off: it is not closed before line %d, where the next one starts", s.line)}
	}
	if end >= 0 && bytes.IndexByte(s.buf[errAt:end], '\n') < 0 {
		s.advance(end)
		return prob
	}
	s.resync(s.base+int64(start), indent)
	return prob
}

// resync moves to the first line, from the current one on, whose first
// non-blank byte opens a value ('{', or '[' outside an array) at an
// indentation of at most indent and lies after input offset after (so that
// a broken value is never read again). At the end of the input it stops.
func (s *splitter) resync(after int64, indent int) {
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

// syntaxError returns the offset and message of the first syntax error in b
// as encoding/json sees it; the offset is len(b) when b is valid or a valid
// prefix.
func syntaxError(b []byte) (int, string) {
	var v json.RawMessage
	err := json.Unmarshal(b, &v)
	var se *json.SyntaxError
	if errors.As(err, &se) {
		off := int(se.Offset)
		if off >= len(b) {
			return len(b), ""
		}
		// Offset counts the bytes read, including the offending one.
		if off > 0 {
			off--
		}
		return off, se.Error()
	}
	if err != nil {
		return 0, err.Error()
	}
	return len(b), ""
}
