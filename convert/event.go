package convert

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/tidwall/gjson"
)

// event is one Directory Insights event, read from validated JSON.
type event struct {
	raw          string // the event object itself, for --map paths
	at           Position
	typ          string
	id           string
	service      string
	org          string       // the organization's id, a substring of raw
	time         time.Time    // zero when missing or unreadable
	initiatedBy  string       // the admin's email, username or id
	initiatedByV gjson.Result // the initiated_by object
	resource     gjson.Result
	changes      gjson.Result // walked by eachChange
	psCut        bool         // PowerShell cut nested values short (see powershell.go)
}

// change is one entry of an event's changes: which attribute and its values
// before and after. from and to do not Exist when the key was absent.
type change struct {
	field    string
	from, to gjson.Result
	cut      bool // PowerShell wrote the entry as a string
}

// maxWrap bounds how many envelopes deep an event is looked for.
const maxWrap = 8

// unwrap finds the events in a top-level value and hands each to emit.
// Besides a plain event object it accepts what exporters wrap events in: an
// object with a single key ({"jumpcloud_bridge": {...}}, {"events": [...]}),
// an object under data or di_event beside other keys (SIEM forwarders),
// the raw event kept as a JSON string ("message", "event.original",
// "input.message", Splunk's "_raw" as in {"preview":false,"result":{"_raw":"..."}}), an
// array of events beside counts and paging ({"value":[...],"Count":2} from
// Windows PowerShell 5.1, {"results":[...],"next":null} from a paged API),
// and arrays of any of these. Anything else is reported.
func unwrap(v gjson.Result, at Position, depth int, emit func(gjson.Result, Position), report func(Problem)) {
	notEvent := func(why string) {
		report(Problem{Pos: at, Message: "not a Directory Insights event: " + why})
	}
	if depth > maxWrap {
		notEvent("wrapped too deeply")
		return
	}
	switch {
	case v.IsObject():
		if t := v.Get("event_type"); t.Exists() {
			emit(v, at)
			return
		}
		for _, path := range [...]string{"event.original", "message", "input.message", "_raw"} {
			if s := v.Get(path); s.Type == gjson.String {
				unwrap(s, at, depth+1, emit, report)
				return
			}
		}
		for _, key := range [...]string{"value", "results", "events", "data", "items", "records", "result", "di_event"} {
			// An object under result (Splunk), data and di_event (SIEM
			// forwarders: {"data": event} and {"data": {"di_event": event}},
			// beside keys of their own) is an event, or wraps one.
			if a := v.Get(key); a.IsArray() || a.IsObject() && (key == "result" || key == "data" || key == "di_event") {
				unwrap(a, at, depth+1, emit, report)
				return
			}
		}
		var only gjson.Result
		keys := 0
		v.ForEach(func(_, value gjson.Result) bool {
			keys++
			only = value
			return keys < 2
		})
		if keys == 1 && (only.IsObject() || only.IsArray() || only.Type == gjson.String) {
			unwrap(only, at, depth+1, emit, report)
			return
		}
		// A JSON object among events that is none of them (JumpCloud's own
		// API docs show a RADIUS event without event_type): noted, not lost;
		// one of a kind foreign.go knows is counted, and told once.
		if notice := foreignObject(v); notice != "" {
			report(Problem{Kind: Notice, Pos: at, Message: notice})
			return
		}
		report(Problem{Kind: Notice, Pos: at, Message: "not a Directory Insights event: an object without event_type"})
	case v.IsArray():
		v.ForEach(func(_, item gjson.Result) bool {
			unwrap(item, lineOf(v, item, at), depth+1, emit, report)
			return true
		})
	case v.Type == gjson.String:
		s := strings.TrimSpace(v.Str)
		if !strings.HasPrefix(s, "{") && !strings.HasPrefix(s, "[") {
			notEvent("a string")
			return
		}
		if !gjson.Valid(s) {
			notEvent("a string that holds broken JSON")
			return
		}
		unwrap(gjson.Parse(s), at, depth+1, emit, report)
	default:
		notEvent(describe(v))
	}
}

// lineOf is the position of item, an element of the array parent whose
// first byte is at position at.
func lineOf(parent, item gjson.Result, at Position) Position {
	if item.Index <= parent.Index || item.Index > parent.Index+len(parent.Raw) {
		return at
	}
	before := parent.Raw[:item.Index-parent.Index]
	if n := strings.Count(before, "\n"); n > 0 {
		return Position{File: at.File, Line: at.Line + n, Col: len(before) - strings.LastIndexByte(before, '\n')}
	}
	return Position{File: at.File, Line: at.Line, Col: at.Col + len(before)}
}

// describe names the kind of a JSON value that is no object, for a
// message: "a number".
func describe(v gjson.Result) string {
	if v.IsArray() {
		return "an array"
	}
	switch v.Type {
	case gjson.String:
		return "a string"
	case gjson.Null:
		return "null"
	case gjson.Number:
		return "a number"
	case gjson.True, gjson.False:
		return "a boolean"
	}
	return "an empty value"
}

