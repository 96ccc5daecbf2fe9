package export

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jcrestore/jcrestore/convert"
)

// TestEvidence: each kind of file verify takes is recognised by its
// content, whatever its name, and read as the plan or users it is.
func TestEvidence(t *testing.T) {
	dir := tempDir(t)
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	rows := []convert.Record{{User: convert.User{FirstName: "Ann", LastName: "Aalto", Username: "ann", Email: "ann@example.com", JobTitle: "Engineer"},
		Attributes: []convert.Attribute{{Name: "costCode", Value: "42"}}}}
	var csv strings.Builder
	if err := WriteCSV(&csv, PowerShell(rows), rows); err != nil {
		t.Fatal(err)
	}
	write("restore.csv", csv.String())
	var script strings.Builder
	err := WriteScript(&script, &Script{Organization: "5a1b2c3d4e5f60718293a4b5", CSV: "restore.csv", Results: "restore-results.json", Rows: rows,
		After: []convert.AfterImport{{Suspend: true, Manager: "bob", Links: []convert.Link{{Type: "user_group", ID: "6b0000000000000000000001", Name: "Eng"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	s, err := ReadEvidence(write("anything.txt", script.String()))
	if err != nil {
		t.Fatal(err)
	}
	if s.Kind != EvidencePlan || s.Beside == nil || s.Plan.Organization != "5a1b2c3d4e5f60718293a4b5" || !s.Plan.Settings || !s.Plan.Attributes {
		t.Fatalf("script: %+v", s)
	}
	ann := s.Plan.Users[0]
	if a := ann.AfterImport(); ann.JobTitle != "Engineer" || ann.Manager != "bob" || !a.Suspend || len(a.Links) != 1 || len(ann.Attributes) != 1 {
		t.Errorf("script's ann: %+v %+v", ann, a)
	}

	semicolons, err := ReadEvidence(write("plan.dat", "Username;Email;Job Title;Group1\nann;ann@example.com;Engineer;Eng\n"))
	if err != nil {
		t.Fatal(err)
	}
	if p := semicolons.Plan; semicolons.Kind != EvidencePlan || p.Settings || p.Users[0].JobTitle != "Engineer" || p.Users[0].Groups[0] != "Eng" || p.Users[0].Source != filepath.Join(dir, "plan.dat")+":2" {
		t.Errorf("CSV plan: %+v", p)
	}

	users, err := ReadEvidence(write("x.csv", "\ufeff\"_id\",\"username\",\"email\"\n\"1\",\"ann\",\"ann@example.com\"\n"))
	if err != nil || users.Kind != EvidenceUsers || len(users.Users.Users) != 1 {
		t.Fatalf("users CSV: %+v %v", users, err)
	}

	results := `{"tool": "jcrestore restore script", "organization": "5a1b2c3d4e5f60718293a4b5",
 "plan": {"organization": "5a1b2c3d4e5f60718293a4b5", "csv": "restore.csv", "users": [{"username": "ann", "suspend": true, "flags": ["sudo"], "devices": [], "groups": [], "links": [], "manager": "", "reports": []}]},
 "csvText": "FirstName,LastName,Username,Email,jobTitle\r\nAnn,Aalto,ann,ann@example.com,Engineer\r\n",
 "steps": [{"key": "ann|set|sudo", "username": "ann", "step": "set", "target": "sudo", "outcome": "failed", "error": "no"}],
 "users": [{"_id": "670000000000000000000001", "username": "ann", "firstname": "Ann", "lastname": "Aalto", "email": "ann@example.com", "jobTitle": "Engineer", "state": "SUSPENDED", "sudo": false}]}`
	r, err := ReadEvidence(write("r.json", results))
	if err != nil {
		t.Fatal(err)
	}
	if r.Kind != EvidenceResults || len(r.Steps) != 1 || r.Plan == nil || r.Plan.Users[0].JobTitle != "Engineer" || len(r.Users.Users) != 1 {
		t.Fatalf("results: %+v", r)
	}
	exp, now, steps, err := Assemble([]*Evidence{r})
	if err != nil {
		t.Fatal(err)
	}
	v := convert.Verify(exp, now, steps)
	if u := v.Users[0]; u.Verdict != convert.Differs || len(u.Differences()) != 1 || u.Differences()[0].Field != "sudo" || len(u.Failed) != 1 {
		t.Errorf("results verified: %+v", u)
	}

	// The script and the CSV it names are one plan.
	c, err := ReadEvidence(filepath.Join(dir, "restore.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := Assemble([]*Evidence{s, c, users}); err != nil {
		t.Errorf("the script with its own CSV: %v", err)
	}
	for _, bad := range []struct {
		ev   []*Evidence
		want string
	}{
		{[]*Evidence{semicolons, c}, "are both plans, and verify compares one plan with the users"},
		{[]*Evidence{semicolons, c, users}, "are both plans: give one"},
		{[]*Evidence{users}, "no plan to compare them with"},
		{[]*Evidence{c}, "the users as JumpCloud holds them now are missing"},
		{[]*Evidence{users, users, c}, "both hold the users"},
	} {
		if _, _, _, err := Assemble(bad.ev); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%v, want %q", err, bad.want)
		}
	}
}

// FuzzEvidence: any bytes are a plan, users, results or an error, never a
// panic, and what they assemble to verifies.
func FuzzEvidence(f *testing.F) {
	f.Add([]byte("Username,Email,manager,Attribute1_name,Attribute1_value\nann,ann@example.com,bob,a,1\n"))
	f.Add([]byte(`{"tool": "jcrestore restore script", "plan": {"users": [{"username": "a"}]}, "csvText": "Username,Email\na,a@example.com\n", "users": [], "steps": []}`))
	f.Add([]byte("$Data = '\nWritten by jcrestore\n'\n"))
	for _, name := range []string{"cases/verify-results/restore-results.json", "cases/verify-export-csv/users.csv", "shared/verify-plan/restore.ps1", "shared/verify-plan/restore.csv"} {
		if b, err := os.ReadFile(filepath.Join("../testdata", name)); err == nil {
			f.Add(b)
		}
	}
	dir := tempDir(f)
	users := &Evidence{Kind: EvidenceUsers, Users: &convert.Users{Name: "users.json", Users: []convert.Held{{Record: convert.Record{User: convert.User{Username: "ann"}}}}}}
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := readEvidence(filepath.Join(dir, "evidence"), b)
		if err != nil {
			return
		}
		ev := []*Evidence{e}
		if e.Kind == EvidencePlan {
			ev = append(ev, users)
		}
		exp, now, steps, err := Assemble(ev)
		if err != nil {
			return
		}
		convert.Verify(exp, now, steps)
	})
}
