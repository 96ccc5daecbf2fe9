package export

import (
	"encoding/csv"
	"io"

	"github.com/gocarina/gocsv"
	"github.com/jcrestore/jcrestore/convert"
)

// WriteCSV writes records to w as JumpCloud's import CSV in the layout l:
// the header (with l's BOM, even when there are no records), then a row
// for each record.
func WriteCSV(w io.Writer, l *Layout, records []convert.Record) error {
	c, err := newCSV(w, l)
	if err != nil {
		return err
	}
	for i := range records {
		if err := c.write(&records[i]); err != nil {
			return err
		}
	}
	return c.close()
}

// csvWriter writes records as JumpCloud's import CSV in a Layout.
type csvWriter struct {
	csv    *gocsv.SafeCSVWriter
	layout *Layout
	row    []string // the cells of the record being written, reused
}

// newCSV writes the layout's header (and BOM) to w at once, so that a file
// without records still has its header; records follow with write.
func newCSV(w io.Writer, l *Layout) (*csvWriter, error) {
	cw := csv.NewWriter(w)
	cw.UseCRLF = l.CRLF
	if l.Comma != 0 {
		cw.Comma = l.Comma
	}
	c := &csvWriter{csv: gocsv.NewSafeCSVWriter(cw), layout: l}
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

// write adds one row: the layout picks and orders the record's data cells
// and adds the repeated Group and Attribute columns.
func (c *csvWriter) write(r *convert.Record) error {
	c.row = c.layout.row(c.row, r)
	return c.csv.Write(c.row)
}

// close flushes the rows and returns the first write error.
func (c *csvWriter) close() error {
	c.csv.Flush()
	return c.csv.Error()
}
