package main

// What jcrestore does with a terminal: tell one from a file or a pipe,
// know its height, and read a paste from it whole.

import (
	"bytes"
	"context"
	"io"
	"os"
	"sync"

	"golang.org/x/term"
)

// isTerminal reports whether v is a terminal (not a file, a pipe or the
// null device), or a paste read from one.
func isTerminal(v any) bool {
	if _, ok := v.(*paste); ok {
		return true
	}
	f, ok := v.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// screenful is how many lines of messages fit on the terminal v with room
// for what follows them; 0 when v is not a terminal (no limit).
func screenful(v any) int {
	f, ok := v.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return 0
	}
	if _, rows, err := term.GetSize(int(f.Fd())); err == nil && rows > 0 {
		return max(rows-4, 10)
	}
	return 20
}

// pasteFrom reads what is pasted on the terminal in, whole: the terminal's
// line editing (which cuts a line at 4,095 bytes on Linux and 1,024 on
// macOS) is off while it reads, and the first end-of-input key (Ctrl-D,
// or Ctrl-Z Enter on Windows) ends it for good. When it ends, the line
// the paste left open on the terminal echo is ended, so that what is
// printed next starts on its own line. When ctx is done (Ctrl-C) a Read
// returns at once, though the terminal is still read from. Close gives the
// terminal its modes back; it must be called on every way out, and may be
// called twice.
func pasteFrom(ctx context.Context, in *os.File, echo io.Writer) (io.ReadCloser, error) {
	restore, eofKey, err := noLineEditing(in)
	if err != nil {
		return nil, err
	}
	p := &paste{ctx: ctx, chunks: make(chan chunk), echo: echo, restore: sync.OnceFunc(restore), last: '\n'}
	go p.read(in, eofKey)
	return p, nil
}

type paste struct {
	ctx     context.Context
	chunks  chan chunk // what the terminal gave, the last with an error
	echo    io.Writer
	restore func() // gives the terminal its modes back, once
	pending []byte // read and not yet returned
	err     error  // the error after pending
	last    byte   // the last byte read, for the line end
	ended   bool   // the line end is written
}

type chunk struct {
	b   []byte
	err error
}

// read reads the terminal until the end-of-input key (when the terminal
// no longer handles it) or an error, and sends what it read to Read.
func (p *paste) read(in *os.File, eofKey byte) {
	for {
		b := make([]byte, 32<<10)
		n, err := in.Read(b)
		if i := bytes.IndexByte(b[:n], eofKey); eofKey != 0 && i >= 0 {
			n, err = i, io.EOF
		}
		if err == nil && n == 0 {
			err = io.EOF
		}
		p.chunks <- chunk{b[:n], err}
		if err != nil {
			return
		}
	}
}

func (p *paste) Read(b []byte) (int, error) {
	if len(p.pending) == 0 && p.err == nil {
		select {
		case c := <-p.chunks:
			p.pending, p.err = c.b, c.err
		case <-p.ctx.Done():
			p.Close()
			return 0, p.ctx.Err()
		}
	}
	n := copy(b, p.pending)
	p.pending = p.pending[n:]
	if n > 0 {
		p.last = b[n-1]
		return n, nil
	}
	if !p.ended {
		p.ended = true
		p.Close()
		if p.last != '\n' && p.last != '\r' && isTerminal(p.echo) {
			io.WriteString(p.echo, "\n")
		}
	}
	return 0, p.err
}

func (p *paste) Close() error {
	p.restore()
	return nil
}
