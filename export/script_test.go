package export

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/jcrestore/jcrestore/convert"
)

// module is JumpCloud's PowerShell module and SDK as published, beside
// the project (shared/reference/jumpcloud-module, with its provenance).
const module = "../../shared/reference/jumpcloud-module"

// scriptUsers are users with every kind of step, and values meant to
// break out of a PowerShell string.
func scriptUsers() []convert.Restore {
	return []convert.Restore{{
		Row: convert.Record{User: convert.User{FirstName: "Dana", LastName: "Dunn", Username: "dana", Email: "dana@example.com", JobTitle: "Eng'@\n$(x)"},
			Attributes: []convert.Attribute{{Name: "costCode", Value: "42"}}, Source: "events.json:8"},
		After: convert.AfterImport{Suspend: true, Flags: []string{"account_locked", "sudo"}, Manager: "o'neil", Reports: []string{"sam"}, Links: []convert.Link{
			{Type: "system", ID: "6a0000000000000000000001", Name: "NOOR-MBP", Sudo: true, NoPassword: true},
			{Type: "system", ID: "6a0000000000000000000002", Name: "BUILD-07"},
			{Type: "user_group", ID: "6b0000000000000000000001", Name: "Eng'@\n$(Remove-Item -Recurse C:\\)"},
			{Type: "application", ID: "6c0000000000000000000001", Name: "Slack `whoami` \u2028"},
			{Type: "system_group", ID: "6e0000000000000000000001", Name: "Servers", Sudo: true},
		}},
	}, {
		Row:   convert.Record{User: convert.User{FirstName: "O", LastName: "N", Username: "o'neil", Email: "oneil@example.com"}, Groups: []string{"Sales"}},
		After: convert.AfterImport{Flags: []string{"password_never_expires"}, Manager: "dana", ByHand: []string{"staged"}},
	}}
}

