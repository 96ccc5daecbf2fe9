package convert

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// held is a users file of Get-JCUser's objects, as ConvertTo-Json writes
// them (property names from the module's Get-JCUser.ps1, by way of
// importer-and-followup.md §3).
const held = `[
{"_id": "670000000000000000000001", "username": "Bob", "email": "BOB@example.com", "firstname": "Bob", "lastname": "Berg",
 "organization": "5a1b2c3d4e5f60718293a4b5", "state": "ACTIVATED", "suspended": false, "account_locked": true, "manager": null,
 "addresses": [{"type": "work", "locality": "Oslo", "country": "NO", "extendedAddress": ""}],
 "phoneNumbers": [{"type": "mobile", "number": "+47 555 0101"}],
 "attributes": [{"name": "CostCode", "value": "42"}], "recoveryEmail": {"address": "bob@example.org"}},
{"_id": "670000000000000000000002", "username": "ann.new", "email": "ann@example.com", "firstname": "Ann", "lastname": "Aalto",
 "manager": "670000000000000000000001", "state": "SUSPENDED", "unix_uid": 5002},
{"_id": "670000000000000000000003", "username": "cy", "email": "cy@example.com", "firstname": "Cy", "lastname": "Cole",
 "manager": "679999999999999999999999"}
]`

func planned(users ...Record) *Planned {
	return &Planned{Name: "plan.csv", Users: users, Columns: AllColumns, Attributes: true, Settings: true}
}

func TestVerify(t *testing.T) {
	now, err := ReadCurrent("users.json", []byte(held))
	if err != nil {
		t.Fatal(err)
	}
	bob := Record{User: User{Username: "bob", Email: "bob@example.com", FirstName: "Bob", LastName: "Berg", WorkCity: "Oslo", WorkCountry: "NO",
		MobileNumber: "+47 555 0101", RecoveryEmail: "bob@example.org"}, Attributes: []Attribute{{"costcode", "42"}}}
	bob.SetAfterImport(AfterImport{Flags: []string{"account_locked"}})
	ann := Record{User: User{Username: "ann", Email: "Ann@Example.com", FirstName: "Ann", LastName: "Aalto", Manager: "bob"}}
	ann.SetAfterImport(AfterImport{Suspend: true})
	cy := Record{User: User{Username: "cy", Email: "cy@example.com", FirstName: "Cy", LastName: "Cole", Manager: "dee"}}
	dee := Record{User: User{Username: "dee", Email: "dee@example.com", JobTitle: "Analyst"}}
	rec := &Restored{Name: "restore-results.json", Failed: []Step{{Username: "Dee", Step: "import", Outcome: "failed", Message: "409"}, {Username: "sam", Step: "report", Outcome: "failed"}}}
	v, err := Verify(planned(bob, ann, cy, dee), now, rec)
	if err != nil {
		t.Fatal(err)
	}

	verdicts := map[string]Verdict{}
	for _, u := range v.Users {
		verdicts[u.Username] = u.Verdict
	}
	want := map[string]Verdict{"bob": Back, "ann": Differs, "cy": NotChecked, "dee": Missing}
	for name, w := range want {
		if verdicts[name] != w {
			t.Errorf("%s: %q, want %q", name, verdicts[name], w)
		}
	}
	// ann was found by email; her username differs, her manager is bob
	// (by the id in the same file), her state is as planned.
	a := v.Users[1]
	if a.MatchedBy != "email" || len(a.Differences()) != 1 || a.Differences()[0].Field != "Username" {
		t.Errorf("ann: matched by %s, differences %+v", a.MatchedBy, a.Differences())
	}
	for _, f := range a.Fields {
		if f.Field == "manager" && (!f.Same || f.Now != "Bob") || f.Field == "state" && !f.Same {
			t.Errorf("ann: %+v", f)
		}
	}
	// cy's manager id is no user of the file: said, not a difference,
	// and not proven either.
	c := v.Users[2]
	if i := slices.IndexFunc(c.Fields, func(f Checked) bool { return f.Field == "manager" }); i < 0 || !strings.Contains(c.Fields[i].NotCompared, "679999999999999999999999") ||
		len(c.Unchecked) != 1 || !strings.HasPrefix(c.Unchecked[0], "manager: ") {
		t.Errorf("cy's manager: %+v, not checked %q", c.Fields, c.Unchecked)
	}
	// bob: every family compared, by type and by name.
	for _, f := range []string{"work_city", "mobile_number", "attribute costcode", "recoveryEmail", "account_locked", "state", "Email"} {
		if !slices.ContainsFunc(v.Users[0].Fields, func(c Checked) bool { return c.Field == f && c.Same }) {
			t.Errorf("bob: %s not compared the same: %+v", f, v.Users[0].Fields)
		}
	}
	if len(v.Users[3].Failed) != 1 || len(v.OtherSteps) != 1 || v.Counts.StepsFailed != 2 {
		t.Errorf("steps: %+v, others %+v, %d failed", v.Users[3].Failed, v.OtherSteps, v.Counts.StepsFailed)
	}
	if v.Counts.Back != 1 || v.Counts.Differ != 1 || v.Counts.NotChecked != 1 || v.Counts.Missing != 1 || v.Counts.Others != 0 || !v.Counts.StepsGiven || v.AllBack() {
		t.Errorf("counts: %+v", v.Counts)
	}
}

