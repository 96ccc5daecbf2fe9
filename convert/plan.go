package convert

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// A Plan is what a run restores: for each output, the users of one
// organization, the rows to write and what was found of each, managers
// settled. The import CSV and the review workbook are views of it, and
// decide nothing of their own; so are the files that come after the
// import (the restore script, verify's comparison).
type Plan struct {
	Outputs []Output
	// Invalid counts the users with errors, in every output.
	Invalid int
	// Notes tell which users planning left out, and why.
	Notes []Message
}

// Output is one output of a plan: one organization's users.
type Output struct {
	Org string // "" when the events name none
	// Users are every user of Org to restore, validated, their managers
	// settled, managers before the users who report to them.
	Users []Record
	// Rows are the users to write: Users without those with errors,
	// unless PlanOptions.IncludeInvalid; for the review workbook, all.
	// Where they differ, Rows is a copy: Users stays whole. They are the
	// same with the restore script or without it: an import of the CSV
	// alone restores what a CSV can.
	Rows []Record
	// Script is, with PlanOptions.Script, the restore script's part of
	// each of Rows, in their order.
	Script []Restore
	// Result is the part of the read about Org, for the review workbook:
	// its users left out, its audit trail.
	Result *Result
}

// Restore is one user of the restore script: the row it imports, and what
// it sets once the import created them.
type Restore struct {
	// Row is the user's row of the CSV without what the script makes by
	// id once every user exists: the manager, the groups with an id, the
	// device. The importer then never fails a row for a manager it cannot
	// find, nor adds a group by a name two groups share.
	Row   Record
	After AfterImport
}

// PlanOptions are what shapes a plan besides the users.
type PlanOptions struct {
	// Review plans the review workbook: every user a row, those with
	// errors marked No, managers as the export has them. Otherwise the
	// plan is of the import CSV.
	Review bool
	// Importer says the CSV is read by Import-JCUsersFromCSV (the
	// PowerShell layout, or a template that matches it): its rules apply.
	Importer bool
	// IncludeInvalid writes the users with errors too.
	IncludeInvalid bool
	// Org keeps the users of this organization only; Split makes one
	// output of each organization. Without either, users of several
	// organizations are refused: one import would create them all in one.
	Org   string
	Split bool
	// NotWritten are users whom the records may name as manager and who
	// are not written, by lower-case username, with why: the rows of a
	// review not marked Restore.
	NotWritten map[string]string
	// Existing are the users there are now (--exclude-existing): a
	// manager neither restored nor among them would not be found.
	Existing *Existing
	// Script plans the restore script beside the CSV: it imports the
	// users itself, then makes what the CSV cannot carry (managers,
	// devices, groups by id, state and flags).
	Script bool
}

// MixedOrgsError refuses to plan users of several organizations into one
// output.
type MixedOrgsError struct{ Groups []Group }

func (e *MixedOrgsError) Error() string {
	return fmt.Sprintf("the users to restore are of %d organizations, and one import would create them all in one", len(e.Groups))
}

// NewPlan plans the restore of the users res found. Where an output's
// users are all of res's records (one organization), it validates them
// and puts managers first in place; the rows it leaves out are left out
// of copies, so that res keeps every user.
func NewPlan(res *Result, o PlanOptions) (*Plan, error) {
	p := &Plan{}
	recs := res.Records
	if o.Org != "" {
		kept := slices.DeleteFunc(slices.Clone(recs), func(r Record) bool { return r.Organization != o.Org })
		if n := len(recs) - len(kept); n > 0 {
			p.Notes = append(p.Notes, Notef("%s of other organizations left out (--org %s)", Plural(n, "user", "users"), o.Org))
		}
		recs = kept
	}
	groups := byOrg(recs)
	if len(groups) > 1 && !o.Split {
		return nil, &MixedOrgsError{Groups: groups}
	}
	if len(groups) == 0 || len(groups) == 1 && (!o.Split || groups[0].Org == "") {
		org := o.Org
		if len(groups) == 1 {
			org = groups[0].Org
		}
		p.Outputs = []Output{{Org: org, Users: recs}}
	} else {
		for _, g := range groups {
			if g.Org == "" {
				p.Notes = append(p.Notes, Notef("%s events name no organization, while the others name several: left out", Plural(len(g.Records), "deleted user's", "deleted users'")))
				continue
			}
			p.Outputs = append(p.Outputs, Output{Org: g.Org, Users: g.Records})
		}
	}
	for i := range p.Outputs {
		p.Invalid += p.Outputs[i].plan(res, o)
	}
	return p, nil
}

