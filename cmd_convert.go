package main

import (
	"cmp"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"

	"github.com/jcrestore/jcrestore/convert"
	"github.com/jcrestore/jcrestore/export"
	"github.com/urfave/cli/v2"
)

func convertAction(c *cli.Context) error {
	opts, err := convertOptions(c)
	if err != nil {
		return err
	}
	rep := newReporter(c.App.ErrWriter, c.Bool("quiet"))
	defer rep.flush()
	names, backups, err := inputFiles(c, rep)
	if err != nil {
		return err
	}
	if opts.Now != nil && len(backups) == 0 {
		return fail(exitUsage, "--deleted-since-backup: no backup among the inputs (Backup-JCOrganization's zip or folder, Get-JCBackup's JumpCloudUsers_*.CSV)")
	}
	opts.Backups = backups
	out, err := outputTarget(c, names, true)
	if err != nil {
		return err
	}
	opts.Trail, opts.Digest, opts.Report = out.xlsx, out.xlsx, rep.problem
	res, err := readInputs(c, rep, names, opts)
	if err != nil {
		return err
	}
	rep.flush()
	if cut := res.Cut(); len(cut) > 0 && !c.Bool("allow-partial") {
		return fail(exitNoInput, "%s; nothing written (--allow-partial writes what was read before the cut)", incomplete(cut, c.Args().Len() == 0))
	}
	if err := foreignInputs(rep, res); err != nil {
		return err
	}
	if !res.Usable() {
		return fail(exitNoInput, "no usable input: no Directory Insights event could be read; nothing written")
	}
	if cut := res.Cut(); len(cut) > 0 {
		rep.message(convert.Message{Severity: convert.Warning, Text: "warning: " + incomplete(cut, false) +
			": what was read before the cut is written (--allow-partial); the events after it are missing, how many the file cannot say, and the users they deleted with them"})
	}
	for _, l := range res.LeftOut {
		if l.Detail != "" {
			rep.message(convert.Message{Severity: convert.Note, Where: l.Source + ": " + l.Name(), Text: "left out, " + l.Reason + ": " + l.Detail})
		}
	}
	for _, h := range hints(res, opts) {
		rep.message(h)
	}
	planOpts := out.planOptions(c)
	planOpts.Existing = opts.Existing
	plan, paths, err := out.plan(rep, res, planOpts)
	if err != nil {
		return err
	}
	if out.xlsx {
		return writeReviews(c, rep, out, plan, paths)
	}
	written, err := writeCSVs(c, rep, out, plan, paths, res.Unreadable)
	if err != nil {
		return err
	}
	rep.summary(res, written, plan.Unwritten(), out.writtenTo(paths), stepsAfter(plan.StepsAfter(), out.script))
	if res.Unreadable > 0 || plan.Unwritten() > 0 {
		return &exitError{code: exitPartial}
	}
	return nil
}

// foreignInputs tells, in one line each, the inputs that hold no event
// but something else (Get-JCUser's users, the Activity Log's CSV, a
// document): where no input holds an event, the last line is the error
// the run ends with (exit 2).
func foreignInputs(rep *reporter, res *convert.Result) error {
	var lines []string
	others := false
	for _, f := range res.Files {
		switch {
		case f.Foreign != "":
			lines = append(lines, f.Name+" "+f.Foreign)
		case !f.Empty:
			others = true
		}
	}
	if len(lines) == 0 {
		return nil
	}
	last := len(lines)
	if !others && res.Events == 0 {
		last--
	}
	for _, l := range lines[:last] {
		rep.message(convert.Message{Severity: convert.Warning, Text: l})
	}
	if last < len(lines) {
		rep.flush()
		return fail(exitNoInput, "%s", lines[last])
	}
	return nil
}

// incomplete says which inputs end in the middle, and where: "partial.json
// ends in the middle, at byte 19,000,000: the file is incomplete (still
// downloading, or cut when copied)".
func incomplete(cut []convert.File, pasted bool) string {
	var parts []string
	for _, f := range cut {
		if f.Name == "stdin" && pasted {
			parts = append(parts, "the paste ends in the middle of an event: paste the whole of it")
			continue
		}
		parts = append(parts, fmt.Sprintf("%s ends in the middle, at byte %s: the file is incomplete (still downloading, or cut when copied)", f.Name, convert.Count(int(f.Size))))
	}
	return strings.Join(parts, "; ")
}

// writeReviews writes the review workbook of each output of the plan:
// every deleted user of its organization, rows with errors marked No.
func writeReviews(c *cli.Context, rep *reporter, out *target, plan *convert.Plan, paths []string) error {
	res := plan.Outputs[0].Result
	if c.Bool("strict") && res.Unreadable > 0 {
		return fail(exitPartial, "--strict: %s; nothing written", strictReason(res.Unreadable, 0))
	}
	for k, o := range plan.Outputs {
		for i := range o.Users {
			rep.record(&o.Users[i])
		}
		rep.tallies()
		path := paths[k]
		name, next := cmp.Or(path, "REVIEW.xlsx"), "restore.ps1"
		if out.split && o.Org != "" {
			next, _ = export.OrgPath(next, o.Org)
		}
		review := &export.Review{Result: o.Result, Organization: o.Org, Options: optionsUsed(c), Version: buildVersion(), Made: now().UTC(),
			Next: fmt.Sprintf("jcrestore approve %s --script %s", name, filepath.Join(filepath.Dir(name), next))}
		if path != "" {
			review.TmpDir = filepath.Dir(path)
		}
		review.Progress = new(atomic.Int64)
		b := rep.startBusy("writing "+cmp.Or(path, "the workbook"), review.Progress, int64(review.Rows()), "rows")
		err := writeTo(c, path, out.force, func(w io.Writer) error { return export.WriteWorkbook(w, review) })
		b.stop()
		if err != nil {
			return err
		}
		rep.flush()
		if !rep.quiet {
			n := o.Result.Count()
			if path == "" {
				name = "the workbook written to stdout, then run with the name you saved it under"
			}
			rep.line("%s: %s marked Restore, %s with errors marked No; review %s, then run: %s", readLine(o.Result), convert.Count(n.Restore), convert.Count(n.Errors), name, review.Next)
		}
	}
	if res.Unreadable > 0 {
		return &exitError{code: exitPartial}
	}
	return nil
}

