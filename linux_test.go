//go:build linux

package main

import (
	"bytes"
	"context"
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
// excelize keeps on disk meanwhile holds personal data, so it must be
// created beside the workbook, where the admin chose to put that data, and
// never in the system's temporary directory.
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
		if names := beside(); !slices.ContainsFunc(names, func(n string) bool { return strings.HasPrefix(n, "excelize-") }) {
			t.Errorf("%s kept no sheet beside the workbook (created %q): the test no longer tests that", step[0], names)
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
// before the summary, which is left alone on its line.
func TestProgressLine(t *testing.T) {
	defer func(old time.Duration) { progressAfter = old }(progressAfter)
	progressAfter = 0
	sample, err := os.ReadFile(sample)
	if err != nil {
		t.Fatal(err)
	}
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
	code := run(context.Background(), []string{"jcrestore", "convert", "-o", filepath.Join(t.TempDir(), "restore.csv")}, pr, io.Discard, stderr)
	pr.Close()
	got := shown()
	summary := "\r\x1b[Kjcrestore: 6 events read, 3 deleted users found, 3 written"
	if code != exitOK || !strings.Contains(got, "\r\x1b[Kjcrestore: reading 0 MB") || !strings.Contains(got, summary) {
		t.Errorf("exit %d; the terminal shows %q", code, got)
	}
}
