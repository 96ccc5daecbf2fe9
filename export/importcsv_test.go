package export

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf16"
)

// importCSV parses text as PowerShell 7's Import-Csv does: its
// ImportCsvHelper.ParseNextRecord and ReadTillNextDelimiter, ported from
// importer-behaviour.md, appendix B. Blank lines are skipped; a BOM is
// stripped by the reader.
func importCSV(text string, comma rune) [][]string {
	r := []rune(strings.TrimPrefix(text, "\ufeff"))
	i := 0
	eof := func() bool { return i >= len(r) }
	peek := func(c rune) bool { return !eof() && r[i] == c }
	// newline reads a line end starting with ch: "\r\n", "\r", "\n", or
	// "" when ch starts none.
	newline := func(ch rune) string {
		switch ch {
		case '\r':
			if peek('\n') {
				i++
				return "\r\n"
			}
			return "\r"
		case '\n':
			return "\n"
		}
		return ""
	}
	// tillDelimiter appends to cur up to the next delimiter or line end;
	// a field of blanks only is trimmed when eat is set. It reports the
	// end of the record.
	tillDelimiter := func(cur *[]rune, eat bool) bool {
		var temp []rune
		nonBlank := false
		for {
			if eof() {
				break
			}
			ch := r[i]
			i++
			if ch == comma {
				*cur = append(*cur, blankTrim(temp, eat && !nonBlank)...)
				return false
			}
			if newline(ch) != "" {
				break
			}
			temp = append(temp, ch)
			nonBlank = nonBlank || ch != ' ' && ch != '\t'
		}
		*cur = append(*cur, blankTrim(temp, eat && !nonBlank)...)
		return true
	}
	var records [][]string
	for !eof() {
		var res []string
		var cur []rune
		quoted, started := false, false
	record:
		for !eof() {
			ch := r[i]
			i++
			switch {
			case ch == comma:
				if quoted {
					cur = append(cur, ch)
				} else {
					res, cur = append(res, string(cur)), nil
				}
			case ch == '"':
				switch {
				case quoted && peek('"'):
					i++
					cur = append(cur, '"')
				case quoted:
					quoted = false
					end := tillDelimiter(&cur, true)
					res, cur = append(res, string(cur)), nil
					if end {
						break record
					}
				case len(cur) == 0:
					quoted = true
				default:
					cur = append(cur, ch)
					end := tillDelimiter(&cur, false)
					res, cur = append(res, string(cur)), nil
					if end {
						break record
					}
				}
			case ch == ' ' || ch == '\t':
				switch {
				case quoted:
					cur = append(cur, ch)
				case len(cur) == 0:
				default:
					cur = append(cur, ch)
					end := tillDelimiter(&cur, true)
					res, cur = append(res, string(cur)), nil
					if end {
						break record
					}
				}
			case ch == '\r' || ch == '\n':
				nl := newline(ch)
				if quoted {
					cur = append(cur, []rune(nl)...)
				} else {
					res, cur = append(res, string(cur)), nil
					break record
				}
			default:
				cur = append(cur, ch)
			}
			started = true
		}
		if len(cur) > 0 {
			res = append(res, string(cur))
		}
		if started && !(len(res) == 1 && res[0] == "") {
			records = append(records, res)
		}
	}
	return records
}

func blankTrim(s []rune, trim bool) []rune {
	if trim {
		return []rune(strings.TrimSpace(string(s)))
	}
	return s
}

// The columns Import-JCUsersFromCSV reads (Import:19-71), in lower case,
// and those of them New-JCUser takes as [bool] or does not take at all:
// any value fails the row.
var (
	importerColumns = strings.Split(strings.ToLower("Username,FirstName,LastName,Email,Password,alternateEmail,recoveryEmail,manager,managedAppleId,middlename,preferredName,jobTitle,employeeIdentifier,department,costCenter,company,employeeType,description,location,work_streetAddress,work_poBox,work_locality,work_region,work_city,work_state,work_postalCode,work_country,home_poBox,home_locality,home_region,home_city,home_state,home_postalCode,home_country,home_streetAddress,mobile_number,home_number,work_number,work_mobile_number,work_fax_number,account_locked,allow_public_key,enable_managed_uid,enable_user_portal_multifactor,EnrollmentDays,externally_managed,ldap_binding_user,passwordless_sudo,sudo,unix_guid,unix_uid,password_never_expires"), ",")
	failingColumns  = strings.Split("account_locked,externally_managed,allow_public_key,enable_managed_uid,passwordless_sudo,sudo,password_never_expires", ",")
	attributeColumn = regexp.MustCompile(`(?i)^attribute(\d+)_(name|value)$`)
)

