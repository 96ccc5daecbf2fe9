// Package console is what jcrestore does with a terminal: tell one from a
// file or a pipe, know its height, and read a paste from it whole.
package console

import (
	"io"
	"os"

	"golang.org/x/term"
)

// IsTerminal reports whether v is a terminal (not a file, a pipe or the
// null device), or a paste read from one.
func IsTerminal(v any) bool {
	if _, ok := v.(*paste); ok {
		return true
	}
	f, ok := v.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// Screenful is how many lines of messages fit on the terminal v with room
// for what follows them; 0 when v is not a terminal (no limit).
func Screenful(v any) int {
	f, ok := v.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return 0
	}
	if _, rows, err := term.GetSize(int(f.Fd())); err == nil && rows > 0 {
		return max(rows-4, 10)
	}
	return 20
}

// Paste reads what is pasted on the terminal in, whole: the terminal's
// line editing (which cuts a line at 4,095 bytes on Linux and 1,024 on
// macOS) is off while it reads, and the first end-of-input key (Ctrl-D,
// or Ctrl-Z Enter on Windows) ends it for good. When it ends, the line
// the paste left open on the terminal echo is ended, so that what is
// printed next starts on its own line. Close gives the terminal its modes
// back; it must be called on every way out, and may be called twice.
func Paste(in *os.File, echo io.Writer) (io.ReadCloser, error) {
	p := &paste{in: in, echo: echo, last: '\n'}
	restore, eof, err := noLineEditing(in)
	if err != nil {
		return nil, err
	}
	p.restore, p.eofKey = restore, eof
	return p, nil
}

type paste struct {
	in      *os.File
	echo    io.Writer
	restore func() // gives the terminal its modes back; nil once done
	eofKey  byte   // the end-of-input key the terminal no longer handles; 0 when it still does
	done    bool
	last    byte // the last byte read, for the line end
}

func (p *paste) Read(b []byte) (int, error) {
	if p.done {
		return 0, io.EOF
	}
	n, err := p.in.Read(b)
	if p.eofKey != 0 {
		for i, c := range b[:n] {
			if c == p.eofKey {
				n, err = i, io.EOF
				break
			}
		}
	}
	if n > 0 {
		p.last = b[n-1]
	}
	if err != nil || n == 0 && len(b) > 0 {
		p.end()
		if err == nil {
			err = io.EOF
		}
	}
	return n, err
}

// end is the end of the paste: the terminal gets its modes back and the
// echoed line is ended.
func (p *paste) end() {
	if p.done {
		return
	}
	p.done = true
	p.Close()
	if p.last != '\n' && p.last != '\r' && IsTerminal(p.echo) {
		io.WriteString(p.echo, "\n")
	}
}

func (p *paste) Close() error {
	if p.restore != nil {
		p.restore()
		p.restore = nil
	}
	return nil
}