func writeScript(t testing.TB, s *Script) string {
	t.Helper()
	var b bytes.Buffer
	if err := WriteScript(&b, s); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestScript: the script's code is the same whatever the users, and it
// reads back (ReadScript) as the users, rows and steps it was given.
func TestScript(t *testing.T) {
	users := scriptUsers()
	a := writeScript(t, &Script{Organization: "5a1b2c3d4e5f60718293a4b5", Results: "restore-results.json", Users: users})
	b := writeScript(t, &Script{Results: "x-results.json"})
	codeA, _, okA := ScriptData(a)
	codeB, _, okB := ScriptData(b)
	if !okA || !okB || codeA != codeB {
		t.Fatalf("the code differs between two scripts (%v %v)", okA, okB)
	}
	if strings.ContainsAny(a, "\u2028`") || strings.Count(a, "\n") != strings.Count(a, "\r\n") {
		t.Error("the script holds a character of the data, or a line break that is not CRLF")
	}
	for _, b := range []byte(a) {
		if b >= 0x80 {
			t.Fatalf("the script is not ASCII (%#x): Windows PowerShell 5.1 reads a file without BOM as ANSI", b)
		}
	}
	if !IsScript([]byte(a)) {
		t.Error("IsScript does not know the script")
	}
	s, err := ReadScript("restore.ps1", []byte(a))
	if err != nil {
		t.Fatal(err)
	}
	if s.Organization != "5a1b2c3d4e5f60718293a4b5" || s.Results != "restore-results.json" || len(s.Users) != 2 {
		t.Fatalf("read back: %+v", s)
	}
	for i, u := range s.Users {
		want := users[i]
		if u.Row.User != want.Row.User || !slices.Equal(u.Row.Attributes, want.Row.Attributes) || !slices.Equal(u.Row.Groups, want.Row.Groups) ||
			want.Row.Source != "" && u.Row.Source != want.Row.Source {
			t.Errorf("user %d's row: %+v, want %+v", i, u.Row, want.Row)
		}
		// The links come back in the script's order: devices, groups,
		// the others.
		a := want.After
		slices.SortStableFunc(a.Links, func(x, y convert.Link) int { return linkRank(x) - linkRank(y) })
		if u.After.String() != a.String() || u.After.Manager != a.Manager || !slices.Equal(u.After.ByHand, a.ByHand) {
			t.Errorf("user %d's steps:\n%s %s\nwant\n%s %s", i, u.After, u.After.Manager, a, a.Manager)
		}
	}
	words := s.Words()[0]
	for _, w := range []string{"import (Import-JCUsersFromCSV)", "suspend (state SUSPENDED)", "set account_locked",
		"bind device NOOR-MBP (6a0000000000000000000001) as administrator, without password", "bind device BUILD-07 (6a0000000000000000000002) as a standard user",
		"bind device group Servers (6e0000000000000000000001) as administrator, with password", "set the manager: o'neil", "with -RestoreReports: make them the manager of sam again"} {
		if !slices.Contains(words, w) {
			t.Errorf("the words of dana's steps lack %q: %q", w, words)
		}
	}
}

func linkRank(l convert.Link) int {
	switch l.Type {
	case "system":
		return 0
	case "user_group":
		return 1
	}
	return 2
}

// TestCellsRead: a user's row reads as encoding/json reads a []string,
// also over a row read before (a key given twice), and what encoding/json
// refuses is refused; a row of strings, as jcrestore writes it, to its
// length.
func TestCellsRead(t *testing.T) {
	for _, text := range []string{`null`, `[]`, `["a","","\"\\","\u00e9\ud83d\ude00\n"]`, `[ "x" , "y" ]`, `["a",null]`, `1`, `"a"`, `{}`, `["a",1]`, `[true]`, `[["a"]]`} {
		for _, doc := range []string{`{"row":` + text + `}`, `{"row":["z"],"row":` + text + `}`} {
			var want struct{ Row []string }
			wantErr := json.Unmarshal([]byte(doc), &want)
			var got struct{ Row cells }
			err := json.Unmarshal([]byte(doc), &got)
			if (err != nil) != (wantErr != nil) {
				t.Errorf("%s: read with %v; encoding/json with %v", doc, err, wantErr)
				continue
			}
			if err == nil && (!slices.Equal(got.Row, want.Row) || (got.Row == nil) != (want.Row == nil)) {
				t.Errorf("%s: read %q; encoding/json %q", doc, got.Row, want.Row)
			}
			if err == nil && cap(got.Row) != len(got.Row) && !strings.Contains(text, "null") { // jcrestore writes no null cell
				t.Errorf("%s: %d cells in room for %d", doc, len(got.Row), cap(got.Row))
			}
		}
	}
}

// FuzzScript: whatever the values, the code of the script stays the same
// text and its data reads back to exactly those values.
func FuzzScript(f *testing.F) {
	f.Add("dana", "Eng'@\n$(x)", "o'neil", "Slack `t`", true)
	f.Add("\u2028'", "\"@'", "$env:JCOrgId", "'\r\n#>", false)
	ref, _, _ := ScriptData(writeScript(f, &Script{}))
	f.Fuzz(func(t *testing.T, user, group, manager, app string, admin bool) {
		s := &Script{Organization: user, Results: app, Users: []convert.Restore{{
			Row: convert.Record{User: convert.User{Username: user, JobTitle: group}, Groups: []string{app}},
			After: convert.AfterImport{Manager: manager, Reports: []string{group}, Links: []convert.Link{
				{Type: "user_group", ID: "6b0000000000000000000001", Name: group},
				{Type: "system_group", ID: "6e0000000000000000000001", Name: app, Sudo: admin, NoPassword: admin},
				{Type: "application", ID: "6c0000000000000000000001", Name: app}}}}}}
		text := writeScript(t, s)
		code, _, ok := ScriptData(text)
		if !ok || code != ref {
			t.Fatal("the code part changed with the data")
		}
		back, err := ReadScript("restore.ps1", []byte(text))
		if err != nil {
			t.Fatal(err)
		}
		// encoding/json writes invalid UTF-8 as U+FFFD: compare as it
		// reads a string back.
		valid := func(s string) string {
			b, _ := json.Marshal(s)
			var back string
			json.Unmarshal(b, &back)
			return back
		}
		u := back.Users[0]
		if back.Organization != valid(user) || back.Results != valid(app) || u.Row.Username != valid(user) || u.Row.JobTitle != valid(group) ||
			u.After.Manager != valid(manager) || len(u.After.Links) != 3 || u.After.Links[0].Name != valid(group) || u.After.Links[1].Name != valid(app) ||
			u.After.Links[1].Sudo != admin || u.After.Links[1].NoPassword != admin || !slices.Equal(u.After.Reports, []string{valid(group)}) {
			t.Fatalf("data read back %+v", back)
		}
	})
}

// parsed is what testdata/pwsh/parse.cjs says of a script.
type parsed struct {
	Errors []struct {
		Row, Column int
		Text        string
	}
	Commands []struct {
		Name   string
		Params []string
		Row    int
	}
}

// parse parses script with a real PowerShell grammar (tree-sitter's, run
// by Node), skipped where it is not installed unless CI asks for it.
func parse(t *testing.T, script string) parsed {
	t.Helper()
	modules := os.Getenv("JCRESTORE_TREE_SITTER") // a node_modules with web-tree-sitter and tree-sitter-powershell
	node, err := exec.LookPath("node")
	if modules == "" || err != nil {
		if os.Getenv("JCRESTORE_REQUIRE_PWSH_GRAMMAR") != "" {
			t.Fatal("node and JCRESTORE_TREE_SITTER are required here")
		}
		t.Skip("node or JCRESTORE_TREE_SITTER (a node_modules with web-tree-sitter and tree-sitter-powershell) is missing")
	}
	path := filepath.Join(tempDir(t), "restore.ps1")
	if err := os.WriteFile(path, []byte(script), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, "../testdata/pwsh/parse.cjs", path)
	cmd.Env = append(os.Environ(), "NODE_PATH="+modules)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("parse.cjs: %v", err)
	}
	var p parsed
	if err := json.Unmarshal(out, &p); err != nil {
		t.Fatalf("parse.cjs: %v\n%s", err, out)
	}
	return p
}

