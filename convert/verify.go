package convert

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// verify compares a restore plan with what JumpCloud holds now, user by
// user and field by field, as JumpCloud stores values: emails and
// usernames without regard to case, a manager by the user it names, the
// state and flags as settings, devices with their rights, groups and
// direct associations by id. What the evidence cannot show is said, and
// never counted as back. Nothing here prints.

// Planned is a restore plan read back: from the import CSV, the reviewed
// workbook, the restore script or its record.
type Planned struct {
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

// AllColumns are every data column, for Planned.Columns.
const AllColumns = ^uint64(0)

// Step is one step of the restore script as its record has it: the last
// outcome of that step.
type Step struct {
	Username string `json:"username"`
	ID       string `json:"id,omitempty"` // the account it was made on
	Step     string `json:"step"`
	Target   string `json:"target"`
	Words    string `json:"words"` // what it was for: "add to group Finance (6650...)"
	Outcome  string `json:"outcome"`
	Message  string `json:"error"`
}

// String words a step as verify prints it: "add to group Finance
// (6650...d03): 404: Group not found".
func (s Step) String() string {
	t := cmp.Or(s.Words, strings.TrimSpace(s.Step+" "+s.Target))
	if s.Message != "" {
		t += ": " + s.Message
	}
	return t
}

// Restored is what the restore script's record says of the planned
// users: the account it restored each onto, why it left some alone, the
// steps that failed, and what it read back.
type Restored struct {
	Name string // the record's file
	// Accounts are the ids of the accounts the script imported or took,
	// by the username of the planned user in lower case.
	Accounts map[string]string
	// Skipped says why the script left a planned user alone (the account
	// holding the username is not one it restored), by username in lower
	// case.
	Skipped map[string]string
	// Failed are the steps whose last outcome is a failure.
	Failed []Step
	// Reads are what the script read back, by account id.
	Reads map[string]*ReadBack
}

// ReadBack is what the restore script read back of one account: what
// JumpCloud returned, or why a read failed.
type ReadBack struct {
	// Bindings are the direct associations read, by type; a type absent
	// was not read.
	Bindings map[string][]Binding
	// Groups are the ids of the groups the account is a member of; nil
	// when they were not read.
	Groups []string
	// Failed says, by what was read ("account", "associations system",
	// "groups"), why the read failed.
	Failed map[string]string
}

// Binding is one direct association of an account, as JumpCloud holds it.
type Binding struct {
	Type, ID         string
	Sudo, NoPassword bool
}

// Verdict is what became of one planned user.
type Verdict string

const (
	Back       Verdict = "back as planned"
	Differs    Verdict = "back with differences"
	NotChecked Verdict = "back, not checked in full"
	Missing    Verdict = "missing"
	NotRestore Verdict = "not restored"
)

// Checked is one thing planned for one user, and what is there now: a
// field, or a device, group or direct association.
type Checked struct {
	Field   string `json:"field"`
	Planned string `json:"planned"`
	Now     string `json:"now"`
	Same    bool   `json:"same"`
	// Link says Field is a device, group or direct association: its
	// Planned and Now are words ("bound as a standard user").
	Link bool `json:"link,omitempty"`
	// NotCompared says why it could not be compared; Same is then false
	// and it is no difference.
	NotCompared string `json:"notCompared,omitempty"`
}

// Difference words a difference as verify prints it: `jobTitle (planned
// "Engineer", now "Manager")`, or `device ALICE-MBP (6650...): bound as a
// standard user (planned: as administrator, without password)`.
func (c Checked) Difference() string {
	if c.Link {
		return fmt.Sprintf("%s: %s (planned: %s)", c.Field, c.Now, c.Planned)
	}
	return fmt.Sprintf("%s (planned %s, now %s)", c.Field, quoted(c.Planned), quoted(c.Now))
}

func quoted(v string) string {
	if v == "" {
		return "empty"
	}
	return strconv.Quote(v)
}

// UserCheck is the verdict on one planned user, with everything compared.
type UserCheck struct {
	Username string  `json:"username"`
	Email    string  `json:"email"`
	Verdict  Verdict `json:"verdict"`
	Plan     string  `json:"plan"`          // where the plan has the user: restore.csv:3
	Now      string  `json:"now,omitempty"` // where the evidence has them
	ID       string  `json:"id,omitempty"`  // their user id now
	// MatchedBy is how the user was found: by the account the restore
	// script restored, by username, or by email.
	MatchedBy string    `json:"matchedBy,omitempty"`
	Fields    []Checked `json:"fields"`
	// Unchecked says what of the plan the evidence cannot show, and how
	// to show it.
	Unchecked []string `json:"notChecked"`
	// Why says why the user is missing or was not restored.
	Why    string `json:"why,omitempty"`
	Failed []Step `json:"failedSteps"` // the script's steps for the user that failed
}

// Differences are the things compared and found not the same.
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
		Planned    int `json:"planned"`
		Back       int `json:"backAsPlanned"`
		Differ     int `json:"withDifferences"`
		NotChecked int `json:"notCheckedInFull"`
		Missing    int `json:"missing"`
		NotRestore int `json:"notRestored"`
		// StepsGiven says the evidence holds the script's steps: only
		// then is StepsFailed a count.
		StepsGiven  bool `json:"stepsGiven"`
		StepsFailed int  `json:"stepsFailed"`
		// Others are the users JumpCloud holds that the plan does not.
		Others int `json:"otherUsers"`
	} `json:"summary"`
	Notes []Message `json:"-"`
}

