// Command jcrestore rebuilds deleted JumpCloud users from Directory Insights
// exports, offline, as JumpCloud's bulk-import CSV.
//
// The command line is this package: the commands and their options
// (commands.go, help.go), one file per command's action, where the inputs
// and outputs are (inputs.go, output.go), and what a run prints on
// stderr (report.go, progress.go) and inspect on stdout (inspect.go). What
// to restore is decided in package convert (convert.NewPlan); the files
// are written by package export.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/urfave/cli/v2"
)

// Exit codes: part of the contract, shown in --help and the README.
const (
	exitOK        = 0   // every matched user was written (zero users too)
	exitUsage     = 1   // unknown flag, bad value, missing file, organizations mixed
	exitNoInput   = 2   // nothing could be read; nothing written
	exitPartial   = 3   // written, but events were unreadable or users invalid
	exitOutput    = 4   // the output could not be written
	exitInternal  = 70  // a fault of jcrestore's own: an error it has no code for
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

// progressTick is how often a progress line is drawn again.
var progressTick = 200 * time.Millisecond

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// exitError is an error with its exit code: every error a command returns
// is one. Its message, if any, is printed once by run.
type exitError struct {
	code int
	err  error // nil: the messages were printed already
}

func (e *exitError) Error() string {
	if e.err == nil {
		return ""
	}
	return e.err.Error()
}
func (e *exitError) Unwrap() error { return e.err }

// ExitCode is the code the program exits with.
func (e *exitError) ExitCode() int { return e.code }

func fail(code int, format string, args ...any) error {
	return &exitError{code: code, err: fmt.Errorf(format, args...)}
}

// interrupted is the error of a command stopped by Ctrl-C (err is ctx's),
// saying what became of its output (left: "" for a command that writes
// none); any other error it returns as it is.
func interrupted(err error, left string) error {
	if !errors.Is(err, context.Canceled) {
		return err
	}
	return &exitError{code: exitInterrupt, err: errors.New("interrupted" + left)}
}

// run is the whole program, with its streams and arguments injected. The
// exit code is the error's ExitCode (every command's errors are
// *exitError); an error without one is a fault of jcrestore's.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	app := newApp(stdin, stdout, stderr)
	args, err := reorder(args, app.Commands)
	if err == nil {
		err = app.RunContext(ctx, args)
	}
	if err == nil {
		return exitOK
	}
	var ec interface{ ExitCode() int }
	if !errors.As(err, &ec) {
		fmt.Fprintf(stderr, "jcrestore: internal error: %s (please report it)\n", printable(err.Error()))
		return exitInternal
	}
	if msg := err.Error(); msg != "" {
		fmt.Fprintf(stderr, "jcrestore: %s\n", printable(msg))
	}
	return ec.ExitCode()
}

// newApp builds the command line with injected streams. ExitErrHandler is a
// no-op so that urfave/cli never calls os.Exit itself.
func newApp(stdin io.Reader, stdout, stderr io.Writer) *cli.App {
	cli.VersionPrinter = printVersion
	return &cli.App{
		Name:           "jcrestore",
		Usage:          "rebuild deleted JumpCloud users from Directory Insights exports",
		UsageText:      "jcrestore convert [options] [INPUT...]\njcrestore approve [options] REVIEW.xlsx\njcrestore inspect [--json] [INPUT...]\njcrestore verify [options] EVIDENCE...\njcrestore help [COMMAND]\njcrestore version",
		Description:    appHelp,
		Version:        buildVersion(),
		Reader:         stdin,
		Writer:         stdout,
		ErrWriter:      stderr,
		ExitErrHandler: func(*cli.Context, error) {},
		OnUsageError:   usageError,
		// Slice flags are not split at commas: gjson paths given to --map
		// may hold them. --events splits its values itself.
		DisableSliceFlagSeparator: true,
		Commands:                  commands(),
		// What urfave/cli adds with its own help command, which
		// helpCommand replaces.
		Flags: []cli.Flag{cli.HelpFlag},
		Action: func(c *cli.Context) error {
			if c.Args().Present() {
				return fail(exitUsage, "unknown command %q%s (see jcrestore --help)", c.Args().First(), didYouMean(c.Args().First(), commandNames(c.App)))
			}
			return cli.ShowAppHelp(c)
		},
	}
}

// commandNames are the names of the app's commands, aliases too.
func commandNames(app *cli.App) []string {
	var names []string
	for _, cmd := range app.Commands {
		names = append(names, cmd.Names()...)
	}
	return names
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
		return fail(exitUsage, "unknown option %s%s (see %s)", typed, didYouMean(typed, names), hint)
	}
	return fail(exitUsage, "%s (see %s)", err, hint)
}

func buildVersion() string {
	bi, _ := debug.ReadBuildInfo()
	return versionOf(version, bi)
}

// versionOf names a build: a release's version (stamped by GoReleaser), a
// module version, or for a build from a clone the commit it was built
// from, marked modified where the clone had changes ("(devel) commit
// 1a2b3c4d5e6f, modified"); "(devel)" when nothing says more.
func versionOf(release string, bi *debug.BuildInfo) string {
	if release != "" {
		return release
	}
	if bi == nil {
		return "(devel)"
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	var commit, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			commit = s.Value[:min(len(s.Value), 12)]
		case "vcs.modified":
			if s.Value == "true" {
				modified = ", modified"
			}
		}
	}
	if commit == "" {
		return "(devel)"
	}
	return "(devel) commit " + commit + modified
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
// the flags; "-" is stdin, a positional argument. An option left without
// its value (last, or followed by another option) is refused here: urfave
// would take the "--" put after the flags, or that option, for its value.
func reorder(args []string, commands []*cli.Command) ([]string, error) {
	if len(args) < 3 {
		return args, nil
	}
	var cmd *cli.Command
	for _, c := range commands {
		if c.HasName(args[1]) {
			cmd = c
		}
	}
	if cmd == nil {
		return args, nil
	}
	takesValue := make(map[string]bool)
	for _, f := range cmd.Flags {
		_, isBool := f.(*cli.BoolFlag)
		for _, n := range f.Names() {
			takesValue[n] = !isBool
		}
	}
	isOption := func(a string) bool {
		name, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
		_, known := takesValue[name]
		return a == "--" || len(a) > 1 && a[0] == '-' && known
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
			if strings.Contains(name, "=") || !takesValue[name] {
				continue
			}
			if i+1 == len(rest) || isOption(rest[i+1]) {
				return nil, fail(exitUsage, "option %s needs a value (see jcrestore %s --help)", a, cmd.Name)
			}
			i++
			flags = append(flags, rest[i])
		default:
			positional = append(positional, a)
		}
	}
	out := append(slices.Clone(args[:2]), flags...)
	out = append(out, "--")
	return append(out, positional...), nil
}
