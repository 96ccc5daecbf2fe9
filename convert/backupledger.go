package convert

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"time"
)

// How a ledger restores a user from backups (backup.go reads them). A
// backup's values, flags and attributes are stamped with its date and
// merged by time with the user's events and earlier deletions (ledger.fill):
// what is newer wins, the deletion's own values win over all. Of each
// kind of membership (devices, groups, ...) the newest backup that holds
// that kind gives the user's, at its date, and later association_change
// events change them.

// backedUp is a user of a backup, as a ledger finds them.
type backedUp struct {
	b *Backup
	u *backupUser
}

// maxBackups is how many backups of one user are merged, the newest.
const maxBackups = 16

// addBackups gives each backup to the ledger of its organization: one
// that names none to --org's, or to the one organization the events
// name. A backup of an organization the events do not name, or other
// than --org's, is refused, as is one that names none among events of
// several without --org. One given twice is read once (r.backups are
// those read).
func (r *reader) addBackups() error {
	var named []string
	for org := range r.orgs.ledgers {
		if org != "" {
			named = append(named, strings.ToLower(org))
		}
	}
	slices.Sort(named)
	// Newest first, ties by name: which backup a tie or a name comes from
	// does not hang on the order of the arguments.
	backups := slices.Clone(r.opts.Backups)
	r.backups = slices.Clone(r.opts.Backups)
	slices.SortStableFunc(backups, func(a, b *Backup) int { return cmp.Or(b.Date.Compare(a.Date), cmp.Compare(a.Name, b.Name)) })
	for i, b := range backups {
		if j := slices.IndexFunc(backups[:i], b.same); j >= 0 {
			r.problem(Problem{Kind: Notice, Message: fmt.Sprintf("%s is the backup %s holds (the same date, organization, users and memberships): read once", b.Name, backups[j].Name)})
			r.backups = slices.DeleteFunc(r.backups, func(o *Backup) bool { return o == b })
			continue
		}
		org := b.Org
		switch {
		case org == "" && r.opts.Org != "":
			org = strings.ToLower(r.opts.Org)
		case org == "" && len(named) == 1: // as events that name none
			org = named[0]
		case org == "" && len(named) > 1:
			return &RefusedError{fmt.Sprintf("%s names no organization, and the exports hold several (%s): give --org, the organization it is a backup of", b.Name, strings.Join(named, ", "))}
		case r.opts.Org != "" && !strings.EqualFold(r.opts.Org, org):
			return &RefusedError{fmt.Sprintf("%s is a backup of the organization %s, not of %s (--org): give that organization's backup", b.Name, org, r.opts.Org)}
		case len(named) > 0 && !slices.Contains(named, org):
			return &RefusedError{fmt.Sprintf("%s is a backup of the organization %s; the exports are of %s: give the backup of the organization the users were deleted from", b.Name, org, strings.Join(named, ", "))}
		}
		for o := range r.orgs.ledgers { // as the events spell it
			if strings.EqualFold(o, org) {
				org = o
			}
		}
		r.orgs.of(org).addBackup(b)
	}
	return nil
}

// same reports whether b and o are one backup given twice (a zip and its
// folder): the same maker, date and organization, and the same users,
// values, kinds of membership and memberships. Two backups of one day
// (Get-JCBackup's older names give the day alone), or a folder with part
// of a zip's files, are two.
func (b *Backup) same(o *Backup) bool {
	sameUser := func(u, v backupUser) bool {
		return u.id == v.id && u.username == v.username && u.email == v.email && u.created.Equal(v.created) &&
			(u.sets == nil) == (v.sets == nil) && (u.sets == nil || slices.Equal(u.sets.cols, v.sets.cols) && slices.Equal(u.sets.attrs, v.sets.attrs) &&
			u.sets.attrsSet == v.sets.attrsSet && slices.Equal(u.sets.lost, v.sets.lost))
	}
	sameLinks := func(ms, ns []membership) bool {
		return slices.EqualFunc(ms, ns, func(m, n membership) bool {
			at := m.at.Equal(n.at)
			m.at, n.at = time.Time{}, time.Time{}
			return at && m == n
		})
	}
	return b.By == o.By && b.Date.Equal(o.Date) && b.Org == o.Org && maps.Equal(b.covers, o.covers) &&
		slices.EqualFunc(b.users, o.users, sameUser) && maps.EqualFunc(b.links, o.links, sameLinks)
}