// AllBack reports whether every planned user is proven back as planned,
// in full, and no step failed.
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

// checkOrganization refuses users of which none is of the plan's
// organization, where the plan names one and the users name theirs.
func checkOrganization(plan *Planned, now *Current) error {
	if plan.Organization == "" {
		return nil
	}
	var held []string
	for _, h := range now.Users {
		switch {
		case h.Organization == "":
		case strings.EqualFold(h.Organization, plan.Organization):
			return nil
		case !slices.Contains(held, h.Organization):
			held = append(held, h.Organization)
		}
	}
	if len(held) == 0 {
		return nil
	}
	slices.Sort(held)
	return &OtherOrganizationError{Users: now.Name, Plan: plan.Name, Planned: plan.Organization, Held: held}
}

// runCheck is what verify asks an admin to run to read back what a users
// file cannot show.
const runCheck = `run .\restore.ps1 -Check and give restore-results.json`

// Verify compares each planned user with what JumpCloud holds now: the
// users now (a users file, or the accounts the restore script read back)
// and, where rec is the script's record, the account it restored each
// user onto with its associations and groups as read back, and the steps
// that failed. Without a record, users are found by username and else by
// email. Users of another organization than the plan's are refused.
func Verify(plan *Planned, now *Current, rec *Restored) (*Verification, error) {
	if err := checkOrganization(plan, now); err != nil {
		return nil, err
	}
	v := &Verification{Users: make([]UserCheck, 0, len(plan.Users))}
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
	if rec != nil {
		v.Counts.StepsGiven = true
		for _, s := range rec.Failed {
			failed[strings.ToLower(s.Username)] = append(failed[strings.ToLower(s.Username)], s)
			v.Counts.StepsFailed++
		}
	}
	matched := map[int]bool{}
	for i := range plan.Users {
		p := &plan.Users[i]
		key := strings.ToLower(p.Username)
		c := UserCheck{Username: p.Username, Email: p.Email, Plan: p.Source, Fields: []Checked{}, Unchecked: []string{}, Failed: failed[key]}
		delete(failed, key)
		if c.Failed == nil {
			c.Failed = []Step{}
		}
		j, ok := find(&c, p, now, rec, names, emails, ids)
		if ok {
			matched[j] = true
			h := &now.Users[j]
			c.Now, c.ID = h.Source, h.ID
			c.Fields = compare(plan, p, h, now, ids)
			links, unchecked := compareLinks(plan, p, h, rec)
			c.Fields = append(c.Fields, links...)
			c.Unchecked = append(c.Unchecked, unchecked...)
			for _, f := range c.Fields {
				if f.NotCompared != "" {
					c.Unchecked = append(c.Unchecked, f.Field+": "+f.NotCompared)
				}
			}
			switch {
			case len(c.Differences()) > 0:
				c.Verdict = Differs
			case len(c.Unchecked) > 0:
				c.Verdict = NotChecked
			default:
				c.Verdict = Back
			}
		}
		switch c.Verdict {
		case Back:
			v.Counts.Back++
		case Differs:
			v.Counts.Differ++
		case NotChecked:
			v.Counts.NotChecked++
		case Missing:
			v.Counts.Missing++
		case NotRestore:
			v.Counts.NotRestore++
		}
		v.Users = append(v.Users, c)
	}
	if rec != nil {
		for _, s := range rec.Failed {
			if _, ok := failed[strings.ToLower(s.Username)]; ok {
				v.OtherSteps = append(v.OtherSteps, s)
			}
		}
	}
	v.Counts.Planned = len(plan.Users)
	v.Counts.Others = len(now.Users) - len(matched)
	v.Notes = append(slices.Clone(plan.Notes), now.Notes...)
	if !plan.Settings {
		v.Notes = append(v.Notes, Notef("%s holds no state or flags (the workbook and the restore script do): none was planned, none compared", plan.Name))
	}
	return v, nil
}

