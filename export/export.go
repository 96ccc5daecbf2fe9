package export

import "github.com/jcrestore/jcrestore/convert"

// Writer writes records in one output format.
type Writer interface {
	// Write adds one record.
	Write(convert.Record) error
	// Close flushes what is buffered and returns the first error of the
	// flush or of an earlier Write.
	Close() error
}
