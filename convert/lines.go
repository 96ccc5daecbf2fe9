package convert

import (
	"bytes"
	"context"
	"io"
	"runtime"

	"github.com/tidwall/gjson"
)

// Reading in parallel. The input is cut into blocks that end where a line
// starts an event: every line in NDJSON or an array with one element per
// line, the lines that open the elements of a pretty-printed array. Worker
// goroutines split each block into events and prepare those jcrestore
// uses, each block on its own. The caller's goroutine takes their results
// in input order and applies them, so that the outcome is the one reading
// in sequence gives. Where a block cannot be read this way (a broken event,
// a string at the top level, an event larger than a block, a cut that was
// not between events) the splitter reads on from the start of that line,
// exactly as it would have, and reports what it finds.

// blockSize is the size of the blocks read ahead.
const blockSize = 1 << 19

// maxWorkers bounds the goroutines that split blocks.
const maxWorkers = 4

// block is a run of the input that starts where a line starts an event (or
// where the input starts) and, unless it is the last, ends where another
// does; and what a worker found in it.
type block struct {
	buf  []byte // what data is held in, reused
	data []byte
	line int   // the line of data[0]
	off  int64 // the input offset of data[0]
	err  error // what ended the input after data (io.EOF, or a read error); nil when reading goes on
	last bool  // no block follows

	toks []token
	done chan struct{} // closed once toks is complete
}

type tokenKind uint8

const (
	tokEvent tokenKind = iota // an event
	tokOther                  // an object without a plain event_type, for unwrap
	tokOpen                   // '[' opens an array
	tokClose                  // ']' closes it
	tokStop                   // the block cannot be read this way from here on
)

// token is one thing found in a block. Indices are into the
// block's data.
type token struct {
	kind       tokenKind
	line       int
	ls         int  // where the line starts
	start, end int  // the object
	first      bool // only blanks before it on its line
	endLine    int  // the line it ends on
	typ        string
	prep       *prepared // a parsed event of a type jcrestore uses
}

