package main

import (
	"strings"
	"testing"

	"github.com/jcrestore/jcrestore/convert"
)

func TestReporterMessages(t *testing.T) {
	var b strings.Builder
	r := newReporter(&b, true)
	r.message(convert.Notef("left out"))
	r.line("users.csv: header %s", "user\x00name\x1b[31m")
	r.problem(convert.Problem{Kind: convert.Notice, Message: "not an event"})
	r.record(&convert.Record{User: convert.User{Username: "jdoe"}, Source: "e.json:3", Issues: []convert.Issue{{Severity: convert.Warning, Field: "Username", Message: "long"}}, Notes: []string{"suspended"}})
	want := "jcrestore: users.csv: header user\\x00name\\x1b[31m\n" +
		"jcrestore: e.json:3: jdoe: warning: Username: long\n"
	if b.String() != want {
		t.Errorf("quiet reporter wrote\n%s\nwant\n%s", b.String(), want)
	}
	b.Reset()
	r = newReporter(&b, false)
	for range maxShown + 3 {
		r.problem(convert.Problem{Message: "cut off"})
		r.message(convert.Notef("%d", 1))
	}
	r.flush()
	if got := strings.Count(b.String(), "cut off"); got != maxShown {
		t.Errorf("%d unreadable events printed, want %d", got, maxShown)
	}
	if got := strings.Count(b.String(), "note: 1"); got != maxShown+3 {
		t.Errorf("%d notes printed off a terminal, want all %d", got, maxShown+3)
	}
	if !strings.HasSuffix(b.String(), "jcrestore: 3 more unreadable events not shown\n") {
		t.Errorf("no count of the rest:\n%s", b.String())
	}
}
