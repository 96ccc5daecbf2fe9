package jsonstream

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Position is a place in an input: the file as named on the command line
// ("-" reads as "stdin"), a 1-based line, and a 1-based column counted in
// bytes of the UTF-8 text.
type Position struct {
	File string
	Line int
	Col  int
}

func (p Position) String() string {
	if p.Line == 0 {
		return p.File
	}
	if p.Col == 0 {
		return fmt.Sprintf("%s:%d", p.File, p.Line)
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
}

// Kind sorts the problems found while reading.
type Kind int

const (
	// Unreadable means an event (or a whole input) was lost.
	Unreadable Kind = iota
	// Notice is advice or a fact worth telling; nothing was lost.
	Notice
)

// Problem is something found while reading an input. For JSON syntax errors
// Excerpt holds the offending line (shortened around the error) and Caret
// the 0-based rune offset of the error within it.
type Problem struct {
	Kind    Kind
	Pos     Position
	Message string
	Excerpt string
	Caret   int
	// Cut says the input ends in the middle: inside a value, an array or
	// compressed data. A file still downloading, or cut when copied, ends
	// so.
	Cut bool
}

// Error formats the problem as "file:line:col: message", followed by the
// excerpt and a caret line when there is an excerpt.
func (p Problem) Error() string {
	var b strings.Builder
	if p.Pos.File != "" {
		b.WriteString(p.Pos.String())
		b.WriteString(": ")
	}
	if p.Kind == Notice {
		b.WriteString("note: ")
	}
	b.WriteString(p.Message)
	if p.Excerpt != "" {
		b.WriteString("\n    ")
		b.WriteString(p.Excerpt)
		b.WriteString("\n    ")
		for i, r := range []rune(p.Excerpt) {
			if i == p.Caret {
				break
			}
			if r == '\t' {
				b.WriteByte('\t')
			} else {
				b.WriteByte(' ')
			}
		}
		b.WriteByte('^')
	}
	return b.String()
}

// excerpt returns the line around byte i of text (which may start or end in
// the middle of a line) shortened to about 100 runes, and the rune offset of
// byte i within the result. Control characters become spaces so that the
// caret lines up.
func excerpt(text []byte, i int) (string, int) {
	const before, after = 60, 40
	start := i
	for start > 0 && text[start-1] != '\n' && i-start < before {
		start--
	}
	end := i
	for end < len(text) && text[end] != '\n' && end-i < after {
		end++
	}
	for start < i && !utf8.RuneStart(text[start]) {
		start++
	}
	for end < len(text) && end > i && !utf8.RuneStart(text[end]) {
		end--
	}
	var b strings.Builder
	caret := 0
	if start > 0 && text[start-1] != '\n' {
		b.WriteString("…")
		caret++
	}
	line := strings.ToValidUTF8(string(text[start:end]), "\uFFFD")
	caret += utf8.RuneCountInString(strings.ToValidUTF8(string(text[start:i]), "\uFFFD"))
	b.WriteString(strings.Map(func(r rune) rune {
		if r < ' ' && r != '\t' || r == 0x7f {
			return ' '
		}
		return r
	}, strings.TrimRight(line, "\r")))
	if end < len(text) && text[end] != '\n' && text[end] != '\r' {
		b.WriteString("…")
	}
	return b.String(), caret
}
