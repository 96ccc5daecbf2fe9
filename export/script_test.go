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
func scriptUsers() ([]convert.Record, []convert.AfterImport) {
	rows := []convert.Record{
		{User: convert.User{Username: "dana", Email: "dana@example.com"}},
		{User: convert.User{Username: "o'neil", Email: "oneil@example.com"}},
	}
	after := []convert.AfterImport{
		{Suspend: true, Flags: []string{"account_locked", "sudo"}, Manager: "o'neil", Links: []convert.Link{
			{Type: "system", ID: "6a0000000000000000000001", Name: "NOOR-MBP", Sudo: true, NoPassword: true},
			{Type: "system", ID: "6a0000000000000000000002", Name: "BUILD-07"},
			{Type: "user_group", ID: "6b0000000000000000000001", Name: "Eng'@\n$(Remove-Item -Recurse C:\\)"},
			{Type: "application", ID: "6c0000000000000000000001", Name: "Slack `whoami` \u2028"},
		}},
		{Flags: []string{"password_never_expires"}, Manager: "dana"},
	}
	return rows, after
}

func writeScript(t testing.TB, s *Script) string {
	t.Helper()
	var b bytes.Buffer
	if err := WriteScript(&b, s); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestScript: the script's code is the same whatever the users, and its
// data reads back as the users and steps it was given.
func TestScript(t *testing.T) {
	rows, after := scriptUsers()
	a := writeScript(t, &Script{Organization: "5a1b2c3d4e5f60718293a4b5", CSV: "restore.csv", Results: "restore-results.json", Rows: rows, After: after})
	b := writeScript(t, &Script{CSV: "x.csv", Results: "x-results.json"})
	codeA, dataA, okA := ScriptData(a)
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
	var d scriptData
	if err := json.Unmarshal(dataA, &d); err != nil {
		t.Fatal(err)
	}
	u := d.Users[0]
	if d.Organization != "5a1b2c3d4e5f60718293a4b5" || d.CSV != "restore.csv" || len(d.Users) != 2 || u.Username != "dana" || !u.Suspend ||
		u.Manager != "o'neil" || !slices.Equal(u.Flags, []string{"account_locked", "sudo"}) || len(u.Devices) != 2 || !u.Devices[0].NoPassword ||
		u.Groups[0].Name != after[0].Links[2].Name || u.Links[0].Name != after[0].Links[3].Name || d.Users[1].Manager != "dana" {
		t.Errorf("data %+v", d)
	}
}

// FuzzScript: whatever the values, the code of the script stays the same
// text and its data reads back to exactly those values.
func FuzzScript(f *testing.F) {
	f.Add("dana", "Eng'@\n$(x)", "o'neil", "Slack `t`")
	f.Add("\u2028'", "\"@'", "$env:JCOrgId", "'\r\n#>")
	ref, _, _ := ScriptData(writeScript(f, &Script{}))
	f.Fuzz(func(t *testing.T, user, group, manager, app string) {
		s := &Script{Organization: user, CSV: group, Results: app,
			Rows: []convert.Record{{User: convert.User{Username: user}}},
			After: []convert.AfterImport{{Manager: manager, Links: []convert.Link{
				{Type: "user_group", ID: "6b0000000000000000000001", Name: group}, {Type: "application", ID: "6c0000000000000000000001", Name: app}}}}}
		code, data, ok := ScriptData(writeScript(t, s))
		if !ok || code != ref {
			t.Fatal("the code part changed with the data")
		}
		var d scriptData
		if err := json.Unmarshal(data, &d); err != nil {
			t.Fatal(err)
		}
		u := d.Users[0]
		// encoding/json writes invalid UTF-8 as U+FFFD: compare as it
		// reads a string back.
		valid := func(s string) string {
			b, _ := json.Marshal(s)
			var back string
			json.Unmarshal(b, &back)
			return back
		}
		if d.Organization != valid(user) || d.CSV != valid(group) || u.Username != valid(user) || u.Manager != valid(manager) ||
			u.Groups[0].Name != valid(group) || u.Links[0].Name != valid(app) {
			t.Fatalf("data read back %+v", d)
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

// TestScriptParses: the script parses with PowerShell's grammar without an
// error, and every cmdlet of JumpCloud's it calls exists in the module's
// own source with every parameter it is given; the account settings it
// splats are Set-JCUser's parameters, and the values it passes are
// allowed.
func TestScriptParses(t *testing.T) {
	rows, after := scriptUsers()
	script := writeScript(t, &Script{Organization: "5a1b2c3d4e5f60718293a4b5", CSV: "restore.csv", Results: "restore-results.json", Rows: rows, After: after})
	p := parse(t, script)
	for _, e := range p.Errors {
		t.Errorf("syntax error at %d:%d: %q", e.Row, e.Column, e.Text)
	}
	if _, err := os.Stat(module); err != nil {
		t.Skip("the module's source is not beside the project:", module)
	}
	calls := map[string][]string{}
	for _, c := range p.Commands {
		if strings.Contains(c.Name, "-JC") || strings.Contains(c.Name, "-Jc") {
			calls[c.Name] = append(calls[c.Name], c.Params...)
		}
	}
	for _, want := range []string{"Import-JCUsersFromCSV", "Get-JCUser", "Set-JCUser", "Add-JCSystemUser", "Add-JCUserGroupMember", "Set-JcSdkUserAssociation"} {
		if _, ok := calls[want]; !ok {
			t.Errorf("the script never calls %s", want)
		}
	}
	flags := regexp.MustCompile(`(?m)^\$Flags = @\(([^)]*)\)`).FindStringSubmatch(strings.ReplaceAll(script, "\r\n", "\n"))
	if flags == nil {
		t.Fatal("no $Flags in the script")
	}
	for _, f := range strings.Split(flags[1], ",") {
		calls["Set-JCUser"] = append(calls["Set-JCUser"], strings.Trim(strings.TrimSpace(f), "'"))
	}
	if got := strings.Trim(strings.ReplaceAll(flags[1], " ", ""), "'"); got != strings.Join(convert.Flags, "','") {
		t.Errorf("the script's $Flags are %s, convert's Flags %q", flags[1], convert.Flags)
	}
	for cmdlet, params := range calls {
		src := moduleSource(t, cmdlet)
		block := paramBlock(src)
		for _, p := range params {
			if !regexp.MustCompile(`(?i)\$\{?` + regexp.QuoteMeta(p) + `\}?\b`).MatchString(block) {
				t.Errorf("%s has no parameter -%s", cmdlet, p)
			}
		}
	}
	// The values the script passes, where the source allows only some.
	if !regexp.MustCompile(`ValidateSet\([^)]*'SUSPENDED'`).MatchString(moduleSource(t, "Set-JCUser")) {
		t.Error("Set-JCUser -state does not take SUSPENDED")
	}
	sdk := moduleSource(t, "Set-JcSdkUserAssociation")
	for _, typ := range convert.LinkTypes {
		if typ != "user_group" && !strings.Contains(sdk, `"`+typ+`"`) {
			t.Errorf("Set-JcSdkUserAssociation -Type does not take %s", typ)
		}
	}
	if !regexp.MustCompile(`(?i)\badd\b`).MatchString(sdk) {
		t.Error("Set-JcSdkUserAssociation -Op does not take add")
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

// paramBlock is the part of a cmdlet's source that declares its
// parameters: from param( to the first begin, process or DynamicParam
// block.
func paramBlock(src string) string {
	lower := strings.ToLower(src)
	loc := regexp.MustCompile(`\bparam\s*\(`).FindStringIndex(lower)
	if loc == nil {
		return ""
	}
	i := loc[0]
	end := len(src)
	for _, kw := range []string{"\n    begin", "\nbegin", "\n    process", "\nprocess", "dynamicparam"} {
		if j := strings.Index(lower[i:], kw); j >= 0 && i+j < end {
			end = i + j
		}
	}
	return src[i:end]
}
