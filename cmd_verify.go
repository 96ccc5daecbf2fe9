package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"runtime/debug"
	"strings"

	"github.com/jcrestore/jcrestore/convert"
	"github.com/jcrestore/jcrestore/export"
	"github.com/urfave/cli/v2"
)

func verifyCommand() *cli.Command {
	return &cli.Command{
		Name:        "verify",
		Usage:       "after the restore: is every planned user back as planned?",
		ArgsUsage:   "EVIDENCE...",
		Description: verifyHelp,
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "json", Usage: "print one JSON object, for scripts: every user, every field compared"},
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "also write the verification workbook to `FILE.xlsx` (created 0600), for the auditor"},
			&cli.BoolFlag{Name: "force", Usage: "replace an existing output file"},
			&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "only the users not back as planned and warnings: no notes or summary"},
		},
		OnUsageError: usageError,
		Action:       func(c *cli.Context) error { return interrupted(verifyAction(c), leftAsItWas) },
	}
}

func verifyAction(c *cli.Context) error {
	if c.NArg() == 0 {
		return fail(exitUsage, "verify takes the restore script's results, or a plan and the users as JumpCloud holds them now, e.g. jcrestore verify restore.csv users.json (see jcrestore verify --help)")
	}
	out := c.String("output")
	if out == "-" || out != "" && !strings.EqualFold(fileExt(out), ".xlsx") {
		return fail(exitUsage, "-o %s: verify writes its workbook there; choose a .xlsx name such as verified.xlsx (the text and --json go to stdout)", out)
	}
	if out != "" {
		if in, same := export.SameFile(out, c.Args().Slice()); same {
			return fail(exitUsage, "the output %s is the input %s; choose another file", out, in)
		}
		if err := export.Check(out, c.Bool("force")); err != nil {
			return fail(exitUsage, "%s", err)
		}
	}
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(memoryLimit(c.Args().Slice())))
	rep := newReporter(c.App.ErrWriter, c.Bool("quiet"))
	b := rep.startBusy("verify", nil, 0, "")
	defer b.stop()
	var evidence []*evidence
	for _, path := range c.Args().Slice() {
		b.set("verify: reading " + path)
		e, err := readEvidence(path)
		var pe *fs.PathError
		switch {
		case errors.As(err, &pe):
			return fail(exitUsage, "%s", export.PathError(err))
		case err != nil:
			return fail(exitNoInput, "%s; nothing compared", err)
		}
		evidence = append(evidence, e)
	}
	plan, current, rec, notes, err := assemble(evidence)
	if err != nil {
		return fail(exitNoInput, "%s; nothing compared", err)
	}
	b.set("verify: comparing")
	v, err := convert.Verify(plan, current, rec)
	var other *convert.OtherOrganizationError
	if errors.As(err, &other) {
		return fail(exitUsage, "%s; nothing compared", err)
	}
	if err != nil {
		return err
	}
	v.Notes = append(notes, v.Notes...)
	b.stop()
	for _, n := range v.Notes {
		rep.message(n)
	}
	rep.flush()
	if c.Bool("json") {
		if err := printVerifyJSON(c.App.Writer, v, evidence); err != nil {
			return err
		}
	} else {
		printVerification(c.App.Writer, v, current.Name, c.Bool("quiet"))
	}
	if out != "" {
		w := &export.Verified{Result: v, Evidence: files(evidence), Options: optionsUsed(c), Version: buildVersion(), Made: now().UTC()}
		b := rep.startBusy("writing "+out, nil, 0, "")
		err := writeTo(c, out, c.Bool("force"), func(wr io.Writer) error { return export.WriteVerified(wr, w) })
		b.stop()
		if err != nil {
			return err
		}
		if !rep.quiet {
			rep.line("written to %s", out)
		}
	}
	if !v.AllBack() {
		return &exitError{code: exitPartial}
	}
	return nil
}

// memoryLimit is the soft limit of the Go heap while verify holds the
// files at paths, their plan and users: verify keeps every user of both
// (the users' file is read whole), and without it the collector lets the
// heap grow to twice what is live, 4 to 6 times the inputs. With it, the
// collector works harder instead: measured in testdata/bench/verify.sh.
func memoryLimit(paths []string) int64 {
	var size int64
	for _, p := range paths {
		if fi, err := os.Stat(p); err == nil {
			size += fi.Size()
		}
	}
	return max(size*5/2, 64<<20)
}

