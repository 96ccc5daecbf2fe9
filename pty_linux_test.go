package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
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
