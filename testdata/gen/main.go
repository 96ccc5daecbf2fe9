// Command gen writes a synthetic Directory Insights export for benchmarks
// and memory tests: the event mix of a real org (mostly logins and SSO, a
// few percent user_create and user_update, about 1% user_delete, some
// association_change), full-size events (geoip, useragent, auth_context),
// invented names with non-ASCII letters, in the layouts exporters write.
// The output is the same for the same flags.
//
//	go run ./testdata/gen -n 1000000 -layout array > events.json
//	go run ./testdata/gen -n 1000000 -layout ndjson -gzip > events.ndjson.gz
//	go run ./testdata/gen -n 100000 -deletes > deleted.json
//	go run ./testdata/gen -n 100000 -users > users.json
//
// -users writes, for the users -deletes deletes (the same -n and -seed),
// what Get-JCUser | ConvertTo-Json returns once they are restored: for
// verify's benchmark.
//
// Layouts: array (one event per line inside [ ], as the serverless
// SingleLine export), pretty (a JSON array indented by 2, as MultiLine),
// ndjson (one event per line).
package main

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"time"
)

func main() {
	n := flag.Int("n", 10000, "number of events")
	layout := flag.String("layout", "array", "array, pretty or ndjson")
	gz := flag.Bool("gzip", false, "gzip the output")
	seed := flag.Uint64("seed", 1, "random seed")
	deletes := flag.Bool("deletes", false, "only user_delete events (for the 100k-user workbook)")
	users := flag.Bool("users", false, "the users -deletes deletes, restored, as Get-JCUser | ConvertTo-Json writes them")
	flag.Parse()
	var err error
	if *users {
		err = restored(os.Stdout, *n, *seed)
	} else {
		err = generate(os.Stdout, *n, *layout, *gz, *seed, *deletes)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func generate(out io.Writer, n int, layout string, gz bool, seed uint64, deletes bool) error {
	bw := bufio.NewWriterSize(out, 1<<20)
	var w io.Writer = bw
	var zw *gzip.Writer
	if gz {
		zw = gzip.NewWriter(bw)
		w = zw
	}
	g := newGenerator(seed)
	g.deletes = deletes
	var err error
	switch layout {
	case "array", "pretty":
		_, err = io.WriteString(w, "[")
		for i := 0; i < n && err == nil; i++ {
			sep := ",\n"
			if i == 0 {
				sep = "\n"
				if layout == "array" {
					sep = ""
				}
			}
			var b []byte
			if layout == "pretty" {
				b, err = json.MarshalIndent(g.next(), "  ", "  ")
				b = append([]byte(sep+"  "), b...)
			} else {
				b, err = json.Marshal(g.next())
				b = append([]byte(sep), b...)
			}
			if err == nil {
				_, err = w.Write(b)
			}
		}
		if err == nil {
			_, err = io.WriteString(w, "\n]\n")
		}
	case "ndjson":
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		for i := 0; i < n && err == nil; i++ {
			err = enc.Encode(g.next())
		}
	default:
		return fmt.Errorf("unknown layout %q", layout)
	}
	if err == nil && zw != nil {
		err = zw.Close()
	}
	if err == nil {
		err = bw.Flush()
	}
	return err
}

type obj = map[string]any

type user struct {
	id, username, first, last, email string
	deleted                          bool
}

type generator struct {
	r       *rand.Rand
	t       time.Time
	users   []*user
	seq     int
	deletes bool // every event a user_delete
}

var (
	firsts = []string{"Jane", "Zoë", "Miguel", "Aiko", "Søren", "Amélie", "Chidi", "Łucja", "Rahul", "Maëlle", "José", "Ingrid", "Kofi", "Noémie", "Björn", "Ana"}
	lasts  = []string{"Doe", "Åström", "García", "Tanaka", "Kjærgaard", "Dubois", "Okafor", "Wiśniewska", "Iyer", "Le Gall", "Núñez", "Solberg", "Mensah", "Bérubé", "Lindqvist", "Souza"}
	depts  = []string{"Finance", "Sales", "Engineering", "Support", "Legal", "Marketing"}
	apps   = []string{"Slack", "Zoom", "Salesforce", "GitHub", "Google Workspace", "Atlassian"}
)

func newGenerator(seed uint64) *generator {
	g := &generator{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), t: time.Date(2024, 1, 15, 8, 0, 0, 0, time.UTC)}
	for range 200 {
		g.newUser()
	}
	return g
}

func (g *generator) hex(n int) string {
	const digits = "0123456789abcdef"
	b := make([]byte, n)
	for i := range b {
		b[i] = digits[g.r.IntN(16)]
	}
	return string(b)
}

func (g *generator) newUser() *user {
	g.seq++
	f, l := firsts[g.r.IntN(len(firsts))], lasts[g.r.IntN(len(lasts))]
	u := &user{id: g.hex(24), first: f, last: l,
		username: fmt.Sprintf("user%06d", g.seq),
		email:    fmt.Sprintf("user%06d@example.com", g.seq)}
	g.users = append(g.users, u)
	return u
}

func (g *generator) someUser() *user {
	for {
		if u := g.users[g.r.IntN(len(g.users))]; !u.deleted {
			return u
		}
	}
}

var admin = obj{"id": "5f0c1a2b3c4d5e6f7a8b9c0d", "type": "admin", "email": "it-admin@example.com"}

func (g *generator) base(typ, service string) obj {
	g.t = g.t.Add(time.Duration(g.r.IntN(4000)) * time.Millisecond)
	return obj{
		"id": g.hex(24), "event_type": typ, "service": service, "@version": "1",
		"timestamp": g.t.Format("2006-01-02T15:04:05.000Z"), "organization": "5a1b2c3d4e5f60718293a4b5",
		"client_ip": fmt.Sprintf("198.51.100.%d", g.r.IntN(250)+1), "success": g.r.IntN(20) != 0,
		"geoip": obj{"country_code": "US", "timezone": "America/Denver", "latitude": 39.7392, "longitude": -104.9903,
			"continent_code": "NA", "region_name": "Colorado", "region_code": "CO"},
		"useragent": obj{"name": "Chrome", "version": "122.0.0.0", "major": "122", "minor": "0", "patch": "0",
			"os": "Mac OS X", "os_name": "Mac OS X", "os_full": "Mac OS X 10.15.7", "os_version": "10.15.7",
			"os_major": "10", "os_minor": "15", "os_patch": "7", "device": "Mac"},
	}
}

func (g *generator) next() obj {
	p := g.r.IntN(1000)
	if g.deletes {
		p = 975
	}
	switch {
	case p < 450:
		u := g.someUser()
		e := g.base("user_login_attempt", "user_portal")
		e["initiated_by"] = obj{"id": u.id, "type": "user", "username": u.username}
		e["resource"] = obj{"id": u.id, "type": "user", "username": u.username}
		e["auth_method"], e["mfa"] = "password", true
		e["mfa_meta"] = obj{"type": "duo"}
		e["auth_context"] = g.authContext()
		return e
	case p < 750:
		u := g.someUser()
		e := g.base("sso_auth", "sso")
		e["initiated_by"] = obj{"id": u.id, "type": "user", "username": u.username}
		e["application"] = obj{"id": g.hex(24), "name": apps[g.r.IntN(len(apps))], "display_label": apps[g.r.IntN(len(apps))]}
		e["auth_context"] = g.authContext()
		e["idp_initiated"] = g.r.IntN(2) == 0
		return e
	case p < 900:
		e := g.base("admin_login_attempt", "directory")
		e["initiated_by"], e["resource"] = admin, admin
		e["auth_method"], e["mfa"] = "session", true
		return e
	case p < 930:
		u := g.newUser()
		e := g.base("user_create", "directory")
		e["initiated_by"], e["auth_method"] = admin, "session"
		e["resource"] = obj{"id": u.id, "type": "user", "username": u.username}
		e["changes"] = []obj{{"field": "email", "to": u.email}, {"field": "firstname", "to": u.first}, {"field": "lastname", "to": u.last},
			{"field": "username", "to": u.username}, {"field": "department", "to": depts[g.r.IntN(len(depts))]}, {"field": "state", "to": "ACTIVATED"}}
		return e
	case p < 970:
		u := g.someUser()
		e := g.base("user_update", "directory")
		e["initiated_by"], e["auth_method"] = admin, "api key"
		e["resource"] = obj{"id": u.id, "type": "user", "username": u.username}
		e["changes"] = []obj{{"field": "jobTitle", "from": "Analyst", "to": "Senior Analyst"}, {"field": "department", "from": "Sales", "to": depts[g.r.IntN(len(depts))]}}
		return e
	case p < 980:
		u := g.someUser()
		e := g.base("user_delete", "directory")
		u.deleted = true
		g.newUser()
		e["initiated_by"], e["auth_method"], e["provider"] = admin, "session", nil
		e["resource"] = obj{"id": u.id, "type": "user", "username": u.username}
		e["changes"] = []obj{{"field": "email", "from": u.email}, {"field": "firstname", "from": u.first}, {"field": "lastname", "from": u.last},
			{"field": "username", "from": u.username}, {"field": "department", "from": depts[g.r.IntN(len(depts))]},
			{"field": "phoneNumbers", "from": []obj{{"type": "work", "number": fmt.Sprintf("555 %04d", g.r.IntN(10000)), "id": g.hex(24), "_id": g.hex(24)}}},
			{"field": "state", "from": "ACTIVATED"}}
		return e
	default:
		u := g.someUser()
		e := g.base("association_change", "directory")
		e["initiated_by"] = admin
		e["association"] = obj{"op": "add", "action_source": "manual", "connection": obj{
			"from": obj{"name": depts[g.r.IntN(len(depts))], "type": "user_group", "object_id": g.hex(24)},
			"to":   obj{"name": u.username, "type": "user", "object_id": u.id}}}
		return e
	}
}

func (g *generator) authContext() obj {
	return obj{
		"auth_methods":     obj{"password": obj{"success": true}, "duo": obj{"success": true}},
		"policies_applied": []obj{{"id": g.hex(24), "name": "Require MFA", "metadata": obj{"action": "allow", "resource_type": "USER_PORTAL"}}},
		"system":           obj{"os": "Mac OS X", "hostname": "MBP-" + g.hex(6), "object_id": g.hex(24)},
	}
}

// restored writes the users the deletion-only export of n events and
// seed deletes, as Get-JCUser returns them once restored: what the
// deletion carried, and the fields JumpCloud gives every user.
func restored(out io.Writer, n int, seed uint64) error {
	bw := bufio.NewWriterSize(out, 1<<20)
	g := newGenerator(seed)
	g.deletes = true
	ids := newGenerator(seed ^ 0x5bd1e995)
	if _, err := io.WriteString(bw, "["); err != nil {
		return err
	}
	for i := range n {
		e := g.next()
		u := obj{"_id": ids.hex(24), "account_locked": false, "activated": false, "addresses": []obj{}, "allow_public_key": true,
			"alternateEmail": nil, "attributes": []obj{}, "badLoginAttempts": 0, "company": "", "costCenter": "",
			"created": "2026-12-01T10:00:00.000Z", "creationSource": "jumpcloud:bulk", "description": "", "displayname": "",
			"employeeIdentifier": nil, "employeeType": "", "enable_managed_uid": false, "enable_user_portal_multifactor": false,
			"external_dn": "", "external_source_type": "", "externally_managed": false, "jobTitle": "", "ldap_binding_user": false,
			"location": "", "managedAppleId": "", "manager": nil, "mfa": obj{"configured": false, "exclusion": false},
			"middlename": "", "organization": "5a1b2c3d4e5f60718293a4b5", "password_expired": false, "password_never_expires": false,
			"passwordless_sudo": false, "recoveryEmail": obj{"address": ""}, "samba_service_user": false, "ssh_keys": []obj{},
			"state": "ACTIVATED", "sudo": false, "suspended": false, "totp_enabled": false, "unix_guid": 5000 + i, "unix_uid": 5000 + i}
		for _, c := range e["changes"].([]obj) {
			switch field := c["field"].(string); field {
			case "state":
			case "phoneNumbers":
				var phones []obj
				for _, p := range c["from"].([]obj) {
					phones = append(phones, obj{"id": ids.hex(24), "number": p["number"], "type": p["type"]})
				}
				u[field] = phones
			default:
				u[field] = c["from"]
			}
		}
		b, err := json.MarshalIndent(u, "  ", "  ")
		if err != nil {
			return err
		}
		sep := ",\n  "
		if i == 0 {
			sep = "\n  "
		}
		if _, err := bw.WriteString(sep); err != nil {
			return err
		}
		if _, err := bw.Write(b); err != nil {
			return err
		}
	}
	if _, err := io.WriteString(bw, "\n]\n"); err != nil {
		return err
	}
	return bw.Flush()
}
