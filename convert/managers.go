package convert

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/jcrestore/jcrestore/convert/jsonstream"
	"github.com/tidwall/gjson"
)

// names are the usernames of user ids, as events tell them: Directory
// Insights stores a manager as a user id, and the import looks the
// manager up by name.
type names map[string]string

// userName is a user id and its username, from a resource or initiated_by
// object; both are empty when it names no user.
type userName struct{ id, name string }

// userNameOf reads the user a resource or initiated_by object names: its
// username, or its name where it gives no username (see fromResource).
func userNameOf(v gjson.Result) userName {
	if !isUser(v) {
		return userName{}
	}
	name := v.Get("username")
	if !name.Exists() {
		name = v.Get("name")
	}
	return userName{scalar(v.Get("id")), scalar(name)}
}

// add remembers a username for a user id; the first one read stands.
func (ns names) add(n userName) {
	if n.id != "" && n.name != "" {
		if _, ok := ns[n.id]; !ok {
			ns[strings.Clone(n.id)] = strings.Clone(n.name)
		}
	}
}

// merge takes in the usernames of o that ns does not have.
func (ns names) merge(o names) {
	for id, name := range o {
		if _, ok := ns[id]; !ok {
			ns[id] = name
		}
	}
}

// associated remembers the username an association_change gives its
// user: it stands over the others.
func (ns names) associated(c assocChange) {
	if c.userID != "" && c.userName != "" {
		ns[strings.Clone(c.userID)] = strings.Clone(c.userName)
	}
}

// managers turns the manager of each record from a user id into that
// user's username: from the events read, and for ids still unknown from a
// second look at the inputs that can be read again, at only the events
// that hold one of those ids and are of an organization mine accepts.
func (ns names) managers(ctx context.Context, inputs []Input, recs []Record, mine func(org string) bool) error {
	unknown := map[string]bool{}
	for _, rec := range recs {
		if _, ok := ns[rec.Manager]; IsID(rec.Manager) && !ok {
			unknown[rec.Manager] = true
		}
	}
	if len(unknown) > 0 {
		for _, in := range inputs {
			if in.Reopen == nil {
				continue
			}
			if err := ns.look(ctx, in, unknown, mine); err != nil {
				return err
			}
		}
	}
	ids := map[string]string{} // username in lower case -> user id
	for id, name := range ns {
		ids[strings.ToLower(name)] = id
	}
	for i := range recs {
		r := &recs[i]
		switch name, ok := ns[r.Manager]; {
		case ok && IsID(r.Manager):
			r.Details = append(r.Details, fmt.Sprintf("manager %s is the user id of %s", r.Manager, name))
			r.ManagerID, r.Manager = r.Manager, name
		case IsID(r.Manager):
			r.ManagerID = r.Manager
		case r.Manager != "":
			r.ManagerID = ids[strings.ToLower(r.Manager)]
		}
	}
	return nil
}

// leftOutManagers empties the manager of each record who is a deleted user
// this output does not restore, because a filter left them out: the
// importer would not create the record's user (importer-behaviour.md
// 1.5). A deleted user who is back, or whose username or email a current
// user has, exists: the link stays.
func leftOutManagers(recs []Record, leftOut []LeftOut) {
	gone := map[string]string{}
	for _, l := range leftOut {
		if l.Reason == ReasonBack || l.Reason == ReasonExists {
			continue
		}
		why := fmt.Sprintf("%s was deleted and is left out of this output (%s)", l.Name(), l.Reason)
		if l.FormerID != "" {
			gone[l.FormerID] = why
		}
		if l.Username != "" {
			gone[strings.ToLower(l.Username)] = why
		}
	}
	for i := range recs {
		r := &recs[i]
		if r.Manager == "" {
			continue
		}
		why, ok := gone[strings.ToLower(r.Manager)]
		if !ok && r.ManagerID != "" {
			why, ok = gone[r.ManagerID]
		}
		if ok {
			r.Manager, r.ManagerID, r.ManagerGone = "", "", why
		}
	}
}

