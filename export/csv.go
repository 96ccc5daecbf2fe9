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
	cells  []string // the data cells of the record being written
	row    []string
}

// NewCSV writes the layout's header (and BOM) to w at once, so that a file
// without records still has its header; records follow with Write.
func NewCSV(w io.Writer, l *Layout) (*CSV, error) {
	cw := csv.NewWriter(w)
	cw.UseCRLF = l.CRLF
	c := &CSV{csv: gocsv.NewSafeCSVWriter(cw), layout: l}
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

// Write adds one row: the layout picks and orders the record's data cells
// and adds the repeated Group and Attribute columns.
func (c *CSV) Write(r convert.Record) error {
	var err error
	if c.cells, err = userCells(c.cells, r.User); err != nil {
		return err
	}
	c.row = c.layout.row(c.row, &r, c.cells)
	return c.csv.Write(c.row)
}

// Close flushes the rows and returns the first write error.
func (c *CSV) Close() error {
	c.csv.Flush()
	return c.csv.Error()
}

// userCells returns u's data columns as cells, in convert.Columns order:
// gocsv turns the struct into cells by its csv tags.
func userCells(dst []string, u convert.User) ([]string, error) {
	c := capture{row: dst[:0]}
	err := gocsv.MarshalCSVWithoutHeaders([]convert.User{u}, &c)
	return c.row, err
}

// capture is a gocsv.CSVWriter that keeps the one row it is given.
type capture struct{ row []string }

func (c *capture) Write(row []string) error {
	c.row = append(c.row, row...) // gocsv reuses row
	return nil
}

func (c *capture) Flush() {}

func (c *capture) Error() error { return nil }