// plan validates the users of out, settles their managers and chooses
// the rows to write; it returns how many users have errors.
func (out *Output) plan(res *Result, o PlanOptions) (invalid int) {
	part := *res
	if out.Org != "" {
		part = *res.Only(out.Org)
	}
	part.Records, out.Result = out.Users, &part
	leftOutManagers(out.Users, part.LeftOut)
	// Read placed managers first; a reviewer may have sorted the rows
	// since.
	managersFirst(out.Users)
	if o.Review {
		Validate(out.Users, Rules{Importer: true, Formulas: true})
		out.Rows = out.Users
		return 0
	}
	rules := Rules{Importer: o.Importer, Formulas: true, Script: o.Script}
	if o.Script {
		for i := range out.Users {
			out.Users[i].scriptDevices()
		}
	}
	Validate(out.Users, rules)
	gone := maps.Clone(o.NotWritten)
	if gone == nil {
		gone = map[string]string{}
	}
	for i := range out.Users {
		if out.Users[i].Invalid() {
			invalid++
			if !o.IncludeInvalid {
				gone[strings.ToLower(out.Users[i].Username)] = out.Users[i].Name() + " has errors and is not written"
			}
		}
	}
	notWrittenManagers(out.Users, gone, rules)
	var managers map[string]string
	if o.Script {
		managers = scriptManagers(out.Users)
	}
	if rules.Importer {
		unfindableManagers(out.Users, o.Existing, rules)
	}
	out.Rows = out.Users
	if invalid > 0 && !o.IncludeInvalid {
		out.Rows = slices.DeleteFunc(slices.Clone(out.Users), func(r Record) bool { return r.Invalid() })
	}
	if o.Script {
		out.scriptUsers(managers)
	}
	return invalid
}

// scriptManagers are the managers the restore script sets, by the lower
// case username of their report: it sets them once every user exists,
// found by username, so only a user who would manage themselves is lost.
// Call it before unfindableManagers, which empties in the CSV what the
// importer would not find.
func scriptManagers(users []Record) map[string]string {
	m := make(map[string]string, len(users))
	for _, r := range users {
		if r.Manager != "" && !strings.EqualFold(r.Manager, r.Username) {
			m[strings.ToLower(r.Username)] = r.Manager
		}
	}
	return m
}

// scriptUsers plans the restore script's part of each row: the row it
// imports, a copy without what it makes by id, and what it sets after,
// with the manager of managers.
func (out *Output) scriptUsers(managers map[string]string) {
	out.Script = make([]Restore, len(out.Rows))
	for i := range out.Rows {
		r := out.Rows[i]
		a := r.AfterImport()
		a.Manager = managers[strings.ToLower(r.Username)]
		// A device the row binds (a reviewer may have typed it) that the
		// links lack: the script binds it instead.
		a.Links = withSystemID(a.Links, &r)
		byID := map[string]bool{}
		for _, l := range a.Links {
			if l.Type == "user_group" && l.Name != "" {
				byID[l.Name] = true
			}
		}
		r.Groups = slices.DeleteFunc(slices.Clone(r.Groups), func(g string) bool { return byID[g] })
		r.Manager, r.ManagerID, r.SystemID, r.Administrator = "", "", "", ""
		out.Script[i] = Restore{Row: r, After: a}
	}
}

// Unwritten counts the users with errors that are not written.
func (p *Plan) Unwritten() int {
	n := 0
	for _, o := range p.Outputs {
		n += len(o.Users) - len(o.Rows)
	}
	return n
}

// StepsAfter counts the rows written whose state or access the CSV alone
// does not restore as it was: each has a finding that asks for a step
// after the import. With the restore script, it counts the users the
// script has a step for after their import.
func (p *Plan) StepsAfter() int {
	n := 0
	for _, o := range p.Outputs {
		if o.Script != nil {
			for _, s := range o.Script {
				if !s.After.Empty() {
					n++
				}
			}
			continue
		}
		for i := range o.Rows {
			if slices.ContainsFunc(o.Rows[i].Issues, func(is Issue) bool { return is.Asks == AsksAfterImport }) {
				n++
			}
		}
	}
	return n
}
