package convert

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// readLater reads in with opts and returns the result and the problems.
func readLater(t *testing.T, in []byte, opts Options) (*Result, []string) {
	t.Helper()
	var probs []string
	opts.Report = func(p Problem) { probs = append(probs, p.Error()) }
	res, err := Read(context.Background(), []Input{{Name: "in", R: bytes.NewReader(in)}}, opts)
	if err != nil {
		t.Fatal(err)
	}
	return res, probs
}

// TestLaterAgrees reads the inputs of the CLI cases and generated exports
// with the events to read again kept in a temporary file, in memory (no
// temporary directory), and filed under hashes of two bits, so that
// nearly every key is found under another's: the same users, notes and
// problems each time.
func TestLaterAgrees(t *testing.T) {
	inputs := map[string][]byte{}
	for i, seed := range seeds(&testing.F{}) {
		inputs[fmt.Sprintf("case input %d", i)] = seed
	}
	if !testing.Short() {
		out, err := exec.Command("go", "run", "../testdata/gen", "-n", "3000", "-layout", "ndjson", "-seed", "5").Output()
		if err != nil {
			t.Fatal("go run ../testdata/gen:", err)
		}
		inputs["generated"] = out
	}
	for _, opts := range []Options{{}, {Trail: true, Events: []string{"user_delete", "user_update"}}, {Map: map[string]string{"department": "geoip.region_name"}}} {
		for name, in := range inputs {
			want, wantProbs := readLater(t, in, opts)
			collide := opts
			collide.keyMask = 3
			got, gotProbs := readLater(t, in, collide)
			if !reflect.DeepEqual(got, want) || !reflect.DeepEqual(gotProbs, wantProbs) {
				t.Fatalf("%s, %+v: with hashes of two bits\n%.3000v\n%q\nwant\n%.3000v\n%q", name, opts, got, gotProbs, want, wantProbs)
			}
			for _, v := range []string{"TMPDIR", "TMP", "TEMP"} {
				t.Setenv(v, filepath.Join(t.TempDir(), "gone"))
			}
			got, gotProbs = readLater(t, in, opts)
			if !reflect.DeepEqual(got, want) || !reflect.DeepEqual(gotProbs, wantProbs) {
				t.Fatalf("%s, %+v: in memory\n%.3000v\n%q\nwant\n%.3000v\n%q", name, opts, got, gotProbs, want, wantProbs)
			}
			for _, v := range []string{"TMPDIR", "TMP", "TEMP"} {
				os.Unsetenv(v) // t.Setenv restores them at the end
			}
		}
	}
}

// TestSpool writes to a spool and reads back: all in memory, in a file
// (which holds nothing in the clear), and across the point where its file
// stops taking writes.
func TestSpool(t *testing.T) {
	for _, fail := range []int{-1, 20, 40} {
		var s spool
		var offs []int64
		var want []string
		for i := range 60 {
			if i == fail {
				s.f.Close() // every write from here on fails
			}
			b := strings.Repeat(string(rune('a'+i%26)), 1+i*997%(spoolBuffer/8))
			offs = append(offs, s.size)
			want = append(want, b)
			s.write([]byte(b[:len(b)/2]), []byte(b[len(b)/2:]))
		}
		if s.f == nil || fail >= 0 && !s.full {
			t.Fatalf("fail at %d: file %v, full %v", fail, s.f, s.full)
		}
		if fail < 0 {
			raw := make([]byte, s.flushed)
			if _, err := s.f.ReadAt(raw, 0); err != nil {
				t.Fatal(err)
			}
			if i := bytes.Index(raw, bytes.Repeat([]byte("a"), 16)); i >= 0 {
				t.Fatalf("the file holds what was written in the clear, at %d", i)
			}
		}
		for i, b := range want {
			got := make([]byte, len(b))
			err := s.readAt(got, offs[i])
			if fail >= 0 && offs[i] < s.flushed {
				continue // in the closed file
			}
			if err != nil || string(got) != b {
				t.Fatalf("fail at %d: write %d reads back %.20q, %v; want %.20q", fail, i, got, err, b)
			}
		}
		s.close()
	}
	var small spool
	small.write([]byte("abc"))
	small.write([]byte("de"), []byte("fg"))
	got := make([]byte, 4)
	if err := small.readAt(got, 3); err != nil || string(got) != "defg" || small.f != nil {
		t.Fatalf("small: %q, %v, file %v", got, err, small.f)
	}
}

// TestSpoolRemoved leaves no file behind.
func TestSpoolRemoved(t *testing.T) {
	dir := t.TempDir()
	for _, v := range []string{"TMPDIR", "TMP", "TEMP"} {
		t.Setenv(v, dir)
	}
	var in []byte
	for i := range 2000 { // more than spoolBuffer of summaries
		in = fmt.Appendf(in, `{"event_type":"user_delete","resource":{"type":"user","id":"5f0c1a2b3c4d5e6f7a8b%04d","username":"user%d"}}`+"\n", i, i)
	}
	if res, _ := readLater(t, in, Options{}); len(res.Records) != 2000 {
		t.Fatalf("%d records, want 2000", len(res.Records))
	}
	if left, _ := os.ReadDir(dir); len(left) > 0 {
		t.Fatalf("left in the temporary directory: %v", left)
	}
}

// TestSummaryRoundTrip encodes summaries of every kind and decodes them.
func TestSummaryRoundTrip(t *testing.T) {
	at := time.Date(2024, 1, 15, 8, 0, 1, 123456789, time.UTC)
	var a attrs
	a.set("Username", "josé.núñez")
	a.set("Email", "jose@example.com")
	a.set("mobile_number", "") // cleared: touched, with no value
	a.user.Set("department", "set by --map, untouched")
	a.attributes = []Attribute{{"costCenter", "42"}, {"empty", ""}}
	a.attributesTouched = true
	a.notes = []string{"a note", ""}
	cases := []summary{
		{},
		{kind: kindDeletion, at: Position{Line: 1 << 40}, time: at, id: "ev1", initiatedBy: "admin@example.com", userID: "5f0c1a2b3c4d5e6f7a8b9c0d", a: a,
			names: [2]userName{{"5f0c1a2b3c4d5e6f7a8b9c0d", "josé.núñez"}, {"id2", "admin"}}},
		{kind: kindUpdate, at: Position{Line: 7}, time: time.Unix(-86400*365*300, 5).UTC(), userID: "u", a: attrs{touched: [columnCount]bool{3: true}}},
		{kind: kindAssoc, at: Position{Line: 2}, assoc: assocChange{userID: "u", userName: "ann", m: membership{kind: "system", id: "d", name: "laptop", added: true, at: at}}},
	}
	for i, want := range cases {
		if want.kind != kindDeletion {
			// Untouched columns are kept for deletions only (--map).
			for c := range columnCount {
				if !want.a.touched[c] {
					want.a.user.set(c, "")
				}
			}
		}
		var got summary
		if err := got.decode(want.encode(nil)); err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("case %d:\n%+v\nwant\n%+v", i, got, want)
		}
		b := want.encode(nil)
		for cut := range len(b) {
			if err := new(summary).decode(b[:cut]); err == nil {
				t.Fatalf("case %d: cut at %d of %d decodes", i, cut, len(b))
			}
		}
	}
}
