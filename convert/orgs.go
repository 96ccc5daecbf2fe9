package convert

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// Organizations. Every Directory Insights event names the JumpCloud
// organization it happened in, and a service provider's admin may hold the
// exports of several. A user id, username or email in one says nothing of
// another, so the read keeps a ledger per organization, and one user's
// events are matched within it only. Events that name none belong to the
// organization the others share; where the others name several, they stay
// apart, as an organization of their own with no id, which jcrestore never
// guesses into one.

// ledger is what a read keeps of the users of one organization.
type ledger struct {
	org     string
	deleted *deletions
	history histories    // what user_create and user_update set, by user id
	created creations    // who was created again
	assoc   associations // group and device memberships
	names   names        // usernames by user id
	// reassigned are the user_updates that changed a user's manager away
	// from another: few, kept whole.
	reassigned []reassignment
	// asides are what users had beyond the directory (beyond.go): few.
	asides []*aside
	// backed are the users of the backups given, by id and by
	// "u:"+username (backup.go); sinceBackup the deletions made of those
	// JumpCloud no longer holds, which no event names.
	backed      map[string][]backedUp
	backups     []*Backup
	sinceBackup map[*summary]backedUp
	gone        goneIDs                     // see noteGone
	tenures     tenures                     // who held each username when, where backups are given
	resolved    map[*backupUser]*backupUser // see resolveBackupIDs
	renamed     map[string][]stamp          // see idByName
	trail       []AuditEntry                // of the backups of the users rebuilt
}

// reassignment is a user_update that moved a report away from their
// manager (boss, a user id).
type reassignment struct {
	boss   string
	report userName
	at     time.Time
}

// cascade is how long after (or before) a deletion a report's manager
// changing away from the deleted user counts as the deletion's doing:
// Remove-JCUser -CascadeManager changes them as it deletes.
const cascade = 10 * time.Minute

