// Package convert turns Directory Insights export bytes into the users to
// restore, and decides how they are restored.
//
// Read takes every container an admin is likely to hold (one pasted event,
// arrays, NDJSON, gzip, UTF-16 from Windows PowerShell, exporter envelopes,
// PowerShell ConvertTo-Json output cut at its default depth), splits the
// stream into events without parsing it whole (package jsonstream), and
// rebuilds one Record per deleted user, organization by organization.
// NewPlan then makes the Plan of a run: which users of which organization
// are written, with which rows, findings and managers; Validate holds
// JumpCloud's import rules. Inspect tells what a read found.
//
// The package never prints and never writes files: what it finds is
// returned as values (Problem while reading, Issue on a record, Message
// for the rest), for package main to print and package export to write.
package convert
