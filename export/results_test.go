package export

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/jcrestore/jcrestore/convert"
)

// record makes the lines of a restore script's record, as restore.ps1
// writes them (ConvertTo-Json -Compress of its ordered tables).
type record struct{ lines []string }

func (r *record) add(fields ...any) {
	var b strings.Builder
	b.WriteByte('{')
	for i := 0; i < len(fields); i += 2 {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(fields[i])
		v, _ := json.Marshal(fields[i+1])
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	r.lines = append(r.lines, b.String())
}

func (r *record) text() string { return strings.Join(r.lines, "\r\n") + "\r\n" }

// scriptOf is the data of a script with users, as restore.ps1's record
// keeps it: base64, without line breaks.
func scriptOf(t testing.TB, users []convert.Restore) (data, sha string) {
	t.Helper()
	_, raw, ok := ScriptData(writeScript(t, &Script{Organization: "5a1b2c3d4e5f60718293a4b5", Results: "restore-results.json", Users: users}))
	if !ok {
		t.Fatal("no data")
	}
	return base64.StdEncoding.EncodeToString(raw), fmt.Sprintf("sha-%d", len(raw))
}

// TestReadResults: a record of two runs, the first stopped by a closed
// window, the second cut off as it wrote its last line: the plan, the
// account restored for each user, the last outcome of each step and
// what was read back, each as the script wrote it.
func TestReadResults(t *testing.T) {
	ann := convert.Record{User: convert.User{FirstName: "Ann", LastName: "Aalto", Username: "ann", Email: "ann@example.com", JobTitle: "Engineer"}}
	bob := convert.Record{User: convert.User{FirstName: "Bob", LastName: "Berg", Username: "bob", Email: "bob@example.com"}}
	data, sha := scriptOf(t, []convert.Restore{
		{Row: ann, After: convert.AfterImport{Suspend: true, Links: []convert.Link{{Type: "system", ID: "6a0000000000000000000001", Name: "ANN-MBP", Sudo: true}}}},
		{Row: bob}})
	var r record
	r.add("tool", "jcrestore restore script", "kind", "run", "run", "r1", "at", "2026-12-01T10:00:00Z", "mode", "restore", "organization", "5a1b2c3d4e5f60718293a4b5", "module", "3.3.0", "planSha256", sha, "data", data)
	r.add("kind", "importing", "run", "r1", "at", "2026-12-01T10:00:01Z", "users", []string{"ann", "bob"})
	r.add("kind", "step", "run", "r1", "at", "t", "user", "ann", "id", "670000000000000000000001", "step", "import", "target", "ann", "words", "import", "outcome", "done", "message", "")
	r.add("kind", "step", "run", "r1", "at", "t", "user", "bob", "id", "", "step", "import", "target", "bob", "words", "import", "outcome", "failed", "message", "409: email taken")
	r.add("kind", "step", "run", "r1", "at", "t", "user", "ann", "id", "670000000000000000000001", "step", "bind", "target", "6a0000000000000000000001", "words", "bind device ANN-MBP", "outcome", "failed", "message", "429")
	r.add("tool", "jcrestore restore script", "kind", "run", "run", "r2", "at", "2026-12-01T11:00:00Z", "mode", "restore", "organization", "5a1b2c3d4e5f60718293a4b5", "module", "3.3.0", "planSha256", sha, "data", nil)
	r.add("kind", "step", "run", "r2", "at", "t", "user", "ann", "id", "670000000000000000000001", "step", "bind", "target", "6a0000000000000000000001", "words", "bind device ANN-MBP", "outcome", "done", "message", "")
	r.add("kind", "step", "run", "r2", "at", "t", "user", "bob", "id", "670000000000000000000009", "step", "user", "target", "bob", "words", "no step", "outcome", "skipped", "message", "exists and was not restored by this script")
	r.add("kind", "read", "run", "r2", "at", "t", "user", "ann", "id", "670000000000000000000001", "what", "account", "type", "", "ok", true,
		"value", map[string]any{"_id": "670000000000000000000001", "username": "ann", "email": "ann@example.com", "state": "SUSPENDED", "jobTitle": "Engineer"}, "error", "")
	r.add("kind", "read", "run", "r2", "at", "t", "user", "ann", "id", "670000000000000000000001", "what", "associations", "type", "system", "ok", true,
		"value", []any{map[string]any{"attributes": map[string]any{"sudo": map[string]any{"enabled": true, "withoutPassword": false}}, "to": map[string]any{"id": "6A0000000000000000000001", "type": "system"}}}, "error", "")
	r.add("kind", "read", "run", "r2", "at", "t", "user", "ann", "id", "670000000000000000000001", "what", "groups", "type", "", "ok", false, "value", nil, "error", "503: Service Unavailable")
	text := r.text() + `{"kind":"end","run":"r2","at":"2026-12-01T1`
	res, err := ReadResults("restore-results.json", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	rec := res.Restored
	if res.Organization != "5a1b2c3d4e5f60718293a4b5" || len(res.Plan.Users) != 2 || res.Plan.Users[0].JobTitle != "Engineer" || !res.Plan.Users[0].AfterImport().Suspend ||
		res.Plan.Users[1].Source != "restore-results.json: user 2" {
		t.Errorf("plan: %+v", res.Plan)
	}
	if !reflect.DeepEqual(rec.Accounts, map[string]string{"ann": "670000000000000000000001"}) || rec.Skipped["bob"] != "exists and was not restored by this script" {
		t.Errorf("accounts %v, skipped %v", rec.Accounts, rec.Skipped)
	}
	if len(rec.Failed) != 1 || rec.Failed[0].Username != "bob" || rec.Failed[0].Message != "409: email taken" {
		t.Errorf("failed steps: %+v (the binding's 429 was done again after)", rec.Failed)
	}
	read := rec.Reads["670000000000000000000001"]
	if read == nil || !slices.Equal(read.Bindings["system"], []convert.Binding{{Type: "system", ID: "6a0000000000000000000001", Sudo: true}}) ||
		read.Groups != nil || read.Failed["groups"] != "503: Service Unavailable" {
		t.Errorf("read back: %+v", read)
	}
	if res.Current == nil || len(res.Current.Users) != 1 || res.Current.Users[0].ID != "670000000000000000000001" || res.Current.Users[0].Source != "restore-results.json:9" {
		t.Errorf("accounts read back: %+v", res.Current)
	}
	var notes []string
	for _, n := range res.Notes {
		notes = append(notes, n.String())
	}
	if len(notes) != 3 || !strings.Contains(notes[0], "the run of 2026-12-01T10:00:00Z has no end") ||
		!strings.Contains(notes[1], "the record ends in the middle of this line") || !strings.Contains(notes[1], "restore-results.json:12") ||
		!strings.Contains(notes[2], "the run of 2026-12-01T11:00:00Z has no end") {
		t.Errorf("notes:\n%s", strings.Join(notes, "\n"))
	}
	// Without its plan, a record cannot be read.
	if _, err := ReadResults("r.json", []byte(strings.Replace(text, data, "", 1))); err == nil || !strings.Contains(err.Error(), "holds no plan") {
		t.Errorf("a record without its plan: %v", err)
	}
}

// TestResultsKeys: every key restore.ps1 writes into its record's lines
// is one ReadResults reads, or one it leaves alone on purpose.
func TestResultsKeys(t *testing.T) {
	read := map[string]bool{}
	rt := reflect.TypeOf(recordLine{})
	for i := range rt.NumField() {
		read[strings.Split(rt.Field(i).Tag.Get("json"), ",")[0]] = true
	}
	unread := map[string]bool{"run": true, "users": true, "module": true, "done": true, "failed": true, "skipped": true, "doneBefore": true, "retried": true}
	tables := regexp.MustCompile(`\[ordered\]@\{([^}]*)\}`).FindAllStringSubmatch(scriptCode, -1)
	if len(tables) < 5 {
		t.Fatalf("%d ordered tables in restore.ps1", len(tables))
	}
	for _, tb := range tables {
		for _, pair := range strings.Split(tb[1], ";") {
			key, _, ok := strings.Cut(pair, "=")
			if key = strings.TrimSpace(key); !ok || key == "" {
				continue
			}
			if !read[key] && !unread[key] {
				t.Errorf("restore.ps1 writes %q, which ReadResults does not read", key)
			}
		}
	}
}
