package main

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jcrestore/jcrestore/convert"
)

// progress is the progress line of a read.
type progress struct {
	done  chan struct{}
	wg    sync.WaitGroup
	read  *atomic.Int64
	total int64
}

// startProgress shows how far reading the inputs has come (read counts
// the bytes read so far: convert's Options.Progress), once it has gone on
// for after, on stderr when that is a terminal and no input is: a line
// redrawn over a paste would garble it.
func (r *reporter) startProgress(inputs []convert.Input, read *atomic.Int64, after time.Duration) *progress {
	p := &progress{done: make(chan struct{}), read: read}
	if r.quiet || !isTerminal(r.w) || slices.ContainsFunc(inputs, func(in convert.Input) bool { return isTerminal(in.R) }) {
		return p
	}
	for _, in := range inputs {
		if f, ok := in.R.(*os.File); ok {
			if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
				p.total += fi.Size()
			}
		}
	}
	p.wg.Go(func() {
		tick := time.NewTicker(progressTick)
		defer tick.Stop()
		for start := time.Now(); ; {
			select {
			case <-p.done:
				r.mu.Lock()
				r.clearBar()
				r.mu.Unlock()
				return
			case <-tick.C:
				if time.Since(start) < after {
					continue
				}
				r.mu.Lock()
				fmt.Fprintf(r.w, "\r\033[Kjcrestore: reading %s", p.status())
				r.bar = true
				r.mu.Unlock()
			}
		}
	})
	return p
}

func (p *progress) status() string {
	const mb = 1 << 20
	n := p.read.Load()
	if p.total <= 0 {
		return fmt.Sprintf("%d MB", n/mb)
	}
	const width = 30
	done := int(min(n, p.total) * width / p.total)
	return fmt.Sprintf("[%s%s] %3d%% %d/%d MB", strings.Repeat("=", done), strings.Repeat(" ", width-done), min(n, p.total)*100/p.total, n/mb, p.total/mb)
}

// stop removes the progress line and ends it.
func (p *progress) stop() {
	close(p.done)
	p.wg.Wait()
}

// busy is the progress line of work that is not a read of the inputs:
// what is being done, how far where it is counted, and for how long.
type busy struct {
	done  chan struct{}
	once  sync.Once
	wg    sync.WaitGroup
	mu    sync.Mutex
	what  string
	n     *atomic.Int64 // counted so far; nil when not counted
	total int64         // of n; 0 when unknown
	unit  string        // what n counts: "rows"
}

// startBusy shows what is being done once it has gone on for
// progressAfter, on stderr when that is a terminal and not quiet: writing
// the workbook, reading a reviewed one, verifying. n, when set, counts up
// to total units.
func (r *reporter) startBusy(what string, n *atomic.Int64, total int64, unit string) *busy {
	b := &busy{done: make(chan struct{}), what: what, n: n, total: total, unit: unit}
	if r.quiet || !isTerminal(r.w) {
		return b
	}
	start := time.Now()
	draw := func(now time.Time) {
		r.mu.Lock()
		fmt.Fprintf(r.w, "\r\033[Kjcrestore: %s (%d s)", b.status(), int(now.Sub(start).Seconds()))
		r.bar = true
		r.mu.Unlock()
	}
	b.wg.Go(func() {
		tick := time.NewTicker(progressTick)
		defer tick.Stop()
		if progressAfter <= 0 {
			draw(start)
		}
		for {
			select {
			case <-b.done:
				r.mu.Lock()
				r.clearBar()
				r.mu.Unlock()
				return
			case now := <-tick.C:
				if now.Sub(start) >= progressAfter {
					draw(now)
				}
			}
		}
	})
	return b
}

// set says what is being done now.
func (b *busy) set(what string) {
	b.mu.Lock()
	b.what = what
	b.mu.Unlock()
}

func (b *busy) status() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch {
	case b.n == nil:
		return b.what
	case b.total > 0:
		return fmt.Sprintf("%s: %s of %s %s", b.what, convert.Count(int(min(b.n.Load(), b.total))), convert.Count(int(b.total)), b.unit)
	}
	return fmt.Sprintf("%s: %s %s", b.what, convert.Count(int(b.n.Load())), b.unit)
}

// stop removes the line and ends it; once stopped, it stays so.
func (b *busy) stop() {
	b.once.Do(func() { close(b.done) })
	b.wg.Wait()
}
