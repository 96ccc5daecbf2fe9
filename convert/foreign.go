package convert

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"io"
	"slices"

	"github.com/tidwall/gjson"
)

// Files and objects that are no Directory Insights export, told apart so
// that an admin who gave the wrong file during an incident learns, in one
// line, what it is and what to give instead: the Activity Log's CSV (it has
// no changes), JumpCloud's users (Get-JCUser's output, which verify and
// --exclude-existing take), OCSF records (AWS AppFabric, a SIEM's OCSF
// mapping: no changes either), documents.

// What a file or its objects hold, as File.Foreign words it after the
// file's name.
const (
	activityLogCSV = "is the Activity Log's CSV export, which holds no user attributes (no changes) and cannot rebuild a user: " +
		"export the same events as JSON instead (the Activity Log offers JSON or CSV), or copy each event from its JSON tab"
	usersFile = "holds JumpCloud's users (Get-JCUser), not Directory Insights events: give it to jcrestore verify, or to --exclude-existing"
	ocsfFile  = "holds OCSF records (AWS AppFabric, or a SIEM's OCSF mapping), which keep no changes[] and cannot rebuild a user: " +
		"export the raw Directory Insights events"
	pdfFile = "is a PDF document, not a Directory Insights export"
	oleFile = "is an Office 97-2003 document (Word or Excel), not a Directory Insights export"
)

// foreignObjects are the notices unwrap gives an object of another kind
// than events, with what a file of them holds.
var foreignObjects = map[string]string{
	"not a Directory Insights event: one of JumpCloud's users, as Get-JCUser returns them": usersFile,
	"not a Directory Insights event: an OCSF record":                                       ocsfFile,
}

// foreignObject is unwrap's notice for v, an object without event_type,
// where it is of a kind foreignObjects knows; "" otherwise.
func foreignObject(v gjson.Result) string {
	switch {
	case v.Get("username").Exists() && (v.Get("_id").Exists() || v.Get("email").Exists()):
		return "not a Directory Insights event: one of JumpCloud's users, as Get-JCUser returns them"
	case v.Get("class_uid").Exists() && v.Get("metadata.product").Exists():
		return "not a Directory Insights event: an OCSF record"
	}
	return ""
}

// sniff tells a file that is no export by its beginning: the Activity
// Log's CSV, Get-JCUser | Export-Csv, a PDF, an Office 97-2003 document.
// It returns what the file is (as File.Foreign words it, "" for none
// known) and text, to read from the start.
func sniff(text io.Reader) (io.Reader, string) {
	br := bufio.NewReaderSize(text, 4096)
	head, _ := br.Peek(4096)
	switch {
	case bytes.HasPrefix(head, []byte("%PDF-")):
		return br, pdfFile
	case bytes.HasPrefix(head, []byte{0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1}):
		return br, oleFile
	}
	line, rest, _ := bytes.Cut(head, []byte("\n"))
	if bytes.HasPrefix(line, []byte("#TYPE")) { // Windows PowerShell's Export-Csv
		line, _, _ = bytes.Cut(rest, []byte("\n"))
	}
	if len(line) == 0 || line[0] == '{' || line[0] == '[' {
		return br, ""
	}
	cells, err := csv.NewReader(bytes.NewReader(line)).Read()
	if err != nil || len(cells) < 2 {
		return br, ""
	}
	if slices.Contains(cells, "_id") && slices.Contains(cells, "username") {
		return br, usersFile
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
	if event && time {
		return br, activityLogCSV
	}
	return br, ""
}
