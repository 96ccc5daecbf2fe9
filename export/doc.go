// Package export writes what convert found, for JumpCloud and for people:
// the import CSV in the PowerShell layout or shaped to a template's header
// (WriteCSV), the review workbook (WriteWorkbook) and its reader for
// approve (ReadReview), inspect's report, and the messages on stderr with
// the progress line (Reporter).
//
// Output files are written through WriteTo: to a temporary file beside
// their target, renamed into place when complete, so that a failed or
// interrupted run never leaves half a file. export never sees gjson: what
// it takes is convert's Record and Result.
package export
