// Package export writes the files jcrestore writes, and reads back the one
// it reads of its own: the import CSV in the PowerShell layout or shaped to
// a template's header (Layout, WriteCSV), the review workbook
// (WriteWorkbook) and, for approve, its reader (ReadReview).
//
// Every output goes through WriteTo: to a temporary file beside its
// target, private to the user, renamed into place when complete, so that
// a failed or interrupted run never leaves half a file. What export writes
// comes from convert's plan: its Records, and for the workbook the
// Result they were found in. export never sees gjson, and prints nothing:
// what a run says on a terminal is package main's.
package export
