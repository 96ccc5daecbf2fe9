// Command jcrestore rebuilds deleted JumpCloud users from Directory Insights
// exports, offline, as JumpCloud's bulk-import CSV.
package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/jcrestore/jcrestore/convert"
	"github.com/jcrestore/jcrestore/export"
	"github.com/jcrestore/jcrestore/export/console"
	"github.com/urfave/cli/v2"
)

// Exit codes: part of the contract, shown in --help and the README.
const (
	exitOK        = 0   // every matched user was written (zero users too)
	exitUsage     = 1   // unknown flag, bad value, missing file, organizations mixed
	exitNoInput   = 2   // nothing could be read; nothing written
	exitPartial   = 3   // written, but events were unreadable or users invalid
	exitOutput    = 4   // the output could not be written
	exitInterrupt = 130 // interrupted (Ctrl-C): 128 + SIGINT, as shells say
)

// version is set at build time with -ldflags "-X main.version=v1.2.3";
// otherwise the module version from the build info is shown.
var version = ""

// now is the clock: the workbook's time, and what inspect compares event
// times with. Tests set it.
var now = time.Now

// progressAfter is how long a read goes before a progress line shows.
// Tests set it.
var progressAfter = time.Second

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// exitError carries an exit code; its message, if any, is printed once by
// run.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit code %d", e.code)
	}
	return e.err.Error()
}
func (e *exitError) Unwrap() error { return e.err }

func fail(code int, format string, args ...any) error {
	return &exitError{code: code, err: fmt.Errorf(format, args...)}
}

// run is the whole program, with its streams and arguments injected.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	app := newApp(stdin, stdout, stderr)
	err := app.RunContext(ctx, reorder(args, app.Commands))
	var ee *exitError
	var oe *export.OutputError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ee):
		if ee.err != nil {
			fmt.Fprintf(stderr, "jcrestore: %s\n", export.Printable(ee.err.Error()))
		}
		return ee.code
	case errors.As(err, &oe):
		fmt.Fprintf(stderr, "jcrestore: %s\n", export.Printable(oe.Error()))
		return exitOutput
	case errors.Is(err, context.Canceled):
		if len(args) > 1 && args[1] == "inspect" {
			fmt.Fprintln(stderr, "jcrestore: interrupted")
		} else {
			fmt.Fprintln(stderr, "jcrestore: interrupted; an output file is left as it was")
		}
		return exitInterrupt
	}
	fmt.Fprintf(stderr, "jcrestore: %s\n", export.Printable(err.Error()))
	return exitUsage
}

// newApp builds the command line with injected streams. ExitErrHandler is a
// no-op so that urfave/cli never calls os.Exit itself.
func newApp(stdin io.Reader, stdout, stderr io.Writer) *cli.App {
	cli.VersionPrinter = printVersion
	return &cli.App{
		Name:           "jcrestore",
		Usage:          "rebuild deleted JumpCloud users from Directory Insights exports",
		UsageText:      "jcrestore convert [options] [INPUT...]\njcrestore approve [options] REVIEW.xlsx\njcrestore inspect [--json] [INPUT...]\njcrestore help [COMMAND]\njcrestore version",
		Description:    export.AppHelp,
		Version:        buildVersion(),
		Reader:         stdin,
		Writer:         stdout,
		ErrWriter:      stderr,
		ExitErrHandler: func(*cli.Context, error) {},
		OnUsageError:   usageError,
		// Slice flags are not split at commas: gjson paths given to --map
		// may hold them. --events splits its values itself.
		DisableSliceFlagSeparator: true,
		Commands: []*cli.Command{convertCommand(), approveCommand(), inspectCommand(),
			{Name: "version", Usage: "which jcrestore this is", Action: func(c *cli.Context) error { printVersion(c); return nil }}},
		Action: func(c *cli.Context) error {
			if c.Args().Present() {
				var names []string
				for _, cmd := range c.App.Commands {
					names = append(names, cmd.Names()...)
				}
				return fail(exitUsage, "unknown command %q%s (see jcrestore --help)", c.Args().First(), export.DidYouMean(c.Args().First(), names))
			}
			return cli.ShowAppHelp(c)
		},
	}
}