// jcCall is a call the script makes of a cmdlet of JumpCloud's: the
// parameter set its parameters bind to, and each parameter with its type
// as the cmdlet's source declares it ("" for an untyped one).
type jcCall struct {
	cmdlet, set string
	params      map[string]string
}

// jcCalls are every call of JumpCloud's cmdlets restore.ps1 makes.
// Set-JCUser is called by splatting (Set-Account): its parameters are
// UserID and the names Set-Account is given, found in the script.
var jcCalls = []jcCall{
	{"Get-JCUser", "SearchFilter", map[string]string{"username": "string"}},
	{"Get-JCUser", "ByID", map[string]string{"userid": "string"}},
	{"Import-JCUsersFromCSV", "force", map[string]string{"CSVFilePath": "string", "force": "switch"}},
	{"Set-JcSdkUserAssociation", "SetExpanded", map[string]string{"UserId": "string", "Id": "string", "Op": "string", "Type": "string", "PassThru": "switchparameter"}},
	{"Set-JcSdkUserAssociation", "SetExpanded", map[string]string{"UserId": "string", "Id": "string", "Op": "string", "Type": "string", "Attributes": "collections.hashtable", "PassThru": "switchparameter"}},
	{"Set-JcSdkUserGroupMember", "SetExpanded", map[string]string{"GroupId": "string", "Id": "string", "Op": "string", "PassThru": "switchparameter"}},
	{"Get-JcSdkUserAssociation", "Get", map[string]string{"UserId": "string", "Targets": "string"}},
	{"Get-JcSdkUserMember", "Get", map[string]string{"UserId": "string"}},
}

// jcCmdlet matches the names of JumpCloud's cmdlets (the script's own
// functions are named otherwise: Invoke-JC).
var jcCmdlet = regexp.MustCompile(`^[A-Z][a-z]+-(JC[A-Z]|JcSdk)`)

