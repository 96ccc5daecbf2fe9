package export

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"
)

// ourRows reads every row of a sheet with approve's reader, and the
// workbook's sheets.
func ourRows(b []byte, sheet string) ([][]string, []string, error) {
	bk, err := openBook(b)
	if err != nil {
		return nil, nil, err
	}
	r, err := bk.rows(sheet)
	if err != nil {
		return nil, bk.sheets, err
	}
	defer r.Close()
	var out [][]string
	for r.Next() {
		out = append(out, r.Columns())
	}
	return out, bk.sheets, r.Err()
}

// excelizeRows reads them with excelize's streamed row reader (Rows,
// Columns with RawCellValue): what approve's reader is held to. The
// sheets are nil where excelize cannot open the workbook.
func excelizeRows(b []byte, sheet string) ([][]string, []string, error) {
	read, sheets, err := excelizeBook(b)
	if err != nil {
		return nil, sheets, err
	}
	s, ok := read[sheet]
	if !ok {
		return nil, sheets, fmt.Errorf("no sheet %s", sheet)
	}
	return s.rows, sheets, s.err
}

// excelizeSheet is what excelize reads of a sheet.
type excelizeSheet struct {
	rows [][]string
	err  error
}

// excelizeBook reads every sheet of b with excelize, opening it once, up
// to 5,000 rows a sheet (excelize takes seconds for a sheet's last row, a
// million down). The sheets are nil where excelize cannot open b.
func excelizeBook(b []byte) (read map[string]excelizeSheet, sheets []string, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("excelize panicked: %v", p)
		}
	}()
	// Small workbooks only: excelize allocates what a zip claims a part
	// unpacks to, whatever it holds.
	f, err := excelize.OpenReader(bytes.NewReader(b), excelize.Options{UnzipSizeLimit: 64 << 20})
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	sheets = f.GetSheetList()
	read = map[string]excelizeSheet{}
	for _, sheet := range sheets {
		var s excelizeSheet
		rows, err := f.Rows(sheet)
		for err == nil && rows.Next() {
			var cells []string
			if cells, err = rows.Columns(excelize.Options{RawCellValue: true}); len(s.rows) == 5000 {
				err = errors.New("more than 5,000 rows: not read")
			}
			s.rows = append(s.rows, cells)
		}
		if err == nil {
			err = rows.Close()
		}
		s.err = err
		read[sheet] = s
	}
	return read, sheets, nil
}

// sameRows compares two readings, a row without cells equal to a row of
// none.
func sameRows(a, b [][]string) bool {
	return slices.EqualFunc(a, b, func(x, y []string) bool { return slices.Equal(x, y) })
}

