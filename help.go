package main

// The texts of jcrestore's help, one per command, each saying only what
// is true of that command.

// appHelp is what jcrestore --help says under its usage.
const appHelp = `Reads Directory Insights exports offline and writes JumpCloud's bulk-import CSV
for the users they show deleted, or a review workbook to decide on first, and
the restore script that puts back what a CSV cannot carry.
No network, no API key.

QUICK START:
   jcrestore inspect export.json                      what the export holds
   jcrestore convert export.json -o review.xlsx       review: mark Restore, edit
   jcrestore approve review.xlsx --script restore.ps1
   .\restore.ps1 -WhatIf                              in PowerShell, after Connect-JCOnline
   .\restore.ps1                                      import, restore the rest, read back
   jcrestore verify restore-results.json -o verified.xlsx

` + convertExitCodes

const convertExitCodes = `EXIT CODES:
   0  every matched user was written (zero users is success, with a note)
   1  usage: unknown option, bad value, missing file; users of several
      organizations without --org or --split-by-org; nothing written
   2  no usable input: nothing could be read; nothing written
   3  written, but some events could not be read or some users failed
      validation, and were left out (each one reported)
   4  the output could not be written
  70  a fault of jcrestore's own (please report it)
 130  interrupted (Ctrl-C): no output file is left behind`

// convertHelp is the description of jcrestore convert.
const convertHelp = `Reads Directory Insights exports and writes one CSV row per deleted user, ready
for Import-JCUsersFromCSV (JumpCloud's PowerShell module) or, with --template,
shaped to any template header such as the Admin Portal's CSV import. With
-o FILE.xlsx (or --format xlsx) it writes a review workbook instead: mark each
user Restore Yes or No, then turn it into the CSV with jcrestore approve.

INPUT is a file, a directory (the export files directly inside it), a
wildcard pattern such as jc_*.json.gz (expanded by jcrestore when the shell
does not), or - for stdin; no INPUT reads stdin, where a paste ends with
Ctrl-D (Ctrl-Z Enter on Windows). Every container is recognised by its
content: one event pasted from the console's JSON tab, JSON arrays (API,
console and serverless exports), NDJSON, gzip, UTF-8 with or without BOM,
UTF-16 from Windows PowerShell, exporter envelopes, and PowerShell
ConvertTo-Json output cut at its default depth.

Each user's attributes are read from the deletion's changes (the old values),
then from its resource. The latest deletion of a user wins; a user created
again later in the same input is already back and is left out.

A backup made before the deletion is an INPUT too: Backup-JCOrganization's
zip or its folder, Get-JCBackup's JumpCloudUsers_<time>.CSV (its other files
are read from beside it). A user the events name deleted comes back as the
backup holds them (every value, the state and flags, devices with their
rights, groups, direct links), then as the events after the backup changed
them. With --deleted-since-backup users.json (what Get-JCUser returns now),
the backup's users JumpCloud no longer holds come back too, even those
deleted before the export begins. A backup of another organization than the
exports' is refused.

Rows with errors (a missing email, a duplicate username, ...) are left out
and reported; warnings are reported and the row is kept. In the review
workbook rows with errors are kept, marked No.

With --script restore.ps1 it writes the restore script: the whole restore in
one file, for a PowerShell session connected with Connect-JCOnline (module
3.0.0 or newer). It imports the users itself, then sets what a CSV cannot
carry (state, flags, devices with their rights, groups by id, direct
associations, managers), keeps each step's outcome in restore-results.json
beside it as it happens, and reads back what JumpCloud holds for jcrestore
verify. Run it with -WhatIf first. -o restore.csv beside it writes the whole
CSV, for a restore without the script.

EXAMPLES:
   jcrestore convert export.json --script restore.ps1
   jcrestore convert export.json -o restore.csv
   jcrestore convert --since 2024-04-01 --deleted-by admin@example.com jc_*.json.gz > restore.csv
   jcrestore convert exports-folder -o review.xlsx
   jcrestore convert export.json JumpCloud_20261120T101500.zip --deleted-since-backup users.json --script restore.ps1
   pbpaste | jcrestore convert
   jcrestore convert --template portal-template.csv -o restore.csv export.json

` + convertExitCodes

// approveHelp is the description of jcrestore approve.
const approveHelp = `Reads the Users sheet of a review workbook written by jcrestore convert and
writes the import CSV for the rows whose Restore is yes, y, true, 1 or x (in
any case), exactly as convert would write it for those users. Columns are
found by their header names: they may be moved, rows sorted, filtered or
deleted, columns added, and values edited; edited rows are validated again.

With --script restore.ps1 it writes the restore script of those rows, with
what their After import column says (see convert --help).

EXAMPLES:
   jcrestore approve review.xlsx --script restore.ps1
   jcrestore approve review.xlsx -o restore.csv
   jcrestore approve --template portal-template.csv review.xlsx -o restore.csv

EXIT CODES:
   0  every row marked Restore was written (none marked is success, with a note)
   1  usage: unknown option, bad value, missing file; rows of several
      organizations without --org or --split-by-org; nothing written
   2  the workbook could not be read (not a review workbook, no Users
      sheet, a required column deleted); nothing written
   3  written, but some rows failed validation or had a Restore value
      approve does not understand, and were left out (each one reported)
   4  the output could not be written
  70  a fault of jcrestore's own (please report it)
 130  interrupted (Ctrl-C): no output file is left behind`