// commonParameters are PowerShell's own, which every cmdlet with
// SupportsShouldProcess takes.
var commonParameters = []string{"confirm", "whatif", "erroraction", "errorvariable", "verbose", "debug"}

// TestScriptParses: the script parses with PowerShell's grammar without an
// error, and every call of a cmdlet of JumpCloud's it makes is one of
// jcCalls, each held against the cmdlet's own source: every parameter
// declared with that type, in that parameter set, and every mandatory
// parameter of the set given (but -ConsoleHost, which the module's
// $PSDefaultParameterValues gives and the script checks); the values it
// passes allowed, and what it reads of the answers there.
func TestScriptParses(t *testing.T) {
	script := writeScript(t, &Script{Organization: "5a1b2c3d4e5f60718293a4b5", Results: "restore-results.json", Users: scriptUsers()})
	p := parse(t, script)
	for _, e := range p.Errors {
		t.Errorf("syntax error at %d:%d: %q", e.Row, e.Column, e.Text)
	}
	if _, err := os.Stat(module); err != nil {
		t.Skip("the module's source is not beside the project:", module)
	}
	flat := strings.ReplaceAll(script, "\r\n", "\n")
	flags := regexp.MustCompile(`(?m)^\$Flags = @\(([^)]*)\)`).FindStringSubmatch(flat)
	if flags == nil {
		t.Fatal("no $Flags in the script")
	}
	if got := strings.Trim(strings.ReplaceAll(flags[1], " ", ""), "'"); got != strings.Join(convert.Flags, "','") {
		t.Errorf("the script's $Flags are %s, convert's Flags %q", flags[1], convert.Flags)
	}
	setUser := jcCall{"Set-JCUser", "ByID", map[string]string{"UserID": "string"}}
	for _, f := range convert.Flags {
		setUser.params[f] = "bool"
	}
	for _, m := range regexp.MustCompile(`Set-Account -Id \S+ -Name '(\w+)'`).FindAllStringSubmatch(flat, -1) {
		setUser.params[m[1]] = map[string]string{"state": "string", "manager": ""}[m[1]]
	}
	if len(setUser.params) != len(convert.Flags)+3 {
		t.Errorf("Set-Account sets %v: want the flags, state and manager", setUser.params)
	}
	// Set-Account splats its parameters: the account by -UserID (ByID).
	if !strings.Contains(flat, "$setting = @{ UserID = $Id }") || !strings.Contains(flat, "Set-JCUser @setting") {
		t.Error("Set-Account does not call Set-JCUser with its account as -UserID")
	}
	calls := append(slices.Clone(jcCalls), setUser)

	// Every call the script makes is one of calls.
	used := map[int]bool{}
	for _, c := range p.Commands {
		if !jcCmdlet.MatchString(c.Name) {
			continue
		}
		given := slices.DeleteFunc(slices.Clone(c.Params), func(p string) bool { return slices.Contains(commonParameters, strings.ToLower(p)) })
		i := slices.IndexFunc(calls, func(k jcCall) bool {
			if !strings.EqualFold(k.cmdlet, c.Name) {
				return false
			}
			if len(given) == 0 && k.cmdlet == "Set-JCUser" {
				return true // splatted
			}
			names := make([]string, 0, len(k.params))
			for n := range k.params {
				names = append(names, strings.ToLower(n))
			}
			lower := make([]string, len(given))
			for j, g := range given {
				lower[j] = strings.ToLower(g)
			}
			slices.Sort(names)
			slices.Sort(lower)
			return slices.Equal(names, lower)
		})
		if i < 0 {
			t.Errorf("line %d: %s %v is a call no test holds against the module", c.Row, c.Name, given)
			continue
		}
		used[i] = true
	}
	for i, k := range calls {
		if !used[i] {
			t.Errorf("the script never calls %s with %v", k.cmdlet, k.params)
		}
		checkCall(t, k)
	}

	// The values the script passes, where the source allows only some.
	if !regexp.MustCompile(`ValidateSet\([^)]*'SUSPENDED'`).MatchString(moduleSource(t, "Set-JCUser")) {
		t.Error("Set-JCUser -state does not take SUSPENDED")
	}
	var spec struct {
		Definitions map[string]json.RawMessage
		Parameters  map[string]struct{ Enum []string }
	}
	readJSON(t, filepath.Join(module, "jcapi-powershell/SwaggerSpecs/JumpCloud.SDK.V2.json"), &spec)
	ops := string(spec.Definitions["GraphOperation"])
	for _, op := range regexp.MustCompile(`-Op '(\w+)'`).FindAllStringSubmatch(flat, -1) {
		if !strings.Contains(ops, `"`+op[1]+`"`) {
			t.Errorf("-Op %s is not in the API's GraphOperation op", op[1])
		}
	}
	userOps := string(spec.Definitions["GraphOperation-User"])
	sdk := moduleSource(t, "Set-JcSdkUserAssociation")
	targets := spec.Parameters["trait:graphTargetsUser:targets"].Enum
	for _, typ := range convert.LinkTypes {
		if typ == "user_group" {
			continue
		}
		if !strings.Contains(sdk, `"`+typ+`"`) || !strings.Contains(userOps, `"`+typ+`"`) {
			t.Errorf("Set-JcSdkUserAssociation -Type does not take %s", typ)
		}
		if !slices.Contains(targets, typ) {
			t.Errorf("Get-JcSdkUserAssociation -Targets does not take %s (the API's targets: %v)", typ, targets)
		}
	}

	// What the script reads of the answers, where the source says it.
	importer := moduleSource(t, "Import-JCUsersFromCSV")
	for _, s := range []string{"'User Created'", "'Username'", "'Status'", "'UserID'", "'GroupsAdd'", "'AdditionalInfo'"} {
		if !strings.Contains(importer, s) {
			t.Errorf("Import-JCUsersFromCSV's results have no %s", s)
		}
	}
	var v1 struct {
		Definitions map[string]struct{ Properties map[string]json.RawMessage }
	}
	readJSON(t, filepath.Join(module, "jcapi-powershell/SwaggerSpecs/JumpCloud.SDK.V1.json"), &v1)
	user := v1.Definitions["systemuserreturn"].Properties
	for _, field := range append([]string{"_id", "username", "email", "created", "state", "manager"}, convert.Flags...) {
		if _, ok := user[field]; !ok {
			t.Errorf("Get-JCUser's users (systemuserreturn) have no %s, which the script reads", field)
		}
	}
	if !strings.Contains(moduleSource(t, "Get-JcSdkUserAssociation"), "ToId") {
		t.Error("Get-JcSdkUserAssociation's objects have no ToId, which the script reads")
	}
}