// agreeWorkbooks are real workbooks of each kind approve reads: as
// jcrestore writes them (inline strings), as LibreOffice saves them
// (shared strings; testdata/review-libreoffice.xlsx is the review of
// reviewResult, opened and saved in LibreOffice Calc 7.4), and as
// excelize's cell by cell API writes them (shared strings, rich text,
// formulas, numbers, gaps).
func agreeWorkbooks(t testing.TB) map[string][]byte {
	var b bytes.Buffer
	if err := WriteWorkbook(&b, &Review{Result: reviewResult(), Made: deleted}); err != nil {
		t.Fatal(err)
	}
	saved, err := os.ReadFile("testdata/review-libreoffice.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	return map[string][]byte{"jcrestore": b.Bytes(), "libreoffice": saved, "cells": cellsWorkbook(t)}
}

// cellsWorkbook is a workbook written cell by cell by excelize: each kind
// of value a cell holds.
func cellsWorkbook(t testing.TB) []byte {
	f := excelize.NewFile()
	defer f.Close()
	set := func(cell string, v any) {
		if err := f.SetCellValue("Sheet1", cell, v); err != nil {
			t.Fatal(err)
		}
	}
	set("A1", "Username")
	set("B1", "Email")
	set("D1", " padded ")
	set("A2", "jdoe")
	set("B2", "jane@example.com")
	set("C2", 42)
	set("D2", 1.5)
	set("E2", true)
	set("F2", time.Date(2024, 4, 2, 14, 37, 12, 0, time.UTC))
	set("A4", "a_x0041_b and _x005F_x0041_ and \r\n")
	set("B4", "Zoë Åström & <Ñúñez>")
	if err := f.SetCellRichText("Sheet1", "C4", []excelize.RichTextRun{{Text: "rich "}, {Text: "text", Font: &excelize.Font{Bold: true}}}); err != nil {
		t.Fatal(err)
	}
	if err := f.SetCellFormula("Sheet1", "D4", "C2*2"); err != nil {
		t.Fatal(err)
	}
	set("Z9", "far")
	set("A9", "near")
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestSheetsAgree: approve's reader reads every sheet of every kind of
// workbook as excelize does, cell for cell.
func TestSheetsAgree(t *testing.T) {
	for name, b := range agreeWorkbooks(t) {
		read, sheets, err := excelizeBook(b)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		bk, err := openBook(b)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !slices.Equal(bk.sheets, sheets) {
			t.Errorf("%s: sheets %q, excelize %q", name, bk.sheets, sheets)
		}
		for _, sheet := range sheets {
			want := read[sheet]
			if want.err != nil {
				t.Fatalf("%s, %s: excelize: %v", name, sheet, want.err)
			}
			got, _, err := ourRows(b, sheet)
			if err != nil {
				t.Fatalf("%s, %s: %v", name, sheet, err)
			}
			if !sameRows(got, want.rows) {
				t.Errorf("%s, %s:\n got %q\nwant %q", name, sheet, got, want.rows)
			}
		}
	}
}

// rezip is the workbook b with each part as change makes it (its name
// and content).
func rezip(t testing.TB, b []byte, change func(name string, data []byte) (string, []byte)) []byte {
	z, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	w := zip.NewWriter(&out)
	for _, f := range z.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		name, data := change(f.Name, data)
		part, err := w.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		part.Write(data)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// withSheet is the cells workbook with its sheet's XML replaced by sheet.
func withSheet(t testing.TB, template, sheet []byte) []byte {
	return rezip(t, template, func(name string, data []byte) (string, []byte) {
		if name == "xl/worksheets/sheet1.xml" {
			return name, sheet
		}
		return name, data
	})
}

// TestWorkbookVariants: what other tools do to a workbook's zip is read
// as excelize reads it: part names with backslashes (old Windows zip
// tools), the shared strings named in another case, a part in another
// encoding than UTF-8.
func TestWorkbookVariants(t *testing.T) {
	template := cellsWorkbook(t)
	latin1 := charmap.ISO8859_1.NewEncoder()
	for name, change := range map[string]func(string, []byte) (string, []byte){
		"backslashes": func(n string, data []byte) (string, []byte) { return strings.ReplaceAll(n, "/", `\`), data },
		"case": func(n string, data []byte) (string, []byte) {
			if n == sharedStringsPart {
				n = "xl/SharedStrings.xml"
			}
			return n, data
		},
		"ISO-8859-1": func(n string, data []byte) (string, []byte) {
			if n != sharedStringsPart {
				return n, data
			}
			data, err := latin1.Bytes(bytes.Replace(data, []byte(`encoding="UTF-8"`), []byte(`encoding="ISO-8859-1"`), 1))
			if err != nil {
				t.Fatal(err)
			}
			return n, data
		},
	} {
		b := rezip(t, template, change)
		want, _, err := excelizeRows(b, "Sheet1")
		if err != nil {
			t.Fatalf("%s: excelize: %v", name, err)
		}
		got, _, err := ourRows(b, "Sheet1")
		if err != nil || !sameRows(got, want) {
			t.Errorf("%s: %v\n got %q\nwant %q", name, err, got, want)
		}
		if !slices.ContainsFunc(got, func(row []string) bool { return slices.Contains(row, "Zoë Åström & <Ñúñez>") }) {
			t.Errorf("%s: no Zoë Åström & <Ñúñez> in %q", name, got)
		}
	}
}

// TestSharedStringsBroken: shared strings that cannot be read fail every
// sheet that needs them, not only the first read (approve reads the
// Written sheet before the Users sheet, and goes on without it).
func TestSharedStringsBroken(t *testing.T) {
	b := rezip(t, cellsWorkbook(t), func(n string, data []byte) (string, []byte) {
		if n == sharedStringsPart {
			data = data[:len(data)/2]
		}
		return n, data
	})
	bk, err := openBook(b)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := bk.sharedStrings(); err == nil || !strings.HasPrefix(err.Error(), "the shared strings: ") {
			t.Errorf("sharedStrings: %v", err)
		}
	}
}

// TestUnzippedSizeWraps: parts that claim sizes summing past 2^64 (to a
// few bytes) are refused before anything is unpacked.
func TestUnzippedSizeWraps(t *testing.T) {
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	for _, size := range []uint64{^uint64(0), 2} {
		if _, err := w.CreateRaw(&zip.FileHeader{Name: fmt.Sprint("part", size), Method: zip.Store, UncompressedSize64: size}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := unzippedSize(b.Bytes()); err == nil || !strings.Contains(err.Error(), "more than the 512 MB") {
		t.Errorf("unzippedSize: %v", err)
	}
}

const sheetHead = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
	`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`

// sheetSeeds are sheets as a program might write them, each shape of
// row, cell and value the reader takes.
var sheetSeeds = []string{
	sheetHead + `<row r="1"><c r="A1" t="s"><v>0</v></c><c r="C1" t="inlineStr"><is><t xml:space="preserve"> a&amp;b </t></is></c></row>` +
		`<row><c t="inlineStr"><is><r><t>x</t></r><r><rPr><b/></rPr><t>y</t></r><rPh sb="0" eb="1"><t>z</t></rPh></is></c><c><f>1+1</f></c><c t="b"><v>1</v></c><c t="e"><v>#N/A</v></c></row>` +
		`<row r="5" spans="1:4"><c r="B5" t="str"><f>A1</f><v>res</v></c><c r="D5" s="3"><v>45383.60916666667</v></c><c r="E5" t="d"><v>2024-04-02T14:37:12Z</v></c></row>` +
		`<row r="6"/>` +
		`<row r="7"><c r="A7" t="inlineStr"><is><t>_x000D_line_x005F_x000A_ _xD800_ _x12</t></is></c><c r="B7" t="inlineStr"><is><t><![CDATA[<cdata> & more]]></t></is></c><!-- a comment --><?pi here?></row>` +
		`<row r="8"><c r="a8" t="s"><v> 1 </v></c></row><row><c r="C9"><v>third</v></c><c r="B9"><v>back</v></c></row>` +
		`</sheetData></worksheet>`,
	`<?xml version="1.0"?><x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>` +
		`<x:row r="2"><x:c r="B2" t="inlineStr"><x:is><x:t>prefixed</x:t></x:is></x:c><x:c r="XFD2"><x:v>last</x:v></x:c></x:row></x:sheetData></x:worksheet>`,
	sheetHead + `<row r="1000"><c r="A1000"><v>further down</v></c></row></sheetData></worksheet>`,
	sheetHead + `</sheetData></worksheet>`,
}

// FuzzSheet: on any sheet approve's reader takes, it reads what excelize
// reads, cell for cell; a sheet it refuses is one no spreadsheet program
// writes (TestSheetRefused).
func FuzzSheet(f *testing.F) {
	template := cellsWorkbook(f)
	for _, s := range sheetSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, sheet []byte) {
		b := withSheet(t, template, sheet)
		got, _, err := ourRows(b, "Sheet1")
		if err != nil || len(got) > 5000 {
			return // excelize takes seconds for a sheet's last row, a million down
		}
		want, _, err := excelizeRows(b, "Sheet1")
		if err != nil {
			t.Fatalf("excelize refuses a sheet approve reads: %v\n%q", err, got)
		}
		if !sameRows(got, want) {
			t.Fatalf("\n got %q\nwant %q", got, want)
		}
	})
}

// TestSheetRefused: a sheet whose structure no spreadsheet program writes
// is refused, in words, rather than read as something else.
func TestSheetRefused(t *testing.T) {
	template := cellsWorkbook(t)
	many := `<row><c`
	for i := range 1000 {
		many += fmt.Sprintf(` a%d=""`, i)
	}
	for _, c := range []struct{ sheet, want string }{
		{many + ` a7="again"/></row>`, "<c> has the attribute a7 twice"},
		{`<c><v>a</v></c><row/>`, "a cell before the first row, outside a row"},
		{`</sheetData><sheetData><row/>`, "a row outside the sheet's data"},
		{`<row/></sheetData><x><row/></x><sheetData>`, "a row outside the sheet's data"},
		{`<row r="2"/><row r="1"/>`, "row 1 after row 2: the rows are out of order"},
		{`<row r="2"/><row r="2"/>`, "row 2 after row 2: the rows are out of order"},
		{`<row r="1"><c><v>a</v></c></row><c><v>b</v></c>`, "a cell after row 1, outside a row"},
		{`<row r="1"><row r="2"/></row>`, "row 1: a row inside a row"},
		{`<row r="1"><c><c/></c></row>`, "row 1: column 1: a cell inside a cell"},
		{`<row r="1"><c><v>a</v><v>b</v></c></row>`, "row 1: column 1: <v> twice"},
		{`<row r="x"/>`, `a row numbered "x"`},
		{`<row r="0"/>`, `a row numbered "0"`},
		{`<row r="1048577"/>`, `a row numbered "1048577"`},
		{`<row><c r="$A$1"><v>a</v></c></row>`, `row 1: a cell named "$A$1"`},
		{`<row><c r="XFE1"><v>a</v></c></row>`, `row 1: a cell named "XFE1"`},
		{`<row><c s="x" t="inlineStr"><is><t>a</t></is></c></row>`, `row 1: a cell styled "x"`},
		{`<row><c s="x" s="3"><v>a</v></c></row>`, `<c> has the attribute s twice`},
		{`<row><c t="s"><v>99</v></c></row>`, `row 1: column 1: no shared string "99"`},
		{`<row><c><v>a</c></row>`, "</c> ends no element of that name"},
		{`<row><c><v>a</v></c>`, "the XML ends inside <row>"},
	} {
		sheet := sheetHead + c.sheet + `</sheetData></worksheet>`
		if strings.Contains(c.want, "ends inside") {
			sheet = sheetHead + c.sheet
		}
		b := withSheet(t, template, []byte(sheet))
		_, _, err := ourRows(b, "Sheet1")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.sheet, err, c.want)
		}
	}
}
