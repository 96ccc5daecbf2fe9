package convert

import (
	"fmt"
	"slices"
	"strings"
)

// verify compares a restore plan with what JumpCloud holds now, user by
// user and field by field, as JumpCloud stores values: emails and
// usernames without regard to case, a manager by the user it names, the
// state and flags as settings. Nothing here prints.

// Expected is a restore plan read back: from the import CSV, the reviewed
// workbook, the restore script or its results.
type Expected struct {
	Name         string // the file it was read from
	Organization string // the organization's id; "" when the plan names none
	// Users are the planned users, with what the restore script sets
	// after the import (Record.AfterImport).
	Users []Record
	// Columns are the data columns the plan carries, by bit of their index
	// in Columns; Attributes whether it carries custom attributes.
	Columns    uint64
	Attributes bool
	// Settings says the plan holds the state and flags (the workbook, the
	// script): a CSV holds none.
	Settings bool
	// Notes are what reading the plan found worth telling.
	Notes []Message
}

// AllColumns are every data column, for Expected.Columns.
const AllColumns = ^uint64(0)

// Step is one step of the restore script, as its results file has it.
type Step struct {
	Username string `json:"username"`
	Step     string `json:"step"`
	Target   string `json:"target"`
	Outcome  string `json:"outcome"`
	Error    string `json:"error"`
}

// Verdict is what became of one planned user.
type Verdict string

const (
	Back    Verdict = "back as planned"
	Differs Verdict = "back with differences"
	Missing Verdict = "missing"
)

// Checked is one field of one user: planned, and now.
type Checked struct {
	Field   string `json:"field"`
	Planned string `json:"planned"`
	Now     string `json:"now"`
	Same    bool   `json:"same"`
	// NotCompared says why the field could not be compared; Same is then
	// false and the field no difference.
	NotCompared string `json:"notCompared,omitempty"`
}

// UserCheck is the verdict on one planned user, with every field compared.
type UserCheck struct {
	Username string  `json:"username"`
	Email    string  `json:"email"`
	Verdict  Verdict `json:"verdict"`
	Plan     string  `json:"plan"`          // where the plan has the user: restore.csv:3
	Now      string  `json:"now,omitempty"` // where the users file has them
	ID       string  `json:"id,omitempty"`  // their user id now
	// MatchedBy is how the user was found: by username, or by email.
	MatchedBy string    `json:"matchedBy,omitempty"`
	Fields    []Checked `json:"fields"`
	Failed    []Step    `json:"failedSteps"` // the script's steps for the user that failed
}

// Differences are the fields compared and found not the same.
func (u *UserCheck) Differences() []Checked {
	var d []Checked
	for _, f := range u.Fields {
		if !f.Same && f.NotCompared == "" {
			d = append(d, f)
		}
	}
	return d
}

// Verification is the outcome of Verify.
type Verification struct {
	Users []UserCheck `json:"users"`
	// OtherSteps are failed steps for users outside the plan: a report
	// whose manager was to be set back.
	OtherSteps []Step `json:"otherFailedSteps"`
	Counts     struct {
		Planned     int `json:"planned"`
		Back        int `json:"backAsPlanned"`
		Differ      int `json:"withDifferences"`
		Missing     int `json:"missing"`
		StepsFailed int `json:"stepsFailed"`
		// Others are the users JumpCloud holds that the plan does not.
		Others int `json:"otherUsers"`
	} `json:"summary"`
	Notes []Message `json:"-"`
}

// AllBack reports whether every planned user is back as planned and no
// step failed.
func (v *Verification) AllBack() bool {
	return v.Counts.Back == v.Counts.Planned && v.Counts.StepsFailed == 0
}

// OtherOrganizationError is a users file of another organization than the
// plan's.
type OtherOrganizationError struct {
	Users, Plan string // the files
	Planned     string // the plan's organization
	Held        []string
}

func (e *OtherOrganizationError) Error() string {
	return fmt.Sprintf("%s holds the users of the organization %s, and %s restores users of %s: export the users of that organization (Set-JCOrganization, then Get-JCUser)",
		e.Users, strings.Join(e.Held, ", "), e.Plan, e.Planned)
}

