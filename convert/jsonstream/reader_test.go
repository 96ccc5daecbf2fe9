package jsonstream

import (
	"context"
	"io"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
)

// TestCompactLen: the same content, written in other ways, has the same
// length.
func TestCompactLen(t *testing.T) {
	for _, same := range [][]string{
		{`{"u":"jm\u00fcller"}`, `{"u":"jmüller"}`, "{\n  \"u\": \"jm\\u00FCller\"\n}"},
		{`{"a":"\ud83d\ude00"}`, `{"a":"😀"}`},
		{`{"a":"x\/y","b":1}`, `{"b":1,"a":"x/y"}`, `{ "b" : 1 , "a" : "x/y" }`},
		{`{"a":"tab\there"}`, "{\"a\":\"tab\there\"}"},
	} {
		for _, s := range same[1:] {
			if a, b := CompactLen([]byte(same[0])), CompactLen([]byte(s)); a != b {
				t.Errorf("CompactLen(%s) = %d, CompactLen(%s) = %d", same[0], a, s, b)
			}
		}
	}
	if a, b := CompactLen([]byte(`{"u":"jmüller"}`)), CompactLen([]byte(`{"u":"jmuller"}`)); a == b {
		t.Errorf("ü and u count alike (%d)", a)
	}
}

// TestReadInterrupted: a read stopped by Ctrl-C says so in words.
func TestReadInterrupted(t *testing.T) {
	r := NewReader(io.MultiReader(strings.NewReader(`{"a":1}`+"\n"), iotest.ErrReader(context.Canceled)), "stdin", Options{})
	var said []string
	for {
		_, prob, ok := r.Next()
		if !ok {
			break
		}
		if prob != nil {
			said = append(said, prob.Message)
		}
	}
	if !slices.Contains(said, "reading stopped: interrupted") {
		t.Errorf("the read said %q", said)
	}
}