// find finds the planned user p in now: the account the restore script
// restored them onto, where its record names one, else by username and
// then by email. Where p is not found, it sets c's verdict and says why.
func find(c *UserCheck, p *Record, now *Current, rec *Restored, names, emails, ids map[string]int) (int, bool) {
	key := strings.ToLower(p.Username)
	if rec != nil {
		if why, ok := rec.Skipped[key]; ok {
			c.Verdict, c.Why = NotRestore, why
			return 0, false
		}
		if id, ok := rec.Accounts[key]; ok {
			c.ID, c.MatchedBy = id, "the account the restore script restored"
			if j, ok := ids[id]; ok {
				return j, true
			}
			if r := rec.Reads[id]; r != nil && r.Failed["account"] != "" {
				c.Verdict, c.Why = NotChecked, "reading the account back failed: "+r.Failed["account"]
				c.Unchecked = append(c.Unchecked, "the account: "+c.Why+" ("+runCheck+")")
				return 0, false
			}
			if now.Name == rec.Name {
				c.Verdict, c.Why = NotChecked, "the restore script did not read the account "+id+" back"
				c.Unchecked = append(c.Unchecked, "the account: "+c.Why+" ("+runCheck+")")
				return 0, false
			}
			c.Verdict, c.Why = Missing, fmt.Sprintf("the account %s the restore script restored is not in %s (deleted since?)", id, now.Name)
			return 0, false
		}
		if now.Name == rec.Name {
			c.Verdict, c.Why = Missing, "the restore script has not restored this user"
			if len(c.Failed) == 0 {
				c.Why += " (no step recorded: run it again)"
			}
			return 0, false
		}
	}
	j, ok := names[key]
	c.MatchedBy = "username"
	if !ok && p.Email != "" {
		j, ok = emails[strings.ToLower(p.Email)]
		c.MatchedBy = "email"
	}
	if !ok {
		c.Verdict, c.MatchedBy, c.Why = Missing, "", fmt.Sprintf("no user in %s has this username or email", now.Name)
	}
	return j, ok
}

// notCompared are the columns compare leaves out: the password is never
// written, and a device binding is no property of the user (compareLinks
// compares it).
var notCompared uint64 = 1<<ColumnIndex("Password") | 1<<ColumnIndex("SystemID") | 1<<ColumnIndex("Administrator")

