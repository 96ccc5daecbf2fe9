package convert

import (
	"bytes"
	"context"
	"os"
	"testing"
)

// benchInput reads the export named by JCRESTORE_BENCH_INPUT, or the
// sample export, and sets the bytes per operation.
func benchInput(b *testing.B) []byte {
	path := os.Getenv("JCRESTORE_BENCH_INPUT")
	if path == "" {
		path = "../testdata/sample/export.json"
	}
	in, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(in)))
	return in
}

// BenchmarkRead reads the export named by JCRESTORE_BENCH_INPUT (for
// example one written by go run ./testdata/gen), or the sample export:
//
//	JCRESTORE_BENCH_INPUT=/tmp/events.json go test ./convert -run '^$' -bench Read -benchmem
func BenchmarkRead(b *testing.B) {
	in := benchInput(b)
	for b.Loop() {
		if _, err := Read(context.Background(), []Input{{Name: "in", R: bytes.NewReader(in)}}, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
