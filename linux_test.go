//go:build linux

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// openPTY opens a pseudo-terminal: what is written to master arrives on
// slave as typed (and the other way round), and slave is a terminal.
func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skip("no pseudo-terminals:", err)
	}
	var unlock int32
	var n uint32
	for _, op := range []struct {
		req uintptr
		arg unsafe.Pointer
	}{{syscall.TIOCSPTLCK, unsafe.Pointer(&unlock)}, {syscall.TIOCGPTN, unsafe.Pointer(&n)}} {
		if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, master.Fd(), op.req, uintptr(op.arg)); e != 0 {
			master.Close()
			t.Skip("pseudo-terminal:", e)
		}
	}
	slave, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		master.Close()
		t.Skip("pseudo-terminal:", err)
	}
	t.Cleanup(func() { slave.Close(); master.Close() })
	return master, slave
}

// capture reads what the terminal slave shows on master, on its own
// goroutine; wait closes slave (master then reads EIO: a read from a
// master is not woken by closing it) and returns what was shown.
func capture(master, slave *os.File) (wait func() string) {
	var b bytes.Buffer
	var wg sync.WaitGroup
	wg.Go(func() { io.Copy(&b, master) })
	return func() string {
		slave.Close()
		wg.Wait()
		return b.String()
	}
}

// TestPasteNoProgress pastes the sample export into a terminal, slowly, as
// an admin does, with stderr a terminal too: the hint is shown, and no
// progress line is drawn over the paste, whatever the output.
func TestPasteNoProgress(t *testing.T) {
	defer func(old time.Duration) { progressAfter = old }(progressAfter)
	progressAfter = 0
	sample, err := os.ReadFile(sample)
	if err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{"review.xlsx", "restore.csv"} {
		t.Run(out, func(t *testing.T) {
			keys, stdin := openPTY(t)
			screen, stderr := openPTY(t)
			echo := capture(keys, stdin) // the terminal echoes what is typed
			shown := capture(screen, stderr)
			go func() {
				for line := range strings.Lines(string(sample)) {
					keys.WriteString(line)
					time.Sleep(5 * time.Millisecond) // about a second in all: several ticks of the bar
				}
				keys.Write([]byte{4}) // Ctrl-D
			}()
			path := filepath.Join(t.TempDir(), out)
			code := run(context.Background(), []string{"jcrestore", "convert", "-q=false", "-o", path}, stdin, io.Discard, stderr)
			echo()
			got := shown()
			if code != exitOK || !strings.Contains(got, "paste the event JSON") || strings.Contains(got, "reading") {
				t.Errorf("exit %d; the terminal shows:\n%s", code, got)
			}
		})
	}
}

// created watches dir with inotify and returns, when called again, the
// names of the files created in it meanwhile.
func created(t *testing.T, dir string) func() []string {
	t.Helper()
	fd, err := syscall.InotifyInit1(syscall.IN_NONBLOCK | syscall.IN_CLOEXEC)
	if err != nil {
		t.Skip("inotify:", err)
	}
	if _, err := syscall.InotifyAddWatch(fd, dir, syscall.IN_CREATE); err != nil {
		syscall.Close(fd)
		t.Skip("inotify:", err)
	}
	return func() []string {
		defer syscall.Close(fd)
		var names []string
		buf := make([]byte, 1<<16)
		for {
			n, err := syscall.Read(fd, buf)
			if n <= 0 || err != nil {
				return names
			}
			for b := buf[:n]; len(b) >= syscall.SizeofInotifyEvent; {
				ev := (*syscall.InotifyEvent)(unsafe.Pointer(&b[0]))
				name := b[syscall.SizeofInotifyEvent : syscall.SizeofInotifyEvent+int(ev.Len)]
				names = append(names, strings.TrimRight(string(name), "\x00"))
				b = b[syscall.SizeofInotifyEvent+int(ev.Len):]
			}
		}
	}
}

