package main

import (
	"os"
	"strings"
	"testing"
)

// TestNotTerminals: the null device (a character device, as terminals
// are), a pipe, a file and a reader that is no file are not terminals,
// and have no screenful to keep messages to.
func TestNotTerminals(t *testing.T) {
	null, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	file, err := os.CreateTemp("", "console")
	if err != nil {
		t.Fatal(err)
	}
	defer os.Remove(file.Name())
	defer file.Close()
	for name, v := range map[string]any{"the null device": null, "a pipe": r, "a file": file, "a string reader": strings.NewReader("")} {
		if isTerminal(v) || screenful(v) != 0 {
			t.Errorf("%s: a terminal of %d lines", name, screenful(v))
		}
	}
}
