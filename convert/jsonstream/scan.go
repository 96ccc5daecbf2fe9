package jsonstream

import "fmt"

// scanner checks the syntax of one JSON value as its bytes arrive, so that
// the splitter finds both the end of an event and its first error in a
// single pass, resuming across buffer refills. It stops at the first error:
// nothing after a broken byte is ever looked at twice.
type scanner struct {
	state  scanState
	stack  []byte // '{' or '[' for each open container
	key    bool   // the string being read is an object key
	hex    int    // hex digits still expected in a \u escape
	lit    string // the rest of a literal being read ("rue" of "true")
	msg    string // the error, once state is scanError
	closed bool   // the value is complete
}

type scanState uint8

const (
	scanValue        scanState = iota // a value must start here
	scanValueOrClose                  // after '[': a value or ']'
	scanKeyOrClose                    // after '{': a key or '}'
	scanKey                           // after ',' in an object: a key
	scanColon                         // after a key
	scanNext                          // after a value in a container: ',' or the close
	scanString
	scanEscape
	scanLiteral
	scanNumberSign  // after '-'
	scanNumberZero  // after a leading 0
	scanNumberInt   // in the integer digits
	scanNumberDot   // after '.'
	scanNumberFrac  // in the fraction digits
	scanNumberE     // after 'e'
	scanNumberESign // after the exponent's sign
	scanNumberExp   // in the exponent digits
	scanError
)

func (sc *scanner) reset() {
	*sc = scanner{stack: sc.stack[:0]}
}

// scan reads b[i:end] and returns where it stopped: just past the last byte
// of the value when sc.closed is set, at the offending byte when the state
// is scanError, or at end when the value goes on. A number at the top level
// closes only at the byte after it; call finish at the end of the input.
func (sc *scanner) scan(b []byte, i, end int) int {
	for i < end {
		c := b[i]
		switch sc.state {
		case scanString:
			// The hot loop: most bytes of an event are string contents.
			for c >= 0x20 && c != '"' && c != '\\' {
				i++
				if i == end {
					return i
				}
				c = b[i]
			}
			switch {
			case c == '"':
				i++
				if sc.key {
					sc.key = false
					sc.state = scanColon
				} else if sc.valueDone() {
					return i
				}
				continue
			case c == '\\':
				sc.state = scanEscape
			case c == '\n':
				return sc.fail(i, "line break inside a string (the line is cut off?)")
			default:
				return sc.fail(i, fmt.Sprintf("invalid character %s in string literal", quoteByte(c)))
			}
		case scanEscape:
			if sc.hex > 0 {
				if !isHex(c) {
					return sc.fail(i, fmt.Sprintf("invalid character %s in \\u hexadecimal character escape", quoteByte(c)))
				}
				sc.hex--
				if sc.hex == 0 {
					sc.state = scanString
				}
				break
			}
			switch c {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				sc.state = scanString
			case 'u':
				sc.hex = 4
			default:
				return sc.fail(i, fmt.Sprintf("invalid character %s in string escape code", quoteByte(c)))
			}
		case scanLiteral:
			if c != sc.lit[0] {
				return sc.fail(i, fmt.Sprintf("invalid character %s in literal (expecting '%c')", quoteByte(c), sc.lit[0]))
			}
			sc.lit = sc.lit[1:]
			if sc.lit == "" && sc.valueDone() {
				return i + 1
			}
		case scanNumberSign, scanNumberZero, scanNumberInt, scanNumberDot, scanNumberFrac, scanNumberE, scanNumberESign, scanNumberExp:
			if !sc.number(c) {
				if sc.state == scanError {
					return i
				}
				// The number ended before c, which is read anew.
				if sc.valueDone() {
					return i
				}
				continue
			}
		default:
			switch c {
			case ' ', '\t', '\r', '\n':
				i++
				continue
			}
			if !sc.structural(c) {
				return i
			}
			if sc.closed {
				return i + 1
			}
		}
		i++
	}
	return i
}

// structural handles c outside strings, numbers and literals; false means
// an error.
func (sc *scanner) structural(c byte) bool {
	switch sc.state {
	case scanValue, scanValueOrClose:
		if c == ']' && sc.state == scanValueOrClose {
			return sc.close(c)
		}
		return sc.begin(c)
	case scanKeyOrClose, scanKey:
		switch {
		case c == '"':
			sc.state, sc.key = scanString, true
			return true
		case c == '}' && sc.state == scanKeyOrClose:
			return sc.close(c)
		}
		sc.fail(0, fmt.Sprintf("invalid character %s looking for beginning of object key string", quoteByte(c)))
	case scanColon:
		if c == ':' {
			sc.state = scanValue
			return true
		}
		sc.fail(0, fmt.Sprintf("invalid character %s after object key", quoteByte(c)))
	case scanNext:
		top := sc.stack[len(sc.stack)-1]
		switch {
		case c == ',' && top == '{':
			sc.state = scanKey
			return true
		case c == ',':
			sc.state = scanValue
			return true
		case c == '}' && top == '{', c == ']' && top == '[':
			return sc.close(c)
		}
		if top == '{' {
			sc.fail(0, fmt.Sprintf("invalid character %s after object key:value pair", quoteByte(c)))
		} else {
			sc.fail(0, fmt.Sprintf("invalid character %s after array element", quoteByte(c)))
		}
	}
	return false
}

