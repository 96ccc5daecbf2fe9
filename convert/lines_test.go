package convert

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

// readBoth reads in with one goroutine and in parallel with blocks of the
// given size, and fails unless the results and the problems are the same.
func readBoth(t *testing.T, in []byte, opts Options, size int) {
	t.Helper()
	read := func(sequential bool) (*Result, []string) {
		var probs []string
		o := opts
		o.sequential, o.blockSize = sequential, size
		o.Report = func(p Problem) { probs = append(probs, p.Error()) }
		// One byte at a time and an early io.EOF: the reader sees the
		// shortest reads there are.
		res, err := Read(context.Background(), []Input{{Name: "in", R: iotest.DataErrReader(iotest.OneByteReader(bytes.NewReader(in)))}}, o)
		if err != nil {
			t.Fatal(err)
		}
		return res, probs
	}
	want, wantProbs := read(true)
	got, gotProbs := read(false)
	if !reflect.DeepEqual(gotProbs, wantProbs) {
		t.Fatalf("blocks of %d: problems differ:\nparallel   %.2000q\nsequential %.2000q", size, gotProbs, wantProbs)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("blocks of %d: results differ:\nparallel   %.2000v\nsequential %.2000v", size, got, want)
	}
}

// TestParallelAgrees reads every input of the CLI cases, generated exports
// in every layout and inputs made to end a parallel read at each kind of
// line, in parallel and in sequence: the same users, counts and problems,
// with blocks so small that events and lines cross them.
func TestParallelAgrees(t *testing.T) {
	inputs := map[string][]byte{
		"array closed on its last line": []byte("[{\"event_type\":\"a\"},\n{\"event_type\":\"b\"}]\n"),
		"array on lines of its own":     []byte("[\n{\"event_type\":\"a\"},\n{\"event_type\":\"b\"}\n]\n"),
		"array not closed":              []byte("[\n{\"event_type\":\"a\"},\n"),
		"array opened twice":            []byte("[\n{\"event_type\":\"a\"}\n[\n{\"event_type\":\"b\"}\n]\n"),
		"array closed twice":            []byte("[\n{\"event_type\":\"a\"}\n]\n]\n{\"event_type\":\"b\"}\n"),
		"pretty after lines":            []byte("{\"event_type\":\"a\"}\n{\n  \"event_type\": \"b\"\n}\n{\"event_type\":\"c\"}\n"),
		"broken line":                   []byte("{\"event_type\":\"a\"}\n{\"event_type\":\"b\",}\n{\"event_type\":\"c\"}\n"),
		"cut off at the end":            []byte("{\"event_type\":\"a\"}\n{\"event_type\":\"b\""),
		"junk after an event":           []byte("{\"event_type\":\"a\"} x\n{\"event_type\":\"c\"}\n"),
		"two events on a line":          []byte("{\"event_type\":\"a\"}{\"event_type\":\"b\"},{\"event_type\":\"c\"}\r\n"),
		"envelope":                      []byte("{\"jumpcloud_bridge\":{\"event_type\":\"user_delete\",\"resource\":{\"username\":\"ann\"}}}\n"),
		"escaped type":                  []byte("{\"event_\\u0074ype\":\"user_delete\",\"resource\":{\"username\":\"ann\"}}\n"),
		"string at the top":             []byte("\"{\\\"event_type\\\":\\\"user_delete\\\"}\"\n{\"event_type\":\"a\"}\n"),
		"no line break":                 []byte("{\"event_type\":\"user_delete\",\"resource\":{\"username\":\"ann\"}}"),
		"blank lines":                   []byte("\n\n  \n{\"event_type\":\"a\"}\n\n"),
		"pretty array":                  []byte("[\n  {\n    \"event_type\": \"a\",\n    \"changes\": [\n      {\n        \"field\": \"x\"\n      }\n    ]\n  },\n  {\n    \"event_type\": \"user_delete\",\n    \"resource\": {\"username\": \"ann\"}\n  }\n]\n"),
		"pretty objects":                []byte("{\n  \"event_type\": \"a\"\n}\n{\n  \"event_type\": \"b\"\n}\n"),
		"nested lines as indented":      []byte("{\n\"event_type\":\"a\",\n\"x\":\n{\n\"y\":1}\n}\n{\n\"event_type\":\"b\",\n\"x\":\n[\n{\n\"y\":1}]\n}\n"),
		"broken pretty event":           []byte("[\n  {\n    \"event_type\": \"a\",\n  },\n  {\n    \"event_type\": \"b\"\n  }\n]\n"),
		"stop where a value ends":       []byte("{\n\"event_type\":\"a\"\n}{\"event_type\":\"b\"\n,}\n{\"event_type\":\"c\"}\n"),
		"bracket where a value ends":    []byte("[\n{\n\"event_type\":\"a\"\n}[\n{\"event_type\":\"c\"}\n"),
		"empty":                         nil,
	}
	for _, seed := range seeds(&testing.F{}) {
		inputs[fmt.Sprintf("case input %d", len(inputs))] = seed
	}
	if !testing.Short() {
		for _, layout := range []string{"array", "pretty", "ndjson"} {
			out, err := exec.Command("go", "run", "../testdata/gen", "-n", "3000", "-layout", layout, "-seed", "3").Output()
			if err != nil {
				t.Fatal("go run ../testdata/gen:", err)
			}
			inputs["generated "+layout] = out
		}
	}
	for name, in := range inputs {
		t.Run(strings.ReplaceAll(name, " ", "_"), func(t *testing.T) {
			for _, size := range []int{1, 7, 64, 4096, blockSize} {
				readBoth(t, in, Options{Trail: true}, size)
			}
			readBoth(t, in, Options{Events: []string{"user_delete", "user_login_attempt"}, Map: map[string]string{"department": "geoip.region_name"}}, 256)
		})
	}
}