// TestLargeWorkbookBesideOutput writes and approves a review workbook whose
// Users sheet is larger than excelize keeps in memory (16 MB of XML): what
// excelize keeps on disk while writing holds personal data, so it must be
// created beside the workbook, where the admin chose to put that data, and
// never in the system's temporary directory. approve streams the sheets
// from the zip: it keeps none on disk.
func TestLargeWorkbookBesideOutput(t *testing.T) {
	if testing.Short() {
		t.Skip("writes and reads a workbook of 25,000 users")
	}
	dir, tmp := t.TempDir(), t.TempDir()
	t.Setenv("TMPDIR", tmp)
	var in bytes.Buffer
	for i := range 25000 {
		fmt.Fprintf(&in, `{"event_type":"user_delete","id":"e%d","timestamp":"2024-04-02T14:37:12Z","resource":{"id":"u%d","type":"user","username":"user%d",`+
			`"email":"user%d@example.com","firstname":"Fïrst%d","lastname":"Lâst%d","department":"Department %d","jobTitle":"Title %d"}}`+"\n", i, i, i, i, i, i, i, i)
	}
	if err := os.WriteFile(filepath.Join(dir, "events.ndjson"), in.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, step := range [][]string{{"convert", "-q", "events.ndjson", "-o", "review.xlsx"}, {"approve", "-q", "review.xlsx", "-o", "restore.csv"}} {
		inTmp, beside := created(t, tmp), created(t, dir)
		runIn(t, dir, exitOK, step...)
		if names := inTmp(); len(names) > 0 {
			t.Errorf("%s created %q in the temporary directory", step[0], names)
		}
		kept := slices.ContainsFunc(beside(), func(n string) bool { return strings.HasPrefix(n, "excelize-") })
		if step[0] == "convert" && !kept {
			t.Errorf("convert kept no sheet beside the workbook: the test no longer tests that")
		}
		if step[0] == "approve" && kept {
			t.Errorf("approve unpacked a sheet to a file")
		}
	}
	b, _ := os.ReadFile(filepath.Join(dir, "restore.csv"))
	if n := bytes.Count(b, []byte("\n")); n != 25001 {
		t.Errorf("restore.csv has %d lines, want the header and 25,000 users", n)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 3 {
		t.Errorf("left in the output's directory: %v", entries)
	}
}

// TestProgressLine reads a slow pipe, as from a long download, with stderr
// a terminal: the progress line shows how much was read, and is cleared
// before the summary, which is left alone on its line; inspect shows it
// too.
func TestProgressLine(t *testing.T) {
	defer func(old time.Duration) { progressAfter = old }(progressAfter)
	progressAfter = 0
	sample, err := os.ReadFile(sample)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ args, shows, prints string }{
		{"convert -o " + filepath.Join(t.TempDir(), "restore.csv"), "\r\x1b[Kjcrestore: 6 events read, 3 deleted users found, 3 written", ""},
		{"inspect", "", "jdoe"},
	} {
		screen, stderr := openPTY(t)
		shown := capture(screen, stderr)
		pr, pw, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		go func() {
			for line := range strings.Lines(string(sample)) {
				pw.WriteString(line)
				time.Sleep(3 * time.Millisecond) // over a second in all
			}
			pw.Close()
		}()
		var stdout bytes.Buffer
		code := run(context.Background(), append([]string{"jcrestore"}, strings.Fields(c.args)...), pr, &stdout, stderr)
		pr.Close()
		got := shown()
		if code != exitOK || !strings.Contains(got, "\r\x1b[Kjcrestore: reading 0 MB") || !strings.Contains(got, c.shows) || !strings.Contains(stdout.String(), c.prints) {
			t.Errorf("%s: exit %d; the terminal shows %q; stdout:\n%s", c.args, code, got, stdout.String())
		}
	}
}

// TestPasteWhole pastes the sample export as one line of 9 KB, as a
// browser copies it, with no newline at its end, into a terminal that is
// both stdin and stderr: the terminal's 4,095-byte line limit cuts
// nothing, one Ctrl-D ends the paste, the summary starts on its own line,
// and the terminal has its line editing back afterwards.
func TestPasteWhole(t *testing.T) {
	var line bytes.Buffer
	if b, err := os.ReadFile(sample); err != nil || json.Compact(&line, b) != nil || line.Len() <= 4096 {
		t.Fatalf("the sample as one line: %d bytes, %v", line.Len(), err)
	}
	keys, tty := openPTY(t)
	before := termios(t, tty)
	shown := capture(keys, tty)
	go func() {
		// Typed once jcrestore reads the terminal a byte at a time, as a
		// person pastes after the hint: before that, in canonical mode,
		// the terminal itself keeps at most 4,095 bytes of a line (seen
		// with -race, which slows the start).
		pasting := func() bool {
			tio, err := unix.IoctlGetTermios(int(tty.Fd()), unix.TCGETS)
			return err == nil && tio.Lflag&unix.ICANON == 0
		}
		for deadline := time.Now().Add(10 * time.Second); !pasting() && time.Now().Before(deadline); {
			time.Sleep(5 * time.Millisecond)
		}
		for b := line.Bytes(); len(b) > 0; b = b[min(len(b), 512):] {
			keys.Write(b[:min(len(b), 512)])
			time.Sleep(2 * time.Millisecond)
		}
		keys.Write([]byte{4})
	}()
	path := filepath.Join(t.TempDir(), "restore.csv")
	code := runWithin(t, 20*time.Second, []string{"jcrestore", "convert", "-o", path}, tty, tty)
	after := termios(t, tty)
	got := shown()
	csv, _ := os.ReadFile(path)
	if code != exitOK || bytes.Count(csv, []byte("\n")) != 4 || !strings.Contains(got, "]\x04\r\njcrestore: 6 events read, 3 deleted users found, 3 written") {
		t.Errorf("exit %d, restore.csv:\n%s\nthe terminal shows %q", code, csv, got[max(0, len(got)-300):])
	}
	if after != before {
		t.Errorf("terminal modes %+v after the paste, %+v before", after, before)
	}
}

// TestPasteNothing presses Ctrl-D once on an empty paste: that ends it,
// with nothing read.
func TestPasteNothing(t *testing.T) {
	keys, tty := openPTY(t)
	shown := capture(keys, tty)
	go func() {
		time.Sleep(50 * time.Millisecond)
		keys.Write([]byte{4})
	}()
	code := runWithin(t, 20*time.Second, []string{"jcrestore", "convert"}, tty, tty)
	if got := shown(); code != exitNoInput || !strings.Contains(got, "stdin: nothing was pasted") || !strings.Contains(got, "no usable input") {
		t.Errorf("exit %d; the terminal shows %q", code, got)
	}
}

// TestPasteInterrupted stops a run (Ctrl-C) while a paste is read: the
// terminal gets its modes back.
func TestPasteInterrupted(t *testing.T) {
	keys, tty := openPTY(t)
	before := termios(t, tty)
	shown := capture(keys, tty)
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		keys.WriteString(`{"event_type": "user_delete",`)
		time.Sleep(100 * time.Millisecond)
		cancel()
	}()
	done := make(chan int)
	go func() { done <- run(ctx, []string{"jcrestore", "convert"}, tty, io.Discard, tty) }()
	var code int
	select {
	case code = <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("the run did not stop when interrupted")
	}
	after := termios(t, tty)
	keys.WriteString("\n") // ends the read the interrupted run left waiting
	shown()
	if code != exitInterrupt || after != before {
		t.Errorf("exit %d; terminal modes %+v after, %+v before", code, after, before)
	}
}

