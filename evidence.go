package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/jcrestore/jcrestore/convert"
	"github.com/jcrestore/jcrestore/convert/jsonstream"
	"github.com/jcrestore/jcrestore/export"
)

// What verify is given, and which is which: each file is recognised by
// its content, never by its name, and read by the reader of what it is: a
// plan (the import CSV, the reviewed workbook, the restore script), the
// users as JumpCloud holds them now (Get-JCUser's JSON or CSV), or the
// restore script's record (its plan, its steps, and what it read back).

// evidence is one file given to verify.
type evidence struct {
	file    export.File
	plan    *convert.Planned
	current *convert.Current
	results *export.Results
}

// Kinds of evidence, as the workbook and --json name them.
const (
	evidencePlan    = "plan"
	evidenceUsers   = "users"
	evidenceResults = "results"
)

// maxEvidence bounds a file verify reads whole: larger than the users of
// any organization written as JSON.
const maxEvidence = 1 << 30

// readEvidence reads the file at path and says what it is. An error
// opening it is the *fs.PathError of os.Open.
func readEvidence(path string) (*evidence, error) {
	b, err := readWhole(path, maxEvidence, "any plan or users file")
	if err != nil {
		return nil, err
	}
	return evidenceOf(path, b)
}

// evidenceOf reads b, the file at path.
func evidenceOf(path string, b []byte) (*evidence, error) {
	var err error
	sum := sha256.Sum256(b)
	e := &evidence{file: export.File{Name: path, Size: int64(len(b)), SHA256: hex.EncodeToString(sum[:])}}
	if bytes.HasPrefix(b, []byte("PK\x03\x04")) {
		e.file.Kind = evidencePlan
		e.plan, err = export.ReadWorkbookPlan(path, b)
		return e, err
	}
	text, err := decoded(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	b = nil // where text is a decoded copy, the file's bytes can go
	switch {
	case export.IsResults(text):
		e.file.Kind = evidenceResults
		e.results, err = export.ReadResults(path, text)
	case export.IsScript(text):
		e.file.Kind = evidencePlan
		e.plan, err = export.ReadScriptPlan(path, text)
	case convert.LooksJSON(text), convert.IsUsersCSV(text):
		e.file.Kind = evidenceUsers
		e.current, err = convert.ReadCurrent(path, text)
	default:
		e.file.Kind = evidencePlan
		e.plan, err = export.ReadCSVPlan(path, text)
	}
	if err != nil {
		return nil, err
	}
	return e, nil
}

// readWhole reads a file of at most limit bytes, into a buffer of its
// size; a larger one is refused as larger than what (say) holds.
func readWhole(path string, limit int, what string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var size int64
	if fi, err := f.Stat(); err == nil {
		if fi.IsDir() {
			return nil, fmt.Errorf("%s is a folder: give the files in it", path)
		}
		size = fi.Size()
	}
	tooLarge := fmt.Errorf("%s: more than %d MB: larger than %s", path, limit>>20, what)
	if size > int64(limit) {
		return nil, tooLarge
	}
	// A byte more than the file, to read its end in the same buffer, and
	// at least 512: the files of /proc say 0 and cannot be read in small
	// pieces (this is os.ReadFile's loop, with a limit). A buffer from make
	// is not cleared where the memory is fresh, as bytes.Buffer's is: the
	// read is the first to touch it (at 150 MB, 0.45 s of CPU against 0.8).
	const minRead = 512
	b := make([]byte, 0, max(size+1, minRead))
	r := io.LimitReader(f, int64(limit)+1)
	for {
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %v", path, err)
		}
		// Full: the file grew since, or has no size (a pipe, /proc).
		if room := cap(b) - len(b); room == 0 || size == 0 && room < minRead {
			b = slices.Grow(b, minRead)
		}
	}
	if len(b) > limit {
		return nil, tooLarge
	}
	return b, nil
}