// usageError words a usage error with the option's name as it is typed
// and the nearest option there is.
func usageError(c *cli.Context, err error, _ bool) error {
	hint, flags := "jcrestore --help", c.App.Flags
	if c.Command != nil && c.Command.Name != "" && c.Command.Name != c.App.Name {
		hint, flags = "jcrestore "+c.Command.Name+" --help", c.Command.Flags
	}
	if name, ok := strings.CutPrefix(err.Error(), "flag provided but not defined: -"); ok {
		typed := "--" + name
		if len(name) == 1 {
			typed = "-" + name
		}
		var names []string
		for _, f := range flags {
			for _, n := range f.Names() {
				names = append(names, "--"+n)
			}
		}
		return fail(exitUsage, "unknown option %s%s (see %s)", typed, export.DidYouMean(typed, names), hint)
	}
	return fail(exitUsage, "%s (see %s)", err, hint)
}

func buildVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "(devel)"
}

func printVersion(c *cli.Context) {
	fmt.Fprintf(c.App.Writer, "jcrestore %s\n", c.App.Version)
	if bi, ok := debug.ReadBuildInfo(); ok {
		fmt.Fprintf(c.App.Writer, "built with %s for %s/%s", bi.GoVersion, runtime.GOOS, runtime.GOARCH)
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				fmt.Fprintf(c.App.Writer, " from %s", s.Value)
			}
		}
		fmt.Fprintln(c.App.Writer)
	}
}

// reorder moves flags that follow positional arguments in front of them, so
// that "convert export.json -o restore.csv" means what it says. urfave/cli
// (like the flag package) stops at the first positional argument. "--" ends
// the flags; "-" is stdin, a positional argument.
func reorder(args []string, commands []*cli.Command) []string {
	if len(args) < 3 {
		return args
	}
	var cmd *cli.Command
	for _, c := range commands {
		if c.HasName(args[1]) {
			cmd = c
		}
	}
	if cmd == nil {
		return args
	}
	takesValue := make(map[string]bool)
	for _, f := range cmd.Flags {
		_, isBool := f.(*cli.BoolFlag)
		for _, n := range f.Names() {
			takesValue[n] = !isBool
		}
	}
	flags, positional := []string{}, []string{}
	rest := args[2:]
	for i := 0; i < len(rest); i++ {
		a := rest[i]
		switch {
		case a == "--":
			positional = append(positional, rest[i+1:]...)
			i = len(rest)
		case len(a) > 1 && a[0] == '-':
			flags = append(flags, a)
			name := strings.TrimLeft(a, "-")
			if !strings.Contains(name, "=") && takesValue[name] && i+1 < len(rest) {
				i++
				flags = append(flags, rest[i])
			}
		default:
			positional = append(positional, a)
		}
	}
	out := append(slices.Clone(args[:2]), flags...)
	out = append(out, "--")
	return append(out, positional...)
}

// Commands are built per app and not shared as package values because
// urfave/cli mutates them while running (their help names grow with every
// run in one process).

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
	}
}

func convertCommand() *cli.Command {
	return &cli.Command{
		Name:        "convert",
		Usage:       "Directory Insights export(s) -> JumpCloud import CSV or review workbook",
		ArgsUsage:   "[INPUT...]",
		Description: export.ConvertHelp,
		Flags: append(outputFlags(false),
			&cli.StringSliceFlag{Name: "events", Usage: "event types that produce rows, a comma-separated `LIST` (default: user_delete)"},
			&cli.StringFlag{Name: "since", Usage: "only deletions at or after `TIME` (RFC 3339, or YYYY-MM-DD in UTC)"},
			&cli.StringFlag{Name: "until", Usage: "only deletions before `TIME` (RFC 3339, or YYYY-MM-DD in UTC)"},
			&cli.StringFlag{Name: "deleted-by", Usage: "only deletions initiated by the admin `EMAIL`"},
			&cli.StringFlag{Name: "exclude-existing", Usage: "leave out users whose username or email is taken in `FILE`, a CSV of the users that exist now (the Admin Portal's export, Get-JCUser | Export-Csv)"},
			&cli.StringSliceFlag{Name: "map", Usage: "read the column ATTR from the gjson PATH of the deletion event (`ATTR=PATH`, repeatable)"},
		),
		OnUsageError: usageError,
		Action:       convertAction,
	}
}

