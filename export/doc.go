// Package export writes the files jcrestore writes, and reads back those
// of its own it is given again: the import CSV in the PowerShell layout or
// shaped to a template's header (Layout, WriteCSV), the review workbook
// (WriteWorkbook) and its reader for approve (ReadReview), the restore
// script (WriteScript, its code in restore.ps1, and ReadScript), the
// script's record (ReadResults), the plans verify reads back
// (ReadScriptPlan, ReadWorkbookPlan, ReadCSVPlan) and the verification
// workbook (WriteVerified).
//
// Every output goes through WriteTo: to a temporary file beside its
// target, private to the user, renamed into place when complete, so that
// a failed or interrupted run never leaves half a file. What export writes
// comes from convert's plan: its Records, and for the workbook the
// Result they were found in. export never sees gjson, and prints nothing:
// what a run says on a terminal is package main's.
package export