// inspectHelp is the description of jcrestore inspect.
const inspectHelp = `Reads Directory Insights exports like convert and tells what they hold, for
deciding what to do: the files and how their events are laid out, events by
service and type, the time range, the users deleted (who they are, and how
many have an email, a first and a last name), who deleted them, and the
problems found: unreadable events with their places, PowerShell output cut
at its default depth, events older than Directory Insights keeps. Nothing is
written. INPUT is read as convert reads it. Given a restore script alone, it
prints the script's plan in words, user by user: every step it would take.

EXAMPLES:
   jcrestore inspect export.json
   jcrestore inspect restore.ps1
   jcrestore inspect --json jc_*.json.gz | jq .users_deleted

EXIT CODES:
   0  the inputs were read (the problems found are part of the report)
   1  usage: unknown option, missing file
   2  nothing could be read
   4  the report could not be written
  70  a fault of jcrestore's own (please report it)
 130  interrupted (Ctrl-C)`

// verifyHelp is the description of jcrestore verify.
const verifyHelp = `Verify compares what the restore planned with what JumpCloud holds now, and
says for each planned user: back as planned (everything the plan restores
was compared and is as planned), back with differences (each, planned and
now), back but not checked in full (what the evidence cannot show, and how
to show it), missing, or not restored (the restore script left the account
alone, and why); then the steps of the restore script that failed, by what
they were for. It reads only the files given, offline.

EVIDENCE is the restore script's record, restore-results.json: its plan,
every step's outcome, and what it read back of each restored user (the
account, its devices with their rights, its groups and direct links; after
a run, or with .\restore.ps1 -Check any day after). Or a plan (the restore
script, the reviewed workbook or the restore CSV) with the users as
JumpCloud holds them now, saved in a JumpCloud PowerShell session:

   Get-JCUser | ConvertTo-Json -Depth 6 > users.json

Get-JCUser's output has no devices, groups or links: with it alone they are
not checked. (Get-JCUser | Export-Csv is read too, but it writes addresses,
phone numbers and custom attributes as System.Object[]: those are not
checked.) Each file is recognised by its content. With the record, each
user is the account the script restored; otherwise users are matched by
username, without regard to case, then by email. Values are compared as
JumpCloud stores them: emails without regard to case, a manager by the user
its id names, addresses and phone numbers by type, custom attributes by
name, the state and flags as the workbook and the script plan them (a CSV
holds none), devices by id with their rights, groups and links by id.

EXAMPLES:
   jcrestore verify restore-results.json -o verified.xlsx
   jcrestore verify restore.ps1 users.json
   jcrestore verify review.xlsx users.json
   jcrestore verify --json restore-results.json

EXIT CODES:
   0  every planned user is proven back as planned, in full, and no step
      failed
   1  usage: unknown option, missing file; users of another organization
      than the plan's
   2  the evidence could not be read (neither a plan nor users, cut short,
      a plan without the users or users without a plan); nothing compared
   3  some planned users differ, were not checked in full, are missing or
      were not restored, or a step failed (each one printed)
   4  the workbook could not be written
  70  a fault of jcrestore's own (please report it)
 130  interrupted (Ctrl-C): no output file is left behind`

// didYouMean suggests the name among names closest to what was typed
// ("; did you mean --output?"), when it is close enough to be what was
// meant (a typo: an edit or two); "" if none is. A name of under four
// bytes is too short to tell.
func didYouMean(typed string, names []string) string {
	if n := nearest(typed, names); n != "" {
		return "; did you mean " + n + "?"
	}
	return ""
}

func nearest(typed string, names []string) string {
	if len(typed) < 4 {
		return ""
	}
	best, bestD := "", max(2, len(typed)/4)+1
	for _, n := range names {
		if d := edits(typed, n); d < bestD {
			best, bestD = n, d
		}
	}
	return best
}

// edits is the Levenshtein distance between a and b, in bytes.
func edits(a, b string) int {
	row := make([]int, len(b)+1)
	for j := range row {
		row[j] = j
	}
	for i := 1; i <= len(a); i++ {
		diag := row[0]
		row[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			diag, row[j] = row[j], min(row[j]+1, row[j-1]+1, diag+cost)
		}
	}
	return row[len(b)]
}