// begin starts a value with c.
func (sc *scanner) begin(c byte) bool {
	switch {
	case c == '{' || c == '[':
		if len(sc.stack) >= maxDepth {
			sc.fail(0, fmt.Sprintf("nested deeper than %d levels", maxDepth))
			return false
		}
		sc.stack = append(sc.stack, c)
		sc.state = scanKeyOrClose
		if c == '[' {
			sc.state = scanValueOrClose
		}
	case c == '"':
		sc.state = scanString
	case c == '-':
		sc.state = scanNumberSign
	case c == '0':
		sc.state = scanNumberZero
	case '1' <= c && c <= '9':
		sc.state = scanNumberInt
	case c == 't':
		sc.state, sc.lit = scanLiteral, "rue"
	case c == 'f':
		sc.state, sc.lit = scanLiteral, "alse"
	case c == 'n':
		sc.state, sc.lit = scanLiteral, "ull"
	default:
		sc.fail(0, fmt.Sprintf("invalid character %s looking for beginning of value", quoteByte(c)))
		return false
	}
	return true
}

func (sc *scanner) close(c byte) bool {
	sc.stack = sc.stack[:len(sc.stack)-1]
	sc.valueDone()
	return true
}

// valueDone moves on after a complete value and reports whether it was the
// whole value being scanned.
func (sc *scanner) valueDone() bool {
	if len(sc.stack) == 0 {
		sc.closed = true
		return true
	}
	sc.state = scanNext
	return false
}

// number reads c as part of a number; false means the number ended before
// c (or, with state scanError, that c is an error).
func (sc *scanner) number(c byte) bool {
	digit := '0' <= c && c <= '9'
	switch sc.state {
	case scanNumberSign:
		switch {
		case c == '0':
			sc.state = scanNumberZero
		case digit:
			sc.state = scanNumberInt
		default:
			sc.fail(0, fmt.Sprintf("invalid character %s in numeric literal", quoteByte(c)))
			return false
		}
	case scanNumberZero, scanNumberInt:
		switch {
		case digit && sc.state == scanNumberInt:
		case c == '.':
			sc.state = scanNumberDot
		case c == 'e' || c == 'E':
			sc.state = scanNumberE
		default:
			return sc.numberEnd(c)
		}
	case scanNumberDot:
		if !digit {
			sc.fail(0, fmt.Sprintf("invalid character %s after decimal point in numeric literal", quoteByte(c)))
			return false
		}
		sc.state = scanNumberFrac
	case scanNumberFrac:
		switch {
		case digit:
		case c == 'e' || c == 'E':
			sc.state = scanNumberE
		default:
			return sc.numberEnd(c)
		}
	case scanNumberE:
		switch {
		case c == '+' || c == '-':
			sc.state = scanNumberESign
		case digit:
			sc.state = scanNumberExp
		default:
			sc.fail(0, fmt.Sprintf("invalid character %s in exponent of numeric literal", quoteByte(c)))
			return false
		}
	case scanNumberESign:
		if !digit {
			sc.fail(0, fmt.Sprintf("invalid character %s in exponent of numeric literal", quoteByte(c)))
			return false
		}
		sc.state = scanNumberExp
	case scanNumberExp:
		if !digit {
			return sc.numberEnd(c)
		}
	}
	return true
}

// numberEnd ends a number before c; a digit after a leading zero is an
// error, as in encoding/json.
func (sc *scanner) numberEnd(c byte) bool {
	if '0' <= c && c <= '9' {
		sc.fail(0, fmt.Sprintf("invalid character %s after top-level value", quoteByte(c)))
	}
	return false
}

// finish is called at the end of the input: a number at the top level is
// complete there; anything else still open is cut off.
func (sc *scanner) finish() {
	switch sc.state {
	case scanNumberZero, scanNumberInt, scanNumberFrac, scanNumberExp:
		if len(sc.stack) == 0 {
			sc.closed = true
		}
	}
}

// fail records an error and returns i, for scan to return.
func (sc *scanner) fail(i int, msg string) int {
	sc.state, sc.msg = scanError, msg
	return i
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// maxDepth bounds nesting, as encoding/json does.
const maxDepth = 10000

func quoteByte(c byte) string {
	if c >= ' ' && c < 0x7f {
		return fmt.Sprintf("'%c'", c)
	}
	return fmt.Sprintf("%#02x", c)
}