// writeCSVs reports the findings of every user of the plan and then, unless
// --strict refuses, writes the CSV of each output in the target's layout.
// It returns how many rows were written.
func writeCSVs(c *cli.Context, rep *reporter, out *target, plan *convert.Plan, paths []string, unreadable int) (written int, err error) {
	for _, o := range plan.Outputs {
		rep.records(o.Users)
	}
	if c.Bool("strict") && (unreadable > 0 || plan.Invalid > 0) {
		return 0, fail(exitPartial, "--strict: %s; nothing written", strictReason(unreadable, plan.Invalid))
	}
	for k, o := range plan.Outputs {
		layout := out.layout
		if layout == nil {
			layout = export.PowerShell(o.Rows)
		} else {
			for _, n := range layout.Notes(o.Rows) {
				rep.message(convert.Notef("%s", n))
			}
		}
		if out.csv {
			if err := writeTo(c, paths[k], out.force, func(w io.Writer) error { return export.WriteCSV(w, layout, o.Rows) }); err != nil {
				return written, err
			}
		}
		if out.script != "" {
			if err := writeScript(c, out, o); err != nil {
				return written, err
			}
		}
		if len(plan.Outputs) > 1 && !rep.quiet {
			name := paths[k]
			if !out.csv {
				name, _, _ = out.scriptPath(o.Org)
			}
			rep.line("%s: organization %s: %s written", name, o.Org, convert.Count(len(o.Rows)))
		}
		written += len(o.Rows)
	}
	return written, nil
}

// writeScript writes the restore script of the output o: it imports
// the users itself, from its data.
func writeScript(c *cli.Context, out *target, o convert.Output) error {
	path, results, err := out.scriptPath(o.Org)
	if err != nil {
		return fail(exitUsage, "--script: %s", err)
	}
	s := &export.Script{Organization: o.Org, Results: results, Reviewed: out.reviewed, Users: o.Script}
	return writeTo(c, path, out.force, func(w io.Writer) error { return export.WriteScript(w, s) })
}

// optionsUsed lists the options given, for the About sheet.
func optionsUsed(c *cli.Context) []string {
	var out []string
	for _, f := range c.Command.Flags {
		name := f.Names()[0]
		if !c.IsSet(name) {
			continue
		}
		switch v := c.Value(name).(type) {
		case bool:
			out = append(out, "--"+name)
		case cli.StringSlice:
			for _, s := range v.Value() {
				out = append(out, "--"+name+" "+s)
			}
		default:
			out = append(out, fmt.Sprintf("--%s %v", name, v))
		}
	}
	return out
}

// convertOptions turns the reading flags into convert.Options, refusing
// bad values.
func convertOptions(c *cli.Context) (convert.Options, error) {
	var o convert.Options
	for _, e := range c.StringSlice("events") {
		for _, t := range strings.Split(e, ",") {
			if t = strings.TrimSpace(t); t != "" {
				o.Events = append(o.Events, t)
			}
		}
	}
	var err error
	if o.Since, err = convert.ParseTime(c.String("since")); err != nil {
		return o, fail(exitUsage, "--since: %s", err)
	}
	if o.Until, err = convert.ParseTime(c.String("until")); err != nil {
		return o, fail(exitUsage, "--until: %s", err)
	}
	if !o.Since.IsZero() && !o.Until.IsZero() && !o.Since.Before(o.Until) {
		return o, fail(exitUsage, "--since %s is not before --until %s", c.String("since"), c.String("until"))
	}
	o.DeletedBy = strings.TrimSpace(c.String("deleted-by"))
	o.Org = c.String("org")
	if path := c.String("exclude-existing"); path != "" {
		f, err := os.Open(path)
		if err != nil {
			return o, fail(exitUsage, "--exclude-existing: %s", export.PathError(err))
		}
		defer f.Close()
		if o.Existing, err = convert.ReadExisting(f, path); err != nil {
			return o, fail(exitUsage, "--exclude-existing: %s", err)
		}
	}
	if path := c.String("deleted-since-backup"); path != "" {
		text, err := os.ReadFile(path)
		if err != nil {
			return o, fail(exitUsage, "--deleted-since-backup: %s", export.PathError(err))
		}
		if text, err = decoded(text); err != nil {
			return o, fail(exitUsage, "--deleted-since-backup: %s: %v", path, err)
		}
		if o.Now, err = convert.ReadCurrent(path, text); err != nil {
			return o, fail(exitUsage, "--deleted-since-backup: %s", err)
		}
		// Never a user who exists now.
		o.Existing = o.Existing.With(o.Now)
	}
	if o.Map, err = convert.ParseMap(c.StringSlice("map")); err != nil {
		return o, fail(exitUsage, "%s", err)
	}
	return o, nil
}
