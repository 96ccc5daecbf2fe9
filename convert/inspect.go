package convert

import (
	"fmt"
	"slices"
	"time"
)

// retention is how long Directory Insights keeps events (90 days; 15 on
// the lowest plan).
const retention = 90 * 24 * time.Hour

// Inspection is what an export holds, as inspect reports it. Its JSON
// form is the output of inspect --json: the names are part of the
// contract.
type Inspection struct {
	Files        []InspectedFile           `json:"files"`
	Backups      []InspectedBackup         `json:"backups,omitempty"`
	Events       int                       `json:"events"`
	Repeats      int                       `json:"repeats"` // events read more than once, counted once
	Unreadable   int                       `json:"unreadable"`
	Empty        int                       `json:"empty_inputs"` // inputs with nothing in them, counted in Unreadable
	ByService    map[string]map[string]int `json:"events_by_service"`
	First        *time.Time                `json:"first_event,omitempty"`
	Last         *time.Time                `json:"last_event,omitempty"`
	UsersDeleted UsersDeleted              `json:"users_deleted"`
	// Organizations are those the events name, by id, and "" last for
	// events that name none while the others name several; empty when no
	// event names one.
	Organizations []InspectedOrg `json:"organizations"`
	DeletedBy     map[string]int `json:"deleted_by"`
	// Admins are who deleted users, the most first: how many, and when
	// the first and the last.
	Admins   []InspectedAdmin   `json:"deleted_by_admin"`
	Problems []InspectedProblem `json:"problems"`
}

// InspectedAdmin is one admin who deleted users.
type InspectedAdmin struct {
	Admin string     `json:"admin"`
	Users int        `json:"users"`
	First *time.Time `json:"first,omitempty"`
	Last  *time.Time `json:"last,omitempty"`
}

// InspectedFile is one input of an Inspection.
type InspectedFile struct {
	Name       string   `json:"name"`
	Encoding   []string `json:"encoding"`
	Container  string   `json:"container"`
	Events     int      `json:"events"`  // the events it holds
	Repeats    int      `json:"repeats"` // of those, read before in an earlier input or this one
	Unreadable int      `json:"unreadable"`
	Empty      bool     `json:"empty"`
	// CutAt, where not 0, is where the file ends in the middle (of an
	// event, an array or gzip data), in bytes: it is incomplete.
	CutAt int64 `json:"cutAt,omitempty"`
}

// InspectedBackup is one backup of an Inspection.
type InspectedBackup struct {
	Name         string    `json:"name"`
	By           string    `json:"by"` // Backup-JCOrganization or Get-JCBackup
	Organization string    `json:"organization,omitempty"`
	Date         time.Time `json:"date"` // as the backup wrote it, without a zone: read as UTC
	Users        int       `json:"users"`
	Memberships  int       `json:"memberships"` // groups, devices and direct links of its users
}

// UsersDeleted counts the deleted users of an Inspection.
type UsersDeleted struct {
	Total         int            `json:"total"`
	WithEmail     int            `json:"with_email"`
	WithFirstName int            `json:"with_first_name"`
	WithLastName  int            `json:"with_last_name"`
	LeftOut       map[string]int `json:"left_out"`
	// Users are the deleted users, the newest deletion first (the
	// mistaken ones are the newest), those left out on purpose with why.
	Users []DeletedUser `json:"users"`
}

// DeletedUser is one deleted user of an Inspection.
type DeletedUser struct {
	Username  string     `json:"username"`
	Email     string     `json:"email"`
	FirstName string     `json:"first_name"`
	LastName  string     `json:"last_name"`
	DeletedAt *time.Time `json:"deleted_at,omitempty"`
	DeletedBy string     `json:"deleted_by,omitempty"`
	Place     string     `json:"place"`
	LeftOut   string     `json:"left_out,omitempty"`
}

func deletedUser(r *Record, leftOut string) DeletedUser {
	u := DeletedUser{Username: r.Username, Email: r.Email, FirstName: r.FirstName, LastName: r.LastName, DeletedBy: r.DeletedBy, Place: r.Source, LeftOut: leftOut}
	if !r.DeletedAt.IsZero() {
		at := r.DeletedAt.UTC()
		u.DeletedAt = &at
	}
	return u
}

// InspectedOrg is one organization of an Inspection.
type InspectedOrg struct {
	ID           string `json:"id"`
	Events       int    `json:"events"`
	UsersDeleted int    `json:"users_deleted"`
}

// InspectedProblem is one problem of an Inspection.
type InspectedProblem struct {
	Kind    string `json:"kind"` // "unreadable" or "note"
	Place   string `json:"place,omitempty"`
	Message string `json:"message"`
}

// maxListed is how many problems an Inspection lists, so that a gigabyte
// of garbage does not become a list as long.
const maxListed = 1000

// Problems gathers what a read reports, for Inspect: its Add is an
// Options.Report.
type Problems struct {
	list     []InspectedProblem
	unlisted int
}