// parse reads the fields jcrestore uses into e, in one pass over the
// event's keys; where a key appears twice the first counts, as with
// gjson's Get. The strings it keeps are copies but for service and org:
// the event may be parsed in place (see inPlace), and what outlives it
// must not hold on to its bytes.
func (e *event) parse(v gjson.Result, at Position) {
	*e = event{raw: v.Raw, at: at}
	var typ, id, service, ts, org gjson.Result
	fields := [...]*gjson.Result{&typ, &id, &service, &ts, &e.initiatedByV, &e.resource, &e.changes, &org}
	var seen uint8
	v.ForEach(func(k, val gjson.Result) bool {
		i := slices.Index(eventKeys[:], k.Str)
		if i >= 0 && seen&(1<<i) == 0 {
			seen |= 1 << i
			*fields[i] = val
		}
		return true
	})
	e.typ = strings.Clone(scalar(typ))
	e.id = strings.Clone(scalar(id))
	e.service = scalar(service)
	e.org = scalar(org) // a substring: see reader.apply
	e.time = parseTime(ts)
	for _, k := range [...]string{"email", "username", "id"} {
		if s := scalar(e.initiatedByV.Get(k)); s != "" {
			e.initiatedBy = strings.Clone(s)
			break
		}
	}
}

// inPlace parses the JSON text raw without the copy gjson.ParseBytes
// makes: the strings of the result are raw's bytes, and what is kept of
// them past the life of raw must be cloned.
func inPlace(raw []byte) gjson.Result {
	return gjson.Parse(unsafe.String(unsafe.SliceData(raw), len(raw)))
}

// eventKeys are the keys event.parse reads, in the order of its fields.
var eventKeys = [...]string{"event_type", "id", "service", "timestamp", "initiated_by", "resource", "changes", "organization"}

// eachChange calls f for each entry of the event's changes, in the shapes
// seen: an array of {field, from, to} objects; PowerShell's "@{field=...;
// from=...}" strings in place of the objects, or in place of the whole
// array; and, as a lenient reading, an object keyed by field name. Entries
// are read in place: no list of them is built. Walking them sets psCut
// when PowerShell cut any of them short.
func (e *event) eachChange(f func(change)) {
	v := e.changes
	seen := f
	f = func(c change) {
		e.psCut = e.psCut || c.cut || isCut(c.from) || isCut(c.to)
		seen(c)
	}
	var one func(c gjson.Result, cut bool)
	one = func(c gjson.Result, cut bool) {
		if c.Type == gjson.String && isPSObject(c.Str) {
			p, ok := parsePS(c.Str)
			if !ok {
				f(change{cut: true})
				return
			}
			if p.IsArray() {
				p.ForEach(func(_, c gjson.Result) bool {
					one(c, true)
					return true
				})
				return
			}
			c, cut = p, true
		}
		if c.IsObject() {
			ch := changeOf(c)
			ch.cut = cut
			f(ch)
		}
	}
	switch {
	case v.IsArray():
		v.ForEach(func(_, c gjson.Result) bool {
			one(c, false)
			return true
		})
	case v.Type == gjson.String:
		if v.Str == lostArray {
			f(change{cut: true})
		}
		one(v, false)
	case v.IsObject():
		v.ForEach(func(k, c gjson.Result) bool {
			if c.IsObject() && !c.Get("field").Exists() {
				f(change{field: k.Str, from: c.Get("from"), to: c.Get("to")})
			} else {
				one(c, false)
			}
			return true
		})
	}
}

// changeOf reads one {field, from, to} entry in a single pass.
func changeOf(c gjson.Result) change {
	var ch change
	c.ForEach(func(k, v gjson.Result) bool {
		switch k.Str {
		case "field":
			ch.field = scalar(v)
		case "from":
			ch.from = v
		case "to":
			ch.to = v
		}
		return true
	})
	return ch
}

// isCut reports whether v is a value that PowerShell wrote as a string
// because it was too deep: an array as System.Object[], a hashtable as
// System.Collections.Hashtable, an object as @{...}.
func isCut(v gjson.Result) bool {
	return v.Type == gjson.String && (v.Str == lostArray || v.Str == lostTable || isPSObject(v.Str))
}

// scalar returns a JSON string, number or boolean as text; null, objects
// and arrays give "".
func scalar(v gjson.Result) string {
	switch v.Type {
	case gjson.String:
		return v.Str
	case gjson.Number, gjson.True, gjson.False:
		return v.Raw
	}
	return ""
}

// parseTime reads the timestamp forms in the wild: RFC 3339 with any
// fraction (the API), without a zone (taken as UTC), Windows PowerShell's
// "/Date(ms)/" and its DateTime object, and Unix seconds or milliseconds.
func parseTime(v gjson.Result) time.Time {
	switch v.Type {
	case gjson.Number:
		n := v.Float()
		if n > 1e11 {
			return time.UnixMilli(int64(n)).UTC()
		}
		return time.Unix(int64(n), 0).UTC()
	case gjson.JSON:
		if v.IsObject() {
			return parseTime(v.Get("value"))
		}
		return time.Time{}
	case gjson.String:
	default:
		return time.Time{}
	}
	return parseTimeText(v.Str)
}

// parseTimeText reads a timestamp written as text (see parseTime).
func parseTimeText(s string) time.Time {
	s = strings.TrimSpace(s)
	if rest, ok := strings.CutPrefix(s, "/Date("); ok {
		if end := strings.IndexAny(rest, "+-)"); end > 0 {
			if ms, err := strconv.ParseInt(rest[:end], 10, 64); err == nil {
				return time.UnixMilli(ms).UTC()
			}
		}
		return time.Time{}
	}
	for _, layout := range [...]string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999Z07:00", "2006-01-02 15:04:05.999999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}

// ParseTime reads a time an admin types (--since, --until): RFC 3339, or
// a date taken as midnight UTC. "" is the zero time.
func ParseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%q is not a time: use RFC 3339 (2024-04-02T14:00:00Z) or YYYY-MM-DD", s)
}

// IsID reports whether s looks like a JumpCloud object id (24 hex digits).
func IsID(s string) bool {
	if len(s) != 24 {
		return false
	}
	for i := range len(s) {
		if !isHex(s[i]) {
			return false
		}
	}
	return true
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
