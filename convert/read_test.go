package convert

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tidwall/gjson"
)

func read(t *testing.T, opts Options, files ...string) (*Result, []Problem) {
	t.Helper()
	var probs []Problem
	opts.Report = func(p Problem) { probs = append(probs, p) }
	var inputs []Input
	for i, f := range files {
		inputs = append(inputs, Input{Name: fmt.Sprintf("in%d.json", i+1), R: strings.NewReader(f)})
	}
	res, err := Read(context.Background(), inputs, opts)
	if err != nil {
		t.Fatal(err)
	}
	return res, probs
}

// TestDeletionShapes reads one deleted user from every shape a pasted or
// exported user_delete may have (di-events.md §9 C, E, F and §3), with the
// names in changes or in resource, spelled three ways. Each must give the
// same single record.
func TestDeletionShapes(t *testing.T) {
	const rest = `"event_type":"user_delete","service":"directory","id":"65c0ffee0123456789abcdef","timestamp":"2024-04-02T14:37:12.004Z",` +
		`"initiated_by":{"id":"5f0c1a2b3c4d5e6f7a8b9c0d","type":"admin","email":"it-admin@example.com"}`
	names := map[string][3]string{
		"firstname":  {"firstname", "lastname", "email"},
		"first_name": {"first_name", "last_name", "email"},
		"firstName":  {"firstName", "lastName", "Email"},
	}
	resource := func(typ, extra string) string {
		return `{"id":"64a1b2c3d4e5f60718293a4b","type":"` + typ + `","username":"jdoe"` + extra + `}`
	}
	inResource := func(n [3]string) string {
		return fmt.Sprintf(`,"%s":"Jane","%s":"Doe","%s":"jane.doe@example.com"`, n[0], n[1], n[2])
	}
	changes := func(n [3]string) string {
		return fmt.Sprintf(`[{"field":"%s","from":"jane.doe@example.com"},{"field":"%s","from":"Jane"},{"field":"%s","from":"Doe"},{"field":"state","from":"ACTIVATED"}]`, n[2], n[0], n[1])
	}
	psChanges := func(n [3]string) string {
		return fmt.Sprintf(`["@{field=%s; from=jane.doe@example.com}","@{field=%s; from=Jane}","@{field=%s; from=Doe}"]`, n[2], n[0], n[1])
	}
	shapes := map[string]func(res, ch string) string{
		"C pasted from the console": func(res, ch string) string {
			return "{\n  \"resource\": " + res + ",\n  \"changes\": " + ch + ",\n  " + rest + ",\n  \"@version\": \"1\"\n}\n"
		},
		"E PowerShell depth 2": func(res, ch string) string {
			return "[\n  {\n    \"resource\": " + res + ",\n    \"changes\": " + ch + ",\n    " + rest + "\n  }\n]\n"
		},
		"F bridge envelope": func(res, ch string) string {
			return `{"jumpcloud_bridge": {"resource": ` + res + `, "changes": ` + ch + `, ` + rest + "}}\n"
		},
		"F sanitised NDJSON": func(res, ch string) string {
			return `{"resource": ` + res + `, "changes": ` + ch + `, ` + rest + `, "_version": "1", "correlation": null}` + "\n"
		},
	}
	for shape, build := range shapes {
		for spelling, n := range names {
			for _, where := range []string{"changes", "resource", "resource systemuser"} {
				var in string
				ch := changes(n)
				if strings.HasPrefix(shape, "E") {
					ch = psChanges(n)
				}
				switch where {
				case "changes":
					in = build(resource("user", ""), ch)
				case "resource":
					in = build(resource("user", inResource(n)), "[]")
				default:
					in = build(resource("systemuser", inResource(n)+`,"recipient_email":"jane.doe@example.com","email_type":"company"`), "null")
				}
				t.Run(fmt.Sprintf("%s/%s/%s", shape, spelling, where), func(t *testing.T) {
					res, probs := read(t, Options{}, in)
					for _, p := range probs {
						if p.Kind == Unreadable {
							t.Errorf("problem: %v", p.Error())
						}
					}
					if len(res.Records) != 1 {
						t.Fatalf("%d records, want 1", len(res.Records))
					}
					r := res.Records[0]
					want := User{FirstName: "Jane", LastName: "Doe", Username: "jdoe", Email: "jane.doe@example.com"}
					if r.User != want {
						t.Errorf("user %+v, want %+v", r.User, want)
					}
					if r.DeletedAt != time.Date(2024, 4, 2, 14, 37, 12, 4e6, time.UTC) || r.DeletedBy != "it-admin@example.com" ||
						r.EventID != "65c0ffee0123456789abcdef" || r.FormerID != "64a1b2c3d4e5f60718293a4b" || !strings.HasPrefix(r.Source, "in1.json:") {
						t.Errorf("provenance %v %q %q %q %q", r.DeletedAt, r.DeletedBy, r.EventID, r.FormerID, r.Source)
					}
				})
			}
		}
	}
}

