// Package export writes convert.Record values: JumpCloud's import CSV in the
// PowerShell layout or shaped to a template's header, safely to a file or a
// stream.
//
// A Writer takes records one at a time and Close flushes. Output files are
// written beside their target and renamed into place, so a failed run never
// leaves half a file.
package export