// Add keeps a problem, or counts it once maxListed are kept.
func (ps *Problems) Add(p Problem) {
	if len(ps.list) == maxListed {
		ps.unlisted++
		return
	}
	kind := "unreadable"
	if p.Kind == Notice {
		kind = "note"
	}
	ps.list = append(ps.list, InspectedProblem{Kind: kind, Place: p.Pos.String(), Message: p.Message})
}

// Inspect tells what res holds: ps are the problems its read reported, now
// the time the age of its events is measured at.
func Inspect(res *Result, ps *Problems, now time.Time) *Inspection {
	in := &Inspection{Events: res.Events, Repeats: res.Repeats, Unreadable: res.Unreadable, Empty: res.Empty, ByService: res.ByService, Problems: ps.list}
	if ps.unlisted > 0 {
		in.Problems = append(in.Problems, InspectedProblem{Kind: "note", Message: fmt.Sprintf("%d more problems are not listed", ps.unlisted)})
	}
	if in.ByService == nil {
		in.ByService = map[string]map[string]int{}
	}
	for _, f := range res.Files {
		enc := f.Layers
		if len(enc) == 0 {
			enc = []string{"UTF-8"}
		}
		in.Files = append(in.Files, InspectedFile{Name: f.Name, Encoding: enc, Container: f.Container, Events: f.Events, Repeats: f.Repeats, Unreadable: f.Unreadable, Empty: f.Empty})
		if f.Cut {
			in.Files[len(in.Files)-1].CutAt = max(f.Size, 1)
		}
	}
	for _, b := range res.Backups {
		in.Backups = append(in.Backups, InspectedBackup{Name: b.Name, By: b.By, Organization: b.Org, Date: b.Date, Users: b.Users(), Memberships: b.Memberships()})
	}
	if !res.First.IsZero() {
		first, last := res.First.UTC(), res.Last.UTC()
		in.First, in.Last = &first, &last
		if age := now.Sub(last); age > retention {
			in.Problems = append(in.Problems, InspectedProblem{Kind: "note", Message: fmt.Sprintf(
				"the newest event is %d days old: Directory Insights keeps events for 90 days (15 on the lowest plan), so a new export no longer holds these", int(age.Hours()/24))})
		}
	}
	c := res.Count()
	in.UsersDeleted = UsersDeleted{Total: c.Users, WithEmail: c.WithEmail, WithFirstName: c.WithFirstName, WithLastName: c.WithLastName, LeftOut: map[string]int{}}
	for _, t := range c.LeftOut {
		in.UsersDeleted.LeftOut[t.Label] = t.N
	}
	in.UsersDeleted.Users = make([]DeletedUser, 0, len(res.Records)+len(res.LeftOut))
	for i := range res.Records {
		in.UsersDeleted.Users = append(in.UsersDeleted.Users, deletedUser(&res.Records[i], ""))
	}
	for i := range res.LeftOut {
		in.UsersDeleted.Users = append(in.UsersDeleted.Users, deletedUser(&res.LeftOut[i].Record, res.LeftOut[i].Reason))
	}
	slices.SortStableFunc(in.UsersDeleted.Users, func(a, b DeletedUser) int { return b.at().Compare(a.at()) })
	in.DeletedBy = c.PerAdmin
	in.Admins = inspectAdmins(in.UsersDeleted.Users)
	in.Organizations = inspectOrgs(res)
	return in
}

// at is when u was deleted; the zero time, oldest, when unknown.
func (u DeletedUser) at() time.Time {
	if u.DeletedAt == nil {
		return time.Time{}
	}
	return *u.DeletedAt
}

// inspectAdmins are who deleted users, the most first, each with the
// first and the last deletion.
func inspectAdmins(users []DeletedUser) []InspectedAdmin {
	at := map[string]int{}
	admins := []InspectedAdmin{}
	for _, u := range users {
		if u.DeletedBy == "" {
			continue
		}
		i, ok := at[u.DeletedBy]
		if !ok {
			i = len(admins)
			at[u.DeletedBy] = i
			admins = append(admins, InspectedAdmin{Admin: u.DeletedBy})
		}
		a := &admins[i]
		a.Users++
		if u.DeletedAt != nil {
			if a.First == nil || u.DeletedAt.Before(*a.First) {
				a.First = u.DeletedAt
			}
			if a.Last == nil || u.DeletedAt.After(*a.Last) {
				a.Last = u.DeletedAt
			}
		}
	}
	slices.SortStableFunc(admins, func(a, b InspectedAdmin) int { return b.Users - a.Users })
	return admins
}

// inspectOrgs counts the events and deleted users of each organization.
func inspectOrgs(res *Result) []InspectedOrg {
	orgs := []InspectedOrg{}
	if _, none := res.ByOrg[""]; len(res.ByOrg) == 0 || none && len(res.ByOrg) == 1 {
		return orgs
	}
	users := map[string]int{}
	for i := range res.Records {
		users[res.Records[i].Organization]++
	}
	for i := range res.LeftOut {
		users[res.LeftOut[i].Organization]++
	}
	for org, n := range res.ByOrg {
		orgs = append(orgs, InspectedOrg{ID: org, Events: n, UsersDeleted: users[org]})
	}
	slices.SortFunc(orgs, func(a, b InspectedOrg) int { return orgOrder(a.ID, b.ID) })
	return orgs
}