// TestVerifyExportCsv: Export-Csv writes nested values as type names:
// those fields are said not compared, the rest compared.
func TestVerifyExportCsv(t *testing.T) {
	csv := "#TYPE System.Management.Automation.PSCustomObject\r\n" +
		`"_id","username","email","firstname","lastname","addresses","phoneNumbers","attributes","state","suspended","recoveryEmail"` + "\r\n" +
		`"670000000000000000000001","bob","bob@example.com","Bob","Berg","System.Object[]","System.Object[]","System.Object[]","SUSPENDED","True","@{address=bob@example.org}"` + "\r\n"
	now, err := ReadCurrent("users.csv", []byte(csv))
	if err != nil {
		t.Fatal(err)
	}
	if len(now.Notes) != 1 || !strings.Contains(now.Notes[0].Text, "addresses, phoneNumbers, attributes not compared") {
		t.Errorf("notes: %v", now.Notes)
	}
	bob := Record{User: User{Username: "bob", Email: "bob@example.com", WorkCity: "Oslo", HomeNumber: "1", RecoveryEmail: "bob@example.org"}, Attributes: []Attribute{{"a", "1"}}}
	bob.SetAfterImport(AfterImport{Suspend: true})
	v, err := Verify(planned(bob), now, nil)
	if err != nil {
		t.Fatal(err)
	}
	u := v.Users[0]
	if u.Verdict != NotChecked || v.Counts.StepsGiven {
		t.Errorf("verdict %q: %+v", u.Verdict, u.Fields)
	}
	var not []string
	for _, f := range u.Fields {
		if f.NotCompared != "" {
			not = append(not, f.Field)
		}
	}
	if got := strings.Join(not, ","); got != "work_city,home_number,attribute a" {
		t.Errorf("not compared: %s", got)
	}
	if now.Users[0].Source != "users.csv:3" {
		t.Errorf("source %s, want users.csv:3 (after the #TYPE line and the header)", now.Users[0].Source)
	}
}

// TestVerifyOrganization: users of another organization than the plan's
// are refused, where both name theirs.
func TestVerifyOrganization(t *testing.T) {
	now, err := ReadCurrent("users.json", []byte(held))
	if err != nil {
		t.Fatal(err)
	}
	for org, refused := range map[string]bool{"": false, "5a1b2c3d4e5f60718293a4b5": false, "5A1B2C3D4E5F60718293A4B5": false, "5a1b2c3d4e5f60718293a4ff": true} {
		exp := planned()
		exp.Organization = org
		if _, err := Verify(exp, now, nil); (err != nil) != refused {
			t.Errorf("plan of %q: %v", org, err)
		}
	}
}

func TestReadCurrentRefused(t *testing.T) {
	first := `[{"username": "a", "description": "` + strings.Repeat("x", 5000) + `"},` + "\n" // past where the file's head is looked at
	for name, c := range map[string]struct{ text, want string }{
		"event later":   {first + `{"username": "b", "event_type": "user_delete"}]`, "users.json:2: a Directory Insights event, not a user"},
		"service later": {first + `{"service": "directory", "username": "b", "initiated_by": {}}]`, "users.json:2: a Directory Insights event, not a user"},
		"truncated":     {held[:300], "users.json:4: cut short"},
		"not json":      {`[{"username": "a",}]`, "users.json:1:19: not JSON"},
		"events":        {`[{"event_type": "user_delete", "username": "a"}]`, "Directory Insights events, not users"},
		"no user":       {`[{"name": "a"}]`, "users.json:1: not a user of Get-JCUser: no username"},
		"string":        {`["a"]`, "users.json:1: not a user but a string"},
		"object":        {`{"count": 2}`, "not users: a JSON object without username"},
		"csv":           {"FirstName,LastName,Username,Email\nA,B,c,d@example.com\n", "neither users"},
		"html":          {"<!DOCTYPE html><html></html>", "a web page (HTML)"},
		"bad csv":       {"_id,username\n\"a,b\n", "users.json:2:"},
	} {
		_, err := ReadCurrent("users.json", []byte(c.text))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", name, err, c.want)
		}
	}
	// Of the two fields an event has, one alone is a user's.
	for _, text := range []string{first + `{"username": "b", "service": "x"}]`, first + `{"username": "b", "initiated_by": "x"}]`} {
		if u, err := ReadCurrent("users.json", []byte(text)); err != nil || len(u.Users) != 2 {
			t.Errorf("%s: %v", text[len(first):], err)
		}
	}
}

