package jsonstream

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"

	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// Decode wraps r so that it yields UTF-8 text. It undoes gzip (recognised by
// its magic bytes, never by the file name), a UTF-8 byte order mark, and
// UTF-16 in either byte order (by its BOM, or by the NUL bytes that ASCII
// text has in UTF-16). The returned layers name what was undone, for
// messages and inspect.
func Decode(r io.Reader) (io.Reader, []string, error) {
	var layers []string
	br := bufio.NewReaderSize(r, 256<<10)
	head, _ := br.Peek(4)
	if bytes.HasPrefix(head, []byte{0x1f, 0x8b}) {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, nil, fmt.Errorf("gzip: %w", err)
		}
		layers = append(layers, "gzip")
		br = bufio.NewReaderSize(zr, 256<<10)
		head, _ = br.Peek(4)
	}
	switch {
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return nil, nil, fmt.Errorf("this is a zip archive (an Excel workbook?), not a Directory Insights export; review workbooks are read by approve")
	case bytes.HasPrefix(head, []byte{0xef, 0xbb, 0xbf}):
		br.Discard(3)
		return br, append(layers, "UTF-8 with BOM"), nil
	case bytes.HasPrefix(head, []byte{0xff, 0xfe}):
		return utf16(br, unicode.LittleEndian, unicode.ExpectBOM), append(layers, "UTF-16LE"), nil
	case bytes.HasPrefix(head, []byte{0xfe, 0xff}):
		return utf16(br, unicode.BigEndian, unicode.ExpectBOM), append(layers, "UTF-16BE"), nil
	// Without a BOM, two ASCII characters in UTF-16 (JSON starts with
	// ASCII) show the byte order; one NUL byte alone is not enough.
	case len(head) == 4 && head[0] != 0 && head[1] == 0 && head[2] != 0 && head[3] == 0:
		return utf16(br, unicode.LittleEndian, unicode.IgnoreBOM), append(layers, "UTF-16LE without BOM"), nil
	case len(head) == 4 && head[0] == 0 && head[1] != 0 && head[2] == 0 && head[3] != 0:
		return utf16(br, unicode.BigEndian, unicode.IgnoreBOM), append(layers, "UTF-16BE without BOM"), nil
	}
	return br, layers, nil
}

func utf16(r io.Reader, e unicode.Endianness, bom unicode.BOMPolicy) io.Reader {
	return transform.NewReader(r, unicode.UTF16(e, bom).NewDecoder())
}

func readError(err error) string {
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "the compressed data is cut off"
	case errors.Is(err, context.Canceled):
		return "interrupted"
	}
	return err.Error()
}