// addBackup keeps the backup b's users, by id and by "u:"+username, and
// their names.
func (l *ledger) addBackup(b *Backup) {
	if l.backed == nil {
		l.backed = map[string][]backedUp{}
	}
	l.backups = append(l.backups, b)
	for i := range b.users {
		u := &b.users[i]
		for _, key := range []string{u.id, "u:" + strings.ToLower(u.username)} {
			if key != "" && key != "u:" {
				l.backed[key] = append(l.backed[key], backedUp{b, u})
			}
		}
		l.names.add(userName{u.id, u.username})
	}
}

// newestBackup is the newest backup of the ledger, or nil.
func (l *ledger) newestBackup() *Backup {
	var newest *Backup
	for _, b := range l.backups {
		if newest == nil || b.Date.After(newest.Date) {
			newest = b
		}
	}
	return newest
}

// backupsOf are the backups of the user of rec, the deletion c, newest
// first: by the user's id. Where the deletion names the user by username
// alone, those of that username made before the deletion whose user was
// not created before the username's latest user_create (an earlier user
// of the name) and whose user id no other deletion names (that user was
// deleted, and the username came back as another); rec takes their user
// id. A backup's user without an id (an empty _id cell, a User file
// without Id) and unresolved by the events (resolveBackupIDs) serves a
// deletion with one when made before it, of no earlier user of the name
// (earlierUser), and when no deletion of another account of the
// username (kept or left out) falls between the backup (its date less
// the zones' slack: it is local time) and this one.
func (l *ledger) backupsOf(rec *Record, c *candidate) []backedUp {
	if rec.Username == "" {
		return slices.Clone(l.backed[rec.FormerID])
	}
	lower := strings.ToLower(rec.Username)
	var createdAt time.Time // the username's latest user_create before the deletion
	if cr, ok := l.created[creationKey{name: lower}]; ok && (rec.DeletedAt.IsZero() || cr.at <= unixNano(rec.DeletedAt)) {
		createdAt = time.Unix(0, cr.at).UTC()
	}
	var found []backedUp
	if rec.FormerID != "" {
		found = slices.Clone(l.backed[rec.FormerID])
		for _, e := range l.backed["u:"+lower] {
			if e.u.id == "" && !l.deletedBetween(lower, rec.FormerID, e, rec.DeletedAt) && !earlierUser(e, createdAt) && (rec.DeletedAt.IsZero() || e.b.Date.Before(rec.DeletedAt)) {
				found = append(found, e)
			}
		}
	} else {
		same := map[string]bool{} // the ids of this very deletion, read twice with and without one
		for _, old := range c.earlier {
			if old.at.Equal(c.at) && old.s.userID != "" {
				same[old.s.userID] = true
			}
		}
		for _, e := range l.backed["u:"+lower] {
			_, deleted := l.gone.at[e.u.id]
			switch {
			case deleted && !same[e.u.id], earlierUser(e, createdAt), e.u.id == "" && l.deletedBetween(lower, "", e, rec.DeletedAt):
			case !rec.DeletedAt.IsZero() && !e.b.Date.Before(rec.DeletedAt):
				rec.Details = append(rec.Details, fmt.Sprintf("the %s holds a user %s, but is dated after the deletion, which names no user id: not used", e.b.source(), rec.Username))
			default:
				found = append(found, e)
			}
		}
	}
	slices.SortStableFunc(found, func(a, b backedUp) int { return b.b.Date.Compare(a.b.Date) })
	if len(found) > maxBackups {
		found = found[:maxBackups]
	}
	if rec.FormerID == "" && len(found) > 0 {
		rec.FormerID = found[0].u.id
		found = slices.DeleteFunc(found, func(e backedUp) bool { return e.u.id != rec.FormerID && e.u.id != "" })
	}
	return found
}

// deletedBetween reports whether a deletion of the username lower, of
// an account other than id ("" for any), falls after the backup of e
// (its date less the zones' slack: local time) and before t: the
// backup's user without an id may be that account.
func (l *ledger) deletedBetween(lower, id string, e backedUp, t time.Time) bool {
	return slices.ContainsFunc(l.gone.byName[lower], func(d stamp) bool {
		return (id == "" || d.value != id) && d.at > unixNano(e.b.Date.Add(-zoneSlack)) && d.at < unixNano(t)
	})
}

