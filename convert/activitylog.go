package convert

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"io"
)

// The Directory Insights Activity Log exports JSON or CSV. Its CSV has a
// column per field shown (by default Timestamp, Event Type, Result,
// Initiated By and Client IP) and no changes: it cannot rebuild a user,
// and is told apart so that the admin learns what to export instead.

// activityLogCSV is what a read says of such a file.
const activityLogCSV = "this is the Activity Log's CSV export, which holds no user attributes (no changes) and cannot rebuild a user: " +
	"export the same events as JSON instead (the Activity Log offers JSON or CSV), or copy each event from its JSON tab"

// isActivityLogCSV reports whether text begins with the header row of
// the Activity Log's CSV export: an Event Type column beside a time.
// It peeks at text, which it returns to read from the start.
func isActivityLogCSV(text io.Reader) (io.Reader, bool) {
	br := bufio.NewReaderSize(text, 4096)
	head, _ := br.Peek(4096)
	line, _, _ := bytes.Cut(head, []byte("\n"))
	if len(line) == 0 || line[0] == '{' || line[0] == '[' {
		return br, false
	}
	cells, err := csv.NewReader(bytes.NewReader(line)).Read()
	if err != nil || len(cells) < 2 {
		return br, false
	}
	var event, time bool
	for _, c := range cells {
		switch Normalize(c) {
		case "eventtype":
			event = true
		case "timestamp", "time", "date":
			time = true
		}
	}
	return br, event && time
}
