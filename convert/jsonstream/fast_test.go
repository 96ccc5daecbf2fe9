package jsonstream

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/tidwall/gjson"
)

func TestFastEvent(t *testing.T) {
	for _, tc := range []struct {
		in    string
		state fastState
		rest  string // after the object, for fastOK
		typ   string // for fastOK; "-" when it must be looked up, "<absent>" when there is none
	}{
		{`{"event_type":"user_delete","id":"1"}`, fastOK, "", "user_delete"},
		{`{"a":{"event_type":"x"},"event_type":"user_delete"}`, fastOK, ` {"next":1}`, "user_delete"},
		{"{\n  \"event_type\" : \"user_delete\",\n  \"n\": [1, -2.5e+3, true, false, null, {}, []]\n}", fastOK, "\n", "user_delete"},
		{`{"event_type":"a","event_type":"b"}`, fastOK, "", "a"},
		{`{"event_type":1}`, fastOK, "", "-"},
		{`{"event_type":"user_\u0064elete"}`, fastOK, "", "-"},
		{`{"event_\u0074ype":"user_delete"}`, fastOK, "", "-"},
		{`{"event_type\u0020":"user_delete","event_type":"x"}`, fastOK, "", "-"},
		{`{"event_type":"x","event_type\u0020":"user_delete"}`, fastOK, "", "x"},
		{`{"id":"\"\\\/\b\f\n\r\t\u00e9 über"}`, fastOK, "", "<absent>"},
		{`{}`, fastOK, "", "<absent>"},
		{`{"a":0}`, fastOK, "", "<absent>"},
		{`{"event_type":""}`, fastOK, "", ""},

		{`{"a":01}`, fastBroken, "", ""},
		{`{"a":1.}`, fastBroken, "", ""},
		{`{"a":1e}`, fastBroken, "", ""},
		{`{"a":-}`, fastBroken, "", ""},
		{`{"a":tru}`, fastBroken, "", ""},
		{`{"a":nul,}`, fastBroken, "", ""},
		{`{"a":"b\x"}`, fastBroken, "", ""},
		{`{"a":"\u00g0"}`, fastBroken, "", ""},
		{"{\"a\":\"b\tc\"}", fastBroken, "", ""},
		{`{"a":[1,]}`, fastBroken, "", ""},
		{`{"a":[1}`, fastBroken, "", ""},
		{`{"a" 1}`, fastBroken, "", ""},
		{`{,}`, fastBroken, "", ""},
		{`{"a":1,}`, fastBroken, "", ""},
		{`["a"]`, fastBroken, "", ""},
		{strings.Repeat(`{"a":`, maxDepth+1), fastBroken, "", ""},

		{`{"a":"b`, fastMore, "", ""},
		{`{"a":"b\`, fastMore, "", ""},
		{`{"a":"\u00`, fastMore, "", ""},
		{`{"a":12`, fastMore, "", ""},
		{`{"a":1.`, fastMore, "", ""},
		{`{"a":1e-`, fastMore, "", ""},
		{`{"a":tr`, fastMore, "", ""},
		{`{"a":[`, fastMore, "", ""},
		{`{"a"`, fastMore, "", ""},
		{`{"a":{}`, fastMore, "", ""},
		{`{`, fastMore, "", ""},
	} {
		in := tc.in + tc.rest
		end, k, st := fastEvent([]byte(in), []string{"event_type"})
		if st != tc.state {
			t.Errorf("%.60q: state %d, want %d", tc.in, st, tc.state)
			continue
		}
		if st != fastOK {
			continue
		}
		v, known := k.value([]byte(in), 0)
		typ := string(v)
		switch {
		case !known:
			typ = "-"
		case v == nil:
			typ = "<absent>"
		}
		if end != len(tc.in) || typ != tc.typ {
			t.Errorf("%q: end %d, type %q; want %d, %q", in, end, typ, len(tc.in), tc.typ)
		}
	}
}

// FuzzFastEvent checks the fast path against the resumable scanner, which
// FuzzSplit checks against encoding/json: the same end for every object
// it accepts, an error wherever it finds one, and the values gjson reads
// for the keys it notes.
func FuzzFastEvent(f *testing.F) {
	for _, seed := range seeds(f) {
		f.Add(seed)
	}
	f.Add([]byte(`{"event_type":"user_delete","a":[1,{"b":null}],"c":"\u00e9"}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		want := []string{"event_type", "id", "timestamp"}
		end, k, st := fastEvent(in, want)
		var sc scanner
		sc.reset()
		i := sc.scan(in, 0, len(in))
		switch st {
		case fastOK:
			if !sc.closed || i != end {
				t.Fatalf("fast path closes at %d, the scanner at %d (closed %v, %s)", end, i, sc.closed, sc.msg)
			}
			if !json.Valid(in[:end]) {
				t.Fatalf("fast path accepts what encoding/json refuses: %q", in[:end])
			}
			if k.escaped != bytes.ContainsRune(in[:end], '\\') {
				t.Fatalf("fast path says escaped %v of %q", k.escaped, in[:end])
			}
			if v := (Value{Raw: in[:end], keys: k}); v.CompactLen() != CompactLen(in[:end]) {
				t.Fatalf("fast path counts %d bytes of content, CompactLen %d", v.CompactLen(), CompactLen(in[:end]))
			}
			if n := bytes.Count(in[:end], []byte{'\n'}); k.lines != n || n > 0 && k.lastNL != bytes.LastIndexByte(in[:end], '\n') {
				t.Fatalf("fast path counts %d line breaks, the last at %d; there are %d", k.lines, k.lastNL, n)
			}
			for n, key := range want {
				v, known := k.value(in[:end], n)
				g := gjson.GetBytes(in[:end], key)
				switch {
				case !known:
				case v == nil && g.Exists():
					t.Fatalf("%s absent, gjson reads %s", key, g.Raw)
				case v != nil && (g.Type != gjson.String || g.Str != string(v)):
					t.Fatalf("%s %q, gjson reads %s", key, v, g.Raw)
				}
			}
		case fastMore:
			if sc.closed || sc.state == scanError {
				t.Fatalf("fast path wants more, the scanner closed %v at %d (%s)", sc.closed, i, sc.msg)
			}
		case fastBroken:
			if len(in) > 0 && in[0] == '{' && sc.state != scanError {
				t.Fatalf("fast path finds an error the scanner does not (closed %v at %d)", sc.closed, i)
			}
		}
	})
}

// BenchmarkFastEvent runs fastEvent over the objects of the export named
// by JCRESTORE_BENCH_INPUT, or the sample export: the byte layer's inner
// loop alone, for profiling it.
//
//	JCRESTORE_BENCH_INPUT=/tmp/events.json go test ./convert/jsonstream -run '^$' -bench FastEvent -cpu 1
func BenchmarkFastEvent(b *testing.B) {
	in := benchInput(b)
	want := []string{"event_type", "id", "service", "timestamp", "organization"}
	for b.Loop() {
		for i := 0; i < len(in); i++ {
			if in[i] != '{' {
				continue
			}
			end, _, st := fastEvent(in[i:], want)
			if st != fastOK {
				b.Fatalf("at byte %d: not one whole object", i)
			}
			i += end - 1
		}
	}
}