// earlierUser reports whether the user of e was created before the
// username's latest user_create, at createdAt (zero for none): an
// earlier user of the name. By the account's own creation time where the
// backup gives it (in UTC), else by the backup's date (local time: an
// offset of hours may blur it; of a backup named by its day alone, the
// day's end).
func earlierUser(e backedUp, createdAt time.Time) bool {
	if createdAt.IsZero() {
		return false
	}
	if !e.u.created.IsZero() {
		return e.u.created.Before(createdAt.Add(-time.Minute)) // the event and the account's own time differ a little
	}
	return e.b.Date.Add(e.b.span).Before(createdAt)
}

// idByName is the user id that held username (in lower case) last
// before t, as the users' events set it (a user renamed since a backup is
// deleted under the new name), or "": never an id a deletion named
// before t, nor one that held the username before its latest user_create
// (the username came back as another account). A zero t is a deletion
// at an unknown time, or made since a backup: the latest (see noteGone).
func (l *ledger) idByName(lower string, t time.Time) string {
	if l.renamed == nil {
		l.renamed = map[string][]stamp{}
		col := uint8(ColumnIndex("Username"))
		for id, h := range l.history {
			for _, st := range h.cols {
				if st.col == col && st.value != "" {
					k := strings.ToLower(st.value)
					l.renamed[k] = append(l.renamed[k], stamp{value: id, at: st.at})
				}
			}
		}
	}
	before := unixNano(t)
	if t.IsZero() {
		before = math.MaxInt64 // of a deletion at an unknown time, or since a backup: the latest
	}
	again := l.created[creationKey{name: lower}].at // the username's latest user_create
	if again > before {
		again = 0 // after this deletion: it says nothing of the ids before it
	}
	id, latest := "", int64(-1)
	for _, st := range l.renamed[lower] {
		if st.at > before || st.at < again {
			continue
		}
		if at, ok := l.gone.at[st.value]; ok && at != 0 && at < before {
			continue
		}
		if st.at > latest || st.at == latest && st.value < id {
			id, latest = st.value, st.at
		}
	}
	return id
}

// goneIDs is what the deletions read name, kept or left out by the
// filters: which account a deletion by username alone, or a backup's
// user without an id, cannot be.
type goneIDs struct {
	// at is, by user id, the earliest deletion's time (Unix nanoseconds;
	// 0 when none says), of every organization: ids are JumpCloud's own.
	at map[string]int64
	// byName is, by username in lower case, each deletion of the
	// ledger's organization, or naming none: the id it names (value; ""
	// for none) and when. Usernames are an organization's own.
	byName map[string][]stamp
}

// noteGone gives each of ledgers what the deletions name (goneIDs),
// where one needs it (it holds a backup, or a deletion by username
// alone): before the users are rebuilt, as rebuilding lets each deletion
// go as its record is made.
func noteGone(ledgers []*ledger) {
	need := false
	for _, l := range ledgers {
		need = need || len(l.backed) > 0
		for k := range l.deleted.kept {
			if need {
				break
			}
			need = strings.HasPrefix(k, "u:")
		}
	}
	if !need {
		return
	}
	each := func(l *ledger, f func(c *candidate)) {
		for _, m := range []map[string]*candidate{l.deleted.kept, l.deleted.outside} {
			for _, c := range m {
				for _, c := range append([]*candidate{c}, c.earlier...) {
					if c.s != nil {
						f(c)
					}
				}
			}
		}
	}
	at := map[string]int64{}
	var none *ledger // of the events that name no organization, among several
	for _, l := range ledgers {
		if l.org == "" {
			none = l
		}
		each(l, func(c *candidate) {
			t := unixNano(c.s.time)
			if old, ok := at[c.s.userID]; c.s.userID != "" && (!ok || old == 0 || t != 0 && t < old) {
				at[c.s.userID] = t
			}
		})
	}
	for _, l := range ledgers {
		byName := map[string][]stamp{}
		name := func(c *candidate) {
			if c.lower != "" {
				byName[c.lower] = append(byName[c.lower], stamp{value: c.s.userID, at: unixNano(c.s.time)})
			}
		}
		each(l, name)
		if none != nil && none != l {
			each(none, name)
		}
		l.gone = goneIDs{at: at, byName: byName}
	}
}