// runWithin runs jcrestore with stdin and stderr the terminal given,
// failing the test if it has not ended in d.
func runWithin(t *testing.T, d time.Duration, args []string, stdin, stderr *os.File) int {
	t.Helper()
	done := make(chan int, 1)
	go func() { done <- run(context.Background(), args, stdin, io.Discard, stderr) }()
	select {
	case code := <-done:
		return code
	case <-time.After(d):
		t.Fatalf("%q has not ended after %v: waiting for another Ctrl-D?", args, d)
		return 0
	}
}

// termios are the terminal modes of f.
func termios(t *testing.T, f *os.File) unix.Termios {
	t.Helper()
	tio, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	if err != nil {
		t.Fatal(err)
	}
	return *tio
}

// TestScreenful writes 100 notes of one kind to a terminal of 24 rows: a
// screenful of them is shown, then how many more there were.
func TestScreenful(t *testing.T) {
	screen, stderr := openPTY(t)
	if err := unix.IoctlSetWinsize(int(stderr.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: 24, Col: 80}); err != nil {
		t.Skip("window size:", err)
	}
	shown := capture(screen, stderr)
	in := strings.Repeat(`{"id":"x","name":"not an event"}`+"\n", 100) + `{"event_type":"user_delete","resource":{"username":"jdoe","email":"jdoe@example.com","firstname":"J","lastname":"Doe"}}`
	code := run(context.Background(), []string{"jcrestore", "convert"}, strings.NewReader(in), io.Discard, stderr)
	got := shown()
	if n := strings.Count(got, "not a Directory Insights event"); code != exitOK || n != 20 || !strings.Contains(got, "jcrestore: 80 more notes on reading not shown (2> messages.txt keeps them all)") {
		t.Errorf("exit %d, %d notes shown; the terminal shows:\n%s", code, n, got)
	}
}

