package convert

import (
	"io"
	"time"
)

// Input is one export to read, named as messages should name it. Reopen,
// when set, reads it again from the start: a second pass looks there for
// the usernames of managers the first pass could not name.
type Input struct {
	Name   string
	R      io.Reader
	Reopen func() (io.ReadCloser, error)
	Pasted bool // typed or pasted on a terminal
}

// Usable reports whether anything of a Directory Insights export was
// read: an event, or nothing wrong either (an empty array, an empty
// file).
func (s *Stats) Usable() bool {
	return s.Events > 0 || s.Unreadable == 0 && s.NotEvents == 0
}

// Result is what Read found: the users to restore in deletion order, the
// users left out on purpose, and (with Options.Trail) the audit trail,
// oldest first.
type Result struct {
	Stats
	Records []Record
	LeftOut []LeftOut
	Trail   []AuditEntry
	Files   []File
	Backups []*Backup // the backups read with the events (Options.Backups)
}

// Stats counts what Read saw.
type Stats struct {
	Events     int            // Directory Insights events read
	ByType     map[string]int // events read, by event_type
	Unreadable int            // events (or whole inputs) that could not be read
	Empty      int            // inputs with nothing in them (counted in Unreadable too)
	Repeats    int            // events read again (the same id and content), counted once
	NotEvents  int            // JSON objects among the events that are none (no event_type)
	Users      int            // distinct deleted users found
	PSCut      int            // user events that PowerShell cut at its default depth
	PSCutAssoc int            // association_change events that PowerShell cut likewise
	History    int            // values filled from the users' earlier events
	Backed     int            // values filled from a backup (Options.Backups)

	// With Options.Inspect:
	ByService   map[string]map[string]int // events read, by service, then type
	ByOrg       map[string]int            // events read, by organization ("" for none, among several)
	First, Last time.Time                 // the oldest and the newest event
}

// File is what Read found in one input.
type File struct {
	Name       string
	Size       int64    // bytes read, before gzip and the rest were undone
	SHA256     string   // of those bytes, in hex (with Options.Digest)
	Layers     []string // what was undone: gzip, a BOM, UTF-16
	Container  string   // how the events are laid out
	Events     int      // events it holds, those read before in it too
	Repeats    int      // of those, events read before (the same id and content): counted once
	Unreadable int      // events that could not be read
	Empty      bool     // nothing in it (counted as one unreadable)
	// Foreign, where the input holds no event, says what it is instead,
	// after its name: "holds JumpCloud's users (Get-JCUser), not Directory
	// Insights events: give it to ...".
	Foreign string
	// Cut says the input ends in the middle (of an event, an array or
	// gzip data), at Size: it is incomplete, still downloading or cut
	// when copied, and the events after the cut are missing.
	Cut bool
}

// Cut are the inputs that end in the middle.
func (res *Result) Cut() []File {
	var cut []File
	for _, f := range res.Files {
		if f.Cut {
			cut = append(cut, f)
		}
	}
	return cut
}

// LeftOut is a deleted user left out on purpose: Reason is why, one of
// the reasons below, Detail the particulars, if any.
type LeftOut struct {
	Record
	Reason string
	Detail string
}

// Reasons for leaving a user out, in the words the summary counts them by.
const (
	ReasonBack     = "already back"            // created again later: told per user
	ReasonExists   = "taken by a current user" // told per user
	ReasonOtherOrg = "in another organization" // with Options.Org
	ReasonNoOrg    = "of no organization, among several"
	ReasonNoTime   = "deletion time unknown, outside --since/--until"
	ReasonOutside  = "deleted outside --since/--until"
)

// ReasonNotDeletedBy is the reason for leaving out a deletion that
// Options.DeletedBy, the admin, did not make.
func ReasonNotDeletedBy(admin string) string { return "not deleted by " + admin }