// since is the time after which a user_create of the user of e, deleted
// since the backup, made them back: the backup's date, or where the
// backup gives the account's creation (in UTC) and it is later, just
// after it (the backup's date is local time, and its own user_create
// must not count).
func (e backedUp) since() time.Time {
	made := e.b.Date.Add(e.b.span) // it may have been made until then
	if t := e.u.created.Add(time.Minute); !e.u.created.IsZero() && t.After(made) {
		return t
	}
	return made
}

// backupTime is when the backup's values stand for rec: its date, or,
// for a backup dated after the deletion, the deletion's time. The user
// was in it, so it was made before the deletion: its date, local time
// without a zone, reads as later.
func backupTime(b *Backup, rec *Record) time.Time {
	if !rec.DeletedAt.IsZero() && b.Date.After(rec.DeletedAt) {
		return rec.DeletedAt
	}
	return b.Date
}

// restamped is a copy of h with every value from src, at (Unix
// nanoseconds).
func (h *history) restamped(src uint8, at int64) *history {
	c := &history{cols: slices.Clone(h.cols), attrs: h.attrs, attrsAt: at, attrsSet: h.attrsSet, attrsSrc: src, lost: slices.Clone(h.lost)}
	for i := range c.cols {
		c.cols[i].src, c.cols[i].at = src, at
	}
	return c
}

// backupLinks puts the memberships the backups bs (newest first) hold of
// rec's user under key, the user's as the ledger knows them: of each
// kind, the newest backup's that holds that kind, as of its time, so that
// later events change them. A membership of that kind that events added
// well before the backup (zone slack: its date is local time) and the
// backup does not hold had ended by then: it is removed as of the backup.
func (l *ledger) backupLinks(bs []backedUp, rec *Record, key string) {
	for _, kind := range LinkTypes {
		i := slices.IndexFunc(bs, func(e backedUp) bool { return e.b.covers[kind] })
		if i < 0 {
			continue
		}
		e := bs[i]
		at := backupTime(e.b, rec)
		var held []membership
		for _, k := range []string{e.u.id, "u:" + strings.ToLower(e.u.username)} {
			if k == "" || k == "u:" {
				continue
			}
			for _, m := range e.b.links[k] {
				if m.kind == kind {
					m.at = at
					held = append(held, m)
				}
			}
		}
		for _, k := range []string{key, "u:" + strings.ToLower(rec.Username)} {
			for _, m := range l.assoc[k] {
				if m.kind == kind && m.added && m.at.Before(at.Add(-zoneSlack)) && !slices.ContainsFunc(held, m.same) {
					m.added, m.at = false, at
					l.assoc.put(k, m)
				}
			}
		}
		for _, m := range held {
			l.assoc.put(key, m)
		}
	}
}

// zoneSlack is how far a backup's date, local time read as UTC, may be
// from the time it was made.
const zoneSlack = 14 * time.Hour

// nowOf refuses the users now as the users of b's organization when they
// cannot be: none at all (every user of the backup would be taken for
// deleted), or of another organization.
func nowOf(now *Current, b *Backup) error {
	if len(now.Users) == 0 {
		return &RefusedError{fmt.Sprintf("--deleted-since-backup: %s holds no user, so every user of %s would be restored: give what Get-JCUser returns now (Get-JCUser | ConvertTo-Json -Depth 6 > users.json)", now.Name, b.Name)}
	}
	orgs := map[string]bool{}
	for _, u := range now.Users {
		if u.Organization != "" {
			orgs[u.Organization] = true
		}
	}
	if len(orgs) > 0 && b.Org != "" && !orgs[b.Org] {
		return &RefusedError{fmt.Sprintf("--deleted-since-backup: %s holds the users of %s, and %s is a backup of %s: give the users of the backup's organization",
			now.Name, strings.Join(slices.Sorted(maps.Keys(orgs)), ", "), b.Name, b.Org)}
	}
	return nil
}

