package main

import (
	"github.com/urfave/cli/v2"
)

// commands are jcrestore's commands. They are built per app and not shared
// as package values because urfave/cli mutates them while running (their
// help names grow with every run in one process).
func commands() []*cli.Command {
	return []*cli.Command{convertCommand(), approveCommand(), inspectCommand(), verifyCommand(),
		{Name: "version", Usage: "which jcrestore this is", Action: func(c *cli.Context) error { printVersion(c); return nil }},
		helpCommand()}
}

// helpCommand is urfave/cli's own help command, in its words, but for a
// topic that is no command: that is a usage error, with the nearest
// command.
func helpCommand() *cli.Command {
	return &cli.Command{
		Name:      "help",
		Aliases:   []string{"h"},
		Usage:     "Shows a list of commands or help for one command",
		ArgsUsage: "[command]",
		Action: func(c *cli.Context) error {
			app := c.Lineage()[1] // the context of the program, whose commands the topics are
			topic := c.Args().First()
			switch {
			case topic == "":
				return cli.ShowAppHelp(app)
			case c.App.Command(topic) == nil:
				return fail(exitUsage, "no help topic %q%s (see jcrestore --help)", topic, didYouMean(topic, commandNames(c.App)))
			}
			return cli.ShowCommandHelp(app, topic)
		},
	}
}

// outputFlags are the options convert and approve share, worded for
// each.
func outputFlags(approve bool) []cli.Flag {
	output, formats, strict := "write to `FILE` (created 0600); .xlsx means the review workbook; - or none is stdout", "powershell|xlsx", "write nothing and exit 3 if any event is unreadable or any row invalid"
	if approve {
		output, formats, strict = "write the import CSV to `FILE` (created 0600); - or none is stdout", "powershell", "write nothing and exit 3 if any row marked Restore is invalid"
	}
	return []cli.Flag{
		&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: output},
		&cli.StringFlag{Name: "format", Value: "powershell", Usage: "the output: `" + formats + "`"},
		&cli.StringFlag{Name: "template", Usage: "write a CSV whose header is exactly the first row of `FILE`; columns are matched by name"},
		&cli.BoolFlag{Name: "bom", Usage: "start a --template CSV with a UTF-8 byte order mark"},
		&cli.BoolFlag{Name: "include-invalid", Usage: "also write rows that fail validation (they are always reported)"},
		&cli.BoolFlag{Name: "strict", Usage: strict},
		&cli.BoolFlag{Name: "force", Usage: "replace an existing output file"},
		&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "only warnings and errors: no notes, progress bar or summary"},
		&cli.StringFlag{Name: "org", Usage: "only the users of the organization `ID` (when the input holds several)"},
		&cli.BoolFlag{Name: "split-by-org", Usage: "one output per organization, named from -o with its id (restore-ID.csv)"},
		&cli.StringFlag{Name: "script", Usage: "write the restore script to `FILE` (restore.ps1): it imports the users, then sets what a CSV cannot carry (state, flags, devices, groups, managers); with -o, the CSV too"},
	}
}

// leftAsItWas is what an interrupted convert or approve says of its
// output.
const leftAsItWas = "; an output file is left as it was"

func convertCommand() *cli.Command {
	return &cli.Command{
		Name:        "convert",
		Usage:       "Directory Insights export(s) -> JumpCloud import CSV or review workbook",
		ArgsUsage:   "[INPUT...]",
		Description: convertHelp,
		Flags: append(outputFlags(false),
			&cli.StringSliceFlag{Name: "events", Usage: "event types that produce rows, a comma-separated `LIST` (default: user_delete)"},
			&cli.StringFlag{Name: "since", Usage: "only deletions at or after `TIME` (RFC 3339, or YYYY-MM-DD in UTC)"},
			&cli.StringFlag{Name: "until", Usage: "only deletions before `TIME` (RFC 3339, or YYYY-MM-DD in UTC)"},
			&cli.StringFlag{Name: "deleted-by", Usage: "only deletions initiated by the admin `EMAIL`"},
			&cli.StringFlag{Name: "exclude-existing", Usage: "leave out users whose username or email is taken in `FILE`, the users that exist now: a CSV (the Admin Portal's export, Get-JCUser | Export-Csv) or Get-JCUser | ConvertTo-Json"},
			&cli.StringFlag{Name: "deleted-since-backup", Usage: "with a backup among the inputs, also restore its users JumpCloud no longer holds: `USERS` is what Get-JCUser returns now (Get-JCUser | ConvertTo-Json -Depth 6 > users.json)"},
			&cli.StringSliceFlag{Name: "map", Usage: "read the column ATTR from the gjson PATH of the deletion event (`ATTR=PATH`, repeatable)"},
			&cli.BoolFlag{Name: "allow-partial", Usage: "write what an input that ends in the middle (still downloading, cut when copied) holds before the cut, and exit 3"},
		),
		OnUsageError: usageError,
		Action:       func(c *cli.Context) error { return interrupted(convertAction(c), leftAsItWas) },
	}
}

func approveCommand() *cli.Command {
	return &cli.Command{
		Name:         "approve",
		Usage:        "reviewed workbook -> JumpCloud import CSV of the rows marked Restore",
		ArgsUsage:    "REVIEW.xlsx",
		Description:  approveHelp,
		Flags:        outputFlags(true),
		OnUsageError: usageError,
		Action:       func(c *cli.Context) error { return interrupted(approveAction(c), leftAsItWas) },
	}
}

func inspectCommand() *cli.Command {
	return &cli.Command{
		Name:        "inspect",
		Usage:       "what an export holds: events, deleted users, problems",
		ArgsUsage:   "[INPUT...]",
		Description: inspectHelp,
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "json", Usage: "print one JSON object, for scripts"},
		},
		OnUsageError: usageError,
		Action:       func(c *cli.Context) error { return interrupted(inspectAction(c), "") },
	}
}
