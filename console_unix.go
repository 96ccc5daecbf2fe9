//go:build linux || darwin

package main

import (
	"os"

	"golang.org/x/sys/unix"
)

// noLineEditing turns the terminal's canonical mode off, and with it the
// line length limit, keeping echo and the keys that signal (Ctrl-C). It
// returns how to give the terminal its modes back, and the end-of-input
// key, which the terminal no longer handles.
func noLineEditing(f *os.File) (restore func(), eof byte, err error) {
	fd := int(f.Fd())
	old, err := unix.IoctlGetTermios(fd, getTermios)
	if err != nil {
		return nil, 0, err
	}
	raw := *old
	raw.Lflag &^= unix.ICANON | unix.ECHOCTL
	raw.Cc[unix.VMIN], raw.Cc[unix.VTIME] = 1, 0
	if err := unix.IoctlSetTermios(fd, setTermios, &raw); err != nil {
		return nil, 0, err
	}
	return func() { unix.IoctlSetTermios(fd, setTermios, old) }, old.Cc[unix.VEOF], nil
}
