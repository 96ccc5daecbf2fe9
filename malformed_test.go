package main

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"
)

// del is a user_delete event with everything a valid row needs in
// resource; extra is spliced in after event_type.
func del(extra string) string {
	return `{"event_type":"user_delete"` + extra + `,"id":"e1","timestamp":"2024-04-02T14:37:12Z",` +
		`"resource":{"id":"u1","username":"jdoe","email":"jane@example.com","firstname":"Jane","lastname":"Doe"}}`
}

func gz(b []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

func le16(s string) []byte {
	b := []byte{0xff, 0xfe}
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u), byte(u>>8))
	}
	return b
}

// zipBomb is a workbook-shaped zip whose one sheet unpacks to more than
// approve allows (1 GiB) while the file itself is small.
func zipBomb(t *testing.T) []byte {
	var buf bytes.Buffer
	z := zip.NewWriter(&buf)
	w, err := z.Create("xl/worksheets/sheet1.xml")
	if err != nil {
		t.Fatal(err)
	}
	zeros := make([]byte, 1<<20)
	for range 1100 {
		w.Write(zeros)
	}
	z.Close()
	return buf.Bytes()
}

// TestMalformed feeds hostile and broken inputs through the command line.
// Each must end with its exit code and message, without a panic, and leave
// either a complete output file (exit 0 and 3) or none at all.
func TestMalformed(t *testing.T) {
	if testing.Short() {
		t.Skip("builds inputs of hundreds of megabytes")
	}
	huge := strings.Repeat("x", 200<<20)
	tests := []struct {
		name string
		in   []byte
		args []string // after the input; approve when args[0] is "approve"
		code int
		msg  string // in stderr
	}{
		{"truncated object", []byte(`{"event_type":"user_delete","resource":{"username":"jd`), nil, exitNoInput, "1:1: the event is cut off: the input ends before it closes"},
		{"truncated array", []byte("[" + del("") + ",\n" + del("")[:40]), nil, exitPartial, "2:1: the event is cut off"},
		{"truncated string", []byte(`{"event_type":"user_del`), nil, exitNoInput, "the event is cut off"},
		{"garbage after a valid event", []byte(del("") + "xyz\n"), nil, exitPartial, "invalid character 'x' after the end of a value"},
		{"resource a string", []byte(`{"event_type":"user_delete","resource":"jdoe","changes":[{"field":"email","from":"j@example.com"}]}`), nil, exitPartial, "Username: missing"},
		{"resource an array", []byte(`{"event_type":"user_delete","resource":[1,2],"changes":[]}`), nil, exitPartial, "Username: missing"},
		{"changes a number", []byte(del(`,"changes":42`)), nil, exitOK, "1 written"},
		{"changes a string", []byte(del(`,"changes":"none"`)), nil, exitOK, "1 written"},
		{"changes an object by field", []byte(del(`,"changes":{"department":{"from":"Finance"}}`)), nil, exitOK, "1 written"},
		{"from a number", []byte(del(`,"changes":[{"field":"employeeIdentifier","from":1042}]`)), nil, exitOK, "1 written"},
		{"from an array", []byte(del(`,"changes":[{"field":"firstname","from":["x"]}]`)), nil, exitOK, "1 written"},
		{"from an object", []byte(del(`,"changes":[{"field":"firstname","from":{"x":1}}]`)), nil, exitOK, "1 written"},
		{"from null", []byte(del(`,"changes":[{"field":"department","from":null,"to":"Sales"}]`)), nil, exitOK, "1 written"},
		{"change entry not an object", []byte(del(`,"changes":[1,"two",null,[]]`)), nil, exitOK, "1 written"},
		{"missing event_type", []byte(`{"id":"e1","resource":{"username":"jdoe"}}`), nil, exitNoInput, "not a Directory Insights event: an object without event_type"},
		{"event_type a number", []byte(`{"event_type":5}`), nil, exitOK, "no deleted users found among 1 event"},
		{"keys and values in \\u escapes", []byte(`{"event_\u0074ype":"user\u005fdelete","resource":{"user\u006eame":"jdoe","email":"jane@example.com","firstname":"J\u00e4ne","lastname":"Doe"}}`), nil, exitOK, "1 written"},
		{"invalid UTF-8 in a value", []byte(del(",\"changes\":[{\"field\":\"department\",\"from\":\"Fin\xffance\"}]")), nil, exitOK, "department: invalid UTF-8 replaced"},
		{"NUL byte first", []byte("\x00" + del("")), nil, exitPartial, "1:1: invalid character 0x00: not JSON"},
		{"NUL byte between events", []byte(del("") + "\x00\n" + del("")), nil, exitPartial, "invalid character 0x00"},
		{"NUL byte in a string", []byte("{\"event_type\":\"user_delete\",\"resource\":{\"username\":\"jd\x00oe\"}}"), nil, exitNoInput, "invalid character 0x00 in string literal"},
		{"unpaired surrogate escape", []byte(del(`,"changes":[{"field":"department","from":"\ud800Sales"}]`)), nil, exitOK, "1 written"},
		{"unpaired surrogate in UTF-16", unpaired(del("")), nil, exitOK, "1 written"},
		{"nested 100,000 deep", []byte(strings.Repeat("[", 100000) + strings.Repeat("]", 100000)), nil, exitNoInput, "nested deeper than 10000 levels"},
		{"a 200 MB string", []byte(`{"event_type":"user_delete","note":"` + huge + `"}`), nil, exitNoInput, "1:1: a value larger than 16 MiB was skipped"},
		{"a 200 MB string before an event", []byte(`{"note":"` + huge + "\"}\n" + del("")), nil, exitPartial, "1:1: a value larger than 16 MiB was skipped"},
		{"duplicate keys: the first counts", []byte(`{"event_type":"user_login_attempt","event_type":"user_delete","resource":{"username":"jdoe"}}`), nil, exitOK, "no deleted users found"},
		{"an HTML page", []byte("<!DOCTYPE html>\n<html><body>Sign in</body></html>\n"), nil, exitNoInput, "invalid character '<': not JSON"},
		{"a CSV file", []byte("FirstName,LastName,Username\nJane,Doe,jdoe\n"), nil, exitNoInput, "invalid character 'F': not JSON"},
		{"an empty file", nil, nil, exitNoInput, "no input: the file is empty"},
		{"only white space", []byte(" \r\n\t\n"), nil, exitNoInput, "no input: the file is empty"},
		{"only a BOM", []byte("\ufeff"), nil, exitNoInput, "no input: the file is empty"},
		{"a lone null", []byte("null"), nil, exitNoInput, "not a Directory Insights event: null"},
		{"a lone number", []byte("42\n"), nil, exitNoInput, "not a Directory Insights event: a number"},
		{"an empty object", []byte("{}"), nil, exitNoInput, "an object without event_type"},
		{"an empty array", []byte("[]"), nil, exitOK, "the input holds no events"},
		{"a string holding broken JSON", []byte(`{"message":"{\"event_type\":"}`), nil, exitNoInput, "a string that holds broken JSON"},
		{"envelopes nested too deep", []byte(strings.Repeat(`{"a":`, 12) + del("") + strings.Repeat("}", 12)), nil, exitNoInput, "wrapped too deeply"},
		{"an unreadable timestamp", []byte(del(`,"timestamp":"yesterday"`)), nil, exitOK, "1 written"},
		{"an unreadable timestamp and --since", []byte(del(`,"timestamp":"yesterday"`)), []string{"--since", "2024-01-01"}, exitOK, "1 left out (1 deletion time unknown, outside --since/--until)"},
		{"a gzip stream cut off", half(gz([]byte(strings.Repeat(del("")+"\n", 20000)))), nil, exitPartial, "reading stopped: the compressed data is cut off"},
		{"a gzip header only", gz(nil)[:10], nil, exitNoInput, "gzip"},
		{"an Excel workbook given to convert", []byte("PK\x03\x04rest of a zip"), nil, exitNoInput, "this is a zip archive (an Excel workbook?)"},
		{"a megabyte line of garbage", []byte(strings.Repeat("x", 1<<20)), nil, exitNoInput, "invalid character 'x': not JSON"},
		{"200,000 broken lines", []byte(strings.Repeat("{\n", 200000)), nil, exitNoInput, "199950 more unreadable events not shown"},
		{"a zip bomb given to approve", zipBomb(t), []string{"approve"}, exitNoInput, "not a readable Excel workbook"},
		{"a text file given to approve", []byte("not a workbook"), []string{"approve"}, exitNoInput, "not a readable Excel workbook"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			in := filepath.Join(dir, "input")
			if err := os.WriteFile(in, tt.in, 0o644); err != nil {
				t.Fatal(err)
			}
			args := append([]string{"convert", in}, tt.args...)
			if len(tt.args) > 0 && tt.args[0] == "approve" {
				args = []string{"approve", in}
			}
			out := filepath.Join(dir, "out.csv")
			code, stderr := runArgs(t, context.Background(), io.Discard, append(args, "-o", out)...)
			if code != tt.code || !strings.Contains(stderr, tt.msg) {
				t.Errorf("exit %d, want %d; stderr should contain %q:\n%s", code, tt.code, tt.msg, shorten(stderr))
			}
			b, err := os.ReadFile(out)
			switch {
			case tt.code == exitOK || tt.code == exitPartial:
				if err != nil || !bytes.HasSuffix(b, []byte("\n")) {
					t.Errorf("output missing or incomplete: %v", err)
				}
			case err == nil:
				t.Errorf("exit %d left an output file", code)
			}
			if entries, _ := os.ReadDir(dir); len(entries) > 2 {
				t.Errorf("files left behind: %v", entries)
			}
		})
	}
}

func half(b []byte) []byte { return b[:len(b)/2] }

// unpaired writes s in UTF-16LE with a lone high surrogate inside the
// last name.
func unpaired(s string) []byte {
	i := strings.Index(s, `"Doe"`) + 2
	return append(le16(s[:i]), append([]byte{0x00, 0xd8}, le16(s[i:])[2:]...)...)
}

func shorten(s string) string {
	if len(s) > 2000 {
		return s[:2000] + "…"
	}
	return s
}
