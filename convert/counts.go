package convert

import (
	"cmp"
	"strconv"
	"strings"
)

// Counts tallies the deleted users of a Result, as the summary line,
// inspect and the review workbook's Summary tell them.
type Counts struct {
	Users           int // deleted users found: the records and those left out
	Restore, Errors int // records without and with validation errors (after Validate)

	WithEmail, WithFirstName, WithLastName int // of all deleted users

	LeftOut  []Tally        // why users were left out on purpose, in the order first met
	PerDay   map[string]int // deletions by UTC day, "2006-01-02" ("unknown" without a time)
	PerAdmin map[string]int // deletions by who made them ("unknown" when not said)
}

// Tally is a count with what it counts.
type Tally struct {
	Label string
	N     int
}

// Count tallies the deleted users of res.
func (res *Result) Count() Counts {
	c := Counts{Users: res.Users, PerDay: map[string]int{}, PerAdmin: map[string]int{}}
	deleted := func(r *Record) {
		day := "unknown"
		if !r.DeletedAt.IsZero() {
			day = r.DeletedAt.UTC().Format("2006-01-02")
		}
		c.PerDay[day]++
		c.PerAdmin[cmp.Or(r.DeletedBy, "unknown")]++
		for _, v := range [...]struct {
			n     *int
			value string
		}{{&c.WithEmail, r.Email}, {&c.WithFirstName, r.FirstName}, {&c.WithLastName, r.LastName}} {
			if strings.TrimSpace(v.value) != "" {
				*v.n++
			}
		}
	}
	for i := range res.Records {
		deleted(&res.Records[i])
		if res.Records[i].Invalid() {
			c.Errors++
		} else {
			c.Restore++
		}
	}
	for i := range res.LeftOut {
		deleted(&res.LeftOut[i].Record)
		c.LeftOut = addTally(c.LeftOut, res.LeftOut[i].Reason, 1)
	}
	return c
}

// addTally adds n to the tally labelled label in ts, or appends one.
func addTally(ts []Tally, label string, n int) []Tally {
	for i := range ts {
		if ts[i].Label == label {
			ts[i].N += n
			return ts
		}
	}
	return append(ts, Tally{label, n})
}

// Plural says n things: "1 event", "2 events".
func Plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return Count(n) + " " + many
}

// Count writes n for people: thousands separated by commas (2,374).
func Count(n int) string {
	s := strconv.Itoa(n)
	start := 0
	if n < 0 {
		start = 1
	}
	for i := len(s) - 3; i > start; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