// printVerification prints a line for every user not proven back as
// planned, their failed steps under them, and the summary.
func printVerification(w io.Writer, v *convert.Verification, usersFile string, quiet bool) {
	for _, u := range v.Users {
		name := printable(u.Username)
		switch u.Verdict {
		case convert.Missing, convert.NotRestore:
			fmt.Fprintf(w, "%s: %s: %s\n", name, u.Verdict, printable(u.Why))
		case convert.Differs:
			var d []string
			for _, f := range u.Differences() {
				d = append(d, f.Difference())
			}
			by := ""
			if u.MatchedBy == "email" {
				by = " (found by email)"
			}
			fmt.Fprintf(w, "%s: back with differences%s: %s\n", name, by, printable(strings.Join(d, "; ")))
		case convert.NotChecked:
			fmt.Fprintf(w, "%s: back, not checked in full: %s\n", name, printable(strings.Join(u.Unchecked, "; ")))
		default:
			if len(u.Failed) > 0 {
				fmt.Fprintf(w, "%s: back as planned, though steps of the restore script failed\n", name)
			}
		}
		if u.Verdict == convert.Differs && len(u.Unchecked) > 0 {
			fmt.Fprintf(w, "  not checked: %s\n", printable(strings.Join(u.Unchecked, "; ")))
		}
		for _, s := range u.Failed {
			fmt.Fprintf(w, "  step failed: %s\n", printable(s.String()))
		}
	}
	for _, s := range v.OtherSteps {
		fmt.Fprintf(w, "%s: step failed: %s\n", printable(s.Username), printable(s.String()))
	}
	if quiet {
		return
	}
	fmt.Fprintln(w, printable(verifiedLine(v, usersFile)))
}

// verifiedLine is verify's summary: "5 planned users: 2 back as planned,
// 1 with differences, ...; 2 steps failed". Counts of none are left out
// but for the first three; the steps only where the evidence holds them.
func verifiedLine(v *convert.Verification, usersFile string) string {
	n := v.Counts
	parts := []string{convert.Count(n.Back) + " back as planned", convert.Count(n.Differ) + " with differences"}
	if n.NotChecked > 0 {
		parts = append(parts, convert.Count(n.NotChecked)+" back but not checked in full")
	}
	parts = append(parts, convert.Count(n.Missing)+" missing")
	if n.NotRestore > 0 {
		parts = append(parts, convert.Count(n.NotRestore)+" not restored")
	}
	line := convert.Plural(n.Planned, "planned user", "planned users") + ": " + strings.Join(parts, ", ")
	if n.StepsGiven {
		line += "; " + convert.Plural(n.StepsFailed, "step failed", "steps failed")
	}
	if n.Others > 0 {
		line += fmt.Sprintf("; %s in %s", convert.Plural(n.Others, "other user", "other users"), usersFile)
	}
	return line
}

// printVerifyJSON prints the verification as one JSON object, as
// json.Encoder would indent it, a user at a time: the whole of it at
// once would be as large again as everything else verify holds.
func printVerifyJSON(w io.Writer, v *convert.Verification, evidence []*evidence) error {
	type file struct {
		File   string `json:"file"`
		Kind   string `json:"kind"`
		Size   int64  `json:"size"`
		SHA256 string `json:"sha256"`
	}
	list := []file{}
	for _, f := range files(evidence) {
		list = append(list, file{f.Name, f.Kind, f.Size, f.SHA256})
	}
	notes := []string{}
	for _, n := range v.Notes {
		notes = append(notes, n.String())
	}
	others := v.OtherSteps
	if others == nil {
		others = []convert.Step{}
	}
	bw := bufio.NewWriter(w)
	// put writes prefix, then value indented at the depth indent.
	put := func(prefix, indent string, value any, suffix string) error {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetIndent(indent, "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(value); err != nil {
			return err
		}
		bw.WriteString(prefix)
		bw.Write(bytes.TrimSuffix(b.Bytes(), []byte("\n")))
		_, err := bw.WriteString(suffix)
		return err
	}
	if err := put("{\n  \"evidence\": ", "  ", list, ",\n  \"users\": ["); err != nil {
		return err
	}
	for i := range v.Users {
		sep := ",\n    "
		if i == 0 {
			sep = "\n    "
		}
		if err := put(sep, "    ", &v.Users[i], ""); err != nil {
			return err
		}
	}
	if len(v.Users) > 0 {
		bw.WriteString("\n  ")
	}
	bw.WriteString("]")
	for _, part := range []struct {
		key   string
		value any
	}{{"otherFailedSteps", others}, {"summary", v.Counts}, {"notes", notes}} {
		if err := put(",\n  \""+part.key+"\": ", "  ", part.value, ""); err != nil {
			return err
		}
	}
	bw.WriteString("\n}\n")
	return bw.Flush()
}
