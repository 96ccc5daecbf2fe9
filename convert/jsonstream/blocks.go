package jsonstream

import (
	"bytes"
	"io"
)

// Reading in parallel. The input is cut into blocks that end where a line
// starts an event: every line in NDJSON or an array with one element per
// line, the lines that open the elements of a pretty-printed array. Worker
// goroutines split each block into values and run Options.Prepare on them,
// each block on its own. Next hands the values out in input order, so that
// the outcome is the one reading in sequence gives. Where a block cannot be
// read this way (a broken value, a string at the top level, a value larger
// than a block, a cut that was not between values) the splitter reads on
// from the start of that line, exactly as it would have, and reports what
// it finds.

// DefaultBlockSize is the size of the blocks read ahead.
const DefaultBlockSize = 1 << 19

// block is a run of the input that starts where a line starts a value (or
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
	tokValue tokenKind = iota // an object
	tokOpen                   // '[' opens an array
	tokClose                  // ']' closes it
	tokStop                   // the block cannot be read this way from here on
)

// token is one thing found in a block. Indices are into the block's data.
type token struct {
	kind       tokenKind
	line       int
	ls         int  // where the line starts
	start, end int  // the object
	keys       keys // what fastEvent found of Options.Keys
	first      bool // only blanks before it on its line
	endLine    int  // the line it ends on
	prep       any  // what Options.Prepare returned
	tag        uint64
}

// parallel hands out the values of the blocks the workers split, in input
// order, until the input ends or a block cannot be read this way; then it
// leaves the splitter where it reads on.
type parallel struct {
	p    *producer
	s    *splitter
	b    *block // the block whose tokens are being handed out
	k, n int    // the next token of b, and the end of those that can be
	stop bool   // from b's token n on, the splitter reads

	scribble bool // Options.Scribble
	ahead    func(tags []uint64)
	tags     []uint64 // given to ahead, reused

	lineStart int64 // the input offset where the last line begins
}

func startParallel(s *splitter, opts Options) *parallel {
	size := opts.BlockSize
	if size <= 0 {
		size = DefaultBlockSize
	}
	workers := opts.Workers
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
			for b := range p.work {
				splitBlock(b, s.name, s.want, opts.Prepare)
			}
		}()
	}
	return &parallel{p: p, s: s, scribble: opts.Scribble, ahead: opts.Ahead}
}

// next returns the next value read in parallel; false when there is none,
// and the splitter then reads on.
func (pr *parallel) next() (Value, bool) {
	s := pr.s
	for {
		for pr.b != nil && pr.k < pr.n {
			t := &pr.b.toks[pr.k]
			pr.k++
			switch t.kind {
			case tokOpen:
				s.open()
				continue
			case tokClose:
				s.inArray = false
				continue
			}
			s.begin(t.first)
			s.end(t.endLine > t.line)
			return Value{Raw: pr.b.data[t.start:t.end], At: Position{File: s.name, Line: t.line, Col: t.start - t.ls + 1}, Prep: t.prep, Tag: t.tag, keys: t.keys}, true
		}
		if pr.b != nil {
			if pr.stop || pr.b.last {
				pr.handOver()
				return Value{}, false
			}
			if nl := bytes.LastIndexByte(pr.b.data, '\n'); nl >= 0 {
				pr.lineStart = pr.b.off + int64(nl) + 1
			}
			if pr.scribble {
				for i := range pr.b.data {
					pr.b.data[i] = '#'
				}
			}
			pr.p.free <- pr.b
		}
		pr.b = <-pr.p.order
		<-pr.b.done
		pr.k, pr.n, pr.stop = 0, usable(pr.b.toks, s.inArray), false
		pr.stop = pr.n < len(pr.b.toks)
		if pr.ahead != nil {
			pr.tags = pr.tags[:0]
			for _, t := range pr.b.toks[:pr.n] {
				if t.kind == tokValue {
					pr.tags = append(pr.tags, t.tag)
				}
			}
			pr.ahead(pr.tags)
		}
	}
}