// TestScreenfulOfUsers: the findings of 40 users, each with a warning, on
// a terminal of 24 rows: a screenful, and the count of the rest before the
// summary.
func TestScreenfulOfUsers(t *testing.T) {
	screen, stderr := openPTY(t)
	if err := unix.IoctlSetWinsize(int(stderr.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: 24, Col: 80}); err != nil {
		t.Skip("window size:", err)
	}
	shown := capture(screen, stderr)
	var in strings.Builder
	for i := range 40 {
		fmt.Fprintf(&in, `{"event_type":"user_delete","resource":{"id":"u%d","username":"user%d.with.a.very.long.name.indeed","email":"u%d@example.com","firstname":"F","lastname":"L"}}`+"\n", i, i, i)
	}
	code := run(context.Background(), []string{"jcrestore", "convert"}, strings.NewReader(in.String()), io.Discard, stderr)
	got := shown()
	if n := strings.Count(got, "warning:"); code != exitOK || n != 20 || !strings.Contains(got, "jcrestore: 20 more warnings not shown (2> messages.txt keeps them all)\r\njcrestore: 40 events read") {
		t.Errorf("exit %d, %d warnings shown; the terminal shows:\n%s", code, n, got)
	}
}

// TestBusyLine: on a terminal, writing the review workbook, reading a
// reviewed one and verifying each show what they do, with how far they
// are where they count it, and clear the line before what follows.
func TestBusyLine(t *testing.T) {
	defer func(after, tick time.Duration) { progressAfter, progressTick = after, tick }(progressAfter, progressTick)
	progressAfter, progressTick = 0, time.Millisecond
	dir := t.TempDir()
	events, _ := filepath.Abs("testdata/cases/script-restore/events.ndjson")
	plan, _ := filepath.Abs("testdata/shared/verify-plan/restore.ps1")
	users, _ := filepath.Abs("testdata/cases/verify-back/users.json")
	for _, c := range []struct {
		args  []string
		shows string
	}{
		{[]string{"convert", events, "-o", filepath.Join(dir, "review.xlsx")}, "\r\x1b[Kjcrestore: writing " + filepath.Join(dir, "review.xlsx") + ": "},
		{[]string{"approve", filepath.Join(dir, "review.xlsx"), "--script", filepath.Join(dir, "restore.ps1")}, "\r\x1b[Kjcrestore: reading " + filepath.Join(dir, "review.xlsx") + ": "},
		{[]string{"verify", plan, users, "-o", filepath.Join(dir, "verified.xlsx")}, "\r\x1b[Kjcrestore: verify: "},
	} {
		screen, stderr := openPTY(t)
		shown := capture(screen, stderr)
		code := run(context.Background(), append([]string{"jcrestore"}, c.args...), strings.NewReader(""), io.Discard, stderr)
		got := shown()
		if code != exitOK || !strings.Contains(got, c.shows) || !strings.Contains(got, "\r\x1b[K") {
			t.Errorf("%s: exit %d; the terminal shows %q, want %q", c.args[0], code, got, c.shows)
		}
	}
}

// TestReadWholeUnsized: a file whose size the system does not know (the
// files of /proc say 0) is read to its end all the same, also one that
// ends a read that starts past its first byte (/proc/sys).
func TestReadWholeUnsized(t *testing.T) {
	for _, path := range []string{"/proc/self/cmdline", "/proc/sys/kernel/ostype", "/proc/sys/fs/file-max"} {
		want, err := os.ReadFile(path)
		if fi, serr := os.Stat(path); err != nil || serr != nil || len(want) == 0 || fi.Size() != 0 {
			t.Logf("%s: not a file of no size with content here", path)
			continue
		}
		got, err := readWhole(path, 1<<20, "a test's")
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s: read %q, %v; want %q", path, got, err, want)
		}
		if _, err := readWhole(path, len(want)-1, "a test's"); err == nil || !strings.Contains(err.Error(), "larger than a test's") {
			t.Errorf("%s: a limit of one byte less: %v", path, err)
		}
	}
}
