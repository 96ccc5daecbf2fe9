package convert

import (
	"strings"

	"github.com/tidwall/gjson"
)

// PowerShell's ConvertTo-Json stops at depth 2 unless told otherwise and
// writes anything deeper as the object's string form: a change entry
// becomes "@{field=firstname; from=Jane}", and an array of addresses inside
// a single event becomes "@{type=work; locality=Denver} @{type=home; ...}".
// Arrays nested inside such a string are lost for good ("System.Object[]").
// parsePS turns that string form back into JSON, best effort: a value that
// itself contains "; name=" or a closing brace followed by another object
// cannot be told apart from the syntax.

// lostArray is what PowerShell writes for an array it did not descend into.
const lostArray = "System.Object[]"

// lostTable is what ConvertTo-Json writes for a hashtable too deep to
// write (a binding's sudo attributes).
const lostTable = "System.Collections.Hashtable"

// isPSObject reports whether s looks like PowerShell's string form of one or
// more objects.
func isPSObject(s string) bool {
	return strings.HasPrefix(strings.TrimSpace(s), "@{")
}

// parsePS parses s (see isPSObject) into a JSON object, or an array when s
// holds several objects. ok is false when s is not in that form.
func parsePS(s string) (gjson.Result, bool) {
	p := psParser{s: strings.TrimSpace(s)}
	var objs [][]byte
	for p.i < len(p.s) {
		obj, ok := p.object()
		if !ok {
			return gjson.Result{}, false
		}
		objs = append(objs, obj)
		p.skipSpace()
	}
	switch len(objs) {
	case 0:
		return gjson.Result{}, false
	case 1:
		return gjson.ParseBytes(objs[0]), true
	}
	b := []byte{'['}
	for i, o := range objs {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, o...)
	}
	return gjson.ParseBytes(append(b, ']')), true
}

type psParser struct {
	s     string
	i     int
	depth int // objects open
}

func (p *psParser) skipSpace() {
	for p.i < len(p.s) && p.s[p.i] == ' ' {
		p.i++
	}
}

// object parses "@{k=v; k=v}" at p.i into JSON.
func (p *psParser) object() ([]byte, bool) {
	if !strings.HasPrefix(p.s[p.i:], "@{") {
		return nil, false
	}
	p.i += 2
	p.depth++
	b := []byte{'{'}
	first := true
	for {
		if p.i < len(p.s) && p.s[p.i] == '}' {
			p.i++
			p.depth--
			return append(b, '}'), true
		}
		key, ok := p.key()
		if !ok {
			return nil, false
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = gjson.AppendJSONString(b, key)
		b = append(b, ':')
		if strings.HasPrefix(p.s[p.i:], "@{") {
			obj, ok := p.object()
			if !ok {
				return nil, false
			}
			b = append(b, obj...)
		} else {
			v := p.value()
			if v == "" {
				b = append(b, "null"...)
			} else {
				b = gjson.AppendJSONString(b, v)
			}
		}
		if strings.HasPrefix(p.s[p.i:], "; ") {
			p.i += 2
		} else if p.i >= len(p.s) || p.s[p.i] != '}' {
			return nil, false
		}
	}
}

// key reads "name=" and returns name.
func (p *psParser) key() (string, bool) {
	n := psKeyLen(p.s[p.i:])
	if n == 0 {
		return "", false
	}
	k := p.s[p.i : p.i+n]
	p.i += n + 1
	return k, true
}

// psKeyLen returns the length of the property name at the start of s when
// an '=' follows it, else 0.
func psKeyLen(s string) int {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '=':
			return i
		case c == '_' || c == '@' || c == '.' || c == '-' ||
			'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' && i > 0:
		default:
			return 0
		}
	}
	return 0
}

// value reads a plain value up to the "; name=" that starts the next
// property or the '}' that closes this object. A closing brace counts only
// where the text after it could follow an object at this depth: the end or
// a space before another object at the top, "; name=" or another closing
// brace inside an enclosing object.
func (p *psParser) value() string {
	start := p.i
	for i := p.i; i < len(p.s); i++ {
		switch {
		case strings.HasPrefix(p.s[i:], "; ") && psKeyLen(p.s[i+2:]) > 0:
			p.i = i
			return p.s[start:i]
		case p.s[i] == '}' && closes(p.s[i+1:], p.depth):
			p.i = i
			return p.s[start:i]
		}
	}
	p.i = len(p.s)
	return p.s[start:]
}

// closes reports whether rest can follow the '}' that closes an object
// opened at depth.
func closes(rest string, depth int) bool {
	switch {
	case depth == 1:
		return rest == "" || strings.HasPrefix(rest, " @{")
	case strings.HasPrefix(rest, "}"):
		return closes(rest[1:], depth-1)
	}
	return strings.HasPrefix(rest, "; ") && psKeyLen(rest[2:]) > 0
}