// notWrittenManagers settles the manager of each record written to a CSV: one that
// is not written, though the input showed them deleted too, will not exist
// when the record's user is created, and is left empty with a warning
// (notWritten holds such users, by username in lower case, with why). For
// a layout other than Import-JCUsersFromCSV's (rules.Importer false) the
// manager is written as the user id the import needs, where the export
// gives it; a manager restored by the same file has no id yet, and is left
// empty with a warning too. Call it after Validate: it adds its warnings.
func notWrittenManagers(rows []Record, notWritten map[string]string, rules Rules) {
	written := make(map[string]bool, len(rows))
	for i := range rows {
		written[strings.ToLower(rows[i].Username)] = true
	}
	for i := range rows {
		r := &rows[i]
		lower := strings.ToLower(r.Manager)
		switch why, gone := notWritten[lower]; {
		case r.Manager == "":
			continue
		case gone:
			r.ManagerGone = why
		case rules.Importer:
			continue
		case written[lower]:
			r.ManagerGone = r.Manager + " is restored by this file, and the import needs the manager's new user id"
		case r.ManagerID != "":
			r.Details = append(r.Details, fmt.Sprintf("manager %s written as the user id %s, which the import needs", r.Manager, r.ManagerID))
			r.Manager = r.ManagerID
			continue
		case !IsID(r.Manager):
			r.ManagerGone = r.Manager + " has no user id in the export, which the import needs"
		default:
			continue
		}
		r.Manager, r.ManagerID = "", ""
		r.Issues = append(r.Issues, managerGone(r.ManagerGone, rules))
	}
}

// look reads an input again for the usernames of the given user ids.
// Problems were reported on the first pass and are not reported again.
func (ns names) look(ctx context.Context, in Input, ids map[string]bool, mine func(org string) bool) error {
	rc, err := in.Reopen()
	if err != nil {
		return nil // reported on the first pass if it mattered; the ids stay as they are
	}
	defer rc.Close()
	src, _, err := jsonstream.Decode(rc)
	if err != nil {
		return nil
	}
	js := jsonstream.NewReader(src, in.Name, jsonstream.Options{})
	for n := 0; ; n++ {
		if n%1024 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		v, prob, ok := js.Next()
		if !ok {
			return nil
		}
		if prob != nil || !holdsID(v.Raw, ids) {
			continue
		}
		unwrap(gjson.ParseBytes(v.Raw), v.At, 0, func(v gjson.Result, _ Position) {
			if mine(scalar(v.Get("organization"))) {
				ns.add(userNameOf(v.Get("resource")))
				ns.add(userNameOf(v.Get("initiated_by")))
			}
		}, func(Problem) {})
	}
}

// holdsID reports whether raw has one of ids as a quoted string: a linear
// scan of its quotes, so that the second pass stays fast.
func holdsID(raw []byte, ids map[string]bool) bool {
	for i := 0; ; {
		j := bytes.IndexByte(raw[i:], '"')
		if j < 0 {
			return false
		}
		i += j + 1
		if i+25 <= len(raw) && raw[i+24] == '"' && ids[string(raw[i:i+24])] {
			return true
		}
	}
}

// managersFirst orders the records so that a manager who is restored too
// comes before the users who report to them: Import-JCUsersFromCSV looks
// the manager up by name as it creates each user. Otherwise the order
// stays as it is.
func managersFirst(recs []Record) {
	index := make(map[string]int, len(recs))
	for i := range recs {
		index[strings.ToLower(recs[i].Username)] = i
	}
	restored := false // somebody's manager is restored too
	for i := range recs {
		if _, ok := index[strings.ToLower(recs[i].Manager)]; ok {
			restored = true
			break
		}
	}
	if !restored {
		return // keep the order, move nothing
	}
	order := make([]int, 0, len(recs))
	state := make([]byte, len(recs)) // 0 new, 1 being placed, 2 placed
	var place func(i int)
	place = func(i int) {
		if state[i] != 0 {
			return // placed, or a cycle of managers: leave it where it is
		}
		state[i] = 1
		if m, ok := index[strings.ToLower(recs[i].Manager)]; ok && m != i {
			place(m)
		}
		state[i] = 2
		order = append(order, i)
	}
	for i := range recs {
		place(i)
	}
	// Moved in place, a cycle of the permutation at a time, through one
	// record: a copy of them all would be a kilobyte a user.
	for start := range order {
		if order[start] < 0 {
			continue
		}
		held := recs[start]
		to := start
		for from := order[to]; from != start; from = order[to] {
			recs[to] = recs[from]
			order[to], to = -1, from
		}
		recs[to], order[to] = held, -1
	}
}