// usable returns how many of toks can be handed out before the splitter
// must read on: up to a token that stops, or a bracket the array state
// (inArray before the first token) does not allow. When it stops short, it
// also backs up over the values that end on the line where the trouble is,
// so that the splitter reads that whole line.
func usable(toks []token, inArray bool) int {
	k := len(toks)
	for i, t := range toks {
		if t.kind == tokStop || t.kind == tokOpen && inArray || t.kind == tokClose && !inArray {
			k = i
			break
		}
		if t.kind == tokOpen || t.kind == tokClose {
			inArray = !inArray
		}
	}
	if k < len(toks) {
		for line := toks[k].line; k > 0 && toks[k-1].endLine >= line; k-- {
			line = toks[k-1].line
		}
	}
	return k
}

// handOver leaves the splitter where it reads on: at the start of the line
// where block b stopped being readable in parallel, or at the end of the
// input; the bytes the producer read ahead come first.
func (pr *parallel) handOver() {
	s, b := pr.s, pr.b
	var rest []io.Reader
	if pr.stop {
		t := b.toks[pr.n]
		rest = append(rest, bytes.NewReader(b.data[t.ls:]))
		s.line, s.base = t.line, b.off+int64(t.ls)
		s.lineStart = s.base
		close(pr.p.stop)
		for next := range pr.p.order { // what was read ahead
			rest = append(rest, bytes.NewReader(next.data))
			b = next
		}
	} else {
		// The whole input was read: the splitter only closes it.
		s.line = b.line + bytes.Count(b.data, []byte{'\n'})
		s.base, s.lineStart = b.off+int64(len(b.data)), pr.lineStart
		if nl := bytes.LastIndexByte(b.data, '\n'); nl >= 0 {
			s.lineStart = b.off + int64(nl) + 1
		}
	}
	switch b.err {
	case nil:
		rest = append(rest, s.r) // reading stopped early: the rest is still to read
	case io.EOF:
	default:
		rest = append(rest, errReader{b.err})
	}
	s.r = io.MultiReader(rest...)
	s.pos, s.n = 0, 0
	pr.b = nil
}

// close stops the producer and the workers, and waits until the producer
// is done.
func (pr *parallel) close() {
	if pr.b != nil && pr.b.last && !pr.stop {
		return // the producer is done
	}
	close(pr.p.stop)
	for range pr.p.order {
	}
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// splitBlock finds the values in b and runs prepare on each: whole
// objects, and between them blanks, commas and the brackets of a top-level
// array. It stops at anything else, at an object that does not end in the
// block, and at a line the block ends inside of while the input goes on.
// It runs on a worker.
func splitBlock(b *block, name string, want []string, prepare func(*Value) any) {
	toks := b.toks[:0]
	data := b.data
	var v Value           // what prepare is given, reused
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
			end, k, st := fastEvent(data[i:], want)
			if st != fastOK {
				t.kind = tokStop
				break
			}
			t.end, t.keys = i+end, k
			if k.lines > 0 { // the lines the object spans
				line, ls = line+k.lines, i+k.lastNL+1
			}
			if prepare != nil {
				v = Value{Raw: data[t.start:t.end], At: Position{File: name, Line: t.line, Col: t.start - t.ls + 1}, keys: k}
				t.prep, t.tag = prepare(&v), v.Tag
			}
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

// producer reads the input into blocks for the workers, and hands each to
// the reader in order too.
type producer struct {
	src   io.Reader
	size  int
	work  chan *block // to the workers
	order chan *block // to the reader, in input order
	free  chan *block // blocks the reader is done with
	stop  chan struct{}

	line   int
	off    int64
	carry  []byte // the start of a value that did not fit into the last block
	indent int    // of the lines that start values; -1 until known
}

func (p *producer) run() {
	defer close(p.order)
	defer close(p.work)
	for {
		b := p.block()
		b.line, b.off = p.line, p.off
		select {
		case <-p.stop:
			// The reader reads on with the splitter: hand over what is
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
				// No value starts a line here: the splitter reads the
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

// cut returns where the last line in data that starts a value begins, or
// -1. Lines that start a value begin with '{', indented no more than the
// first such line of the input: one per line in NDJSON, and in a pretty
// array those at the array's first indentation, not the objects nested in
// values. Were it wrong, a value would cross the cut and not end in its
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
