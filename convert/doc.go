// Package convert turns Directory Insights export bytes into user records.
//
// It reads every container an admin is likely to hold (one pasted event,
// arrays, NDJSON, gzip, UTF-16 from Windows PowerShell, exporter envelopes,
// PowerShell ConvertTo-Json output cut at its default depth), splits the
// stream into events without parsing it whole, rebuilds one Record per deleted
// user and validates the records against JumpCloud's import rules.
//
// The package never prints and never writes files: problems are returned as
// values (or handed to a callback while reading), and the Record type is all
// that package export sees.
package convert