// decoded is b as UTF-8 text: b itself, less a UTF-8 byte order mark,
// where it is UTF-8 already; else a decoded copy (UTF-16, gzip).
func decoded(b []byte) ([]byte, error) {
	dec, layers, err := jsonstream.Decode(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	switch {
	case len(layers) == 0:
		return b, nil
	case len(layers) == 1 && layers[0] == "UTF-8 with BOM":
		return b[3:], nil
	}
	var buf bytes.Buffer
	buf.Grow(len(b))
	_, err = buf.ReadFrom(dec)
	return buf.Bytes(), err
}

// assemble makes verify's parts of the evidence given: the plan (a plan
// file, else the record's own), the users as JumpCloud holds them now (a
// users file, else the accounts the record read back), and the record.
// Any other mix is an error that says what each file is.
func assemble(ev []*evidence) (*convert.Planned, *convert.Current, *convert.Restored, []convert.Message, error) {
	var plans, users, results []*evidence
	for _, e := range ev {
		switch e.file.Kind {
		case evidencePlan:
			plans = append(plans, e)
		case evidenceUsers:
			users = append(users, e)
		case evidenceResults:
			results = append(results, e)
		}
	}
	const save = "save them with Get-JCUser | ConvertTo-Json -Depth 6 > users.json"
	switch {
	case len(plans) > 1 && len(users) == 0 && len(results) == 0:
		return nil, nil, nil, nil, fmt.Errorf("%s and %s are both plans, and verify compares one plan with the users as JumpCloud holds them now: %s", names(plans[:len(plans)-1]), plans[len(plans)-1].file.Name, save)
	case len(plans) > 1:
		return nil, nil, nil, nil, fmt.Errorf("%s and %s are both plans: give one", names(plans[:len(plans)-1]), plans[len(plans)-1].file.Name)
	case len(users) > 1:
		return nil, nil, nil, nil, fmt.Errorf("%s and %s both hold the users as JumpCloud has them now: give one", names(users[:len(users)-1]), users[len(users)-1].file.Name)
	case len(results) > 1:
		return nil, nil, nil, nil, fmt.Errorf("%s and %s are both records of the restore script: give the one beside the script", names(results[:len(results)-1]), results[len(results)-1].file.Name)
	}
	var plan *convert.Planned
	var current *convert.Current
	var rec *convert.Restored
	var notes []convert.Message
	if len(results) == 1 {
		r := results[0].results
		plan, current, rec, notes = r.Plan, r.Current, r.Restored, r.Notes
	}
	if len(plans) == 1 {
		plan = plans[0].plan
	}
	if len(users) == 1 {
		current = users[0].current
	}
	switch {
	case plan == nil:
		return nil, nil, nil, nil, fmt.Errorf("%s: the users as JumpCloud holds them now, and no plan to compare them with: give the restore script, the reviewed workbook or the restore CSV too", users[0].file.Name)
	case current == nil && rec != nil:
		return nil, nil, nil, nil, fmt.Errorf(`%s holds no account read back (the script stopped before it read them): run .\restore.ps1 -Check, then verify again; or %s and give users.json too`, rec.Name, save)
	case current == nil:
		return nil, nil, nil, nil, fmt.Errorf("%s is a plan, and the users as JumpCloud holds them now are missing: %s, then jcrestore verify %s users.json; or give the restore script's record (restore-results.json)", plan.Name, save, plan.Name)
	}
	return plan, current, rec, notes, nil
}

// names joins the files' names with commas.
func names(ev []*evidence) string {
	n := make([]string, len(ev))
	for i, e := range ev {
		n[i] = e.file.Name
	}
	return strings.Join(n, ", ")
}

// files are the files of the evidence, for the workbook and --json.
func files(ev []*evidence) []export.File {
	out := make([]export.File, len(ev))
	for i, e := range ev {
		out[i] = e.file
	}
	return out
}
