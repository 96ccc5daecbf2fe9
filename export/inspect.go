package export

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/jcrestore/jcrestore/convert"
)

// WriteInspection prints an inspection for a person.
func WriteInspection(w io.Writer, in *convert.Inspection) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	p := func(format string, args ...any) { fmt.Fprintf(tw, format+"\n", args...) }
	p("Files:")
	for _, f := range in.Files {
		p("  %s\t%s, %s\t%s%s", f.Name, strings.Join(f.Encoding, ", "), f.Container, convert.Plural(f.Events, "event", "events"), unreadable(f.Unreadable))
	}
	p("")
	p("Events: %d%s", in.Events, unreadable(in.Unreadable))
	for _, service := range slices.Sorted(maps.Keys(in.ByService)) {
		types := in.ByService[service]
		for _, typ := range slices.Sorted(maps.Keys(types)) {
			p("  %s\t%s\t%d", cmp.Or(service, "(no service)"), typ, types[typ])
		}
	}
	if in.First != nil {
		p("From %s to %s", in.First.Format(time.RFC3339), in.Last.Format(time.RFC3339))
	}
	p("")
	u := in.UsersDeleted
	p("Users deleted: %d (with an email %d, a first name %d, a last name %d)", u.Total, u.WithEmail, u.WithFirstName, u.WithLastName)
	for _, why := range slices.Sorted(maps.Keys(u.LeftOut)) {
		p("  left out, %s: %d", why, u.LeftOut[why])
	}
	if len(in.Organizations) > 0 {
		p("Organizations:")
		for _, o := range in.Organizations {
			p("  %s\t%s\t%s", OrgName(o.ID), convert.Plural(o.Events, "event", "events"), convert.Plural(o.UsersDeleted, "user deleted", "users deleted"))
		}
		if len(in.Organizations) > 1 {
			p("  a CSV holds the users of one organization: convert with --org ID, or --split-by-org")
		}
	}
	if len(in.DeletedBy) > 0 {
		p("Deleted by:")
		for _, by := range slices.Sorted(maps.Keys(in.DeletedBy)) {
			p("  %s\t%d", by, in.DeletedBy[by])
		}
	}
	p("")
	if len(in.Problems) == 0 {
		p("No problems found.")
	} else {
		p("Problems:")
		for _, pr := range in.Problems {
			place := ""
			if pr.Place != "" {
				place = pr.Place + ": "
			}
			note := ""
			if pr.Kind == "note" {
				note = "note: "
			}
			p("  %s%s%s", place, note, pr.Message)
		}
	}
	return tw.Flush()
}

// WriteInspectionJSON prints an inspection as one JSON object, for
// scripts.
func WriteInspectionJSON(w io.Writer, in *convert.Inspection) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(in)
}

// unreadable is " (N unreadable)", or "" for none.
func unreadable(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf(" (%d unreadable)", n)
}