// reports are the users whose manager was the deleted user rec until the
// deletion changed it, by username (or id where the export gives none).
func (l *ledger) reports(rec *Record) []string {
	var out []string
	for _, re := range l.reassigned {
		if re.boss != rec.FormerID || rec.DeletedAt.IsZero() || re.at.Sub(rec.DeletedAt).Abs() > cascade {
			continue
		}
		name := re.report.name
		if name == "" {
			name = l.names[re.report.id]
		}
		if name = cmp.Or(name, re.report.id); name != "" && !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

func newLedger(org string) *ledger {
	return &ledger{org: org, deleted: newDeletions(), history: histories{}, created: creations{}, assoc: associations{}, names: names{}}
}

// orgs are the ledgers of a read, by organization id ("" for events that
// name none).
type orgs struct {
	ledgers map[string]*ledger
	noOrg   string // the organization events that name none belong to, once placed
}

// of returns the ledger of the organization org, made on first use.
func (o *orgs) of(org string) *ledger {
	l := o.ledgers[org]
	if l == nil {
		if o.ledgers == nil {
			o.ledgers = map[string]*ledger{}
		}
		l = newLedger(strings.Clone(org))
		o.ledgers[l.org] = l
	}
	return l
}

// place gives the events that name no organization to the one the
// others share, when they share one, and returns the ledgers by
// organization id: those events' ledger last, where it stays apart.
func (o *orgs) place() []*ledger {
	none := o.ledgers[""]
	named := slices.DeleteFunc(slices.Sorted(maps.Keys(o.ledgers)), func(org string) bool { return org == "" })
	if none != nil && len(named) == 1 {
		l := o.ledgers[named[0]]
		l.absorb(none)
		delete(o.ledgers, "")
		o.noOrg = l.org
		none = nil
	}
	var ls []*ledger
	for _, org := range named {
		ls = append(ls, o.ledgers[org])
	}
	if none != nil {
		ls = append(ls, none)
	}
	return ls
}

// absorb takes in what o kept: the users of events that named no
// organization, which belong to l's.
func (l *ledger) absorb(o *ledger) {
	l.deleted.merge(o.deleted)
	l.history.merge(o.history)
	l.created.merge(o.created)
	l.assoc.merge(o.assoc)
	l.names.merge(o.names)
	l.reassigned = append(l.reassigned, o.reassigned...)
	l.tenures.merge(o.tenures)
	l.asides = append(l.asides, o.asides...)
	for key, es := range o.backed {
		if l.backed == nil {
			l.backed = map[string][]backedUp{}
		}
		l.backed[key] = append(l.backed[key], es...)
	}
	l.backups = append(l.backups, o.backups...)
	for s, e := range o.sinceBackup {
		if l.sinceBackup == nil {
			l.sinceBackup = map[*summary]backedUp{}
		}
		l.sinceBackup[s] = e
	}
}

// rebuild makes the records of the deleted users of the ledger l: the
// latest deletion of each, gaps filled from the earlier ones and from the
// user's earlier events, their groups and devices, their managers named
// (NewPlan settles them) and placed before the users who report to them;
// and
// leaves out those already back or taken by a current user (existing).
// The values filled from earlier events are counted in stats.
func (o *orgs) rebuild(ctx context.Context, l *ledger, inputs []Input, existing *Existing, stats *Stats) (recs []Record, left []LeftOut, err error) {
	kept, outside := l.deleted.users()
	// Each record is made in its place: a Record is a kilobyte, and a
	// mass deletion has a hundred thousand.
	recs = make([]Record, len(kept))
	n := 0
	for _, c := range kept {
		since := time.Time{} // the deletion's time, or the backup's for one made since it
		if e, ok := l.sinceBackup[c.s]; ok {
			since = e.since()
		}
		rec := &recs[n]
		l.user(rec, c, stats)
		c.s, c.earlier = nil, nil // in rec now: their memory goes as the records come
		rec.Organization = l.org
		if since.IsZero() {
			since = rec.DeletedAt
		}
		if back, ok := l.created.after(rec, since); ok {
			left = append(left, LeftOut{Record: *rec, Reason: ReasonBack, Detail: fmt.Sprintf("created again %s (%s)", when(time.Unix(0, back.at).UTC()), Position{File: back.file, Line: back.line})})
		} else if why := existing.Taken(rec); why != "" {
			left = append(left, LeftOut{Record: *rec, Reason: ReasonExists, Detail: why})
		} else {
			n++
			continue
		}
		*rec = Record{}
	}
	recs = recs[:n]
	for _, c := range outside {
		rec := c.s.record()
		rec.Organization = l.org
		left = append(left, LeftOut{Record: rec, Reason: c.reason})
	}
	// The second look for managers' names takes the events of l's
	// organization, and those that name none where they belong to it.
	mine := func(org string) bool { return org == l.org || org == "" && (l.org == "" || l.org == o.noOrg) }
	if err := l.names.managers(ctx, inputs, recs, mine); err != nil {
		return nil, nil, err
	}
	managersFirst(recs)
	return recs, left, nil
}

// user makes rec the record of the deleted user c: the latest deletion,
// its gaps filled with the newest of what the user's backups, earlier
// events and earlier deletions held, their account settings, groups and
// devices.
func (l *ledger) user(rec *Record, c *candidate, stats *Stats) {
	*rec = c.s.record()
	ac := c.s.gone.account
	if e, ok := l.sinceBackup[c.s]; ok {
		rec.Notes = append(rec.Notes, fmt.Sprintf("restored from the %s alone: JumpCloud no longer holds the user (--deleted-since-backup), and no event confirms when the user was deleted, or by whom", e.b.source()))
	}
	if rec.FormerID == "" && rec.Username != "" { // the id that held the username, by the events
		rec.FormerID = l.idByName(strings.ToLower(rec.Username), rec.DeletedAt)
	}
	bs := l.backupsOf(rec, c) // rec takes the backups' user id where the deletion gives none
	l.fill(rec, &ac, c, bs, stats)
	rec.account = ac.set
	if ac.set&acctMFA != 0 && rec.EnableUserPortalMultifactor == "" {
		rec.EnableUserPortalMultifactor = "True"
		rec.Notes = append(rec.Notes, "had to use MFA at the user portal: the CSV requires it again (enable_user_portal_multifactor); the user enrolls again, within the default 7 days")
	}
	if len(bs) > 0 {
		l.backupLinks(bs, rec, cmp.Or(rec.FormerID, "u:"+strings.ToLower(rec.Username)))
	}
	l.assoc.rebuild(rec)
	for _, e := range bs {
		l.trail = append(l.trail, l.backupTrail(e, rec))
	}
	rec.Beyond = beyond(l.asides, rec)
	if rec.Reports = l.reports(rec); len(rec.Reports) > 0 {
		rec.Notes = append(rec.Notes, fmt.Sprintf("managed %s until the deletion changed their manager: the restore script (--script) makes the user their manager again when run with -RestoreReports, if that is meant",
			strings.Join(rec.Reports, ", ")))
	}
}

// fill fills the gaps of rec, the latest deletion of c, and of its
// account settings ac, with the newest of each among what the backups bs
// (newest first), the user's events and c's earlier deletions held, each
// as of its time; the deletion's own values win. The details say which
// came from where, the notes each earlier deletion, counted in stats.
func (l *ledger) fill(rec *Record, ac *account, c *candidate, bs []backedUp, stats *Stats) {
	h := l.history[rec.FormerID]
	slices.SortStableFunc(c.earlier, func(a, b *candidate) int { return b.at.Compare(a.at) })
	earlier := c.earlier[:min(len(c.earlier), 255-int(fromEarlier))]
	if len(bs) > 0 || len(earlier) > 0 {
		merged := &history{}
		for i := len(bs) - 1; i >= 0; i-- { // the oldest first: newer values win, at a tie too
			merged.take(bs[i].u.sets.restamped(fromBackup+uint8(i), unixNano(backupTime(bs[i].b, rec))), true)
		}
		if h != nil {
			// What events after a backup set wins, the backup at a tie;
			// what they set after the deletion is not the user's.
			merged.take(h.until(rec.DeletedAt), false)
		}
		for i, old := range earlier {
			o := old.s.record()
			merged.take(historyOfRecord(&o, old.s.gone.account, old.at, fromEarlier+uint8(i)), false)
		}
		h = merged
	}
	var filled []string
	if h != nil {
		filled = h.fold(rec, ac)
	}
	by := map[uint8][]string{}
	for _, f := range filled {
		src := h.source(f)
		by[src] = append(by[src], f)
	}
	stats.History += len(by[fromEvents])
	for i, e := range bs {
		f := by[fromBackup+uint8(i)]
		stats.Backed += len(f)
		if len(f) > 0 {
			rec.Details = append(rec.Details, fmt.Sprintf("from the %s (%s): %s", e.b.source(), e.u.at, strings.Join(f, ", ")))
		}
		if !backupTime(e.b, rec).Equal(e.b.Date) {
			rec.Details = append(rec.Details, fmt.Sprintf("the %s (%s) is dated after the deletion (its date has no time zone): read as made just before it", e.b.source(), e.u.at))
		}
	}
	if f := by[fromEvents]; len(f) > 0 {
		rec.Details = append(rec.Details, "from the user's earlier events: "+strings.Join(f, ", "))
	}
	for i, old := range c.earlier {
		o := old.s.record()
		note := "also deleted earlier: " + when(o.DeletedAt) + " (event " + o.EventID + ", " + o.Source + ")"
		if f := by[fromEarlier+uint8(i)]; i < len(earlier) && len(f) > 0 {
			note += "; " + strings.Join(attributesOnce(f), ", ") + " taken from that deletion"
		}
		rec.Notes = append(rec.Notes, note)
	}
}

// attributesOnce is filled with its custom attributes named once, as
// "custom attributes".
func attributesOnce(filled []string) []string {
	var out []string
	for _, f := range filled {
		if strings.HasPrefix(f, "custom attribute ") {
			f = "custom attributes"
		}
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}

// orgOrder orders organizations by id, and "" (none named) last.
func orgOrder(a, b string) int {
	if (a == "") != (b == "") {
		return cmp.Compare(b, a)
	}
	return cmp.Compare(a, b)
}

// Only is the part of res that is about the organization org: its users,
// those left out, its audit trail. The counts of events stay those of
// every input. When all of res is about org, it is res itself.
func (res *Result) Only(org string) *Result {
	other := func(o string) bool { return o != org }
	if !slices.ContainsFunc(res.Records, func(r Record) bool { return other(r.Organization) }) &&
		!slices.ContainsFunc(res.LeftOut, func(l LeftOut) bool { return other(l.Organization) }) &&
		!slices.ContainsFunc(res.Trail, func(a AuditEntry) bool { return other(a.Organization) }) {
		return res
	}
	o := *res
	o.Records = slices.DeleteFunc(slices.Clone(res.Records), func(r Record) bool { return other(r.Organization) })
	o.LeftOut = slices.DeleteFunc(slices.Clone(res.LeftOut), func(l LeftOut) bool { return other(l.Organization) })
	o.Trail = slices.DeleteFunc(slices.Clone(res.Trail), func(a AuditEntry) bool { return other(a.Organization) })
	o.Users = len(o.Records) + len(o.LeftOut)
	return &o
}

// Group is the users of one organization.
type Group struct {
	Org     string
	Records []Record
}

// byOrg groups records by organization, by id and "" (none named) last,
// each in the records' order. Records of one organization stay where they
// are.
func byOrg(recs []Record) []Group {
	at := map[string]int{} // organization -> its group
	var gs []Group
	for i := range recs {
		if _, ok := at[recs[i].Organization]; !ok {
			at[recs[i].Organization] = len(gs)
			gs = append(gs, Group{Org: recs[i].Organization})
		}
	}
	if len(gs) == 1 {
		gs[0].Records = recs
		return gs
	}
	for i := range recs {
		g := &gs[at[recs[i].Organization]]
		g.Records = append(g.Records, recs[i])
	}
	slices.SortFunc(gs, func(a, b Group) int { return orgOrder(a.Org, b.Org) })
	return gs
}
