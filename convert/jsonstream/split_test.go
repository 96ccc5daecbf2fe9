package jsonstream

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

// split runs the splitter over in and renders what it yields, one line
// each: "L:C raw" for a value, "L:C! message" for a problem.
func split(in string, r io.Reader) []string {
	if r == nil {
		r = strings.NewReader(in)
	}
	s := newSplitter(r, "f", nil)
	var out []string
	for {
		p, prob, ok := s.next()
		if !ok {
			return out
		}
		if prob != nil {
			out = append(out, fmt.Sprintf("%d:%d! %s", prob.Pos.Line, prob.Pos.Col, prob.Message))
			continue
		}
		raw := string(p.raw)
		if len(raw) > 80 {
			raw = fmt.Sprintf("%s… (%d bytes)", raw[:40], len(raw))
		}
		out = append(out, fmt.Sprintf("%d:%d %s", p.at.Line, p.at.Col, raw))
	}
}

func TestSplit(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"one object", `{"a":1}`, []string{`1:1 {"a":1}`}},
		{"pretty object", "{\n  \"a\": {\n    \"b\": [1, 2]\n  }\n}\n", []string{"1:1 {\n  \"a\": {\n    \"b\": [1, 2]\n  }\n}"}},
		{"empty", "", nil},
		{"blank", " \r\n\t\n", nil},
		{"empty array", "[]", nil},
		{"array", `[{"a":1},{"b":"]"}]`, []string{`1:2 {"a":1}`, `1:10 {"b":"]"}`}},
		{"array per line", "[{\"a\":1},\n{\"b\":2},\n{\"c\":3}]", []string{`1:2 {"a":1}`, `2:1 {"b":2}`, `3:1 {"c":3}`}},
		{"pretty array", "[\n  {\n    \"a\": 1\n  },\n  {\n    \"b\": 2\n  }\n]\n", []string{"2:3 {\n    \"a\": 1\n  }", "5:3 {\n    \"b\": 2\n  }"}},
		{"ndjson with blank lines", "{\"a\":1}\n\n\r\n{\"b\":2}\r\n", []string{`1:1 {"a":1}`, `4:1 {"b":2}`}},
		{"concatenated", `{"a":1}{"b":2} {"c":3}`, []string{`1:1 {"a":1}`, `1:8 {"b":2}`, `1:16 {"c":3}`}},
		{"commas between objects", `{"a":1},{"b":2},`, []string{`1:1 {"a":1}`, `1:9 {"b":2}`}},
		{"arrays one after another", "[{\"a\":1}]\n[{\"b\":2}]", []string{`1:2 {"a":1}`, `2:2 {"b":2}`}},
		{"nested array element", `[[{"a":1}]]`, []string{`1:2 [{"a":1}]`}},
		{"strings and escapes", `{"a":"x\"}{\\"}`, []string{`1:1 {"a":"x\"}{\\"}`}},
		{"scalars", `[1, "s", null, true]`, []string{"1:2 1", `1:5 "s"`, "1:10 null", "1:16 true"}},
		{"top-level string", `"{\"a\":1}"`, []string{`1:1 "{\"a\":1}"`}},

		{"garbage", "hello", []string{"1:1! invalid character 'h': not JSON"}},
		{"bare word", "this is\n{\"a\":1}", []string{`1:1! invalid value "this": not JSON`, `2:1 {"a":1}`}},
		{"html", "<html>\n{\"a\":1}\n", []string{"1:1! invalid character '<': not JSON", `2:1 {"a":1}`}},
		{"garbage after value", "{\"a\":1}x\n{\"b\":2}", []string{`1:1 {"a":1}`, "1:8! invalid character 'x' after the end of a value", `2:1 {"b":2}`}},
		{"stray bracket", `]{"a":1}`, []string{"1:1! invalid character ']': not JSON", `1:2 {"a":1}`}},
		{"truncated object", `{"a":`, []string{"1:1! the event is cut off: the input ends before it closes"}},
		{"truncated string", `{"a":"bc`, []string{"1:1! the event is cut off: the input ends before it closes"}},
		{"truncated array", `[{"a":1},`, []string{`1:2 {"a":1}`, "1:10! unexpected end of input: the array is not closed with ']' (file cut off?)"}},
		{"bad element of one-line array", `[{"a":1},{"b" 2},{"c":3}]`, []string{`1:2 {"a":1}`, "1:15! invalid character '2' after object key", `1:18 {"c":3}`}},
		{"line cut inside a string", "{\"a\":\"b\n{\"c\":1}\n", []string{"1:8! line break inside a string (the line is cut off?)", `2:1 {"c":1}`}},
		{"event not closed before the next", "{\"a\":{\"b\":1}\n{\"c\":1}\n", []string{"1:1! the event is cut off: it is not closed before line 2, where the next one starts", `2:1 {"c":1}`}},
		{"bad element of pretty array", "[\n  {\n    \"a\": 1,\n  },\n  {\n    \"b\": 2\n  }\n]\n", []string{"4:3! invalid character '}' looking for beginning of object key string", "5:3 {\n    \"b\": 2\n  }"}},
		{"mismatched brackets", `{"a":[1}]`, []string{"1:8! invalid character '}' after array element"}},
		{"nul byte", "\x00{\"a\":1}", []string{"1:1! invalid character 0x00: not JSON", `1:2 {"a":1}`}},
		{"junk before an event", "-- {\"a\":1}\nx\n{\"b\":2}", []string{`1:1! invalid value "--": not JSON`, `1:4 {"a":1}`, "2:1! invalid character 'x' after the end of a value", `3:1 {"b":2}`}},
		{"unpaired surrogate escape", `{"a":"\ud800"}`, []string{`1:1 {"a":"\ud800"}`}},
		{"too deep", "[" + strings.Repeat("[", maxDepth+1) + strings.Repeat("]", maxDepth+2) + "\n{\"a\":1}", []string{"1:10002! nested deeper than 10000 levels", `2:1 {"a":1}`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := split(tt.in, nil)
			if !equal(got, tt.want) {
				t.Errorf("split(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
			// A reader that hands out one byte at a time makes every
			// buffer boundary fall everywhere once.
			if got := split(tt.in, iotest.OneByteReader(strings.NewReader(tt.in))); !equal(got, tt.want) {
				t.Errorf("split(%q) one byte at a time\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestSplitLarge checks that an event larger than maxEventSize is skipped
// with its position while the events around it are read, and that the
// buffer stays bounded.
func TestSplitLarge(t *testing.T) {
	big := `{"a":"` + strings.Repeat("x", maxEventSize+10) + `"}`
	in := "{\"before\":1}\n" + big + "\n{\"after\":1}\n"
	s := newSplitter(strings.NewReader(in), "f", nil)
	got := split(in, nil)
	want := []string{`1:1 {"before":1}`, "2:1! a value larger than 16 MiB was skipped", `3:1 {"after":1}`}
	if !equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	for {
		if _, _, ok := s.next(); !ok {
			break
		}
	}
	if len(s.buf) > 2*maxEventSize+keepBefore {
		t.Errorf("buffer grew to %d bytes", len(s.buf))
	}
}

// TestSplitLargeAfterLarge skips an event larger than maxEventSize that
// comes whole into a buffer grown for a large event before it (the small
// events first make that one start past keepBefore, so the buffer doubles).
func TestSplitLargeAfterLarge(t *testing.T) {
	object := func(n int) string { return `{"a":"` + strings.Repeat("x", n) + `"}` }
	in := strings.Repeat("{\"b\":1}\n", 40) + object(maxEventSize-100) + "\n" + object(maxEventSize+(1<<19)) + "\n{\"after\":1}\n"
	var got []string
	for _, v := range split(in, nil)[40:] {
		got = append(got, v[:min(len(v), 20)])
	}
	want := []string{`41:1 {"a":"xxxxxxxxx`, "42:1! a value larger", `43:1 {"after":1}`}
	if !equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestSplitReadError reports an error of the underlying reader once, after
// the values read before it.
func TestSplitReadError(t *testing.T) {
	r := io.MultiReader(strings.NewReader(`{"a":1}`+"\n"), iotest.ErrReader(io.ErrUnexpectedEOF))
	got := split("", r)
	want := []string{`1:1 {"a":1}`, "2:1! reading stopped: the compressed data is cut off"}
	if !equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

// FuzzSplit checks that the splitter never panics, and that for any valid
// JSON array of objects, NDJSON or concatenation of objects it yields
// exactly the values encoding/json yields, in order.
func FuzzSplit(f *testing.F) {
	for _, seed := range seeds(f) {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		got := withDeadline(t, in, func() [][]byte { return splitAll(in) })
		want, ok := decodeAll(in)
		if !ok {
			return
		}
		if len(got) != len(want) {
			t.Fatalf("split yields %d values, encoding/json %d", len(got), len(want))
		}
		for i := range got {
			if !bytes.Equal(got[i], want[i]) {
				t.Fatalf("value %d: split %q, encoding/json %q", i, got[i], want[i])
			}
		}
	})
}

// splitAll returns copies of the values the splitter yields, or nil at the
// first problem.
func splitAll(in []byte) [][]byte {
	s := newSplitter(bytes.NewReader(in), "f", nil)
	var out [][]byte
	for {
		p, prob, ok := s.next()
		if !ok {
			return out
		}
		if prob != nil {
			out = append(out, nil)
			continue
		}
		out = append(out, bytes.Clone(p.raw))
	}
}

// decodeAll decodes in as encoding/json sees it: a stream of values whose
// top-level arrays are opened into their elements. ok is false unless
// every top-level value is an object or an array of objects.
func decodeAll(in []byte) ([][]byte, bool) {
	dec := json.NewDecoder(bytes.NewReader(in))
	var out [][]byte
	for {
		var v json.RawMessage
		err := dec.Decode(&v)
		if err == io.EOF {
			return out, true
		}
		if err != nil {
			return nil, false
		}
		v = bytes.TrimSpace(v)
		switch v[0] {
		case '{':
			out = append(out, v)
		case '[':
			var items []json.RawMessage
			if json.Unmarshal(v, &items) != nil {
				return nil, false
			}
			for _, it := range items {
				if it = bytes.TrimSpace(it); len(it) == 0 || it[0] != '{' {
					return nil, false
				}
				out = append(out, it)
			}
		default:
			return nil, false
		}
	}
}

// withDeadline runs f, failing the test if it takes more than a few
// seconds: the fuzzer does not report inputs that hang.
func withDeadline[T any](t *testing.T, in []byte, f func() T) T {
	done := make(chan T, 1)
	go func() { done <- f() }()
	select {
	case v := <-done:
		return v
	case <-time.After(10 * time.Second):
		t.Fatalf("no result after 10s for input %q", in)
	}
	panic("unreachable")
}

// TestSplitManyUnclosed reads lines that each open an event and never
// close it: every one is reported, and each line is scanned only a bounded
// number of times (before the validating scanner this input was quadratic).
func TestSplitManyUnclosed(t *testing.T) {
	const n = 200000
	in := strings.Repeat("{\n", n)
	got := split(in, nil)
	if len(got) != n {
		t.Fatalf("%d problems, want %d", len(got), n)
	}
	if want := "1:1! the event is cut off: it is not closed before line 2, where the next one starts"; got[0] != want {
		t.Errorf("first: %q, want %q", got[0], want)
	}
	if want := fmt.Sprintf("%d:1! the event is cut off: the input ends before it closes", n); got[n-1] != want {
		t.Errorf("last: %q, want %q", got[n-1], want)
	}
}