// TestImporterReadsEveryCSV reads every CSV the CLI cases write (their
// golden files) as Import-Csv does, and checks each row of those
// Import-JCUsersFromCSV reads (a header with FirstName, LastName,
// Username and Email) against what would make it fail a user or drop a
// value (importer-behaviour.md, section 1). It also checks that Import-Csv
// reads each cell as Go's encoding/csv does, so that the values the tests
// see are the values the importer gets.
func TestImporterReadsEveryCSV(t *testing.T) {
	paths, _ := filepath.Glob("../testdata/cases/*/want.*")
	files := 0
	for _, path := range paths {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		text := string(b)
		header, _, _ := strings.Cut(strings.TrimPrefix(text, "\ufeff"), "\n")
		comma := ','
		if strings.Count(header, ";") > strings.Count(header, ",") {
			comma = ';'
		}
		cmd, _ := os.ReadFile(filepath.Join(filepath.Dir(path), "cmd"))
		if !strings.HasSuffix(path, ".csv") && !(strings.HasSuffix(path, "want.stdout") && strings.Count(header, string(comma)) > 2 && !bytes.HasPrefix(cmd, []byte("verify"))) {
			continue
		}
		files++
		cr := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\ufeff"))))
		cr.Comma, cr.FieldsPerRecord = comma, -1
		want, err := cr.ReadAll()
		if err != nil {
			t.Errorf("%s: %v", path, err)
			continue
		}
		got := importCSV(text, comma)
		if !slices.EqualFunc(got, want, slices.Equal) {
			t.Errorf("%s: Import-Csv reads\n%q\nencoding/csv\n%q", path, got, want)
			continue
		}
		// --include-invalid writes rows with errors on purpose.
		if !bytes.Contains(cmd, []byte("--include-invalid")) {
			for _, p := range checkImport(path, got) {
				t.Error(p)
			}
		}
	}
	if files < 40 {
		t.Errorf("only %d CSV files found under testdata/cases", files)
	}
}

// checkImport checks the rows Import-JCUsersFromCSV would read, and
// returns what would fail a user or drop a value.
func checkImport(path string, rows [][]string) (problems []string) {
	errorf := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	header := rows[0]
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(h)
		if _, dup := col[h]; dup {
			errorf("%s: the header has %q twice: Import-Csv stops", path, h)
		}
		col[h] = i
	}
	for _, req := range []string{"firstname", "lastname", "username", "email"} {
		if _, ok := col[req]; !ok {
			return nil // not a CSV for Import-JCUsersFromCSV
		}
	}
	ignored := map[int]bool{} // the columns whose values the importer drops
	for i, h := range header {
		l := strings.ToLower(h)
		ignored[i] = !slices.Contains(importerColumns, l) && !strings.Contains(l, "attribute") && !strings.Contains(l, "group") &&
			!slices.Contains([]string{"systemid", "administrator", "ldapserver_id"}, l)
	}
	seen := map[string]int{} // username in lower case -> row
	for n, row := range rows[1:] {
		at := path + " row " + strconv.Itoa(n+2)
		cell := func(name string) string {
			if i, ok := col[strings.ToLower(name)]; ok && i < len(row) {
				return row[i]
			}
			return ""
		}
		for _, req := range []string{"FirstName", "LastName", "Username", "Email"} {
			if cell(req) == "" {
				errorf("%s: %s is empty: New-JCUser requires it", at, req)
			}
		}
		for i, v := range row {
			if ignored[i] && v != "" {
				errorf("%s: the importer drops %s %q", at, header[i], v)
			}
		}
		for _, f := range failingColumns {
			if cell(f) != "" {
				errorf("%s: a value in %s fails the row", at, f)
			}
		}
		if v := strings.ToLower(cell("enable_user_portal_multifactor")); v != "" && !slices.Contains([]string{"true", "false", "$true", "$false"}, v) {
			errorf("%s: enable_user_portal_multifactor %q fails the row", at, v)
		}
		for _, c := range []string{"unix_uid", "unix_guid"} {
			if v := cell(c); v != "" {
				if n, err := strconv.Atoi(v); err != nil || n < 1 || n > 2147483647 {
					errorf("%s: %s %q fails the row", at, c, v)
				}
			}
		}
		if n := len(utf16.Encode([]rune(cell("description")))); n > 1024 {
			errorf("%s: a description of %d UTF-16 units fails the row", at, n)
		}
		if m := strings.ToLower(cell("manager")); m != "" {
			if r, ok := seen[m]; !ok && slices.ContainsFunc(rows[1:], func(row []string) bool { return strings.EqualFold(row[col["username"]], m) }) {
				errorf("%s: the manager %q comes in a later row: not there yet when this user is created", at, m)
			} else if ok && r >= n {
				errorf("%s: the manager %q is this row", at, m)
			}
		}
		seen[strings.ToLower(cell("Username"))] = n
		problems = append(problems, checkFilter(at, header, row)...)
	}
	return problems
}