// looksLikeID matches what Convert-JCUserToID takes for a user id: 24
// letters or digits, in any case (importer-and-followup.md 1c).
var looksLikeID = regexp.MustCompile(`(?i)^[a-z0-9]{24}$`)

// unfindableManagers empties, with a warning, every manager that
// Import-JCUsersFromCSV would look up in vain as it creates the row, and
// so not create the user at all: the user themselves; a manager in a
// cycle of users who manage each other, none created before the others
// (one link of each cycle is emptied, the first in the file); a username
// of 24 letters or digits, which it takes for an id (written as the id
// where the export gives it and the manager is not restored by this
// file); and, where existing lists the users there are now, a manager
// neither restored by this file nor in it. The restore script sets all
// but the first once every user exists (scriptManagers): with it, those
// are notes. Then managers come first again.
func unfindableManagers(rows []Record, existing *Existing, rules Rules) {
	index := make(map[string]int, len(rows))
	for i := range rows {
		index[strings.ToLower(rows[i].Username)] = i
	}
	gone := func(r *Record, why string) {
		is := managerGone(why, rules)
		if rules.Script && !strings.EqualFold(r.Manager, r.Username) {
			is = Issue{Severity: Note, Asks: AsksNothing, Field: "manager", Message: why +
				": left empty in the CSV, as Import-JCUsersFromCSV would not create the user; the restore script sets it once every user exists"}
		}
		r.ManagerGone, r.Manager, r.ManagerID = why, "", ""
		r.Issues = append(r.Issues, is)
	}
	for i := range rows {
		r := &rows[i]
		lower := strings.ToLower(r.Manager)
		m, restored := index[lower]
		switch {
		case r.Manager == "":
		case restored && m == i:
			gone(r, r.Manager+" is the user themselves")
		case restored:
			if cycle := managerCycle(rows, index, i); cycle != "" {
				gone(r, cycle)
			}
		case existing != nil && !IsID(r.Manager) && !existing.usernames[lower]:
			gone(r, fmt.Sprintf("%s is neither restored by this file nor in %s", r.Manager, existing.Name))
		case looksLikeID.MatchString(r.Manager) && !IsID(r.Manager) && IsID(r.ManagerID):
			r.Details = append(r.Details, fmt.Sprintf("manager %s written as the user id %s: Import-JCUsersFromCSV takes 24 letters or digits for an id", r.Manager, r.ManagerID))
			r.Manager = r.ManagerID
		case looksLikeID.MatchString(r.Manager) && !IsID(r.Manager):
			gone(r, r.Manager+" is 24 letters or digits, which Import-JCUsersFromCSV takes for a user id, and the export gives no id")
		}
	}
	managersFirst(rows)
}

// managerCycle says why the manager of rows[i] cannot be found when its
// row is created: i is in a cycle of users who manage each other, and the
// first of the cycle in the file. "" when it is not, or another link of
// the cycle was emptied already.
func managerCycle(rows []Record, index map[string]int, i int) string {
	names := []string{rows[i].Username}
	for j := i; ; {
		m, ok := index[strings.ToLower(rows[j].Manager)]
		switch {
		case !ok || rows[j].Manager == "":
			return ""
		case m == i:
			return fmt.Sprintf("%s manage each other (a cycle)", strings.Join(names, " and "))
		case m < i || slices.Contains(names, rows[m].Username):
			return "" // the cycle is broken at an earlier user, or i leads into it from outside
		}
		names = append(names, rows[m].Username)
		j = m
	}
}
