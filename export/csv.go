package export

import (
	"encoding/csv"
	"io"

	"github.com/gocarina/gocsv"
	"github.com/jcrestore/jcrestore/convert"
)

// CSV writes records as JumpCloud's import CSV in a Layout.
type CSV struct {
	csv    *gocsv.SafeCSVWriter
	layout *Layout
	cells  cells
}

// NewCSV writes the layout's header (and BOM) to w at once, so that a file
// without records still has its header; records follow with Write.
func NewCSV(w io.Writer, l *Layout) (*CSV, error) {
	cw := csv.NewWriter(w)
	cw.UseCRLF = l.CRLF
	c := &CSV{csv: gocsv.NewSafeCSVWriter(cw), layout: l}
	c.cells.out = c
	if l.BOM {
		if _, err := io.WriteString(w, "\ufeff"); err != nil {
			return nil, err
		}
	}
	if l.RawHeader != nil {
		eol := "\n"
		if l.CRLF {
			eol = "\r\n"
		}
		if _, err := w.Write(append(l.RawHeader, eol...)); err != nil {
			return nil, err
		}
		return c, nil
	}
	return c, c.csv.Write(l.Header)
}

// Write adds one row. gocsv turns the record's data columns into cells by
// their csv tags; the layout picks and orders them and adds the repeated
// Group and Attribute columns.
func (c *CSV) Write(r convert.Record) error {
	c.cells.rec = &r
	return gocsv.MarshalCSVWithoutHeaders([]convert.User{r.User}, &c.cells)
}

// Close flushes the rows and returns the first write error.
func (c *CSV) Close() error {
	c.csv.Flush()
	return c.csv.Error()
}

// cells receives the data cells of one record from gocsv (it is gocsv's
// CSVWriter) and writes the layout's row for that record.
type cells struct {
	out *CSV
	rec *convert.Record
	row []string
}

func (x *cells) Write(fixed []string) error {
	x.row = x.out.layout.row(x.row, x.rec, fixed)
	return x.out.csv.Write(x.row)
}

// Flush is called by gocsv after each record; rows are flushed on Close.
func (x *cells) Flush() {}

func (x *cells) Error() error { return x.out.csv.Error() }