func TestParseTime(t *testing.T) {
	want := time.Date(2024, 4, 2, 14, 37, 12, 4e6, time.UTC)
	for _, in := range []string{
		`"2024-04-02T14:37:12.004Z"`,
		`"2024-04-02T14:37:12.004000000Z"`,
		`"2024-04-02T16:37:12.004+02:00"`,
		`"2024-04-02T14:37:12.004"`,
		`"2024-04-02 14:37:12.004"`,
		`"\/Date(1712068632004)\/"`,
		`"/Date(1712068632004+0000)/"`,
		`{"value":"\/Date(1712068632004)\/","DisplayHint":2}`,
		`1712068632004`,
	} {
		if got := parseTime(gjson.Parse(in)); !got.Equal(want) {
			t.Errorf("parseTime(%s) = %v, want %v", in, got, want)
		}
	}
	for _, in := range []string{`"yesterday"`, `null`, `""`, `"/Date(x)/"`, `[1]`} {
		if got := parseTime(gjson.Parse(in)); !got.IsZero() {
			t.Errorf("parseTime(%s) = %v, want zero", in, got)
		}
	}
	if got := parseTime(gjson.Parse(`1712068632`)); !got.Equal(want.Truncate(time.Second)) {
		t.Errorf("Unix seconds: %v", got)
	}
}

// TestDeletionFilters checks the filters and the deletion order on records.
func TestDeletionFilters(t *testing.T) {
	ev := func(id, user, ts, by string) string {
		return fmt.Sprintf(`{"event_type":"user_delete","id":%q,"timestamp":%q,"initiated_by":{"email":%q},"resource":{"id":"u-%s","username":%q}}`+"\n", id, ts, by, user, user)
	}
	in := ev("1", "ann", "2024-04-02T00:00:00Z", "a@example.com") + ev("2", "bob", "2024-04-01T00:00:00Z", "B@example.com") +
		ev("3", "cid", "2024-04-03T00:00:00Z", "a@example.com") + ev("4", "dee", "", "a@example.com")
	names := func(recs []Record) string {
		var s []string
		for _, r := range recs {
			s = append(s, r.Username)
		}
		return strings.Join(s, ",")
	}
	res, _ := read(t, Options{}, in)
	if got := names(res.Records); got != "dee,bob,ann,cid" {
		t.Errorf("order %s: unknown times first, then by deletion time", got)
	}
	day := func(d int) time.Time { return time.Date(2024, 4, d, 0, 0, 0, 0, time.UTC) }
	res, _ = read(t, Options{Since: day(2), Until: day(3)}, in)
	if got := names(res.Records); got != "ann" || len(res.LeftOut) != 3 {
		t.Errorf("since/until kept %s, left out %d", got, len(res.LeftOut))
	}
	res, _ = read(t, Options{DeletedBy: "b@EXAMPLE.com"}, in)
	if got := names(res.Records); got != "bob" {
		t.Errorf("deleted-by kept %s", got)
	}
	res, _ = read(t, Options{Events: []string{"user_update"}}, in)
	if len(res.Records) != 0 || res.Users != 0 || res.Events != 4 {
		t.Errorf("--events user_update: %d records, %d users, %d events", len(res.Records), res.Users, res.Events)
	}
}

// FuzzRead checks that Read and Validate never panic on any bytes and that
// the counts they report add up.
func FuzzRead(f *testing.F) {
	for _, seed := range seeds(f) {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		res, err := Read(context.Background(), []Input{{Name: "f", R: bytes.NewReader(in)}}, Options{Report: func(p Problem) { _ = p.Error() }})
		if err != nil {
			t.Fatal(err)
		}
		if res.Users != len(res.Records)+len(res.LeftOut) {
			t.Fatalf("%d users, %d records, %d left out", res.Users, len(res.Records), len(res.LeftOut))
		}
		// A whole JSON value ends where it should: never read as cut.
		if len(res.Cut()) > 0 && json.Valid(in) {
			t.Fatalf("a whole JSON value read as one that ends in the middle")
		}
		Validate(res.Records, Rules{Importer: true, Formulas: true})
	})
}

