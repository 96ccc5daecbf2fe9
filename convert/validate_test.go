package convert

import (
	"fmt"
	"strings"
	"testing"
)

func valid() Record {
	return Record{User: User{FirstName: "Jane", LastName: "Doe", Username: "jdoe", Email: "jane@example.com"}}
}

// TestValidate checks each rule on a record that breaks only that rule.
func TestValidate(t *testing.T) {
	long := func(n int) string { return "a" + strings.Repeat("b", n-1) }
	tests := []struct {
		name   string
		change func(*Record)
		rules  Rules
		want   string // "severity field" of every issue, joined by "; "
	}{
		{"valid", func(*Record) {}, Rules{Importer: true}, ""},
		{"username missing", func(r *Record) { r.Username = " " }, Rules{}, "error Username"},
		{"username starts with a digit", func(r *Record) { r.Username = "1jdoe" }, Rules{}, "error Username"},
		{"username with a space", func(r *Record) { r.Username = "j doe" }, Rules{}, "error Username"},
		{"username with @", func(r *Record) { r.Username = "j@doe" }, Rules{}, "error Username"},
		{"username of 21", func(r *Record) { r.Username = long(21) }, Rules{}, "warning Username"},
		{"username of 31", func(r *Record) { r.Username = long(31) }, Rules{}, "warning Username"},
		{"username of 1025", func(r *Record) { r.Username = long(1025) }, Rules{}, "error Username"},
		{"username with other characters", func(r *Record) { r.Username = "jdoe+1" }, Rules{}, "warning Username"},
		{"email missing", func(r *Record) { r.Email = "" }, Rules{}, "error Email"},
		{"email without @", func(r *Record) { r.Email = "jane.example.com" }, Rules{}, "error Email"},
		{"email with two @", func(r *Record) { r.Email = "jane@x@example.com" }, Rules{}, "error Email"},
		{"email without domain", func(r *Record) { r.Email = "jane@" }, Rules{}, "error Email"},
		{"email with a space", func(r *Record) { r.Email = "jane doe@example.com" }, Rules{}, "error Email"},
		{"names required", func(r *Record) { r.FirstName, r.LastName = "", "" }, Rules{Importer: true}, "error FirstName; error LastName"},
		{"names not required", func(r *Record) { r.FirstName, r.LastName = "", "" }, Rules{}, ""},
		{"description over 1024", func(r *Record) { r.Description = long(1025) }, Rules{}, "error description"},
		{"employee id over 256", func(r *Record) { r.EmployeeIdentifier = long(257) }, Rules{}, "error employeeIdentifier"},
		{"unix uid zero", func(r *Record) { r.UnixUID = "0" }, Rules{}, "error unix_uid"},
		{"unix gid not a number", func(r *Record) { r.UnixGUID = "10a" }, Rules{}, "error unix_guid"},
		{"unix uid too large", func(r *Record) { r.UnixUID = "2147483648" }, Rules{}, "error unix_uid"},
		{"unix ids fine", func(r *Record) { r.UnixUID, r.UnixGUID = "1", "2147483647" }, Rules{}, ""},
		{"attribute name with space", func(r *Record) { r.Attributes = []Attribute{{"cost center", "7"}} }, Rules{}, "error Attribute1_name"},
		{"attribute name of 32", func(r *Record) { r.Attributes = []Attribute{{long(32), "7"}} }, Rules{}, "error Attribute1_name"},
		{"attribute twice", func(r *Record) { r.Attributes = []Attribute{{"Tier", "1"}, {"tier", "2"}} }, Rules{}, "error Attribute2_name"},
		{"attribute without value", func(r *Record) { r.Attributes = []Attribute{{"tier", ""}} }, Rules{}, "error Attribute1_value"},
		{"attribute value ending in null, for a template", func(r *Record) { r.Attributes = []Attribute{{"tier", "NULL"}} }, Rules{}, ""},
		{"attribute value ending in null, alone", func(r *Record) { r.Attributes = []Attribute{{"tier", "NULL"}} }, Rules{Importer: true}, "warning custom attribute tier"},
		{"attribute value ending in =, with another", func(r *Record) { r.Attributes = []Attribute{{"key", "a2V5="}, {"tier", "gold"}} }, Rules{Importer: true}, "warning custom attribute key"},
		{"attribute name ending in null, alone", func(r *Record) { r.Attributes = []Attribute{{"isnull", "yes"}} }, Rules{Importer: true}, "warning custom attribute isnull"},
		{"attribute name ending in null, with another", func(r *Record) { r.Attributes = []Attribute{{"isnull", "yes"}, {"tier", "gold"}} }, Rules{Importer: true}, ""},
		{"group ending in null", func(r *Record) { r.Groups = []string{"Finance", "nonull"} }, Rules{Importer: true}, "warning group nonull"},
		{"group ending in =", func(r *Record) { r.Groups = []string{"a="} }, Rules{}, ""},
		{"description of 1000 emoji", func(r *Record) { r.Description = strings.Repeat("\U0001F600", 1000) }, Rules{Importer: true}, "error description"},
		{"description of 1000 emoji, for a template", func(r *Record) { r.Description = strings.Repeat("\U0001F600", 1000) }, Rules{}, ""},
		{"suspended and sudo", func(r *Record) { r.account = acctSuspended | acctSudo }, Rules{}, "warning suspended; warning sudo"},
		{"MFA carried", func(r *Record) { r.account, r.EnableUserPortalMultifactor = acctMFA, "True" }, Rules{}, ""},
		{"MFA not True or False", func(r *Record) { r.EnableUserPortalMultifactor = "yes" }, Rules{}, "error enable_user_portal_multifactor"},
		{"device not an id", func(r *Record) { r.SystemID, r.Administrator = "laptop", "False" }, Rules{}, "warning SystemID"},
		{"administrator neither", func(r *Record) { r.SystemID, r.Administrator = "6610000000000000000000d1", "maybe" }, Rules{}, "warning Administrator"},
		{"formula", func(r *Record) { r.Company = "=1+1" }, Rules{Formulas: true}, "note company"},
		{"formula in a group", func(r *Record) { r.Groups = []string{"@admins"} }, Rules{Formulas: true}, "note Group1"},
		{"formula not checked", func(r *Record) { r.Company = "=1+1" }, Rules{}, ""},
		{"line break", func(r *Record) { r.Description = "a\nb" }, Rules{}, "warning description"},
		{"password emptied", func(r *Record) { r.Password = "hunter2" }, Rules{}, "warning Password"},
		{"invalid UTF-8", func(r *Record) { r.LastName = "D\xffe" }, Rules{}, "warning LastName"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := valid()
			tt.change(&r)
			recs := []Record{r}
			Validate(recs, tt.rules)
			var got []string
			for _, is := range recs[0].Issues {
				got = append(got, fmt.Sprintf("%s %s", is.Severity, is.Field))
			}
			if strings.Join(got, "; ") != tt.want {
				t.Errorf("issues %q, want %q (%+v)", strings.Join(got, "; "), tt.want, recs[0].Issues)
			}
		})
	}
}