func approveCommand() *cli.Command {
	return &cli.Command{
		Name:         "approve",
		Usage:        "reviewed workbook -> JumpCloud import CSV of the rows marked Restore",
		ArgsUsage:    "REVIEW.xlsx",
		Description:  export.ApproveHelp,
		Flags:        outputFlags(true),
		OnUsageError: usageError,
		Action:       approveAction,
	}
}

func inspectCommand() *cli.Command {
	return &cli.Command{
		Name:        "inspect",
		Usage:       "what an export holds: events, deleted users, problems",
		ArgsUsage:   "[INPUT...]",
		Description: export.InspectHelp,
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "json", Usage: "print one JSON object, for scripts"},
		},
		OnUsageError: usageError,
		Action:       inspectAction,
	}
}

func inspectAction(c *cli.Context) error {
	rep := export.NewReporter(c.App.ErrWriter, false)
	names, err := inputFiles(c, rep)
	if err != nil {
		return err
	}
	inputs, closeInputs, err := openInputs(c, names)
	if err != nil {
		return err
	}
	defer closeInputs()
	var problems convert.Problems
	opts := convert.Options{Inspect: true, Report: problems.Add, Progress: new(atomic.Int64)}
	prog := rep.StartProgress(inputs, opts.Progress, progressAfter)
	res, err := convert.Read(c.Context, inputs, opts)
	prog.Stop()
	if err != nil {
		return err
	}
	in := convert.Inspect(res, &problems, now())
	write := export.WriteInspection
	if c.Bool("json") {
		write = export.WriteInspectionJSON
	}
	if err := export.WriteTo(c.Context, "", false, c.App.Writer, func(w io.Writer) error { return write(w, in) }); err != nil {
		return err
	}
	if !res.Usable() {
		return &exitError{code: exitNoInput}
	}
	return nil
}

// target is where the output goes and in what shape, checked before
// anything is read.
type target struct {
	path   string         // "" is stdout
	xlsx   bool           // the review workbook
	layout *export.Layout // a --template layout, nil for the PowerShell one
	force  bool
	org    string // --org
	split  bool   // --split-by-org
	inputs []string
}

