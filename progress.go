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
		tick := time.NewTicker(200 * time.Millisecond)
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
