package convert

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"reflect"
	"strings"
	"sync"
	"testing"
	"testing/iotest"
)

// generated is an export of every layout testdata/gen writes, made once
// for the tests of this package.
var generated = sync.OnceValues(func() (map[string][]byte, error) {
	out := map[string][]byte{}
	for _, layout := range []string{"array", "pretty", "ndjson"} {
		args := []string{"-n", "5000", "-layout", layout, "-seed", "7"}
		cmd := exec.Command("go", append([]string{"run", "../testdata/gen"}, args...)...)
		if gen := os.Getenv("JCRESTORE_GEN"); gen != "" {
			// The generator built beforehand, where there is no Go:
			// CI's run of the Windows build under Wine.
			cmd = exec.Command(gen, args...)
		}
		b, err := cmd.Output()
		if err != nil {
			return nil, fmt.Errorf("go run ../testdata/gen: %w", err)
		}
		out[layout] = b
	}
	return out, nil
})

// readBoth reads in with one goroutine and in parallel with blocks of the
// given size, and fails unless the results and the problems are the same.
// In parallel each block is overwritten once read: a string kept that is
// still a part of the input's bytes would change.
func readBoth(t *testing.T, in []byte, opts Options, size int) {
	t.Helper()
	read := func(sequential bool) (*Result, []string) {
		var probs []string
		opts.Report = func(p Problem) { probs = append(probs, p.Error()) }
		// One byte at a time and an early io.EOF: the reader sees the
		// shortest reads there are.
		res, err := readWith(context.Background(), []Input{{Name: "in", R: iotest.DataErrReader(iotest.OneByteReader(bytes.NewReader(in)))}},
			opts, tuning{sequential: sequential, blockSize: size, scribble: !sequential})
		if err != nil {
			t.Fatal(err)
		}
		return res, probs
	}
	want, wantProbs := read(true)
	got, gotProbs := read(false)
	if !reflect.DeepEqual(gotProbs, wantProbs) {
		t.Fatalf("blocks of %d: problems differ:\nparallel   %.2000q\nsequential %.2000q", size, gotProbs, wantProbs)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("blocks of %d: results differ:\nparallel   %.2000v\nsequential %.2000v", size, got, want)
	}
}

// TestParallelAgrees reads every input of the CLI cases and the generated
// exports in parallel and in sequence, with the options that make the
// workers do the most (the audit trail, --map, inspect's facts): the same
// results and problems.
func TestParallelAgrees(t *testing.T) {
	inputs := map[string][]byte{}
	for i, seed := range seeds(t) {
		inputs[fmt.Sprintf("case input %d", i)] = seed
	}
	if !testing.Short() {
		gen, err := generated()
		if err != nil {
			t.Fatal(err)
		}
		for layout, b := range gen {
			inputs["generated "+layout] = b
		}
	}
	for name, in := range inputs {
		t.Run(strings.ReplaceAll(name, " ", "_"), func(t *testing.T) {
			for _, size := range []int{7, 4096} {
				readBoth(t, in, Options{Trail: true, Inspect: true}, size)
			}
			readBoth(t, in, Options{Events: []string{"user_delete", "user_login_attempt"}, Map: map[string]string{"department": "geoip.region_name"}}, 256)
		})
	}
}

// TestReadCancelled: a cancelled read returns the context's error.
func TestReadCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	in := bytes.Repeat([]byte("{\"event_type\":\"a\"}\n"), 100000)
	if _, err := Read(ctx, []Input{{Name: "in", R: bytes.NewReader(in)}}, Options{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("Read returns %v, want context.Canceled", err)
	}
}

// TestFastPathAgrees checks Read against a plain encoding/json decode on
// exports written by testdata/gen in every layout: the same events by
// type (Read reads most types without parsing the event) and the same
// deleted users.
func TestFastPathAgrees(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go run ../testdata/gen")
	}
	gen, err := generated()
	if err != nil {
		t.Fatal(err)
	}
	for layout, out := range gen {
		t.Run(layout, func(t *testing.T) {
			byType, deleted := decodeEvents(t, out, layout)
			res, err := Read(context.Background(), []Input{{Name: "gen", R: bytes.NewReader(out)}}, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if res.Unreadable != 0 || len(res.ByType) != len(byType) {
				t.Fatalf("%d unreadable; types %v, encoding/json %v", res.Unreadable, res.ByType, byType)
			}
			for typ, n := range byType {
				if res.ByType[typ] != n {
					t.Errorf("%s: Read counts %d, encoding/json %d", typ, res.ByType[typ], n)
				}
			}
			got := map[string]bool{}
			for _, r := range append(res.Records, leftOutRecords(res)...) {
				got[r.Username] = true
			}
			if len(got) != len(deleted) {
				t.Errorf("Read finds %d deleted users, encoding/json %d", len(got), len(deleted))
			}
			for u := range deleted {
				if !got[u] {
					t.Errorf("%s deleted, not found by Read", u)
				}
			}
		})
	}
}

func leftOutRecords(res *Result) []Record {
	var out []Record
	for _, l := range res.LeftOut {
		out = append(out, l.Record)
	}
	return out
}

// decodeEvents counts the events by type and collects the usernames of
// user_delete events the plain way.
func decodeEvents(t *testing.T, b []byte, layout string) (map[string]int, map[string]bool) {
	type event struct {
		Type     string `json:"event_type"`
		Resource struct {
			Username string `json:"username"`
		} `json:"resource"`
	}
	var events []event
	if layout == "ndjson" {
		dec := json.NewDecoder(bytes.NewReader(b))
		for dec.More() {
			var e event
			if err := dec.Decode(&e); err != nil {
				t.Fatal(err)
			}
			events = append(events, e)
		}
	} else if err := json.Unmarshal(b, &events); err != nil {
		t.Fatal(err)
	}
	byType, deleted := map[string]int{}, map[string]bool{}
	for _, e := range events {
		byType[e.Type]++
		if e.Type == "user_delete" {
			deleted[e.Resource.Username] = true
		}
	}
	return byType, deleted
}