// checkCall holds one call against its cmdlet's source.
func checkCall(t *testing.T, k jcCall) {
	t.Helper()
	decls := psParams(moduleSource(t, k.cmdlet))
	if len(decls) == 0 {
		t.Fatalf("%s: no parameters read from its source", k.cmdlet)
	}
	for name, typ := range k.params {
		i := slices.IndexFunc(decls, func(d psParam) bool { return strings.EqualFold(d.name, name) })
		if i < 0 {
			t.Errorf("%s has no parameter -%s", k.cmdlet, name)
			continue
		}
		d := decls[i]
		if d.typ != typ {
			t.Errorf("%s -%s is declared [%s], the script passes [%s]", k.cmdlet, name, d.typ, typ)
		}
		if !d.inSet(k.set) {
			t.Errorf("%s -%s is not in the parameter set %s (its sets: %v)", k.cmdlet, name, k.set, d.sets)
		}
	}
	for _, d := range decls {
		if !d.mandatory(k.set) || strings.EqualFold(d.name, "ConsoleHost") {
			continue
		}
		if !slices.ContainsFunc(slices.Collect(mapKeys(k.params)), func(n string) bool { return strings.EqualFold(n, d.name) }) {
			t.Errorf("%s in the set %s: the mandatory -%s is not given, and PowerShell would prompt for it", k.cmdlet, k.set, d.name)
		}
	}
}