// compare lists every field of the plan for p, with h's.
func compare(plan *Planned, p *Record, h *CurrentUser, now *Current, ids map[string]int) []Checked {
	var out []Checked
	for i, col := range Columns {
		bit := uint64(1) << i
		planned, held := p.User.Cell(i), h.User.Cell(i)
		// Only a value the plan sets: the import clears nothing, and
		// JumpCloud gives new users some (unix_uid).
		if plan.Columns&bit == 0 || notCompared&bit != 0 || planned == "" {
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
	if plan.Attributes {
		out = append(out, compareAttributes(p, h, now)...)
	}
	if plan.Settings {
		out = append(out, compareSettings(p, h)...)
	}
	return out
}

// compareManager compares a manager by the user it names: the plan has a
// username (or an id), JumpCloud an id, mapped through the same users.
func compareManager(p *Record, h *CurrentUser, now *Current, ids map[string]int) Checked {
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
func compareAttributes(p *Record, h *CurrentUser, now *Current) []Checked {
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

// compareSettings compares the state, the flags the script sets, and
// the settings left to the admin (byHand).
func compareSettings(p *Record, h *CurrentUser) []Checked {
	var out []Checked
	if h.touched&(acctSuspended|acctStaged) != 0 {
		out = append(out, Checked{Field: "state", Planned: state(p.account), Now: state(h.account)})
		out[0].Same = out[0].Planned == out[0].Now
	}
	settings := slices.Clone(Flags)
	bits := slices.Clone(flagBits)
	for _, b := range byHand {
		if b.bit != acctStaged {
			settings, bits = append(settings, b.name), append(bits, b.bit)
		}
	}
	for i, f := range settings {
		bit := bits[i]
		planned, held := p.account&bit != 0, h.account&bit != 0
		// Only a setting the plan sets: a plan that does not is silent on
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

// compareLinks compares every device, group and direct association the
// plan restores for p with what the restore script read back of the
// account h, and says what could not be: groups by name (the read gives
// ids), and everything where no read was made or a read failed.
func compareLinks(plan *Planned, p *Record, h *CurrentUser, rec *Restored) (out []Checked, unchecked []string) {
	links := plannedLinks(p)
	if len(links) == 0 && len(p.Groups) == 0 {
		return nil, nil
	}
	var read *ReadBack
	if rec != nil {
		read = rec.Reads[h.ID]
	}
	if read == nil {
		return nil, []string{fmt.Sprintf("%s: no read back of this account (%s)", linkKinds(links, p.Groups), runCheck)}
	}
	for _, l := range links {
		c := Checked{Field: linkField(l), Planned: linkState(l, true), Link: true}
		what := "associations " + l.Type
		if l.Type == "user_group" {
			what = "groups"
		}
		if why := read.Failed[what]; why != "" {
			c.NotCompared = "reading " + what + " back failed: " + why
			out = append(out, c)
			continue
		}
		if l.Type == "user_group" {
			if read.Groups == nil {
				c.NotCompared = "the groups were not read back (" + runCheck + ")"
			} else {
				c.Same = slices.Contains(read.Groups, strings.ToLower(l.ID))
				c.Now = linkState(l, c.Same)
			}
			out = append(out, c)
			continue
		}
		held, ok := read.Bindings[l.Type]
		if !ok {
			c.NotCompared = "its associations of this type were not read back (" + runCheck + ")"
			out = append(out, c)
			continue
		}
		i := slices.IndexFunc(held, func(b Binding) bool { return strings.EqualFold(b.ID, l.ID) })
		if i < 0 {
			c.Now = linkState(l, false)
		} else {
			b := held[i]
			now := Link{Type: l.Type, Sudo: b.Sudo, NoPassword: b.Sudo && b.NoPassword}
			c.Now = linkState(now, true)
			c.Same = !l.sudoAllowed() || now.Sudo == l.Sudo && now.NoPassword == l.NoPassword
		}
		out = append(out, c)
	}
	for _, g := range p.Groups {
		unchecked = append(unchecked, fmt.Sprintf("group %s: added by name, and JumpCloud's groups are read back by id", g))
	}
	return out, unchecked
}

// linkKinds words what kinds of links and groups by name there are:
// "groups", "devices", "devices, groups and links".
func linkKinds(links []Link, groups []string) string {
	devices, others := false, false
	inGroups := len(groups) > 0
	for _, l := range links {
		switch l.Type {
		case "system":
			devices = true
		case "user_group":
			inGroups = true
		default:
			others = true
		}
	}
	switch {
	case !devices && !others:
		return "groups"
	case devices && !inGroups && !others:
		return "devices"
	}
	return "devices, groups and links"
}

// plannedLinks are the devices, groups and direct associations the plan
// restores for p: its links with an id, and the device of its SystemID
// column (an import CSV's) where the links lack it.
func plannedLinks(p *Record) []Link {
	var out []Link
	for _, l := range p.Links {
		if IsID(l.ID) {
			out = append(out, l)
		}
	}
	return withSystemID(out, p)
}

// linkField names a link for verify: "device ALICE-MBP (6650...)".
func linkField(l Link) string {
	return linkWords[l.Type] + " " + named(l.Name, l.ID)
}

// linkState words whether a link is there and, for a device or device
// group, with which rights.
func linkState(l Link, there bool) string {
	switch {
	case !there && l.Type == "user_group":
		return "missing"
	case !there:
		return "not bound"
	case l.Type == "user_group":
		return "a member"
	case !l.sudoAllowed():
		return "bound"
	}
	return "bound " + rightsWords(l.Sudo, l.NoPassword)
}
