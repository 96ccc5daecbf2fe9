//go:build linux

package main

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestOutputFaults: a full disk, a full stdout and a directory that cannot
// be written end with exit 4 and leave nothing behind.
func TestOutputFaults(t *testing.T) {
	t.Run("stdout on /dev/full", func(t *testing.T) {
		full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
		if err != nil {
			t.Skip(err)
		}
		defer full.Close()
		code, stderr := runArgs(t, context.Background(), full, "convert", "-q", sample)
		if code != exitOutput || !strings.Contains(stderr, "no space left on device") {
			t.Errorf("%d %q", code, stderr)
		}
	})
	t.Run("read-only directory", func(t *testing.T) {
		dir := t.TempDir()
		ro := filepath.Join(dir, "ro")
		os.Mkdir(ro, 0o555)
		if os.Geteuid() == 0 {
			ro = "/sys" // root writes anywhere a mode allows; sysfs refuses new files
		}
		code, stderr := runArgs(t, context.Background(), io.Discard, "convert", "-q", sample, "-o", filepath.Join(ro, "restore.csv"))
		if code != exitOutput || !strings.Contains(stderr, "cannot create") {
			t.Errorf("%d %q", code, stderr)
		}
	})
	t.Run("disk full", func(t *testing.T) {
		// A child process whose files may not grow past 1 KiB: the write
		// fails as on a full disk.
		dir := t.TempDir()
		cmd := exec.Command(os.Args[0], "-test.run=^TestDiskFullChild$")
		cmd.Env = append(os.Environ(), "JCRESTORE_DISK_FULL_DIR="+dir)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 0 {
			t.Errorf("left behind: %v", entries)
		}
	})
}

// TestDiskFullChild runs only as TestOutputFaults' child.
func TestDiskFullChild(t *testing.T) {
	dir := os.Getenv("JCRESTORE_DISK_FULL_DIR")
	if dir == "" {
		t.Skip("run by TestOutputFaults")
	}
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &syscall.Rlimit{Cur: 1024, Max: 1024}); err != nil {
		t.Skip(err)
	}
	// Enough users for a CSV larger than 1 KiB.
	input := "testdata/sample/week.json"
	code, stderr := runArgs(t, context.Background(), io.Discard, "convert", "-q", "--include-invalid", input, input, "-o", filepath.Join(dir, "restore.csv"))
	if code != exitOutput || !strings.Contains(stderr, "file too large; nothing written") {
		t.Errorf("%d %q", code, stderr)
	}
}
