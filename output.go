package main

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/jcrestore/jcrestore/convert"
	"github.com/jcrestore/jcrestore/export"
	"github.com/urfave/cli/v2"
)

// target is where the output goes and in what shape, checked before
// anything is read.
type target struct {
	path   string         // "" is stdout
	csv    bool           // the CSV is written: always, but with --script only where -o names it
	script string         // --script: the restore script
	xlsx   bool           // the review workbook
	layout *export.Layout // a --template layout, nil for the PowerShell one
	force  bool
	// reviewed names the reviewed workbook approve reads, with its
	// SHA-256, for the restore script's record.
	reviewed string
	org      string // --org
	split    bool   // --split-by-org
	inputs   []string
}

// outputTarget checks the output options against the inputs.
func outputTarget(c *cli.Context, inputs []string, xlsxAllowed bool) (*target, error) {
	t := &target{path: c.String("output"), force: c.Bool("force"), org: c.String("org"), split: c.Bool("split-by-org"), inputs: inputs}
	t.csv = c.IsSet("output") || !c.IsSet("script")
	if t.path == "-" {
		t.path = ""
	}
	if _, err := export.OrgPath("", t.org); t.org != "" && err != nil {
		return nil, fail(exitUsage, "--org: %s", err)
	}
	switch {
	case t.split && t.org != "":
		return nil, fail(exitUsage, "--org and --split-by-org are exclusive: one organization, or each in its own file")
	case t.split && t.path == "" && t.csv:
		return nil, fail(exitUsage, "--split-by-org writes a file per organization: name the output with -o, e.g. -o restore.csv")
	}
	switch f := c.String("format"); {
	case f == "xlsx" && xlsxAllowed:
		t.xlsx = true
	case f == "xlsx":
		return nil, fail(exitUsage, "--format xlsx: approve writes the import CSV; use powershell or --template")
	case f != "powershell":
		return nil, fail(exitUsage, "--format %q: use powershell or xlsx", f)
	}
	if strings.EqualFold(fileExt(t.path), ".xlsx") {
		if !xlsxAllowed {
			return nil, fail(exitUsage, "-o %s: approve writes the import CSV; choose a .csv name", t.path)
		}
		if c.IsSet("format") && !t.xlsx {
			return nil, fail(exitUsage, "-o %s with --format %s: a .xlsx file is the review workbook", t.path, c.String("format"))
		}
		t.xlsx = true
	}
	switch {
	case c.IsSet("template") && t.xlsx && !c.IsSet("format"):
		return nil, fail(exitUsage, "--template writes a CSV, and -o %s is the review workbook: choose a .csv name, or leave --template out", t.path)
	case c.IsSet("template") && c.IsSet("format"):
		return nil, fail(exitUsage, "--template and --format are exclusive: the template is the layout")
	}
	if t.xlsx && t.path == "" && isTerminal(c.App.Writer) {
		return nil, fail(exitUsage, "the review workbook is binary: write it to a file with -o review.xlsx")
	}
	if t.path != "" {
		if in, same := export.SameFile(t.path, inputs); same {
			return nil, fail(exitUsage, "the output %s is the input %s; choose another file", t.path, in)
		}
		if ext := strings.ToLower(fileExt(t.path)); slices.Contains(otherFormats, ext) {
			base := strings.TrimSuffix(t.path, fileExt(t.path))
			if !xlsxAllowed {
				return nil, fail(exitUsage, "-o %s: approve writes the import CSV, not %s; choose a .csv name such as %s.csv", t.path, ext, base)
			}
			return nil, fail(exitUsage, "-o %s: jcrestore writes the import CSV (.csv) or the review workbook (.xlsx), not %s; choose %s.csv or %s.xlsx", t.path, ext, base, base)
		}
		if err := export.Check(t.path, t.force); err != nil {
			return nil, fail(exitUsage, "%s", err)
		}
	}
	if tpl := c.String("template"); tpl != "" {
		f, err := os.Open(tpl)
		if err != nil {
			return nil, fail(exitUsage, "--template: %s", export.PathError(err))
		}
		defer f.Close()
		if t.layout, err = export.Template(f); err != nil {
			return nil, fail(exitUsage, "--template %s: %s", tpl, err)
		}
		t.layout.BOM = c.Bool("bom")
	}
	if t.script = c.String("script"); t.script != "" {
		if err := t.checkScript(); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// checkScript checks --script against the other output options: the
// script imports its users itself, through Import-JCUsersFromCSV, so it
// goes with the PowerShell layout; a CSV written beside it (-o) is the
// whole CSV, for a restore without the script.
func (t *target) checkScript() error {
	switch {
	case t.xlsx:
		return fail(exitUsage, "--script goes with the import, and %s is the review workbook: review it, then write the script with jcrestore approve %s --script %s", cmp.Or(t.path, "the output"), cmp.Or(t.path, "REVIEW.xlsx"), t.script)
	case t.layout != nil && !t.layout.Importer:
		return fail(exitUsage, "--script imports with Import-JCUsersFromCSV, which reads the PowerShell layout, not this --template's: write the template's CSV in a run of its own")
	case !strings.EqualFold(fileExt(t.script), ".ps1"):
		return fail(exitUsage, "--script %s: a PowerShell script's name ends in .ps1, e.g. restore.ps1", t.script)
	}
	if in, same := export.SameFile(t.script, t.inputs); same {
		return fail(exitUsage, "the script %s is the input %s; choose another file", t.script, in)
	}
	if t.path != "" {
		if _, same := export.SameFile(t.script, []string{t.path}); same {
			return fail(exitUsage, "--script %s is the output -o %s; choose another name", t.script, t.path)
		}
	}
	if err := export.Check(t.script, t.force); err != nil {
		return fail(exitUsage, "%s", err)
	}
	return nil
}

// scriptPath is where the restore script of the output of the
// organization org goes, and the name of the results file it writes
// beside itself.
func (t *target) scriptPath(org string) (script, results string, err error) {
	script = t.script
	if t.split && org != "" {
		if script, err = export.OrgPath(script, org); err != nil {
			return "", "", err
		}
		if err := export.Check(script, t.force); err != nil {
			return "", "", err
		}
	}
	results = strings.TrimSuffix(filepath.Base(script), filepath.Ext(script)) + "-results.json"
	return script, results, nil
}

// writtenTo says where a run wrote, for its summary line: " to
// restore.csv", " to restore.csv and restore.ps1"; "" for several files
// or stdout.
func (t *target) writtenTo(paths []string) string {
	switch {
	case len(paths) != 1:
		return ""
	case t.script != "" && t.csv && paths[0] != "":
		return fmt.Sprintf(" to %s and %s", paths[0], t.script)
	case t.script != "":
		return " to " + t.script
	}
	return writtenTo(paths)
}

// planOptions are the options of a plan for this target.
func (t *target) planOptions(c *cli.Context) convert.PlanOptions {
	return convert.PlanOptions{
		Review:         t.xlsx,
		Importer:       t.layout == nil || t.layout.Importer,
		IncludeInvalid: c.Bool("include-invalid"),
		Org:            t.org,
		Split:          t.split,
		Script:         t.script != "",
	}
}

// plan makes the plan of what res found for this target, and where its
// outputs go; it prints what planning left out.
func (t *target) plan(rep *reporter, res *convert.Result, o convert.PlanOptions) (*convert.Plan, []string, error) {
	p, err := convert.NewPlan(res, o)
	if err != nil {
		return nil, nil, mixedOrgs(err)
	}
	paths, err := t.paths(p)
	if err != nil {
		return nil, nil, err
	}
	for _, n := range p.Notes {
		rep.message(n)
	}
	return p, paths, nil
}

// paths are where the outputs of p go: the target's path, or with
// --split-by-org one file per organization beside it, each checked as the
// target was.
func (t *target) paths(p *convert.Plan) ([]string, error) {
	if !t.split || len(p.Outputs) == 1 && p.Outputs[0].Org == "" {
		return []string{t.path}, nil
	}
	var paths []string
	for _, o := range p.Outputs {
		var path string
		var err error
		if t.path != "" {
			if path, err = export.OrgPath(t.path, o.Org); err == nil {
				err = export.Check(path, t.force)
			}
		}
		if in, same := export.SameFile(path, t.inputs); same {
			err = fmt.Errorf("the output %s is the input %s; choose another file", path, in)
		}
		if err == nil && t.script != "" {
			_, _, err = t.scriptPath(o.Org)
		}
		if err != nil {
			return nil, fail(exitUsage, "%s: the organization: %s; nothing written", o.Users[0].Source, err)
		}
		paths = append(paths, path)
	}
	return paths, nil
}

// mixedOrgs words the refusal to write the users of several organizations
// into one output.
func mixedOrgs(err error) error {
	var mixed *convert.MixedOrgsError
	if !errors.As(err, &mixed) {
		return err
	}
	var b strings.Builder
	for _, g := range mixed.Groups {
		fmt.Fprintf(&b, "\n  %-24s  %s", export.OrgName(g.Org), convert.Plural(len(g.Records), "deleted user", "deleted users"))
	}
	return fail(exitUsage, "%s:%s\nchoose one with --org ID, or write one file per organization with --split-by-org; nothing written", mixed, b.String())
}

// otherFormats are extensions that say the file is of a format jcrestore
// does not write: a CSV under such a name would mislead whoever opens it.
var otherFormats = []string{".xls", ".xlsm", ".xlsb", ".ods", ".numbers", ".json", ".ndjson", ".jsonl", ".gz", ".zip"}

// fileExt is the extension of path, with '\' a separator on every system:
// a Windows path given on another one still has no extension in its
// directories.
func fileExt(path string) string {
	if i := strings.LastIndexByte(path, '.'); i >= 0 && !strings.ContainsAny(path[i:], `/\`) {
		return path[i:]
	}
	return ""
}

// writeTo writes one output through export.WriteTo: to path (safely) or
// to stdout when path is "". An output that cannot be written is exit 4.
func writeTo(c *cli.Context, path string, force bool, write func(io.Writer) error) error {
	err := export.WriteTo(c.Context, path, force, c.App.Writer, write)
	var oe *export.OutputError
	if errors.As(err, &oe) {
		return &exitError{code: exitOutput, err: err}
	}
	return err
}