// TestRebuildWholeUser reads testdata/cases/rebuild-whole-user: a user
// created, updated twice, added to and removed from groups, bound to a
// device and deleted with only her email and first name; her manager
// deleted later; a manager known only from a login; an unknown manager.
// The events are newest first.
func TestRebuildWholeUser(t *testing.T) {
	const path = "../testdata/cases/rebuild-whole-user/events.json"
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	res, err := Read(context.Background(), []Input{{Name: "events.json", R: f, Reopen: func() (io.ReadCloser, error) { return os.Open(path) }}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	byName := map[string]Record{}
	for _, r := range res.Records {
		order = append(order, r.Username)
		byName[r.Username] = r
	}
	// By deletion time, except that bchen, alima's manager, comes first.
	if got := strings.Join(order, ","); got != "cdiaz,eford,bchen,alima" {
		t.Errorf("order %s", got)
	}
	ana := byName["alima"]
	want := User{FirstName: "Ana", LastName: "Lima", Username: "alima", Email: "ana.lima@example.com", Manager: "bchen",
		JobTitle: "Senior Analyst", EmployeeIdentifier: "E-100", Department: "Treasury", WorkStreetAddress: "1 Main St",
		WorkCity: "Denver", WorkState: "CO", WorkPostalCode: "80202", WorkCountry: "US", WorkNumber: "555 0003", UnixUID: "5001",
		SystemID: "6610000000000000000000b6", Administrator: "False"}
	if ana.User != want {
		t.Errorf("alima\n got %+v\nwant %+v", ana.User, want)
	}
	// ALIMA-LAPTOP, her only device, is bound through SystemID: none is left
	// to bind by hand.
	if strings.Join(ana.Groups, ",") != "Finance,Treasury" || len(ana.Attributes) != 1 || ana.Attributes[0] != (Attribute{"costCode", "F-1"}) ||
		len(ana.Devices) != 0 {
		t.Errorf("alima: groups %q, attributes %v, devices %q", ana.Groups, ana.Attributes, ana.Devices)
	}
	if !slices.ContainsFunc(ana.Notes, func(n string) bool {
		return strings.Contains(n, "6610000000000000000000b5, whose name the export does not give")
	}) {
		t.Errorf("the unnamed group is not reported: %q", ana.Notes)
	}
	if byName["cdiaz"].Manager != "dpatel" || byName["eford"].Manager != "6600000000000000000000a6" {
		t.Errorf("managers %q %q", byName["cdiaz"].Manager, byName["eford"].Manager)
	}
	if res.History != 13 {
		t.Errorf("%d values from history, want 13", res.History)
	}
}

// TestGroupsUnderIdAndName: a group added under the user's name only and
// later removed under the user's id is not a membership any more.
func TestGroupsUnderIdAndName(t *testing.T) {
	assoc := func(ts, op, user string) string {
		id := ""
		if user == "id" {
			id = `,"object_id":"6600000000000000000000a1"`
		}
		return fmt.Sprintf(`{"event_type":"association_change","timestamp":%q,"association":{"op":%q,"connection":{"from":{"type":"user_group","object_id":"g1","name":"VPN"},"to":{"type":"user","name":"alima"%s}}}}`+"\n", ts, op, id)
	}
	in := assoc("2024-01-01T00:00:00Z", "add", "name") + assoc("2024-02-01T00:00:00Z", "remove", "id") + assoc("2024-01-15T00:00:00Z", "add", "id") +
		`{"event_type":"user_delete","timestamp":"2024-04-01T00:00:00Z","resource":{"id":"6600000000000000000000a1","username":"alima"}}` + "\n"
	res, _ := read(t, Options{}, in)
	if len(res.Records) != 1 || len(res.Records[0].Groups) != 0 {
		t.Errorf("groups %v, want none", res.Records[0].Groups)
	}
}

// TestPSCutInResource counts a user event that PowerShell cut short where
// only its resource shows it, as well as one whose changes show it.
func TestPSCutInResource(t *testing.T) {
	in := `{"event_type":"user_create","resource":{"type":"user","id":"5f0c1a2b3c4d5e6f7a8b9c01","username":"ann","addresses":"System.Object[]"}}
{"event_type":"user_update","resource":{"type":"user","id":"5f0c1a2b3c4d5e6f7a8b9c01"},"changes":"@{field=title; from=; to=Analyst}"}
{"event_type":"user_delete","resource":{"type":"user","id":"5f0c1a2b3c4d5e6f7a8b9c01","username":"ann","email":"ann@example.com"}}
`
	res, probs := readAll(t, []byte(in), Options{})
	if res.PSCut != 2 {
		t.Fatalf("PSCut %d, want 2; problems %q", res.PSCut, probs)
	}
}

// readAll reads in with opts and returns the result and the problems.
func readAll(t *testing.T, in []byte, opts Options) (*Result, []string) {
	t.Helper()
	var probs []string
	opts.Report = func(p Problem) { probs = append(probs, p.Error()) }
	res, err := Read(context.Background(), []Input{{Name: "in", R: bytes.NewReader(in)}}, opts)
	if err != nil {
		t.Fatal(err)
	}
	return res, probs
}

// TestAuditWords: the audit trail in words: a deletion with what it
// removed, lists as text without their ids, a manager by username beside
// its id, a binding with its rights, a group membership.
func TestAuditWords(t *testing.T) {
	const in = `{"event_type":"user_create","organization":"o1","id":"e1","timestamp":"2024-03-01T09:00:00Z","resource":{"id":"660000000000000000000002","type":"user","username":"bob.martin"},"changes":[{"field":"username","to":"bob.martin"},{"field":"email","to":"bob@example.com"}]}
{"event_type":"user_update","organization":"o1","id":"e2","timestamp":"2024-03-02T09:00:00Z","resource":{"id":"660000000000000000000001","type":"user","username":"alice"},"changes":[{"field":"manager","from":null,"to":"660000000000000000000002"},{"field":"jobTitle","from":"Analyst","to":"Senior Analyst"}]}
{"event_type":"association_change","organization":"o1","id":"e3","timestamp":"2024-03-03T09:00:00Z","association":{"op":"add","connection":{"from":{"type":"system","object_id":"6a0000000000000000000001","name":"ALICE-MBP"},"to":{"type":"user","object_id":"660000000000000000000001","name":"alice"}},"attributes":{"sudo":{"enabled":true,"withoutPassword":true}}}}
{"event_type":"association_change","organization":"o1","id":"e4","timestamp":"2024-03-04T09:00:00Z","association":{"op":"remove","connection":{"from":{"type":"user_group","object_id":"6b0000000000000000000001","name":"Finance"},"to":{"type":"user","object_id":"660000000000000000000001","name":"alice"}}}}
{"event_type":"user_delete","organization":"o1","id":"e5","timestamp":"2024-04-01T09:00:00Z","resource":{"id":"660000000000000000000001","type":"user","username":"alice"},"changes":[{"field":"email","from":"alice@example.com"},{"field":"phoneNumbers","from":[{"type":"work","number":"+1 312 555 0102","id":"70000000000000000000000a"},{"type":"mobile","number":"+1 312 555 0199","_id":"70000000000000000000000b"}]},{"field":"addresses","from":[{"type":"work","streetAddress":"2 Oak Ave","locality":"Denver","region":"CO","postalCode":"80203","country":"US","id":"70000000000000000000000c"}]},{"field":"attributes","from":[{"name":"costCode","value":"42"}]}]}`
	res, err := Read(context.Background(), []Input{{Name: "in", R: strings.NewReader(in)}}, Options{Trail: true})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range res.Trail {
		got = append(got, a.Changes)
	}
	want := []string{
		"created (username bob.martin, email bob@example.com)",
		"manager: (none) → bob.martin (660000000000000000000002); jobTitle: Analyst → Senior Analyst",
		"device ALICE-MBP bound to alice as administrator, without password",
		"alice removed from group Finance",
		"deleted (email alice@example.com, phoneNumbers work +1 312 555 0102; mobile +1 312 555 0199, addresses work 2 Oak Ave, Denver, CO, 80203, US, attributes costCode=42)",
	}
	if !slices.Equal(got, want) {
		t.Errorf("trail\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// chunked reads at most n bytes at a time, n changing with each read.
type chunked struct {
	r io.Reader
	n int
}

func (c *chunked) Read(b []byte) (int, error) {
	c.n = c.n*7%65521 + 1
	return c.r.Read(b[:min(len(b), c.n)])
}

// TestDigest: the SHA-256 of each input, hashed beside the reading, is
// that of its bytes, however they arrive; with several inputs, each its
// own (the one-event file repeats the first of the other: read once).
func TestDigest(t *testing.T) {
	var inputs []Input
	var want []string
	for i, n := range []int{0, 1, 40000} {
		var b strings.Builder
		for j := range n {
			fmt.Fprintf(&b, `{"event_type": "user_delete", "id": "69%022d", "timestamp": "2026-11-20T09:00:00Z", "resource": {"id": "66%022d", "type": "user", "username": "user%d"}}`+"\n", j, j, j)
		}
		sum := sha256.Sum256([]byte(b.String()))
		want = append(want, hex.EncodeToString(sum[:]))
		inputs = append(inputs, Input{Name: fmt.Sprintf("e%d", i), R: &chunked{r: strings.NewReader(b.String())}})
	}
	res, err := Read(context.Background(), inputs, Options{Digest: true})
	if err != nil {
		t.Fatal(err)
	}
	for i, f := range res.Files {
		if f.SHA256 != want[i] {
			t.Errorf("%s: SHA-256 %s, want %s", f.Name, f.SHA256, want[i])
		}
	}
	if len(res.Files) != len(want) || res.Users != 40000 {
		t.Errorf("%d files, %d users", len(res.Files), res.Users)
	}
}