// FuzzParallel reads any input in parallel and in sequence, with small
// blocks of a size the input picks: the same results and problems.
func FuzzParallel(f *testing.F) {
	for _, seed := range seeds(f) {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		size := 1
		if len(in) > 0 {
			size += int(in[len(in)-1]) % 96
		}
		readBoth(t, in, Options{Trail: true}, size)
	})
}

// failingReader returns its bytes and then err.
type failingReader struct {
	b   []byte
	err error
}

func (f *failingReader) Read(p []byte) (int, error) {
	if len(f.b) == 0 {
		return 0, f.err
	}
	n := copy(p, f.b)
	f.b = f.b[n:]
	return n, nil
}

// TestParallelReadError cuts an export off with a read error at many
// places: the same events read and the same problems, in parallel and in
// sequence.
func TestParallelReadError(t *testing.T) {
	in := []byte(strings.Repeat("{\"event_type\":\"a\",\"x\":[1,2]}\n{\n  \"event_type\": \"user_delete\",\n  \"resource\": {\"username\": \"ann\"}\n}\n", 20))
	for cut := 0; cut <= len(in); cut += 7 {
		var got [2][]string
		var res [2]*Result
		for i, sequential := range []bool{true, false} {
			r, err := Read(context.Background(), []Input{{Name: "in", R: &failingReader{in[:cut], errors.New("disk on fire")}}},
				Options{sequential: sequential, blockSize: 64, Report: func(p Problem) { got[i] = append(got[i], p.Error()) }})
			if err != nil {
				t.Fatal(err)
			}
			res[i] = r
		}
		if !reflect.DeepEqual(got[0], got[1]) || !reflect.DeepEqual(res[0], res[1]) {
			t.Fatalf("cut at %d: sequential %q, parallel %q", cut, got[0], got[1])
		}
	}
}

// TestParallelCancelled stops reading when the context is cancelled and
// leaves no goroutine behind.
func TestParallelCancelled(t *testing.T) {
	before := runtime.NumGoroutine()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	in := bytes.Repeat([]byte("{\"event_type\":\"a\"}\n"), 100000)
	if _, err := Read(ctx, []Input{{Name: "in", R: bytes.NewReader(in)}}, Options{blockSize: 4096}); !errors.Is(err, context.Canceled) {
		t.Fatalf("Read returns %v, want context.Canceled", err)
	}
	for range 100 {
		if runtime.NumGoroutine() <= before {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("%d goroutines before Read, %d after", before, runtime.NumGoroutine())
}