// checkFilter checks the cells Import-JCUsersFromCSV's own filter drops
// (a definition "Name=value" ending in "=" or "null", 1.6 and 1.7): a
// group so named is skipped without a word; an attribute value so ending
// fails the user unless it is the last of two or more, a name only when
// it is the only one; a name without its value aborts the whole import.
func checkFilter(at string, header, row []string) (problems []string) {
	errorf := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	drops := func(v string) bool {
		l := strings.ToLower(v)
		return strings.HasSuffix(l, "=") || strings.HasSuffix(l, "null")
	}
	type pair struct{ name, value string }
	pairs := map[int]*pair{}
	for i, h := range header {
		if i >= len(row) || row[i] == "" {
			continue
		}
		if m := attributeColumn.FindStringSubmatch(h); m != nil {
			k, _ := strconv.Atoi(m[1])
			if pairs[k] == nil {
				pairs[k] = &pair{}
			}
			if strings.EqualFold(m[2], "name") {
				pairs[k].name = row[i]
			} else {
				pairs[k].value = row[i]
			}
		} else if strings.Contains(strings.ToLower(h), "group") && drops(row[i]) {
			errorf("%s: %s %q is skipped by the importer", at, h, row[i])
		}
	}
	for k := 1; k <= len(pairs); k++ {
		p := pairs[k]
		switch {
		case p == nil:
			errorf("%s: attribute pairs are not numbered 1 to %d: the importer renumbers them and cuts values at '='", at, len(pairs))
			return problems
		case p.name != "" && p.value == "":
			errorf("%s: Attribute%d_name without a value stops the whole import", at, k)
		case drops(p.value) && (len(pairs) == 1 || k < len(pairs)):
			errorf("%s: Attribute%d_value %q fails the user", at, k, p.value)
		case len(pairs) == 1 && strings.HasSuffix(strings.ToLower(p.name), "null"):
			errorf("%s: Attribute1_name %q fails the user", at, p.name)
		}
	}
	return problems
}

// TestCheckImport: each of the rules checkImport applies finds what breaks
// it.
func TestCheckImport(t *testing.T) {
	const header = "FirstName,LastName,Username,Email,manager,sudo,ldapserver_id,costCenter2,Group1,Attribute1_name,Attribute1_value,Attribute2_name,Attribute2_value\n"
	for row, want := range map[string]string{
		"Jane,Doe,jdoe,jane@example.com,,,,,,,,,":                                           "",
		"Jane,,jdoe,jane@example.com,,,,,,,,,":                                              "LastName is empty",
		"Jane,Doe,jdoe,jane@example.com,,True,,,,,,,":                                       "a value in sudo fails the row",
		"Jane,Doe,jdoe,jane@example.com,,,,x,,,,,":                                          `the importer drops costCenter2 "x"`,
		"Jane,Doe,jdoe,jane@example.com,,,,,Finance=,,,,":                                   `Group1 "Finance=" is skipped`,
		"Jane,Doe,jdoe,jane@example.com,,,,,,tier,,,":                                       "Attribute1_name without a value",
		"Jane,Doe,jdoe,jane@example.com,,,,,,a,x=,b,y":                                      `Attribute1_value "x=" fails the user`,
		"Jane,Doe,jdoe,jane@example.com,,,,,,a,y,b,xNull":                                   "",
		"Jane,Doe,jdoe,jane@example.com,,,,,,,,b,y":                                         "not numbered 1 to 1",
		"Jane,Doe,jdoe,jane@example.com,,,,,,isnull,y,,":                                    `Attribute1_name "isnull" fails the user`,
		"Jane,Doe,jdoe,jane@example.com,boss,,,,,,,,\nBo,Boss,boss,bo@example.com,,,,,,,,,": `the manager "boss" comes in a later row`,
	} {
		got := strings.Join(checkImport("f", importCSV(header+row+"\n", ',')), "; ")
		if want == "" && got != "" || !strings.Contains(got, want) {
			t.Errorf("%q: %q, want %q", row, got, want)
		}
	}
}

// TestImportCSV checks the port on what importer-behaviour.md's appendix B
// says of Import-Csv: leading blanks skipped, one trailing blank of an
// unquoted field kept when only blanks follow, quotes, blank lines.
func TestImportCSV(t *testing.T) {
	got := importCSV("\ufeffa,b,c\n\n  x,\"y \"\"q\"\", z\",w  \r\n\"line\nbreak\",,\n", ',')
	want := [][]string{{"a", "b", "c"}, {"x", `y "q", z`, "w "}, {"line\nbreak", "", ""}}
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("got %q\nwant %q", got, want)
	}
}
