// Package convert turns Directory Insights export bytes into the users to
// restore, and decides how they are restored.
//
// Read takes every container an admin is likely to hold (one pasted event,
// arrays, NDJSON, gzip, UTF-16 from Windows PowerShell, exporter envelopes,
// PowerShell ConvertTo-Json output cut at its default depth), splits the
// stream into events without parsing it whole (package jsonstream), and
// rebuilds one Record per deleted user, organization by organization.
// NewPlan then makes the Plan of a run: which users of which organization
// are written, with which rows, findings and managers, and what the
// restore script sets after the import (Restore, Action); Validate holds
// JumpCloud's import rules. Inspect tells what a read found. After the
// restore, Verify compares a plan read back (Planned) with the users
// JumpCloud holds (ReadCurrent) and what the restore script read back
// (Restored).
//
// A new shape of input goes in one of four places: a byte wrapping in
// jsonstream/decode.go, a layout of values in jsonstream/split.go, an
// envelope around an event in unwrap (event.go), a refusal of a file that
// is no export beside isActivityLogCSV (activitylog.go).
//
// The package never prints and never writes files: what it finds is
// returned as values (Problem while reading, Issue on a record, Message
// for the rest), for package main to print and package export to write.
package convert
