package jsonstream

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"testing"
	"testing/iotest"
	"time"
)

// readAll reads in, one byte at a time with an early io.EOF (the shortest
// reads there are), with the given workers and block size, and renders
// every value and problem, then the layout. It checks that Prepare was
// given each value's bytes, type and place, and that a type found on the
// way is the object's event_type (where it is not found, the two paths
// may differ: the fast path needs a whole object in its buffer).
func readAll(t *testing.T, in []byte, workers, size int) []string {
	t.Helper()
	prepare := func(v *Value) any { return render(v) }
	r := NewReader(iotest.DataErrReader(iotest.OneByteReader(bytes.NewReader(in))), "in",
		Options{Keys: []string{"event_type", "id"}, Prepare: prepare, Workers: workers, BlockSize: size})
	defer r.Close()
	var out []string
	for {
		v, prob, ok := r.Next()
		if !ok {
			break
		}
		if prob != nil {
			out = append(out, "problem "+prob.Error())
			continue
		}
		if seen := render(&v); v.Prep != seen {
			t.Fatalf("Prepare was given %s, Next returns %s", v.Prep, seen)
		}
		for n, key := range []string{"event_type", "id"} {
			got, known := v.Key(n)
			if !known {
				continue
			}
			// encoding/json reads each invalid UTF-8 byte as U+FFFD, as a
			// conversion to runes does.
			if want, ok := firstKey(v.Raw, key); ok != (got != nil) || string([]rune(string(got))) != want {
				t.Fatalf("%s: %s %q, encoding/json reads %q (%v)", v.At, key, got, want, ok)
			}
		}
		out = append(out, fmt.Sprintf("%s %q %d", v.At, v.Raw, v.CompactLen()))
	}
	return append(out, fmt.Sprintf("%d values, %s", r.Values(), r.Layout()))
}

// render describes a value as Prepare is given it.
func render(v *Value) string {
	typ, known := v.Key(0)
	return fmt.Sprintf("%s %q %q %v", v.At, v.Raw, typ, known)
}

// firstKey returns the first top-level key of the object raw as
// encoding/json reads it, and whether it is there and a string.
func firstKey(raw []byte, want string) (string, bool) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return "", false
	}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return "", false
		}
		var value json.RawMessage
		if err := dec.Decode(&value); err != nil {
			return "", false
		}
		if key == want {
			var s string
			err := json.Unmarshal(value, &s)
			return s, err == nil
		}
	}
	return "", false
}

// readBoth reads in in sequence and in parallel with blocks of size, and
// fails unless the values, problems and layout are the same.
func readBoth(t *testing.T, in []byte, size int) {
	t.Helper()
	want := readAll(t, in, 0, size)
	got := readAll(t, in, 2, size)
	for i := range max(len(got), len(want)) {
		if i >= len(got) || i >= len(want) || got[i] != want[i] {
			t.Fatalf("blocks of %d, item %d of %d and %d:\nparallel   %.500q\nsequential %.500q", size, i, len(got), len(want), got[i:], want[i:])
		}
	}
}

// generated is an export of every layout testdata/gen writes, made once.
var generated = sync.OnceValues(func() (map[string][]byte, error) {
	out := map[string][]byte{}
	for _, layout := range []string{"array", "pretty", "ndjson"} {
		args := []string{"-n", "3000", "-layout", layout, "-seed", "3"}
		cmd := exec.Command("go", append([]string{"run", "../../testdata/gen"}, args...)...)
		if gen := os.Getenv("JCRESTORE_GEN"); gen != "" {
			// The generator built beforehand, where there is no Go:
			// CI's run of the Windows build under Wine.
			cmd = exec.Command(gen, args...)
		}
		b, err := cmd.Output()
		if err != nil {
			return nil, fmt.Errorf("go run ../../testdata/gen: %w", err)
		}
		out[layout] = b
	}
	return out, nil
})

// TestParallelAgrees reads every input of the CLI cases, generated exports
// in every layout and inputs made to end a parallel read at each kind of
// line, in parallel and in sequence: the same values, problems and layout,
// with blocks so small that values and lines cross them.
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
	for _, seed := range seeds(t) {
		inputs[fmt.Sprintf("case input %d", len(inputs))] = seed
	}
	if !testing.Short() {
		gen, err := generated()
		if err != nil {
			t.Fatal(err)
		}
		for layout, b := range gen {
			inputs["generated "+layout] = b
		}
	}
	for name, in := range inputs {
		t.Run(strings.ReplaceAll(name, " ", "_"), func(t *testing.T) {
			for _, size := range []int{1, 7, 64, 4096, DefaultBlockSize} {
				readBoth(t, in, size)
			}
		})
	}
}

// FuzzParallel reads any input in parallel and in sequence, with small
// blocks of a size the input picks: the same values, problems and layout.
func FuzzParallel(f *testing.F) {
	for _, seed := range seeds(f) {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		size := 1
		if len(in) > 0 {
			size += int(in[len(in)-1]) % 96
		}
		readBoth(t, in, size)
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

// TestParallelReadError cuts an input off with a read error at many
// places: the same values and problems, in parallel and in sequence.
func TestParallelReadError(t *testing.T) {
	in := []byte(strings.Repeat("{\"event_type\":\"a\",\"x\":[1,2]}\n{\n  \"event_type\": \"user_delete\",\n  \"resource\": {\"username\": \"ann\"}\n}\n", 20))
	for cut := 0; cut <= len(in); cut += 7 {
		var got [2][]string
		for i, workers := range []int{0, 2} {
			r := NewReader(&failingReader{in[:cut], errors.New("disk on fire")}, "in", Options{Workers: workers, BlockSize: 64})
			for {
				v, prob, ok := r.Next()
				if !ok {
					break
				}
				if prob != nil {
					got[i] = append(got[i], prob.Error())
				} else {
					got[i] = append(got[i], fmt.Sprintf("%s %q", v.At, v.Raw))
				}
			}
			r.Close()
		}
		if !reflect.DeepEqual(got[0], got[1]) {
			t.Fatalf("cut at %d: sequential %q, parallel %q", cut, got[0], got[1])
		}
	}
}

// TestParallelClosed: a read closed before its input ends leaves no
// goroutine behind.
func TestParallelClosed(t *testing.T) {
	before := runtime.NumGoroutine()
	in := bytes.Repeat([]byte("{\"event_type\":\"a\"}\n"), 100000)
	for _, values := range []int{0, 1, 5000} {
		r := NewReader(bytes.NewReader(in), "in", Options{Workers: 3, BlockSize: 4096})
		for range values {
			r.Next()
		}
		r.Close()
	}
	for range 100 {
		if runtime.NumGoroutine() <= before {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("%d goroutines before, %d after", before, runtime.NumGoroutine())
}
