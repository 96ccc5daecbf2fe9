package convert

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
)

// TestOrganizationsApart: the same user id, username and email in two
// organizations are two users. History, groups, managers and re-creation
// in one say nothing of the other, nor do events that name none among
// several.
func TestOrganizationsApart(t *testing.T) {
	const a, b = "5a1b2c3d4e5f60718293a4b5", "6c7d8e9f0a1b2c3d4e5f6a7b"
	const same = "660000000000000000000001" // sam's id in both
	n := 0
	ev := func(org, typ, ts, user, id, rest string) string {
		n++
		orgKey := ""
		if org != "" {
			orgKey = `"organization":"` + org + `",`
		}
		return fmt.Sprintf(`{%s"event_type":%q,"service":"directory","id":"65c0ffee0123456789ab%04x","timestamp":%q,`+
			`"initiated_by":{"id":"5f0c1a2b3c4d5e6f7a8b9c0d","type":"admin","email":"it-admin@example.com"},"resource":{"id":%q,"type":"user","username":%q}%s}`,
			orgKey, typ, n, ts, id, user, rest)
	}
	changes := func(dir string, kv ...string) string {
		var parts []string
		for i := 0; i < len(kv); i += 2 {
			parts = append(parts, fmt.Sprintf(`{"field":%q,%q:%q}`, kv[i], dir, kv[i+1]))
		}
		return `,"changes":[` + strings.Join(parts, ",") + `]`
	}
	group := func(org, name string) string {
		n++
		return fmt.Sprintf(`{"organization":%q,"event_type":"association_change","service":"directory","id":"65c0ffee0123456789ab%04x","timestamp":"2024-03-01T10:00:00Z",`+
			`"association":{"op":"add","connection":{"from":{"type":"user_group","object_id":"661000000000000000000001","name":%q},"to":{"type":"user","object_id":%q,"name":"sam"}}}}`,
			org, n, name, same)
	}
	events := strings.Join([]string{
		ev(a, "user_create", "2024-03-01T09:00:00Z", "sam", same, changes("to", "email", "sam@example.com", "department", "Sales")),
		group(a, "Sales"),
		ev(b, "user_create", "2024-03-02T09:00:00Z", "sam", same, changes("to", "email", "sam@example.org", "department", "Finance")),
		ev("", "user_update", "2024-03-03T09:00:00Z", "sam", same, changes("to", "jobTitle", "Analyst")),
		ev(b, "user_login_attempt", "2024-03-04T09:00:00Z", "bossb", "660000000000000000000b01", ""),
		ev(a, "user_delete", "2024-04-01T09:00:00Z", "sam", same, changes("from", "email", "sam@example.com", "firstname", "Sam", "lastname", "Able")),
		ev(b, "user_delete", "2024-04-01T10:00:00Z", "sam", same, changes("from", "email", "sam@example.org", "firstname", "Sam", "lastname", "Bell")),
		ev(a, "user_delete", "2024-04-01T11:00:00Z", "repa", "660000000000000000000a02",
			changes("from", "email", "repa@example.com", "firstname", "Rae", "lastname", "Rep", "manager", "660000000000000000000b01")),
		ev(b, "user_delete", "2024-04-01T12:00:00Z", "repb", "660000000000000000000b02",
			changes("from", "email", "repb@example.org", "firstname", "Ray", "lastname", "Rep", "manager", "660000000000000000000b01")),
		// sam's email of a, taken again in b: a's sam is not back.
		ev(b, "user_create", "2024-04-02T09:00:00Z", "samuel", "660000000000000000000b03", changes("to", "email", "sam@example.com")),
	}, "\n")
	// Read again, as a file is, for the managers' usernames.
	in := Input{Name: "in", R: strings.NewReader(events), Reopen: func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(events)), nil }}
	res, err := Read(context.Background(), []Input{in}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.LeftOut) != 0 {
		t.Errorf("left out %+v", res.LeftOut)
	}
	got := map[string]Record{}
	for _, r := range res.Records {
		got[r.Organization+" "+r.Username] = r
	}
	if len(got) != 4 {
		t.Fatalf("records %v, want sam and a rep in each organization", got)
	}
	samA, samB := got[a+" sam"], got[b+" sam"]
	if samA.Email != "sam@example.com" || samA.Department != "Sales" || strings.Join(samA.Groups, ",") != "Sales" || samA.JobTitle != "" {
		t.Errorf("sam of a: %q %q %q %q", samA.Email, samA.Department, samA.Groups, samA.JobTitle)
	}
	if samB.Email != "sam@example.org" || samB.Department != "Finance" || len(samB.Groups) != 0 || samB.JobTitle != "" {
		t.Errorf("sam of b: %q %q %q %q", samB.Email, samB.Department, samB.Groups, samB.JobTitle)
	}
	if m := got[a+" repa"].Manager; m == "bossb" {
		t.Errorf("repa of a has b's bossb as manager")
	}
	if m := got[b+" repb"].Manager; m != "bossb" {
		t.Errorf("repb of b: manager %q, want bossb", m)
	}
	if gs := byOrg(res.Records); len(gs) != 2 || gs[0].Org != a || len(gs[0].Records) != 2 || gs[1].Org != b || len(gs[1].Records) != 2 {
		t.Errorf("byOrg %v", gs)
	}
	if only := res.Only(b); len(only.Records) != 2 || only.Records[0].Organization != b || only.Users != 2 {
		t.Errorf("Only(b) %+v", only.Records)
	}
	if only := res.Only(a); only.Only(a) != only {
		t.Error("Only copies a result that is all of one organization")
	}
}

// TestOrganizationNoneJoins: events that name no organization belong to
// the one the others share, and with Options.Org those of others are left
// out, by reason.
func TestOrganizationNoneJoins(t *testing.T) {
	const a, b = "5a1b2c3d4e5f60718293a4b5", "6c7d8e9f0a1b2c3d4e5f6a7b"
	del := func(org, user, id string) string {
		o := ""
		if org != "" {
			o = `"organization":"` + org + `",`
		}
		return `{` + o + `"event_type":"user_delete","id":"e` + id + `","timestamp":"2024-04-01T09:00:00Z","resource":{"id":"` + id + `","type":"user","username":"` + user + `","email":"` + user + `@example.com"}}`
	}
	res, _ := read(t, Options{}, del(a, "ann", "1")+"\n"+del("", "bob", "2"))
	if len(res.Records) != 2 || res.Records[0].Organization != a || res.Records[1].Organization != a {
		t.Errorf("one organization and none: %+v", res.Records)
	}
	res, probs := read(t, Options{Org: a}, del(a, "ann", "1")+"\n"+del(b, "bob", "2")+"\n"+del("", "cy", "3"))
	if len(res.Records) != 1 || res.Records[0].Username != "ann" {
		t.Errorf("--org a keeps %+v", res.Records)
	}
	reasons := map[string]string{}
	for _, l := range res.LeftOut {
		reasons[l.Username] = l.Reason
	}
	if reasons["bob"] != ReasonOtherOrg || reasons["cy"] != ReasonNoOrg {
		t.Errorf("left out %v", reasons)
	}
	if len(probs) != 0 {
		t.Errorf("problems %v", probs)
	}
	_, probs = read(t, Options{Org: "0123456789abcdef01234567"}, del(a, "ann", "1"))
	if len(probs) != 1 || !strings.Contains(probs[0].Message, `no user's event names this organization (those read name "`+a+`")`) {
		t.Errorf("an organization not in the export: %v", probs)
	}
}