// lines reads the input of s in parallel for as long as its blocks can be
// read that way, and leaves s where the splitter reads on: at the start of
// the first line that needs it, or at the end of the input.
func (r *reader) lines(ctx context.Context, s *splitter) error {
	size := r.opts.blockSize
	if size == 0 {
		size = blockSize
	}
	// The goroutine that applies the results does about a third of the
	// workers' work (a profile of a 1 GB export): more than four workers
	// would mostly wait for it, each holding blocks in memory.
	workers := min(runtime.GOMAXPROCS(0), maxWorkers)
	p := &producer{
		src:    s.r,
		size:   size,
		work:   make(chan *block, workers),
		order:  make(chan *block, 2*workers),
		free:   make(chan *block, 3*workers+2),
		stop:   make(chan struct{}),
		line:   1,
		indent: -1,
	}
	go p.run()
	for range workers {
		go func() {
			types := map[string]string{} // each worker's own
			for b := range p.work {
				r.splitBlock(b, s.name, types)
			}
		}()
	}

	var (
		rest      []io.Reader // with stopped: the bytes the splitter reads on from
		stopped   bool
		end       *block // the last block
		lineStart int64  // the input offset where the last line begins
		err       error
	)
	halt := func() {
		stopped = true
		close(p.stop)
	}
	for b := range p.order {
		end = b
		if stopped {
			rest = append(rest, bytes.NewReader(b.data))
			continue
		}
		<-b.done
		if err = ctx.Err(); err != nil {
			halt()
			continue
		}
		if i, line, ok := r.applyBlock(b, s); !ok {
			halt()
			rest = append(rest, bytes.NewReader(b.data[i:]))
			s.line, s.base = line, b.off+int64(i)
			s.lineStart = s.base
			continue
		}
		if nl := bytes.LastIndexByte(b.data, '\n'); nl >= 0 {
			lineStart = b.off + int64(nl) + 1
		}
		if !b.last {
			p.free <- b
		}
	}
	if err != nil {
		return err
	}
	if !stopped {
		// The whole input was read: the splitter only closes it.
		s.line = end.line + bytes.Count(end.data, []byte{'\n'})
		s.base, s.lineStart = end.off+int64(len(end.data)), lineStart
		rest = nil
	}
	switch end.err {
	case nil:
		rest = append(rest, s.r) // reading stopped early: the rest is still to read
	case io.EOF:
	default:
		rest = append(rest, errReader{end.err})
	}
	s.r = io.MultiReader(rest...)
	s.pos, s.n = 0, 0
	return nil
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// applyBlock applies the tokens of b in order, keeping the splitter's
// account of the values seen. Where the block cannot be read this way it
// stops, and returns where the splitter must read on: the start of the line
// where the trouble is, or of the first value that ends on that line.
func (r *reader) applyBlock(b *block, s *splitter) (ls, line int, ok bool) {
	toks := b.toks
	k, inArray := len(toks), s.inArray
	for i, t := range toks {
		if t.kind == tokStop || t.kind == tokOpen && inArray || t.kind == tokClose && !inArray {
			k = i
			break
		}
		if t.kind == tokOpen || t.kind == tokClose {
			inArray = !inArray
		}
	}
	ok = k == len(toks)
	if !ok {
		line, ls = toks[k].line, toks[k].ls
		for k > 0 && toks[k-1].endLine >= line {
			k--
			line, ls = toks[k].line, toks[k].ls
		}
	}
	for i := range toks[:k] {
		r.applyToken(b, s, &toks[i])
	}
	return ls, line, ok
}

func (r *reader) applyToken(b *block, s *splitter, t *token) {
	switch t.kind {
	case tokOpen:
		s.inArray, s.resynced = true, false
		s.values++
		s.arrays++
		return
	case tokClose:
		s.inArray = false
		return
	}
	if !s.inArray {
		s.values++
		s.objects++
		if t.first {
			s.lines++
		}
		s.multi = s.multi || t.endLine > t.line
	}
	if t.kind == tokOther {
		at := Position{File: s.name, Line: t.line, Col: t.start - t.ls + 1}
		unwrap(gjson.ParseBytes(b.data[t.start:t.end]), at, 0, r.wrapped, r.problem)
		return
	}
	r.count(t.typ)
	if t.prep != nil {
		r.apply(t.prep)
	}
}

// splitBlock finds the events in b and prepares those of the types
// jcrestore uses: whole objects, and between them blanks, commas and the
// brackets of a top-level array. It stops at anything else, at an object
// that does not end in the block, and at a line the block ends inside of
// while the input goes on. It runs on a worker: it reads r's options and
// nothing else of r. types holds the type names the worker met, so that
// each is made a string once.
func (r *reader) splitBlock(b *block, name string, types map[string]string) {
	toks := b.toks[:0]
	data := b.data
	line, ls := b.line, 0 // the line at i, and where it starts
	blank := true         // only blanks before i on its line
	for i := 0; ; {
	between:
		for ; i < len(data); i++ {
			switch data[i] {
			case '\n':
				line, ls, blank = line+1, i+1, true
			case ' ', '\t':
			case '\r', ',':
				blank = false
			default:
				break between
			}
		}
		if i == len(data) {
			break
		}
		t := token{line: line, ls: ls, start: i, first: blank}
		blank = false
		switch data[i] {
		case '[':
			t.kind = tokOpen
			i++
		case ']':
			t.kind = tokClose
			i++
		case '{':
			end, ts, te, st := fastEvent(data[i:])
			if st != fastOK {
				t.kind = tokStop
				break
			}
			t.end = i + end
			for j := i; ; { // the lines the object spans
				k := bytes.IndexByte(data[j:t.end], '\n')
				if k < 0 {
					break
				}
				line, ls, j = line+1, j+k+1, j+k+1
			}
			r.readToken(&t, data, ts, te, name, types)
			i = t.end
		default:
			t.kind = tokStop
		}
		t.endLine = line
		toks = append(toks, t)
		if t.kind == tokStop {
			b.toks = toks
			close(b.done)
			return
		}
	}
	if b.err == nil && len(data) > 0 && data[len(data)-1] != '\n' {
		// The line goes on past the block: the splitter reads it whole.
		toks = append(toks, token{kind: tokStop, line: line, ls: ls})
	}
	b.toks = toks
	close(b.done)
}

// readToken reads the type of the object t (ts and te are where
// fastEvent found it, relative to the object) and prepares the event when
// jcrestore uses its type.
func (r *reader) readToken(t *token, data []byte, ts, te int, name string, types map[string]string) {
	raw := data[t.start:t.end]
	var span []byte
	if ts >= 0 {
		span = raw[ts:te]
	}
	var ok bool
	if t.typ, ok = typeOf(raw, span, types); !ok {
		t.kind = tokOther
		return
	}
	if !r.uses(t.typ) {
		return
	}
	t.prep = r.prepare(t.typ, Position{File: name, Line: t.line, Col: t.start - t.ls + 1}, gjson.Result{}, raw)
}

// producer reads the input into blocks for the workers, and
// hands each to the caller in order too.
type producer struct {
	src   io.Reader
	size  int
	work  chan *block // to the workers
	order chan *block // to the caller, in input order
	free  chan *block // blocks the caller is done with
	stop  chan struct{}

	line   int
	off    int64
	carry  []byte // the start of an event that did not fit into the last block
	indent int    // of the lines that start events; -1 until known
}

func (p *producer) run() {
	defer close(p.order)
	defer close(p.work)
	for {
		b := p.block()
		b.line, b.off = p.line, p.off
		select {
		case <-p.stop:
			// The caller reads on with the splitter: hand over what is
			// left over, and leave the rest of the input unread.
			b.data, b.last = append(b.buf[:0], p.carry...), true
			close(b.done)
			p.order <- b
			return
		default:
		}
		n := copy(b.buf, p.carry)
		var err error
		for n < len(b.buf) && err == nil {
			var m int
			m, err = p.src.Read(b.buf[n:])
			n += m
		}
		b.data, b.err, b.last = b.buf[:n], err, err != nil
		p.carry = p.carry[:0]
		if !b.last {
			if cut := p.cut(b.data); cut > 0 {
				p.carry = append(p.carry, b.data[cut:]...)
				b.data = b.data[:cut]
			} else {
				// No event starts a line here: the splitter reads the
				// rest of the input.
				b.last = true
			}
		}
		p.line += bytes.Count(b.data, []byte{'\n'})
		p.off += int64(len(b.data))
		p.work <- b
		p.order <- b
		if b.last {
			return
		}
	}
}

// cut returns where the last line in data that starts an event begins, or
// -1. Lines that start an event begin with '{', indented no more than the
// first such line of the input: one per line in NDJSON, and in a pretty
// array those at the array's first indentation, not the objects nested in
// events. Were it wrong, a value would cross the cut and not end in its
// block: the worker stops there, and the splitter reads on.
func (p *producer) cut(data []byte) int {
	if p.indent < 0 {
		for ls := 0; ls < len(data); {
			if n, ok := opensObject(data[ls:], len(data)); ok {
				p.indent = n
				break
			}
			nl := bytes.IndexByte(data[ls:], '\n')
			if nl < 0 {
				return -1
			}
			ls += nl + 1
		}
		if p.indent < 0 {
			return -1
		}
	}
	for end := len(data); ; {
		nl := bytes.LastIndexByte(data[:end], '\n')
		if nl < 0 {
			return -1
		}
		if _, ok := opensObject(data[nl+1:], p.indent); ok {
			return nl + 1
		}
		end = nl
	}
}

// opensObject reports whether line (from its start on) is blanks, at most
// max of them, and then '{', and how many blanks there are.
func opensObject(line []byte, max int) (int, bool) {
	for i, c := range line {
		switch {
		case c == '{':
			return i, true
		case i >= max || c != ' ' && c != '\t':
			return 0, false
		}
	}
	return 0, false
}

// block returns a free block, or a new one.
func (p *producer) block() *block {
	var b *block
	select {
	case b = <-p.free:
	default:
		b = &block{buf: make([]byte, p.size)}
	}
	b.err, b.last = nil, false
	b.done = make(chan struct{})
	return b
}
