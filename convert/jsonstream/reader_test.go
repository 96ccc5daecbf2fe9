package jsonstream

import (
	"bytes"
	"encoding/json"
	"testing"
)

// TestCompactLen: the length of a value without the white space between
// its tokens is that of encoding/json's compact form, in every layout.
func TestCompactLen(t *testing.T) {
	for _, in := range []string{
		`{}`,
		`{"a": 1, "b": [true, null, "x y"]}`,
		"{\n  \"a\" : \"  spaced\\\" \\\\ \",\r\n\t\"b\": {}\n}",
		`["\u00e9", -1.5e3]`,
	} {
		var c bytes.Buffer
		if err := json.Compact(&c, []byte(in)); err != nil {
			t.Fatal(err)
		}
		if got := CompactLen([]byte(in)); got != c.Len() {
			t.Errorf("CompactLen(%q) = %d, want %d", in, got, c.Len())
		}
	}
}
