package convert

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// samples holds real Directory Insights events that others published
// (shared/real-di-samples beside the project, with their provenance).
// The tests that read them skip where it is absent; nothing of it is
// copied into the project.
const samples = "../../shared/real-di-samples"

// readSample reads files of samples, and after them the extra events
// given (invented, to ask what the real ones tell of a user).
func readSample(t *testing.T, opts Options, extra string, files ...string) (*Result, []Problem) {
	t.Helper()
	var inputs []Input
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join(samples, f))
		if err != nil {
			t.Skip("the real samples are not here:", err)
		}
		inputs = append(inputs, Input{Name: f, R: bytes.NewReader(b)})
	}
	if extra != "" {
		inputs = append(inputs, Input{Name: "invented", R: strings.NewReader(extra)})
	}
	var probs []Problem
	opts.Report = func(p Problem) { probs = append(probs, p) }
	res, err := Read(context.Background(), inputs, opts)
	if err != nil {
		t.Fatal(err)
	}
	return res, probs
}

// TestRealSamples reads every file of the real samples: the events by
// type each holds, none unreadable, and what is noted.
func TestRealSamples(t *testing.T) {
	sekoia := func(typ string) map[string]int { return map[string]int{typ: 1} }
	for file, want := range map[string]struct {
		byType map[string]int
		notes  []string // the start of each note
	}{
		"sekoia-intake-formats/admin_login.json":         {sekoia("admin_login_attempt"), nil},
		"sekoia-intake-formats/association_change.json":  {sekoia("association_change"), nil},
		"sekoia-intake-formats/radius_auth_failure.json": {sekoia("radius_auth_attempt"), nil},
		"sekoia-intake-formats/radius_auth_success.json": {sekoia("radius_auth_attempt"), nil},
		"sekoia-intake-formats/ssoauth_failure_1.json":   {sekoia("sso_auth"), nil},
		"sekoia-intake-formats/ssoauth_failure_2.json":   {sekoia("sso_auth"), nil},
		"sekoia-intake-formats/ssoauth_success.json":     {sekoia("sso_auth"), nil},
		"sekoia-intake-formats/user_update.json":         {sekoia("user_update"), nil},
		"sekoia-intake-formats/user_update2.json":        {sekoia("user_update"), nil},
		"sekoia-intake-formats/user_update3.json":        {sekoia("user_update"), nil},
		"sekoia-intake-formats.ndjson": {map[string]int{"admin_login_attempt": 1, "association_change": 1,
			"radius_auth_attempt": 2, "sso_auth": 3, "user_update": 3}, nil},
		"elastic-integrations/test-events.json":          {map[string]int{"admin_login_attempt": 1, "mdm_command_result": 2}, nil},
		"elastic-integrations/test-events.b0b492f2.json": {sekoia("admin_login_attempt"), nil},
		"elastic-integrations/sample_event.json":         {sekoia("admin_login_attempt"), nil},
		// Its first and last events share an id but differ: both count.
		"elastic-integrations.ndjson": {map[string]int{"admin_login_attempt": 2, "mdm_command_result": 2}, nil},
		// The docs' RADIUS example has no event_type.
		"jumpcloud-docs-di-api-examples.json":     {sekoia("admin_login_attempt"), []string{"not a Directory Insights event: an object without event_type"}},
		"sumologic-docs-organization_create.json": {sekoia("organization_create"), nil},
	} {
		t.Run(file, func(t *testing.T) {
			res, probs := readSample(t, Options{}, "", file)
			var notes []string
			for _, p := range probs {
				if p.Kind == Unreadable {
					t.Errorf("unreadable: %v", p.Error())
				} else {
					notes = append(notes, p.Message)
				}
			}
			if !maps.Equal(res.ByType, want.byType) || res.Unreadable != 0 || res.Users != 0 {
				t.Errorf("events %v, %d unreadable, %d users; want %v", res.ByType, res.Unreadable, res.Users, want.byType)
			}
			if len(notes) != len(want.notes) || !slices.EqualFunc(notes, want.notes, strings.HasPrefix) {
				t.Errorf("notes %q, want %q", notes, want.notes)
			}
		})
	}
}

// deletionOf is an invented deletion of a user, after every sample event,
// with nothing but the user's id, username and email.
func deletionOf(id, username string) string {
	return fmt.Sprintf(`{"event_type":"user_delete","service":"directory","id":"65c0ffee0123456789abd%03x","timestamp":"2024-04-02T14:37:12Z",`+
		`"resource":{"id":%q,"type":"user","username":%q},"changes":[{"field":"email","from":"%s@example.com"}]}`+"\n", len(username), id, username, username)
}

// TestRealSampleUsers asks what the real user events tell of their users,
// by deleting each user afterwards: the values of their changes, the
// state, the device.
func TestRealSampleUsers(t *testing.T) {
	one := func(t *testing.T, res *Result) Record {
		t.Helper()
		if len(res.Records) != 1 {
			t.Fatalf("%d records", len(res.Records))
		}
		Validate(res.Records, Rules{Importer: true})
		return res.Records[0]
	}
	t.Run("user_update: a custom attribute", func(t *testing.T) {
		r := one(t, resultOf(readSample(t, Options{}, deletionOf("6127579ec58b6d6144c06492", "jane.doe"), "sekoia-intake-formats/user_update.json")))
		if fmt.Sprint(r.Attributes) != "[{Division Sales}]" {
			t.Errorf("attributes %v", r.Attributes)
		}
	})
	t.Run("user_update3: addresses, company, location, suspended", func(t *testing.T) {
		r := one(t, resultOf(readSample(t, Options{}, deletionOf("628cf9c0d6f4831f8192fa8d", "john.wick"), "sekoia-intake-formats/user_update3.json")))
		if r.Company != "Sekoia.io" || r.Location != "France" || r.WorkStreetAddress != "54 Rue des Petites Ecuries" ||
			r.WorkCity != "Paris" || r.WorkPostalCode != "75010" || r.WorkCountry != "FR" || r.HomeCountry != "FR" {
			t.Errorf("%+v", r.User)
		}
		if !slices.ContainsFunc(r.Issues, func(is Issue) bool { return is.Field == "suspended" }) {
			t.Errorf("suspended not told: %v", r.Issues)
		}
	})
	t.Run("association_change: the device", func(t *testing.T) {
		r := one(t, resultOf(readSample(t, Options{}, deletionOf("636b8c40f03d374a5c7f6ceb", "john.doe"), "sekoia-intake-formats/association_change.json")))
		if r.SystemID != "6447f8a7caa17d71c56b2dca" || r.Administrator != "False" {
			t.Errorf("SystemID %q, Administrator %q", r.SystemID, r.Administrator)
		}
	})
	t.Run("SCIM-shaped changes", func(t *testing.T) {
		// Elastic grafted them onto a login: read it as if it deleted.
		r := one(t, resultOf(readSample(t, Options{Events: []string{"admin_login_attempt"}}, "", "elastic-integrations/sample_event.json")))
		if r.Email != "w.wonka@chocolate.biz" || r.PreferredName != "Willy Wonka" {
			t.Errorf("email %q, preferredName %q", r.Email, r.PreferredName)
		}
	})
}

func resultOf(res *Result, _ []Problem) *Result { return res }