// outputTarget checks the output options against the inputs.
func outputTarget(c *cli.Context, inputs []string, xlsxAllowed bool) (*target, error) {
	t := &target{path: c.String("output"), force: c.Bool("force"), org: c.String("org"), split: c.Bool("split-by-org"), inputs: inputs}
	if t.path == "-" {
		t.path = ""
	}
	if _, err := export.OrgPath("", t.org); t.org != "" && err != nil {
		return nil, fail(exitUsage, "--org: %s", err)
	}
	switch {
	case t.split && t.org != "":
		return nil, fail(exitUsage, "--org and --split-by-org are exclusive: one organization, or each in its own file")
	case t.split && t.path == "":
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
	if t.xlsx && t.path == "" && console.IsTerminal(c.App.Writer) {
		return nil, fail(exitUsage, "the review workbook is binary: write it to a file with -o review.xlsx")
	}
	if t.path != "" {
		if in, same := export.SameFile(t.path, inputs); same {
			return nil, fail(exitUsage, "the output %s is the input %s; choose another file", t.path, in)
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
	return t, nil
}

// fileExt is the extension of path, with '\' a separator on every system:
// a Windows path given on another one still has no extension in its
// directories.
func fileExt(path string) string {
	if i := strings.LastIndexByte(path, '.'); i >= 0 && !strings.ContainsAny(path[i:], `/\`) {
		return path[i:]
	}
	return ""
}

func convertAction(c *cli.Context) error {
	opts, err := convertOptions(c)
	if err != nil {
		return err
	}
	rep := export.NewReporter(c.App.ErrWriter, c.Bool("quiet"))
	defer rep.Flush()
	names, err := inputFiles(c, rep)
	if err != nil {
		return err
	}
	out, err := outputTarget(c, names, true)
	if err != nil {
		return err
	}
	inputs, closeInputs, err := openInputs(c, names)
	if err != nil {
		return err
	}
	defer closeInputs()
	opts.Trail, opts.Digest = out.xlsx, out.xlsx
	opts.Report, opts.Progress = rep.Problem, new(atomic.Int64)
	prog := rep.StartProgress(inputs, opts.Progress, progressAfter)
	res, err := convert.Read(c.Context, inputs, opts)
	prog.Stop()
	if err != nil {
		return err
	}
	rep.Flush()
	if !res.Usable() {
		return fail(exitNoInput, "no usable input: no Directory Insights event could be read; nothing written")
	}
	for _, l := range res.LeftOut {
		if l.Detail != "" {
			rep.Note("%s: %s: left out, %s: %s", l.Source, l.Name(), l.Reason, l.Detail)
		}
	}
	for _, h := range export.Hints(res, opts) {
		rep.Message("", h)
	}
	outs, err := byOrg(rep, out, res.Records)
	if err != nil {
		return err
	}
	if out.xlsx {
		if c.Bool("strict") && res.Unreadable > 0 {
			return fail(exitPartial, "--strict: %s; nothing written", export.StrictReason(res.Unreadable, 0))
		}
		for _, o := range outs {
			if err := writeReview(c, rep, o, res); err != nil {
				return err
			}
		}
		if res.Unreadable > 0 {
			return &exitError{code: exitPartial}
		}
		return nil
	}
	written, invalid, err := deliver(c, rep, outs, map[string]string{}, res.Unreadable)
	if err != nil {
		return err
	}
	rep.Summary(res, written, invalid)
	if res.Unreadable > 0 || invalid > 0 {
		return &exitError{code: exitPartial}
	}
	return nil
}

// orgOutput is one output: the users of one organization, and where they
// go.
type orgOutput struct {
	org        string
	out        *target
	recs, rows []convert.Record // the users, and those to write
}

// byOrg splits the users to write by organization. One output never holds
// the users of two: an import would create them all in one organization.
// Users from several are refused unless --split-by-org writes each
// organization to its own file; --org has kept one when reading (approve
// keeps it here).
func byOrg(rep *export.Reporter, out *target, recs []convert.Record) ([]orgOutput, error) {
	if out.org != "" {
		kept := slices.DeleteFunc(slices.Clone(recs), func(r convert.Record) bool { return r.Organization != out.org })
		if n := len(recs) - len(kept); n > 0 {
			rep.Note("note: %s of other organizations left out (--org %s)", convert.Plural(n, "user", "users"), out.org)
		}
		recs = kept
	}
	groups := convert.ByOrg(recs)
	if len(groups) > 1 && !out.split {
		return nil, fail(exitUsage, "the users to restore are of %d organizations, and one import would create them all in one:%s\n"+
			"choose one with --org ID, or write one file per organization with --split-by-org; nothing written", len(groups), export.OrgList(groups))
	}
	if len(groups) == 0 || len(groups) == 1 && (!out.split || groups[0].Org == "") {
		if len(groups) == 1 {
			out.org = groups[0].Org
		}
		return []orgOutput{{org: out.org, out: out, recs: recs}}, nil
	}
	var outs []orgOutput
	for _, g := range groups {
		if g.Org == "" {
			rep.Note("note: %s events name no organization, while the others name several: left out", convert.Plural(len(g.Records), "deleted user's", "deleted users'"))
			continue
		}
		path, err := export.OrgPath(out.path, g.Org)
		if err == nil {
			err = export.Check(path, out.force)
		}
		if in, same := export.SameFile(path, out.inputs); same {
			err = fmt.Errorf("the output %s is the input %s; choose another file", path, in)
		}
		if err != nil {
			return nil, fail(exitUsage, "%s: the organization: %s; nothing written", g.Records[0].Source, err)
		}
		t := *out
		t.path = path
		outs = append(outs, orgOutput{org: g.Org, out: &t, recs: g.Records})
	}
	return outs, nil
}

// writeReview writes the review workbook of the output o: every deleted
// user of its organization, rows with errors marked No.
func writeReview(c *cli.Context, rep *export.Reporter, o orgOutput, res *convert.Result) error {
	if o.org != "" {
		res = res.Only(o.org)
	}
	convert.Validate(res.Records, convert.Rules{Importer: true})
	for i := range res.Records {
		rep.Record(&res.Records[i])
	}
	name, next := cmp.Or(o.out.path, "REVIEW.xlsx"), "restore.csv"
	if o.out.split && o.org != "" {
		next, _ = export.OrgPath(next, o.org)
	}
	review := &export.Review{Result: res, Organization: o.org, Options: optionsUsed(c), Version: buildVersion(), Made: now().UTC(),
		Next: fmt.Sprintf("jcrestore approve %s -o %s", name, filepath.Join(filepath.Dir(name), next))}
	if o.out.path != "" {
		review.TmpDir = filepath.Dir(o.out.path)
	}
	if err := export.WriteTo(c.Context, o.out.path, o.out.force, c.App.Writer, func(w io.Writer) error { return export.WriteWorkbook(w, review) }); err != nil {
		return err
	}
	rep.Flush()
	if !rep.Quiet {
		n := res.Count()
		if o.out.path == "" {
			name = "the workbook written to stdout, then run with the name you saved it under"
		}
		rep.Line("%s: %d marked Restore, %d with errors marked No; review %s, then run: %s", export.ReadLine(res), n.Restore, n.Errors, name, review.Next)
	}
	return nil
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

func approveAction(c *cli.Context) error {
	if c.NArg() != 1 {
		return fail(exitUsage, "approve takes one review workbook, e.g. jcrestore approve review.xlsx -o restore.csv (see jcrestore approve --help)")
	}
	path := c.Args().First()
	out, err := outputTarget(c, []string{path}, false)
	if err != nil {
		return err
	}
	f, err := os.Open(path)
	if err != nil {
		return fail(exitUsage, "%s", export.PathError(err))
	}
	a, err := export.ReadReview(f, filepath.Dir(path))
	f.Close()
	if err != nil {
		return fail(exitNoInput, "%s: %s; nothing written", path, err)
	}
	notes, err := a.Check(out.layout == nil || out.layout.Importer)
	if err != nil {
		return fail(exitNoInput, "%s: %s; nothing written", path, err)
	}
	rep := export.NewReporter(c.App.ErrWriter, c.Bool("quiet"))
	defer rep.Flush()
	for _, n := range notes {
		rep.Message(path, n)
	}
	if len(a.Records) == 0 {
		rep.Note("note: no row of %s is marked Restore", path)
	}
	outs, err := byOrg(rep, out, a.Records)
	if err != nil {
		return err
	}
	written, invalid, err := deliver(c, rep, outs, a.NotWritten(), 0)
	if err != nil {
		return err
	}
	rep.Flush()
	if !rep.Quiet {
		rep.Line("%s", a.Summary(written, invalid))
	}
	if invalid > 0 || len(a.Unclear) > 0 {
		return &exitError{code: exitPartial}
	}
	return nil
}

// deliver is what convert and approve share after reading: validate the
// users of each output, settle their managers, report each one's findings,
// and then, unless --strict refuses, write each CSV in the target's layout.
// notWritten are the users the records' managers may be, who are not
// written (by lower-case username, with why). It returns how many rows
// were written and how many were left out for errors.
func deliver(c *cli.Context, rep *export.Reporter, outs []orgOutput, notWritten map[string]string, unreadable int) (written, invalid int, err error) {
	l := outs[0].out.layout
	rules := convert.Rules{Importer: l == nil || l.Importer, Formulas: true}
	for k := range outs {
		o := &outs[k]
		convert.Validate(o.recs, rules)
		gone := maps.Clone(notWritten)
		for i := range o.recs {
			if o.recs[i].Invalid() {
				invalid++
				if !c.Bool("include-invalid") {
					gone[strings.ToLower(o.recs[i].Username)] = o.recs[i].Name() + " has errors and is not written"
				}
			}
		}
		convert.Managers(o.recs, gone, rules)
		for i := range o.recs {
			rep.Record(&o.recs[i])
		}
		o.rows = o.recs
		if !c.Bool("include-invalid") {
			// In place: the records are large and there may be many.
			o.rows = slices.DeleteFunc(o.recs, func(r convert.Record) bool { return r.Invalid() })
		}
	}
	if c.Bool("strict") && (unreadable > 0 || invalid > 0) {
		return 0, 0, fail(exitPartial, "--strict: %s; nothing written", export.StrictReason(unreadable, invalid))
	}
	invalid = 0
	for _, o := range outs {
		layout := o.out.layout
		if layout == nil {
			layout = export.PowerShell(o.rows)
		} else {
			for _, n := range layout.Notes(o.rows) {
				rep.Note("note: %s", n)
			}
		}
		if err := export.WriteTo(c.Context, o.out.path, o.out.force, c.App.Writer, func(w io.Writer) error { return export.WriteCSV(w, layout, o.rows) }); err != nil {
			return written, invalid, err
		}
		if len(outs) > 1 && !rep.Quiet {
			rep.Line("%s: organization %s: %d written", o.out.path, o.org, len(o.rows))
		}
		written, invalid = written+len(o.rows), invalid+len(o.recs)-len(o.rows)
	}
	return written, invalid, nil
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
	if o.Map, err = convert.ParseMap(c.StringSlice("map")); err != nil {
		return o, fail(exitUsage, "%s", err)
	}
	return o, nil
}

// inputFiles are the files the INPUT arguments name, directories and
// wildcard patterns expanded; "-" (or no INPUT) is stdin. What a directory
// holds besides exports is noted.
func inputFiles(c *cli.Context, rep *export.Reporter) ([]string, error) {
	args := c.Args().Slice()
	if len(args) == 0 {
		args = []string{"-"}
	}
	files, notes, err := convert.Files(args)
	if err != nil {
		return nil, fail(exitUsage, "%s", export.PathError(err))
	}
	for _, n := range notes {
		rep.Note("note: %s", n)
	}
	return files, nil
}

// openInputs opens every input before anything is read, so that a missing
// file is a usage error and not a half-done run. "-" is stdin; a terminal
// there is read as a paste, after a hint says how to end it.
func openInputs(c *cli.Context, names []string) ([]convert.Input, func(), error) {
	var inputs []convert.Input
	var files []io.Closer
	closeAll := func() {
		for _, f := range files {
			f.Close()
		}
	}
	for _, n := range names {
		if n == "-" {
			in := convert.Input{Name: "stdin", R: c.App.Reader}
			if f, ok := c.App.Reader.(*os.File); ok && console.IsTerminal(f) {
				fmt.Fprintln(c.App.ErrWriter, "jcrestore: paste the event JSON, then Ctrl-D (Ctrl-Z Enter on Windows)")
				p, err := console.Paste(c.Context, f, c.App.ErrWriter)
				if err != nil {
					closeAll()
					return nil, nil, fail(exitUsage, "stdin: %s", err)
				}
				in.R, files = p, append(files, p)
			}
			inputs = append(inputs, in)
			continue
		}
		f, err := os.Open(n)
		if err != nil {
			closeAll()
			return nil, nil, fail(exitUsage, "%s", export.PathError(err))
		}
		files = append(files, f)
		inputs = append(inputs, convert.Input{Name: n, R: f, Reopen: func() (io.ReadCloser, error) { return os.Open(n) }})
	}
	return inputs, closeAll, nil
}
