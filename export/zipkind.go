package export

import (
	"archive/zip"
	"bytes"
	"io"
)

// Zip archives given where another file was meant: the review workbook
// given to convert, a Word document given to approve. ZipKind names them
// in a sentence, from the names of the files they hold (and a workbook's
// sheet names), never from the archive's name.

// Kinds of zip archive ZipKind tells apart.
const (
	ZipReview   = "a jcrestore review workbook"
	ZipVerified = "jcrestore verify's workbook"
	ZipExcel    = "an Excel workbook"
	ZipWord     = "a Word document"
	ZipSlides   = "a PowerPoint presentation"
	ZipOther    = "a zip archive"
)

// ZipKind says what the zip archive r, of size bytes, is: one of the Zip
// kinds; "" when it is no zip archive.
func ZipKind(r io.ReaderAt, size int64) string {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return ""
	}
	kind := ZipOther
	for _, f := range zr.File {
		switch f.Name {
		case "word/document.xml":
			return ZipWord
		case "ppt/presentation.xml":
			return ZipSlides
		case "xl/workbook.xml":
			kind = workbookKind(f)
		}
	}
	return kind
}

// workbookKind tells jcrestore's workbooks by their sheets' names.
func workbookKind(f *zip.File) string {
	if f.UncompressedSize64 > 1<<20 {
		return ZipExcel
	}
	rc, err := f.Open()
	if err != nil {
		return ZipExcel
	}
	defer rc.Close()
	b, _ := io.ReadAll(io.LimitReader(rc, 1<<20))
	sheet := func(name string) bool { return bytes.Contains(b, []byte(`name="`+name+`"`)) }
	switch {
	case sheet(SheetUsers) && sheet(SheetAbout):
		return ZipReview
	case sheet(SheetVerified) && sheet(SheetAbout):
		return ZipVerified
	}
	return ZipExcel
}

// NotAnExport says what to do with a zip archive of the kind given where
// Directory Insights exports were meant, after its name.
func NotAnExport(kind, name string) string {
	switch kind {
	case ZipReview:
		return "is " + kind + ": jcrestore approve " + name + " turns it into the import (the CSV, the restore script)"
	case ZipExcel:
		return "is an Excel workbook, not a Directory Insights export: export the events as JSON"
	case ZipOther:
		return "is a zip archive: unpack it and give the exports in it (a folder is read as the files in it)"
	}
	return "is " + kind + ", not a Directory Insights export"
}