// CheckOrganization refuses users of which none is of the plan's
// organization, where the plan names one and the users name theirs.
func CheckOrganization(exp *Expected, now *Users) error {
	if exp.Organization == "" {
		return nil
	}
	var held []string
	for _, h := range now.Users {
		switch {
		case h.Organization == "":
		case strings.EqualFold(h.Organization, exp.Organization):
			return nil
		case !slices.Contains(held, h.Organization):
			held = append(held, h.Organization)
		}
	}
	if len(held) == 0 {
		return nil
	}
	slices.Sort(held)
	return &OtherOrganizationError{Users: now.Name, Plan: exp.Name, Planned: exp.Organization, Held: held}
}

// Verify compares each planned user with the users JumpCloud holds now,
// found by username without regard to case and else by email, and adds
// the steps of the restore script that failed.
func Verify(exp *Expected, now *Users, steps []Step) *Verification {
	v := &Verification{Users: make([]UserCheck, 0, len(exp.Users))}
	names, emails, ids := map[string]int{}, map[string]int{}, map[string]int{}
	index := func(m map[string]int, key string, i int) {
		if _, ok := m[key]; !ok && key != "" {
			m[key] = i // the first of a username held twice
		}
	}
	for i, h := range now.Users {
		index(names, strings.ToLower(h.Username), i)
		index(emails, strings.ToLower(h.Email), i)
		index(ids, h.ID, i)
	}
	failed := map[string][]Step{}
	for _, s := range steps {
		if s.Outcome == "failed" {
			failed[strings.ToLower(s.Username)] = append(failed[strings.ToLower(s.Username)], s)
			v.Counts.StepsFailed++
		}
	}
	matched := map[int]bool{}
	for i := range exp.Users {
		p := &exp.Users[i]
		c := UserCheck{Username: p.Username, Email: p.Email, Plan: p.Source, Fields: []Checked{}, Failed: failed[strings.ToLower(p.Username)]}
		delete(failed, strings.ToLower(p.Username))
		if c.Failed == nil {
			c.Failed = []Step{}
		}
		j, ok := names[strings.ToLower(p.Username)]
		c.MatchedBy = "username"
		if !ok && p.Email != "" {
			j, ok = emails[strings.ToLower(p.Email)]
			c.MatchedBy = "email"
		}
		if !ok {
			c.Verdict, c.MatchedBy = Missing, ""
			v.Counts.Missing++
			v.Users = append(v.Users, c)
			continue
		}
		matched[j] = true
		h := &now.Users[j]
		c.Now, c.ID = h.Source, h.ID
		c.Fields = compare(exp, p, h, now, ids)
		c.Verdict = Back
		if len(c.Differences()) > 0 {
			c.Verdict = Differs
			v.Counts.Differ++
		} else {
			v.Counts.Back++
		}
		v.Users = append(v.Users, c)
	}
	for _, s := range steps {
		if _, ok := failed[strings.ToLower(s.Username)]; ok && s.Outcome == "failed" {
			v.OtherSteps = append(v.OtherSteps, s)
		}
	}
	v.Counts.Planned = len(exp.Users)
	v.Counts.Others = len(now.Users) - len(matched)
	v.Notes = append(slices.Clone(exp.Notes), now.Notes...)
	if !exp.Settings {
		v.Notes = append(v.Notes, Notef("%s holds no state or flags (the workbook and the restore script do): they were not compared", exp.Name))
	}
	if slices.ContainsFunc(exp.Users, func(r Record) bool { return len(r.Links) > 0 || len(r.Groups) > 0 }) {
		why := "the restore script's results say whether each was bound"
		if len(steps) == 0 {
			why = "give the restore script's results to see whether each was bound"
		}
		v.Notes = append(v.Notes, Notef("groups, devices and other associations are not in Get-JCUser's output, so they were not compared: %s", why))
	}
	return v
}

// notCompared are the columns verify does not compare: the password is
// never written, and a device binding is no property of the user.
var notCompared uint64 = 1<<ColumnIndex("Password") | 1<<ColumnIndex("SystemID") | 1<<ColumnIndex("Administrator")