func mapKeys(m map[string]string) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// moduleSource is the text of the module's file of a cmdlet.
func moduleSource(t *testing.T, cmdlet string) string {
	t.Helper()
	var found string
	filepath.WalkDir(module, func(path string, d os.DirEntry, err error) error {
		if err == nil && strings.EqualFold(d.Name(), cmdlet+".ps1") {
			found = path
		}
		return nil
	})
	if found == "" {
		t.Fatalf("%s is not in the module's source", cmdlet)
	}
	b, err := os.ReadFile(found)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// psParam is one parameter of a cmdlet, as its param block declares it.
type psParam struct {
	name, typ string
	// sets are the parameter sets of its [Parameter()] attributes, with
	// whether it is mandatory in each; "" stands for every set.
	sets map[string]bool
}

func (p psParam) inSet(set string) bool {
	_, all := p.sets[""]
	_, in := p.sets[set]
	return all || in || len(p.sets) == 0
}

func (p psParam) mandatory(set string) bool {
	if m, ok := p.sets[set]; ok {
		return m
	}
	return p.sets[""]
}

// psParams reads the parameters of the first param block of src: each
// variable with the attributes before it. A type is an attribute without
// arguments, lower case, less its System. and
// System.Management.Automation. namespaces.
func psParams(src string) []psParam {
	loc := regexp.MustCompile(`(?i)\bparam\s*\(`).FindStringIndex(src)
	if loc == nil {
		return nil
	}
	var out []psParam
	cur := psParam{sets: map[string]bool{}}
	setName := regexp.MustCompile(`(?i)ParameterSetName\s*=\s*['"]([^'"]+)['"]`)
	mandatory := regexp.MustCompile(`(?i)\bMandatory\b(\s*=\s*\$(\w+))?`)
	for i := loc[1]; i < len(src); {
		c := src[i]
		switch {
		case c == ')':
			return out
		case c == '#':
			i += max(strings.IndexByte(src[i:], '\n'), 1)
		case strings.HasPrefix(src[i:], "<#"):
			i += strings.Index(src[i:], "#>") + 2
		case c == '[':
			end := closing(src, i)
			attr := src[i+1 : end]
			switch name := strings.ToLower(strings.TrimSpace(attr)); {
			case strings.HasPrefix(name, "parameter("):
				set := ""
				if m := setName.FindStringSubmatch(attr); m != nil {
					set = m[1]
				}
				m := mandatory.FindStringSubmatch(attr)
				cur.sets[set] = m != nil && (m[2] == "" || strings.EqualFold(m[2], "true"))
			case !strings.Contains(name, "("):
				name = strings.TrimPrefix(strings.TrimPrefix(name, "system."), "management.automation.")
				cur.typ = name
			}
			i = end + 1
		case c == '$':
			j := i + 1
			name := ""
			if j < len(src) && src[j] == '{' {
				k := strings.IndexByte(src[j:], '}')
				name, j = src[j+1:j+k], j+k+1
			} else {
				for j < len(src) && (src[j] == '_' || src[j] >= 'a' && src[j] <= 'z' || src[j] >= 'A' && src[j] <= 'Z' || src[j] >= '0' && src[j] <= '9') {
					j++
				}
				name = src[i+1 : j]
			}
			cur.name = name
			out = append(out, cur)
			cur = psParam{sets: map[string]bool{}}
			// A default value runs to the next comma at this depth.
			for j < len(src) && src[j] != ',' && src[j] != ')' {
				if src[j] == '(' || src[j] == '[' || src[j] == '{' {
					j = closing(src, j)
				}
				j++
			}
			i = j
		default:
			i++
		}
	}
	return out
}

// closing is the index of the bracket that closes the one at src[i],
// past nested brackets and quoted strings.
func closing(src string, i int) int {
	depth := 0
	for j := i; j < len(src); j++ {
		switch src[j] {
		case '\'', '"':
			q := src[j]
			for j++; j < len(src) && src[j] != q; j++ {
			}
		case '(', '[', '{':
			depth++
		case ')', ']', '}':
			depth--
			if depth == 0 {
				return j
			}
		}
	}
	return len(src) - 1
}
