package convert

import (
	"cmp"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
)

// deletions are the deleted users a read found: the latest deletion of each
// user, with the earlier ones, apart as the filters kept them or left them
// out.
type deletions struct {
	kept    map[string]*candidate // by user
	outside map[string]*candidate // by user
}

// candidate is the latest deletion of one user so far.
type candidate struct {
	s        *summary  // the deletion
	at       time.Time // when the user was deleted
	username string
	lower    string // the username in lower case, to sort by
	order    int
	earlier  []*candidate
	reason   string // why the filters left it out
}

func newDeletions() *deletions {
	return &deletions{kept: map[string]*candidate{}, outside: map[string]*candidate{}}
}

// add takes a deletion, the order-th of the read; reason is why the
// filters leave it out, or "".
func (d *deletions) add(s *summary, reason string, order int) { d.addAt(s, reason, order, s.time) }

// addAt is add of a deletion ordered among a user's as if at at.
func (d *deletions) addAt(s *summary, reason string, order int, at time.Time) {
	name := s.gone.value("Username")
	key := "id:" + s.userID
	switch {
	case s.userID != "":
	case name != "":
		key = "u:" + strings.ToLower(name)
	default:
		key = "event:" + s.at.String() + ":" + s.id
	}
	c := &candidate{s: s, at: at, username: name, lower: strings.ToLower(name), order: order, reason: reason}
	if reason != "" {
		merge(d.outside, key, c)
		return
	}
	merge(d.kept, key, c)
}

// merge takes in the deletions of o, as if they had been added here.
func (d *deletions) merge(o *deletions) {
	for _, pair := range [...][2]map[string]*candidate{{d.kept, o.kept}, {d.outside, o.outside}} {
		for _, key := range slices.Sorted(maps.Keys(pair[1])) {
			merge(pair[0], key, pair[1][key])
		}
	}
}

// users returns the users kept, by deletion time then username, and those
// left out in input order, but for a username also kept. The same name
// deleted twice under two ids is one user.
func (d *deletions) users() (kept, outside []*candidate) {
	kept, outside = byUsername(d.kept), byUsername(d.outside)
	keptNames := make(map[string]bool, len(kept))
	for _, c := range kept {
		keptNames[c.lower] = true
	}
	slices.SortStableFunc(kept, func(a, b *candidate) int {
		return cmp.Or(a.at.Compare(b.at), cmp.Compare(a.lower, b.lower))
	})
	outside = slices.DeleteFunc(outside, func(c *candidate) bool { return c.username != "" && keptNames[c.lower] })
	return kept, outside
}

// after reports whether a is a later deletion than b: by time, and by input
// order where the times are equal or unknown.
func (a *candidate) after(b *candidate) bool {
	if c := a.at.Compare(b.at); c != 0 {
		return c > 0
	}
	return a.order > b.order
}

// merge keeps the latest deletion of a user under key and remembers the
// earlier ones.
func merge(m map[string]*candidate, key string, c *candidate) {
	old, ok := m[key]
	if !ok {
		m[key] = c
		return
	}
	if c.after(old) {
		old, c = c, old
		m[key] = old
	}
	old.earlier = append(append(old.earlier, c), c.earlier...)
	c.earlier = nil
}

// byUsername merges the users of m that share a username (ignoring case),
// and returns them in input order.
func byUsername(m map[string]*candidate) []*candidate {
	merged := make(map[string]*candidate, len(m))
	for _, c := range inOrder(m) {
		key := "c:" + strconv.Itoa(c.order)
		if c.username != "" {
			key = "u:" + c.lower
		}
		merge(merged, key, c)
	}
	return inOrder(merged)
}

// inOrder returns the candidates of m in the order they were read.
func inOrder(m map[string]*candidate) []*candidate {
	cs := slices.Collect(maps.Values(m))
	slices.SortFunc(cs, func(a, b *candidate) int { return cmp.Compare(a.order, b.order) })
	return cs
}

func when(t time.Time) string {
	if t.IsZero() {
		return "at an unknown time"
	}
	return t.Format("2006-01-02 15:04:05Z")
}

// creations are the latest user_create events by username and by email,
// in lower case: a deleted user created again later is already back.
type creations map[creationKey]created

// creationKey is a username, or with email an email, in lower case.
type creationKey struct {
	email bool
	name  string
}

// keys are the keys of a user with the username and email.
func (creations) keys(username, email string) [2]creationKey {
	return [2]creationKey{{name: strings.ToLower(username)}, {email: true, name: strings.ToLower(email)}}
}

// created is when (Unix nanoseconds, 0 when unknown) and where a
// user_create was read; kept small, as there are two for every user
// created.
type created struct {
	at   int64
	file string
	line int
}

// add remembers a user_create; of those at the same time the first read
// stands.
func (cs creations) add(s *summary) {
	c := created{at: unixNano(s.time), file: s.at.File, line: s.at.Line}
	for _, key := range cs.keys(s.sets.value("Username"), s.sets.value("Email")) {
		if key.name != "" && c.at > cs[key].at {
			cs[key] = c
		}
	}
}

// merge takes in the user_create events of o.
func (cs creations) merge(o creations) {
	for key, c := range o {
		if c.at > cs[key].at {
			cs[key] = c
		}
	}
}

// after finds a user_create for the record's username or email after
// since (the deletion, or the backup a user deleted since was in): the
// latest for the username, else for the email; ok is false when there is
// none.
func (cs creations) after(rec *Record, since time.Time) (c created, ok bool) {
	for _, key := range cs.keys(rec.Username, rec.Email) {
		if c := cs[key]; key.name != "" && c.at > unixNano(since) {
			return c, true
		}
	}
	return created{}, false
}
