package convert

import (
	"bytes"
	"context"
	"encoding/json"
	"os/exec"
	"testing"
)

// TestFastPathAgrees checks Read against a plain encoding/json decode on
// exports written by testdata/gen in every layout: the same events by
// type (Read reads most types without parsing the event) and the same
// deleted users.
func TestFastPathAgrees(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go run ../testdata/gen")
	}
	for _, layout := range []string{"array", "pretty", "ndjson"} {
		t.Run(layout, func(t *testing.T) {
			out, err := exec.Command("go", "run", "../testdata/gen", "-n", "5000", "-layout", layout, "-seed", "7").Output()
			if err != nil {
				t.Skip("go run ../testdata/gen:", err)
			}
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