// compare lists every field of the plan for p, with h's.
func compare(exp *Expected, p *Record, h *Held, now *Users, ids map[string]int) []Checked {
	var out []Checked
	for i, col := range Columns {
		bit := uint64(1) << i
		planned, held := p.User.Cell(i), h.User.Cell(i)
		// Only a value the plan sets: the import clears nothing, JumpCloud
		// gives new users some (unix_uid), and a CSV written with the
		// restore script leaves the manager to it.
		if exp.Columns&bit == 0 || notCompared&bit != 0 || planned == "" {
			continue
		}
		c := Checked{Field: col, Planned: planned, Now: held}
		switch col {
		case "manager":
			c = compareManager(p, h, now, ids)
		case "Username", "Email", "enable_user_portal_multifactor":
			c.Same = strings.EqualFold(planned, held)
		default:
			c.Same = strings.TrimSpace(planned) == strings.TrimSpace(held)
		}
		if h.lostColumns&bit != 0 {
			c.Same, c.NotCompared = false, "written as "+lostArray+" in "+now.Name
		}
		out = append(out, c)
	}
	if exp.Attributes {
		out = append(out, compareAttributes(p, h, now)...)
	}
	if exp.Settings {
		out = append(out, compareSettings(p, h)...)
	}
	return out
}

// compareManager compares a manager by the user it names: the plan has a
// username (or an id), JumpCloud an id, mapped through the same file.
func compareManager(p *Record, h *Held, now *Users, ids map[string]int) Checked {
	c := Checked{Field: "manager", Planned: p.Manager}
	if h.Manager == "" {
		return c
	}
	j, ok := ids[strings.ToLower(h.Manager)]
	if !ok {
		c.Now = h.Manager
		if IsID(p.Manager) {
			c.Same = strings.EqualFold(p.Manager, h.Manager)
		} else {
			c.NotCompared = fmt.Sprintf("the manager's user id %s is no user in %s", h.Manager, now.Name)
		}
		return c
	}
	m := &now.Users[j]
	c.Now = m.Username
	c.Same = strings.EqualFold(p.Manager, m.Username) || IsID(p.Manager) && strings.EqualFold(p.Manager, m.ID)
	return c
}

// compareAttributes compares custom attributes by name.
func compareAttributes(p *Record, h *Held, now *Users) []Checked {
	var out []Checked
	find := func(list []Attribute, name string) (string, bool) {
		for _, a := range list {
			if strings.EqualFold(a.Name, name) {
				return a.Value, true
			}
		}
		return "", false
	}
	var names []string
	for _, a := range p.Attributes {
		if a.Name != "" && !slices.ContainsFunc(names, func(n string) bool { return strings.EqualFold(n, a.Name) }) {
			names = append(names, a.Name)
		}
	}
	for _, n := range names {
		planned, _ := find(p.Attributes, n)
		held, _ := find(h.Attributes, n)
		c := Checked{Field: "attribute " + n, Planned: planned, Now: held, Same: planned == held}
		if h.lostAttributes {
			c.Same, c.NotCompared = false, "written as "+lostArray+" in "+now.Name
		}
		out = append(out, c)
	}
	return out
}

// compareSettings compares the state, and the flags the script sets.
func compareSettings(p *Record, h *Held) []Checked {
	var out []Checked
	if h.touched&(acctSuspended|acctStaged) != 0 {
		out = append(out, Checked{Field: "state", Planned: state(p.account), Now: state(h.account)})
		out[0].Same = out[0].Planned == out[0].Now
	}
	for i, f := range Flags {
		bit := flagBits[i]
		planned, held := p.account&bit != 0, h.account&bit != 0
		// Only a flag the script sets: a plan that does not is silent on
		// it, and JumpCloud gives new users some (allow_public_key).
		if h.touched&bit == 0 || !planned {
			continue
		}
		out = append(out, Checked{Field: f, Planned: fmt.Sprint(planned), Now: fmt.Sprint(held), Same: planned == held})
	}
	return out
}

// state words the state of the account bits as JumpCloud names it.
func state(account uint16) string {
	switch {
	case account&acctSuspended != 0:
		return "SUSPENDED"
	case account&acctStaged != 0:
		return "STAGED"
	}
	return "ACTIVATED"
}