// deletedSinceBackup makes a deletion of each user of b whom no user of
// now is (by id; for a user without one, by username or email; another
// account with the username or email leaves the user out in rebuild,
// as Options.Existing holds the users now too) and no deletion of the
// ledger, or of
// apart (the deletions of events that name no organization, kept apart
// among several; by id alone), names; filter may leave them out as it
// would a deletion with no time and no admin. order is the deletions
// read so far, returned with these counted. Call it once the events that
// name no organization have joined their ledger (orgs.place).
func (l *ledger) deletedSinceBackup(b *Backup, now *Current, apart *deletions, order int, filter func(*summary) string) int {
	here := map[string]bool{}
	for _, u := range now.Users {
		for _, k := range []string{"id:" + u.ID, "u:" + strings.ToLower(u.Username), "e:" + strings.ToLower(u.Email)} {
			here[k] = true
		}
	}
	// The users deletions name: by id; by username where they give no
	// id ("u:"), or where they give one ("U:"), for a backup's user
	// without one (whose id cannot say that a deletion naming no
	// organization is theirs).
	// A username names a backup's user only in a deletion after the
	// backup (its date less the zones' slack), or at an unknown time: one
	// before it was of an earlier account of the name.
	named := map[string]bool{}
	after := unixNano(b.Date.Add(-zoneSlack))
	name := func(d *deletions, byName bool) {
		for _, m := range []map[string]*candidate{d.kept, d.outside} {
			for _, c := range m {
				for _, c := range append([]*candidate{c}, c.earlier...) {
					late := unixNano(c.s.time) == 0 || unixNano(c.s.time) > after
					switch {
					case c.s.userID != "":
						named["id:"+c.s.userID] = true
						named["U:"+c.lower] = named["U:"+c.lower] || late
					case byName && late:
						named["u:"+c.lower] = true
						if id := l.idByName(c.lower, c.s.time); id != "" { // renamed since the backup
							named["id:"+id] = true
						}
					}
				}
			}
		}
	}
	name(l.deleted, true)
	if apart != nil {
		name(apart, false) // by id: user ids are JumpCloud's own, whatever the organization
	}
	for i := range b.users {
		u := &b.users[i]
		if r := l.resolved[u]; r != nil {
			u = r // its id by the events
		}
		lower := strings.ToLower(u.username)
		// A current user with the id is the user, not deleted; without an
		// id, one with the username or email is taken for them.
		if here["id:"+u.id] && u.id != "" || u.id == "" && (here["u:"+lower] && u.username != "" || here["e:"+strings.ToLower(u.email)] && u.email != "") ||
			named["id:"+u.id] && u.id != "" || named["u:"+lower] && u.username != "" || named["U:"+lower] && u.id == "" && u.username != "" {
			continue
		}
		order++
		s := &summary{kind: kindDeletion, at: Position{File: u.at}, userID: u.id, gone: &gone{}}
		if u.username != "" {
			s.gone.cells = []cell{{uint8(ColumnIndex("Username")), u.username}}
		}
		// Its time is unknown: among the deletions of its username it is
		// ordered at the account's creation where the backup gives it (in
		// UTC), else at the backup's date, as it was deleted after
		// either.
		l.deleted.addAt(s, filter(s), order, cmp.Or(u.created, b.Date))
		if l.sinceBackup == nil {
			l.sinceBackup = map[*summary]backedUp{}
		}
		l.sinceBackup[s] = backedUp{b, u}
	}
	return order
}

// backupTrail is the audit trail's entry of the backup e of rec's user:
// the values it holds, as of its date.
func (l *ledger) backupTrail(e backedUp, rec *Record) AuditEntry {
	var parts []string
	for _, st := range e.u.sets.cols {
		if int(st.col) < len(Columns) && st.value != "" && Columns[st.col] != "Password" {
			parts = append(parts, Columns[st.col]+" "+st.value)
		}
	}
	for _, a := range e.u.sets.attrs {
		parts = append(parts, "attribute "+a.Name+" "+a.Value)
	}
	links := 0
	for _, key := range []string{e.u.id, "u:" + strings.ToLower(e.u.username)} {
		for _, m := range e.b.links[key] {
			if m.added {
				links++
			}
		}
	}
	changes := "held by the backup (" + strings.Join(parts, ", ") + ")"
	if links > 0 {
		changes += ", with " + Plural(links, "group, device or link", "groups, devices or links")
	}
	return AuditEntry{Time: e.b.Date, Type: "backup", Service: e.b.By, Username: cmp.Or(e.u.username, rec.Username), Changes: changes, Source: e.u.at, Organization: l.org}
}