// FuzzReadCurrent: any bytes are users or an error, never a panic; every
// user read has the username the file gave and a place.
func FuzzReadCurrent(f *testing.F) {
	f.Add([]byte(held))
	f.Add([]byte(`{"value": [{"username": "a", "manager": {"id": "x"}}], "Count": 1}`))
	f.Add([]byte("#TYPE x\n_id,username,addresses\n1,a,System.Object[]\n"))
	f.Add([]byte(`{"username": "a", "addresses": "@{type=work; locality=Oslo}"}`))
	for _, dir := range []string{"../testdata/cases/verify-differences", "../testdata/cases/verify-export-csv"} {
		for _, name := range []string{"users.json", "users.csv"} {
			if b, err := os.ReadFile(filepath.Join(dir, name)); err == nil {
				f.Add(b)
			}
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		u, err := ReadCurrent("users.json", b)
		if err != nil {
			return
		}
		for _, h := range u.Users {
			if !strings.HasPrefix(h.Source, "users.json:") || !utf8.ValidString(h.Source) {
				t.Errorf("source %q", h.Source)
			}
		}
		Verify(planned(Record{User: User{Username: "a", Email: "a@example.com", Manager: "b"}}), u, nil)
		if len(u.Users) == 0 {
			return
		}
		rec := &Restored{Name: "r", Accounts: map[string]string{"a": strings.ToLower(u.Users[0].ID)}, Reads: map[string]*ReadBack{}}
		Verify(planned(Record{User: User{Username: "a"}, Links: []Link{{Type: "system", ID: "6a0000000000000000000001"}}}), u, rec)
	})
}

// TestVerifyLinks: devices with their rights, groups and direct
// associations are compared with what the restore script read back of
// the account it restored; what was not read, or whose read failed, is
// not checked, and never back as planned.
func TestVerifyLinks(t *testing.T) {
	now, err := ReadCurrent("restore-results.json", []byte(`[
{"_id": "670000000000000000000001", "username": "alice", "email": "alice@example.com"},
{"_id": "670000000000000000000002", "username": "bo", "email": "bo@example.com"},
{"_id": "670000000000000000000003", "username": "cat", "email": "cat@example.com"},
{"_id": "670000000000000000000004", "username": "dan", "email": "dan@example.com"}]`))
	if err != nil {
		t.Fatal(err)
	}
	mbp := Link{Type: "system", ID: "6a0000000000000000000001", Name: "ALICE-MBP", Sudo: true, NoPassword: true}
	finance := Link{Type: "user_group", ID: "6b0000000000000000000003", Name: "Finance"}
	slack := Link{Type: "application", ID: "6c0000000000000000000001", Name: "Slack"}
	user := func(name string, links ...Link) Record {
		return Record{User: User{Username: name, Email: name + "@example.com"}, Links: links}
	}
	rec := &Restored{Name: "restore-results.json",
		Accounts: map[string]string{"alice": "670000000000000000000001", "bo": "670000000000000000000002", "cat": "670000000000000000000003", "dan": "670000000000000000000004"},
		Skipped:  map[string]string{},
		Reads: map[string]*ReadBack{
			// alice: the device bound without the rights planned; the
			// group missing, though its step was done.
			"670000000000000000000001": {Bindings: map[string][]Binding{"system": {{Type: "system", ID: "6a0000000000000000000001"}}}, Groups: []string{}, Failed: map[string]string{}},
			// bo: everything as planned.
			"670000000000000000000002": {Bindings: map[string][]Binding{"system": {{Type: "system", ID: "6a0000000000000000000001", Sudo: true, NoPassword: true}}, "application": {{Type: "application", ID: "6c0000000000000000000001"}}},
				Groups: []string{"6b0000000000000000000003"}, Failed: map[string]string{}},
			// cat: the read of her applications failed.
			"670000000000000000000003": {Bindings: map[string][]Binding{"application": {}}, Groups: []string{}, Failed: map[string]string{"associations application": "429: Too Many Requests"}},
		}}
	v, err := Verify(planned(user("alice", mbp, finance), user("bo", mbp, finance, slack), user("cat", slack), user("dan", finance)), now, rec)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, u := range v.Users {
		var d []string
		for _, c := range u.Differences() {
			d = append(d, c.Difference())
		}
		got = append(got, fmt.Sprintf("%s: %s: %s | %s", u.Username, u.Verdict, strings.Join(d, "; "), strings.Join(u.Unchecked, "; ")))
	}
	want := []string{
		"alice: back with differences: device ALICE-MBP (6a0000000000000000000001): bound as a standard user (planned: bound as administrator, without password); group Finance (6b0000000000000000000003): missing (planned: a member) | ",
		"bo: back as planned:  | ",
		"cat: back, not checked in full:  | application Slack (6c0000000000000000000001): reading associations application back failed: 429: Too Many Requests",
		"dan: back, not checked in full:  | groups: no read back of this account (" + runCheck + ")",
	}
	if !slices.Equal(got, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if v.Counts.Back != 1 || v.Counts.Differ != 1 || v.Counts.NotChecked != 2 || v.AllBack() {
		t.Errorf("counts %+v", v.Counts)
	}
}
