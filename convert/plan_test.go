package convert

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// TestPlan: what NewPlan makes of the users a read found, for each choice
// of output.
func TestPlan(t *testing.T) {
	const a, b = "5a1b2c3d4e5f60718293a4b5", "6c7d8e9f0a1b2c3d4e5f6a7b"
	user := func(name, org, manager string) Record {
		return Record{User: User{FirstName: "F", LastName: "L", Username: name, Email: name + "@example.com", Manager: manager}, Organization: org, Source: "in:" + name}
	}
	invalid := func(r Record) Record { r.Email = ""; return r }
	// out describes one output: its organization, and its users and rows
	// as "name" or "name>manager", each user marked "!" when invalid.
	type out struct{ org, users, rows string }
	cases := []struct {
		name    string
		records []Record
		leftOut []LeftOut
		opts    PlanOptions
		want    []out
		invalid int
		notes   []string
		mixed   int // organizations refused together
	}{{
		name:    "one organization",
		records: []Record{user("ann", a, ""), user("bob", a, "ann")},
		opts:    PlanOptions{Importer: true},
		want:    []out{{a, "ann bob>ann", "ann bob>ann"}},
	}, {
		name:    "none named",
		records: []Record{user("ann", "", "")},
		opts:    PlanOptions{Importer: true, Split: true},
		want:    []out{{"", "ann", "ann"}},
	}, {
		name:    "mixed refused",
		records: []Record{user("ann", a, ""), user("bob", b, ""), user("cy", a, "")},
		opts:    PlanOptions{Importer: true},
		mixed:   2,
	}, {
		name:    "split",
		records: []Record{user("ann", b, ""), user("bob", a, ""), user("cy", "", "")},
		opts:    PlanOptions{Importer: true, Split: true},
		want:    []out{{a, "bob", "bob"}, {b, "ann", "ann"}},
		notes:   []string{"note: 1 deleted user's events name no organization, while the others name several: left out"},
	}, {
		name:    "--org",
		records: []Record{user("ann", a, ""), user("bob", b, ""), user("cy", b, "")},
		opts:    PlanOptions{Importer: true, Org: b},
		want:    []out{{b, "bob cy", "bob cy"}},
		notes:   []string{"note: 1 user of other organizations left out (--org " + b + ")"},
	}, {
		name:    "--org matching nobody",
		records: []Record{user("ann", a, "")},
		opts:    PlanOptions{Importer: true, Org: b},
		want:    []out{{b, "", ""}},
		notes:   []string{"note: 1 user of other organizations left out (--org " + b + ")"},
	}, {
		name:    "invalid dropped, and their reports lose the manager",
		records: []Record{invalid(user("boss", a, "")), user("rep", a, "boss"), user("ann", a, "")},
		opts:    PlanOptions{Importer: true},
		want:    []out{{a, "boss! rep ann", "rep ann"}},
		invalid: 1,
	}, {
		name:    "invalid kept",
		records: []Record{invalid(user("boss", a, "")), user("rep", a, "boss")},
		opts:    PlanOptions{Importer: true, IncludeInvalid: true},
		want:    []out{{a, "boss! rep>boss", "boss! rep>boss"}},
		invalid: 1,
	}, {
		name:    "manager left out by a filter",
		records: []Record{user("rep", a, "oldboss")},
		leftOut: []LeftOut{{Record: user("oldboss", a, ""), Reason: ReasonOutside}, {Record: user("back", a, ""), Reason: ReasonBack}},
		opts:    PlanOptions{Importer: true},
		want:    []out{{a, "rep", "rep"}},
	}, {
		name:    "manager back already: the link stays",
		records: []Record{user("rep", a, "back")},
		leftOut: []LeftOut{{Record: user("back", a, ""), Reason: ReasonBack}},
		opts:    PlanOptions{Importer: true},
		want:    []out{{a, "rep>back", "rep>back"}},
	}, {
		name:    "manager not marked Restore",
		records: []Record{user("rep", a, "Boss")},
		opts:    PlanOptions{Importer: true, NotWritten: map[string]string{"boss": "Boss is not marked Restore"}},
		want:    []out{{a, "rep", "rep"}},
	}, {
		name:    "managers first",
		records: []Record{user("rep", a, "boss"), user("ann", a, ""), user("boss", a, "")},
		opts:    PlanOptions{Importer: true},
		want:    []out{{a, "boss rep>boss ann", "boss rep>boss ann"}},
	}, {
		name:    "review: every user a row, managers as read",
		records: []Record{invalid(user("boss", a, "")), user("rep", a, "boss")},
		opts:    PlanOptions{Review: true},
		want:    []out{{a, "boss! rep>boss", "boss! rep>boss"}},
	}}
	show := func(recs []Record) string {
		var parts []string
		for _, r := range recs {
			s := r.Username
			if r.Invalid() {
				s += "!"
			}
			if r.Manager != "" {
				s += ">" + r.Manager
			}
			parts = append(parts, s)
		}
		return strings.Join(parts, " ")
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := &Result{Records: slices.Clone(tc.records), LeftOut: tc.leftOut}
			p, err := NewPlan(res, tc.opts)
			var mixed *MixedOrgsError
			if tc.mixed > 0 {
				if !errors.As(err, &mixed) || len(mixed.Groups) != tc.mixed {
					t.Fatalf("err %v, want %d organizations refused", err, tc.mixed)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []out
			for _, o := range p.Outputs {
				got = append(got, out{o.Org, show(o.Users), show(o.Rows)})
				if o.Result == nil || show(o.Result.Records) != show(o.Users) {
					t.Errorf("%s: the output's Result does not hold its users", o.Org)
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("outputs\n%q\nwant\n%q", got, tc.want)
			}
			if p.Invalid != tc.invalid {
				t.Errorf("invalid %d, want %d", p.Invalid, tc.invalid)
			}
			var notes []string
			for _, n := range p.Notes {
				if n.Severity != Note {
					t.Errorf("%q is not a note", n)
				}
				notes = append(notes, n.String())
			}
			if !slices.Equal(notes, tc.notes) {
				t.Errorf("notes %q, want %q", notes, tc.notes)
			}
			// Rows left out are left out of a copy: every user the read
			// found is still whole in res (managers may have moved first).
			var before, after []string
			for i := range res.Records {
				before, after = append(before, tc.records[i].Username), append(after, res.Records[i].Username)
			}
			if slices.Sort(before); !slices.Equal(slices.Sorted(slices.Values(after)), before) {
				t.Errorf("res.Records are %q after planning, were %q", after, before)
			}
		})
	}
}

// TestPlanManagerGone: a manager left empty says why, as a warning that
// asks for a step after the import.
func TestPlanManagerGone(t *testing.T) {
	res := &Result{
		Records: []Record{{User: User{FirstName: "R", LastName: "R", Username: "rep", Email: "rep@example.com", Manager: "boss"}},
			{User: User{FirstName: "B", LastName: "B", Username: "boss"}}},
	}
	p, err := NewPlan(res, PlanOptions{Importer: true})
	if err != nil {
		t.Fatal(err)
	}
	rep := p.Outputs[0].Users[1]
	if rep.Username != "rep" || rep.ManagerGone != "boss has errors and is not written" {
		t.Fatalf("%s: manager %q gone %q", rep.Username, rep.Manager, rep.ManagerGone)
	}
	i := slices.IndexFunc(rep.Issues, func(is Issue) bool { return is.Field == "manager" })
	if i < 0 || rep.Issues[i].Severity != Warning || rep.Issues[i].Asks != AsksAfterImport {
		t.Errorf("issues %+v", rep.Issues)
	}
	if p.Unwritten() != 1 || len(p.Outputs[0].Rows) != 1 {
		t.Errorf("unwritten %d, rows %d", p.Unwritten(), len(p.Outputs[0].Rows))
	}
}

// TestManagersFirst: managers are placed before the users who report to
// them, a cycle left where it is, every record kept once; held against
// placing by a plain copy, for random chains, trees and cycles.
func TestManagersFirst(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 500 {
		n := 1 + rng.IntN(40)
		recs := make([]Record, n)
		for i := range recs {
			recs[i].Username = fmt.Sprintf("u%d", i)
			if rng.IntN(4) > 0 {
				recs[i].Manager = fmt.Sprintf("U%d", rng.IntN(n+3)) // some outside, some themselves, any case
			}
		}
		want := slices.Clone(recs)
		byCopy(want)
		managersFirst(recs)
		if !slices.EqualFunc(recs, want, func(a, b Record) bool { return a.Username == b.Username && a.Manager == b.Manager }) {
			t.Fatalf("round %d: %v, want %v", round, chain(recs), chain(want))
		}
	}
}

// byCopy places managers first as managersFirst does, through a copy.
func byCopy(recs []Record) {
	index := map[string]int{}
	for i, r := range recs {
		index[strings.ToLower(r.Username)] = i
	}
	var order []int
	state := make([]int, len(recs))
	var place func(i int)
	place = func(i int) {
		if state[i] != 0 {
			return
		}
		state[i] = 1
		if m, ok := index[strings.ToLower(recs[i].Manager)]; ok && m != i {
			place(m)
		}
		order = append(order, i)
	}
	for i := range recs {
		place(i)
	}
	moved := make([]Record, len(recs))
	for to, from := range order {
		moved[to] = recs[from]
	}
	copy(recs, moved)
}

func chain(recs []Record) []string {
	var s []string
	for _, r := range recs {
		s = append(s, r.Username+"<"+r.Manager)
	}
	return s
}