// TestImporterAttributes: the custom attributes Import-JCUsersFromCSV's
// filter would make it fail the user on are written last, one of them, or
// left out.
func TestImporterAttributes(t *testing.T) {
	a := func(pairs ...string) []Attribute {
		var out []Attribute
		for i := 0; i < len(pairs); i += 2 {
			out = append(out, Attribute{pairs[i], pairs[i+1]})
		}
		return out
	}
	for _, tt := range []struct{ in, want []Attribute }{
		{a("tier", "gold"), a("tier", "gold")},
		{a("key", "a2V5=", "tier", "gold"), a("tier", "gold", "key", "a2V5=")},
		{a("a", "xNULL", "b", "y=", "c", "z"), a("c", "z", "a", "xNULL")},
		{a("a", "x=", "b", "y="), nil},
		{a("isnull", "v"), nil},
		{a("isnull", "v", "b", "w"), a("isnull", "v", "b", "w")},
	} {
		r := valid()
		r.Attributes = tt.in
		recs := []Record{r}
		Validate(recs, Rules{Importer: true})
		if got := recs[0].Attributes; fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("%v: %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestValidateNormalises(t *testing.T) {
	r := valid()
	r.Email, r.Password, r.LastName = "Jane@Example.COM", "secret", "D\xffe"
	recs := []Record{r}
	Validate(recs, Rules{})
	if got := recs[0]; got.Email != "jane@example.com" || got.Password != "" || got.LastName != "D\uFFFDe" {
		t.Errorf("got %q %q %q", got.Email, got.Password, got.LastName)
	}
}

// TestValidateDuplicates marks every record sharing a username, email or
// employee id (ignoring case), and only those.
func TestValidateDuplicates(t *testing.T) {
	a, b, c, d := valid(), valid(), valid(), valid()
	a.Username, a.Email, a.EmployeeIdentifier = "ann", "ann@example.com", "E-1"
	b.Username, b.Email, b.EmployeeIdentifier = "ANN", "bob@example.com", ""
	c.Username, c.Email, c.EmployeeIdentifier = "cid", "Ann@Example.com", "e-1"
	d.Username, d.Email, d.EmployeeIdentifier = "dee", "dee@example.com", ""
	recs := []Record{a, b, c, d}
	Validate(recs, Rules{})
	want := []string{
		"Username Email employeeIdentifier",
		"Username",
		"Email employeeIdentifier",
		"",
	}
	for i, r := range recs {
		var fields []string
		for _, is := range r.Issues {
			fields = append(fields, is.Field)
		}
		if got := strings.Join(fields, " "); got != want[i] {
			t.Errorf("record %d: duplicates in %q, want %q", i, got, want[i])
		}
	}
	if !strings.Contains(recs[0].Issues[0].Message, "ANN") {
		t.Errorf("message does not name the other user: %s", recs[0].Issues[0].Message)
	}
}

func TestCount(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 2374: "2,374", 1000000: "1,000,000", -1234: "-1,234", -123: "-123"} {
		if got := Count(n); got != want {
			t.Errorf("Count(%d) = %q, want %q", n, got, want)
		}
	}
}
