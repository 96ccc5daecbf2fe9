package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync/atomic"

	"github.com/jcrestore/jcrestore/convert"
	"github.com/jcrestore/jcrestore/export"
	"github.com/urfave/cli/v2"
)

func approveAction(c *cli.Context) error {
	if c.NArg() != 1 {
		return fail(exitUsage, "approve takes one review workbook, e.g. jcrestore approve review.xlsx -o restore.csv (see jcrestore approve --help)")
	}
	path := c.Args().First()
	out, err := outputTarget(c, []string{path}, false)
	if err != nil {
		return err
	}
	if err := reviewWorkbook(path); err != nil {
		return err
	}
	b, err := readWhole(path, export.MaxReviewFile, "any review workbook jcrestore writes")
	var pe *fs.PathError
	switch {
	case errors.As(err, &pe):
		return fail(exitUsage, "%s", export.PathError(err))
	case err != nil:
		return fail(exitNoInput, "%s; nothing written", err)
	}
	sum := sha256.Sum256(b)
	rep := newReporter(c.App.ErrWriter, c.Bool("quiet"))
	defer rep.flush()
	rows := new(atomic.Int64)
	busy := rep.startBusy("reading "+path, rows, 0, "rows")
	a, err := export.ReadReviewCounted(b, rows)
	busy.stop()
	if err != nil {
		return fail(exitNoInput, "%s: %s; nothing written", path, err)
	}
	notes, err := a.Check(out.layout == nil || out.layout.Importer)
	if err != nil {
		return fail(exitNoInput, "%s: %s; nothing written", path, err)
	}
	for _, n := range notes {
		n.Where = path
		rep.message(n)
	}
	if len(a.Records) == 0 {
		rep.message(convert.Notef("no row of %s is marked Restore", path))
	}
	for _, e := range a.Edits {
		rep.message(convert.Message{Severity: convert.Note, Where: fmt.Sprintf("%s: Users row %d", path, e.Row), Text: fmt.Sprintf("note: %s: %s", e.Username, e)})
	}
	if a.Unedited != "" && len(a.Records) > 0 {
		rep.message(convert.Notef("%s: %s", path, a.Unedited))
	}
	out.reviewed = fmt.Sprintf("%s (SHA-256 %s)", filepath.Base(path), hex.EncodeToString(sum[:]))
	opts := out.planOptions(c)
	opts.NotWritten = a.NotWritten()
	plan, paths, err := out.plan(rep, &convert.Result{Records: a.Records}, opts)
	if err != nil {
		return err
	}
	written, err := writeCSVs(c, rep, out, plan, paths, 0)
	if err != nil {
		return err
	}
	rep.flush()
	if !rep.quiet {
		rep.line("%s", approved(a, written, plan.Unwritten(), out.writtenTo(paths))+stepsAfter(plan.StepsAfter(), out.script)+"; reviewed: "+out.reviewed)
	}
	if plan.Unwritten() > 0 || len(a.Unclear) > 0 {
		return &exitError{code: exitPartial}
	}
	return nil
}

// reviewWorkbook refuses, in a sentence, a file given to approve that is
// no review workbook: a folder, a document, events.
func reviewWorkbook(path string) error {
	fi, err := os.Stat(path)
	switch {
	case err != nil:
		return fail(exitUsage, "%s", export.PathError(err))
	case fi.IsDir():
		return fail(exitUsage, "%s is a folder: approve takes the review workbook jcrestore convert wrote (-o review.xlsx)", path)
	}
	switch kind := zipKind(path); kind {
	case export.ZipWord, export.ZipSlides, export.ZipVerified:
		return fail(exitNoInput, "%s is %s, not a review workbook: approve takes the one jcrestore convert wrote (-o review.xlsx); nothing written", path, kind)
	case "":
		head, _ := fileHead(path, 512)
		if convert.LooksJSON(bytes.TrimPrefix(head, []byte("\ufeff"))) {
			return fail(exitNoInput, "%s is JSON (Directory Insights events?), not a review workbook: jcrestore convert %s -o review.xlsx writes one; nothing written", path, path)
		}
	}
	return nil // a workbook, or a zip: ReadReview says what is wrong with it
}

// fileHead is the first n bytes of the file at path, or fewer.
func fileHead(path string, n int) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b := make([]byte, n)
	k, _ := io.ReadFull(f, b)
	return b[:k], nil
}

// approved is approve's last line: rows read, marked, written (and where),
// left out.
func approved(a *export.Approved, written, invalid int, where string) string {
	msg := fmt.Sprintf("%s read, %s marked Restore, %s written%s", convert.Plural(a.Rows, "row", "rows"), convert.Count(len(a.Records)), convert.Count(written), where)
	if invalid > 0 {
		msg += fmt.Sprintf(", %s left out (with errors)", convert.Count(invalid))
	}
	var restore, after int
	for _, u := range a.Unclear {
		if u.Why != "" {
			after++
		} else {
			restore++
		}
	}
	if restore > 0 {
		msg += fmt.Sprintf(", %s not restored (Restore unclear)", convert.Count(restore))
	}
	if len(a.Edits) > 0 {
		msg += fmt.Sprintf(", %s in review (each noted)", convert.Plural(len(a.Edits), "edit", "edits"))
	}
	if after > 0 {
		msg += fmt.Sprintf(", %s not restored (After import unclear)", convert.Count(after))
	}
	return msg
}