// tenures are, by username in lower case, the events that gave it to a
// user id or took it away (user_create, a rename by user_update, a
// deletion): who held a username at a backup's date, for the backup's
// users without an id. Kept only where backups are given.
type tenures map[string][]tenure

// tenure is one such event: the user id took the username, or left it,
// at (Unix nanoseconds).
type tenure struct {
	id   string
	at   int64
	took bool
}

func (ts *tenures) add(id, username string, t time.Time, took bool) {
	if id == "" || username == "" || t.IsZero() {
		return
	}
	if *ts == nil {
		*ts = tenures{}
	}
	k := strings.ToLower(username)
	(*ts)[k] = append((*ts)[k], tenure{id: id, at: unixNano(t), took: took})
}

// took notes that the user id took username at t; left, that it left it.
func (ts *tenures) took(id, username string, t time.Time) { ts.add(id, username, t, true) }
func (ts *tenures) left(id, username string, t time.Time) { ts.add(id, username, t, false) }

// merge takes in the tenures of o.
func (ts *tenures) merge(o tenures) {
	for k, es := range o {
		if *ts == nil {
			*ts = tenures{}
		}
		(*ts)[k] = append((*ts)[k], es...)
	}
}

// holder is the user id that held username (lower case) at t, by the
// tenures: an id whose last event of the username at or before t gave it
// to them, or, with none at or before t, whose first after t took it
// away (they held it before); "" when none did, or when more than one
// seem to (the events do not tell).
func (ts tenures) holder(lower string, t time.Time) string {
	at := unixNano(t)
	es := slices.Clone(ts[lower])
	slices.SortStableFunc(es, func(a, b tenure) int { return cmp.Or(cmp.Compare(a.id, b.id), cmp.Compare(a.at, b.at)) })
	holder, holders := "", 0
	for i := 0; i < len(es); {
		j := i
		for j < len(es) && es[j].id == es[i].id {
			j++
		}
		mine := es[i:j]                          // one id's, oldest first
		held := !mine[0].took && mine[0].at > at // left it after t, having held it before
		for _, e := range mine {
			if e.at <= at {
				held = e.took
			}
		}
		if held {
			holder, holders = mine[0].id, holders+1
		}
		i = j
	}
	if holders != 1 {
		return ""
	}
	return holder
}

// resolveBackupIDs gives each user of l's backups who has no id (a
// users file without ids, or an empty _id cell) the id that held the
// username at the backup's date by the events (tenures.holder, with
// those of events that name no organization, none): where none held it
// then, at its date less the zones' slack (a zone ahead of UTC, and a
// deletion that day); the same at its date less and more the slack (and
// the day, for a backup named by its day) where another holds it there;
// never the id of another user of the backup. Where the events do not
// tell, the user stays without one (the guards of backupsOf then hold).
// The backups are not changed: the ledger keeps copies.
func (l *ledger) resolveBackupIDs(none *ledger) {
	ts := l.tenures
	if none != nil && none != l && len(none.tenures) > 0 {
		ts = tenures{}
		ts.merge(l.tenures)
		ts.merge(none.tenures)
	}
	for _, key := range slices.Sorted(maps.Keys(l.backed)) {
		if !strings.HasPrefix(key, "u:") {
			continue
		}
		for i, e := range l.backed[key] {
			if e.u.id != "" {
				continue
			}
			lower := key[2:]
			before := ts.holder(lower, e.b.Date.Add(-zoneSlack))
			id := cmp.Or(ts.holder(lower, e.b.Date), before)
			if id == "" || slices.ContainsFunc(l.backed[id], func(o backedUp) bool { return o.b == e.b }) {
				continue
			}
			if before != "" && before != id {
				continue
			}
			if h := ts.holder(lower, e.b.Date.Add(e.b.span+zoneSlack)); h != "" && h != id {
				continue
			}
			u := *e.u
			u.id = id
			if l.resolved == nil {
				l.resolved = map[*backupUser]*backupUser{}
			}
			l.resolved[e.u] = &u
			l.backed[key][i] = backedUp{e.b, &u}
			l.backed[id] = append(l.backed[id], backedUp{e.b, &u})
		}
	}
}
