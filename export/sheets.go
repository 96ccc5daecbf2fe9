package export

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html/charset"
)

// The workbook reader approve uses: a sheet's cells row by row, streamed
// from the zip, each as the raw value the sheet holds (a date is its
// serial number), whether inline as jcrestore writes them or shared as
// Excel and LibreOffice save them. It reads what excelize's Rows and
// Columns read with RawCellValue (FuzzSheet and FuzzReadReview hold the
// two together) for less: encoding/xml's RawToken, without decoding each
// cell into a struct by reflection (BenchmarkReadReview: 6.2 s where
// excelize's reader took 9.4 s, in one session).

// maxRow and maxColumn are a worksheet's bounds (Excel's and excelize's).
const (
	maxRow    = 1 << 20
	maxColumn = 1 << 14
)

// book is a workbook opened for reading its sheets.
type book struct {
	files     map[string]*zip.File
	sheets    []string          // the sheets' names, in the workbook's order
	parts     map[string]string // a sheet's part in the zip, by its name in lower case
	shared    []string          // the shared strings, once a sheet needed them
	read      bool              // whether they were read
	sharedErr error             // why they could not be
}

// openBook opens the workbook b: its sheets, by name.
func openBook(b []byte) (*book, error) {
	z, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, err
	}
	bk := &book{files: make(map[string]*zip.File, len(z.File)), parts: map[string]string{}}
	for _, f := range z.File {
		name := strings.ReplaceAll(f.Name, `\`, "/") // as an old Windows zip tool names it
		if strings.EqualFold(name, sharedStringsPart) {
			name = sharedStringsPart
		}
		bk.files[name] = f
	}
	var rels relationships
	if err := bk.decode("_rels/.rels", &rels); err != nil {
		return nil, err
	}
	wb := "xl/workbook.xml"
	for _, r := range rels.Rels {
		if strings.HasSuffix(r.Type, "/officeDocument") {
			wb = strings.TrimPrefix(r.Target, "/")
		}
	}
	var list struct {
		Sheets []struct {
			Name string `xml:"name,attr"`
			ID   string `xml:"id,attr"` // r:id, in whichever namespace
		} `xml:"sheets>sheet"`
	}
	if err := bk.decode(wb, &list); err != nil {
		return nil, err
	}
	var wbRels relationships
	if err := bk.decode(path.Join(path.Dir(wb), "_rels", path.Base(wb)+".rels"), &wbRels); err != nil {
		return nil, err
	}
	for _, s := range list.Sheets {
		bk.sheets = append(bk.sheets, s.Name)
		for _, r := range wbRels.Rels {
			if r.ID == s.ID {
				part := path.Join(path.Dir(wb), r.Target)
				if strings.HasPrefix(r.Target, "/") {
					part = path.Clean(r.Target[1:])
				}
				bk.parts[strings.ToLower(s.Name)] = part
			}
		}
	}
	return bk, nil
}

// relationships are a part's links to others (its .rels).
type relationships struct {
	Rels []struct {
		ID     string `xml:"Id,attr"`
		Type   string `xml:"Type,attr"`
		Target string `xml:"Target,attr"`
	} `xml:"Relationship"`
}

// decode reads the small XML part name into v.
func (bk *book) decode(name string, v any) error {
	f, ok := bk.files[name]
	if !ok {
		return fmt.Errorf("it has no %s", name)
	}
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	d := xml.NewDecoder(rc)
	d.CharsetReader = charset.NewReaderLabel
	if err := d.Decode(v); err != nil {
		return fmt.Errorf("%s: %v", name, err)
	}
	return nil
}

// rows reads the sheet named name (in any case), a row at a time.
func (bk *book) rows(name string) (*rows, error) {
	part, ok := bk.parts[strings.ToLower(name)]
	f := bk.files[part]
	if !ok || f == nil {
		return nil, fmt.Errorf("it has no sheet %s", name)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	return &rows{bk: bk, sheet: name, rc: rc, x: newTokens(rc)}, nil
}

// sharedStringsPart is where Excel, LibreOffice and excelize keep the
// shared strings (excelize looks nowhere else, in any case).
const sharedStringsPart = "xl/sharedStrings.xml"

// sharedStrings reads the workbook's shared strings, the first time a
// cell refers to one; an error is the same each time.
func (bk *book) sharedStrings() error {
	if !bk.read {
		bk.read = true
		if bk.sharedErr = bk.readShared(); bk.sharedErr != nil {
			bk.sharedErr = fmt.Errorf("the shared strings: %v", bk.sharedErr)
		}
	}
	return bk.sharedErr
}

// readShared reads the shared strings part: each string item (si) of
// the table, in order.
func (bk *book) readShared() error {
	f, ok := bk.files[sharedStringsPart]
	if !ok {
		return nil
	}
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	x := newTokens(rc)
	for {
		t, err := x.next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if s, ok := t.(xml.StartElement); ok && s.Name.Local == "si" && len(x.open) == 2 {
			v, err := x.richText()
			if err != nil {
				return err
			}
			bk.shared = append(bk.shared, v)
		}
	}
}

// tokens reads a part's XML a token at a time, as encoding/xml's
// RawToken does, and checks what RawToken leaves to its caller: that each
// element ends as it started, that the part does not end inside one, and
// that no element has an attribute twice.
type tokens struct {
	d    *xml.Decoder
	open []xml.Name // the elements started and not ended
}

func newTokens(r io.Reader) *tokens {
	d := xml.NewDecoder(bufio.NewReaderSize(r, 64<<10))
	d.CharsetReader = charset.NewReaderLabel // a part in another encoding, as excelize reads it
	return &tokens{d: d}
}

// next is the part's next token.
func (x *tokens) next() (xml.Token, error) {
	t, err := x.d.RawToken()
	if err == io.EOF && len(x.open) > 0 {
		return nil, fmt.Errorf("the XML ends inside <%s>", x.open[len(x.open)-1].Local)
	}
	if err != nil {
		return nil, err
	}
	switch t := t.(type) {
	case xml.StartElement:
		if a, twice := twiceAttr(t.Attr); twice {
			return nil, fmt.Errorf("<%s> has the attribute %s twice", t.Name.Local, a.Local)
		}
		x.open = append(x.open, t.Name)
	case xml.EndElement:
		if len(x.open) == 0 || x.open[len(x.open)-1] != t.Name {
			return nil, fmt.Errorf("</%s> ends no element of that name", t.Name.Local)
		}
		x.open = x.open[:len(x.open)-1]
	}
	return t, nil
}

// twiceAttr finds an attribute given twice: by pairs among the few an
// element has, by a set among many (a hostile file's thousands would take
// hours by pairs).
func twiceAttr(attrs []xml.Attr) (xml.Name, bool) {
	if len(attrs) <= 16 {
		for i, a := range attrs {
			for _, b := range attrs[:i] {
				if a.Name == b.Name {
					return a.Name, true
				}
			}
		}
		return xml.Name{}, false
	}
	seen := make(map[xml.Name]bool, len(attrs))
	for _, a := range attrs {
		if seen[a.Name] {
			return a.Name, true
		}
		seen[a.Name] = true
	}
	return xml.Name{}, false
}

// rows is a sheet read a row at a time: Next, then Columns. A row the
// sheet skips (rows 2 and 4 written, not 3) is read as an empty row, so
// that the count of Next is the row's number. A sheet whose structure no
// spreadsheet program writes (rows out of order, a cell outside a row, a
// row in a row, a cell in a cell) is refused rather than guessed at.
type rows struct {
	bk    *book
	sheet string
	rc    io.ReadCloser
	x     *tokens
	n     int      // the current row's number
	cells []string // its cells
	ahead []string // the next row's cells, read ahead of a gap
	at    int      // the next row's number (0: none read ahead)
	last  int      // the number the sheet gave the last row read
	ended bool     // past the sheet's data
	done  bool     // at the part's end
	err   error
}

// Next moves to the next row; false at the end of the sheet or on an
// error (Err).
func (r *rows) Next() bool {
	if r.err != nil || (r.done && r.at == 0) {
		return false
	}
	if r.at == 0 {
		if !r.read() {
			return false
		}
	}
	r.n++
	if r.at > r.n {
		r.cells = nil // a row the sheet skips
		return true
	}
	r.cells, r.ahead, r.at = r.ahead, nil, 0
	return true
}

// Columns are the current row's cells, the last that holds a value (or
// a formula) the last of them; an empty cell is "".
func (r *rows) Columns() []string { return r.cells }

// Err is what stopped Next short of the sheet's end.
func (r *rows) Err() error { return r.err }

// Close closes the sheet's part.
func (r *rows) Close() error { return r.rc.Close() }

// read reads the next row element into ahead and at; false at the end
// of the sheet. The part is read to its end: what follows the sheet's
// data is checked as well formed, and holds no rows.
func (r *rows) read() bool {
	for {
		t, err := r.x.next()
		if err == io.EOF {
			r.done = true
			return false
		}
		if err != nil {
			return r.fail(err)
		}
		switch t := t.(type) {
		case xml.StartElement:
			inData := len(r.x.open) > 1 && r.x.open[len(r.x.open)-2].Local == "sheetData" && !r.ended
			switch {
			case t.Name.Local == "row" && !inData:
				return r.fail(errors.New("a row outside the sheet's data"))
			case t.Name.Local == "c" && inData && r.last == 0:
				return r.fail(errors.New("a cell before the first row, outside a row"))
			case t.Name.Local == "c" && inData:
				return r.fail(fmt.Errorf("a cell after row %d, outside a row", r.last))
			case t.Name.Local != "row":
				continue
			}
			n := r.last + 1
			for _, a := range t.Attr {
				if a.Name.Local != "r" {
					continue
				}
				if n, err = strconv.Atoi(a.Value); err != nil || n < 1 || n > maxRow {
					return r.fail(fmt.Errorf("a row numbered %q", a.Value))
				}
				if n <= r.last {
					return r.fail(fmt.Errorf("row %d after row %d: the rows are out of order", n, r.last))
				}
			}
			r.last, r.at = n, n
			if r.ahead, err = r.row(); err != nil {
				return r.fail(fmt.Errorf("row %d: %v", n, err))
			}
			return true
		case xml.EndElement:
			r.ended = r.ended || t.Name.Local == "sheetData"
		}
	}
}

func (r *rows) fail(err error) bool {
	r.err = fmt.Errorf("%s sheet: %v", r.sheet, err)
	return false
}

// row reads the cells of the row just started, up to its end.
func (r *rows) row() ([]string, error) {
	var cells []string
	depth, col := len(r.x.open), 0
	for {
		t, err := r.x.next()
		if err != nil {
			return nil, err
		}
		switch t := t.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "row":
				return nil, errors.New("a row inside a row")
			case "c":
			default:
				continue
			}
			col++
			if ref, ok := attr(t, "r"); ok {
				if col, err = cellColumn(ref); err != nil {
					return nil, err
				}
			}
			for _, a := range t.Attr {
				if a.Name.Local != "s" {
					continue
				}
				if _, err := strconv.ParseInt(a.Value, 10, 64); err != nil {
					return nil, fmt.Errorf("a cell styled %q", a.Value) // excelize would read it empty
				}
			}
			typ, _ := attr(t, "t")
			v, formula, err := r.cell(typ)
			if err != nil {
				return nil, fmt.Errorf("column %d: %v", col, err)
			}
			if v != "" || formula {
				for len(cells) < col-1 {
					cells = append(cells, "")
				}
				cells = append(cells, v)
			}
		case xml.EndElement:
			if len(r.x.open) < depth {
				return cells, nil
			}
		}
	}
}

// cell reads the value of the cell just started (its type typ), up to
// its end, and whether it has a formula.
func (r *rows) cell(typ string) (v string, formula bool, err error) {
	var raw, inline string
	var hasV, hasInline bool
	twice := func(seen *bool) bool { was := *seen; *seen = true; return was }
	for depth := len(r.x.open); ; {
		name, err := r.x.child(depth)
		switch {
		case err != nil:
			return "", false, err
		case name == "":
			v, err := r.value(typ, raw, inline, hasInline)
			return v, formula, err
		case name == "c":
			return "", false, errors.New("a cell inside a cell")
		case name == "v" && twice(&hasV), name == "f" && twice(&formula), name == "is" && twice(&hasInline):
			return "", false, fmt.Errorf("<%s> twice", name)
		case name == "v":
			raw, err = r.x.charData()
		case name == "is":
			inline, err = r.x.richText()
		default: // f, the formula, and what is not the cell's value
			err = r.x.skip()
		}
		if err != nil {
			return "", false, err
		}
	}
}

// value is a cell's value by its type: a shared string's text, an
// inline string's (where it has one), or the raw value (a number, a
// date's serial, a formula's result).
func (r *rows) value(typ, raw, inline string, hasInline bool) (string, error) {
	switch {
	case typ == "s" && raw != "":
		if err := r.bk.sharedStrings(); err != nil {
			return "", err
		}
		i, err := strconv.Atoi(strings.TrimSpace(raw))
		if err != nil || i < 0 || i >= len(r.bk.shared) {
			return "", fmt.Errorf("no shared string %q", raw)
		}
		return r.bk.shared[i], nil
	case typ == "inlineStr" && hasInline:
		return inline, nil
	}
	return raw, nil
}

// richText reads the string item just started (a shared string's si, an
// inline string's is): its t, then the t of each run (r), unescaped;
// phonetic runs (rPh) are not its text.
func (x *tokens) richText() (string, error) {
	var plain string
	var runs []string
	for depth := len(x.open); ; {
		name, err := x.child(depth)
		switch {
		case err != nil:
			return "", err
		case name == "":
			return unescape(plain + strings.Join(runs, "")), nil
		case name == "t":
			plain, err = x.charData()
		case name == "r":
			var run string
			run, err = x.runText()
			runs = append(runs, run)
		default:
			err = x.skip()
		}
		if err != nil {
			return "", err
		}
	}
}

// runText is the text of the run just started: its t.
func (x *tokens) runText() (text string, err error) {
	for depth := len(x.open); ; {
		name, err := x.child(depth)
		switch {
		case err != nil:
			return "", err
		case name == "":
			return text, nil
		case name == "t":
			text, err = x.charData()
		default:
			err = x.skip() // the run's font
		}
		if err != nil {
			return "", err
		}
	}
}

// child reads to the next element inside the one started at depth (the
// length of open then), and is its local name; "" at that one's end.
func (x *tokens) child(depth int) (string, error) {
	for {
		t, err := x.next()
		if err != nil {
			return "", err
		}
		switch t := t.(type) {
		case xml.StartElement:
			return t.Name.Local, nil
		case xml.EndElement:
			if len(x.open) < depth {
				return "", nil
			}
		}
	}
}

// charData is the character data of the element just started, up to its
// end; an element inside it is passed over.
func (x *tokens) charData() (string, error) {
	var s []byte
	depth := len(x.open)
	for {
		t, err := x.next()
		if err != nil {
			return "", err
		}
		switch t := t.(type) {
		case xml.CharData:
			s = append(s, t...)
		case xml.StartElement:
			if err := x.skip(); err != nil {
				return "", err
			}
		case xml.EndElement:
			if len(x.open) < depth {
				return string(s), nil
			}
		}
	}
}

// skip passes over the element just started, to its end.
func (x *tokens) skip() error {
	depth := len(x.open)
	for len(x.open) >= depth {
		if _, err := x.next(); err != nil {
			return err
		}
	}
	return nil
}

// attr is the value of the attribute local (in any namespace; the last,
// as excelize reads it, where two namespaces give it).
func attr(s xml.StartElement, local string) (v string, ok bool) {
	for _, a := range s.Attr {
		if a.Name.Local == local {
			v, ok = a.Value, true
		}
	}
	return v, ok
}

// cellColumn is the column number of a cell reference such as "AB12".
func cellColumn(ref string) (int, error) {
	col, row, i := 0, 0, 0
	for ; i < len(ref) && col <= maxColumn; i++ {
		c := ref[i] | 0x20 // a letter in lower case
		if c < 'a' || c > 'z' {
			break
		}
		col = col*26 + int(c-'a'+1)
	}
	letters := i
	for ; i < len(ref) && row <= maxRow; i++ {
		if ref[i] < '0' || ref[i] > '9' {
			break
		}
		row = row*10 + int(ref[i]-'0')
	}
	if letters == 0 || i < len(ref) || col > maxColumn || row < 1 || row > maxRow {
		return 0, fmt.Errorf("a cell named %q", ref)
	}
	return col, nil
}

// unescape decodes what a workbook escapes in a string as _xHHHH_ (a
// character XML cannot hold, such as a control character; _x005F_ is
// "_"). An escape of no character (half a surrogate pair) is dropped.
func unescape(s string) string {
	if !strings.Contains(s, "_x") {
		return s
	}
	var b strings.Builder
	for {
		i := strings.Index(s, "_x")
		if i < 0 {
			break
		}
		if i+7 > len(s) || !hex4(s[i+2:i+6]) || s[i+6] != '_' {
			b.WriteString(s[:i+1])
			s = s[i+1:]
			continue
		}
		b.WriteString(s[:i])
		c, _ := strconv.ParseUint(s[i+2:i+6], 16, 32)
		if c == 0x5f {
			b.WriteByte('_')
		} else if utf8.ValidRune(rune(c)) {
			b.WriteRune(rune(c))
		}
		s = s[i+7:]
	}
	b.WriteString(s)
	return b.String()
}

// hex4 reports whether s is four hexadecimal digits.
func hex4(s string) bool {
	for i := range len(s) {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') && (c < 'A' || c > 'F') {
			return false
		}
	}
	return len(s) == 4
}
