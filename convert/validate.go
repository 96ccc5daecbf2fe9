package convert

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// Rules says which checks apply to the layout being written.
type Rules struct {
	// Importer applies what Import-JCUsersFromCSV needs of the CSV it
	// reads, the PowerShell layout: FirstName and LastName, attribute
	// values and group names that its own filter does not drop, and
	// messages that name it.
	Importer bool
	// Formulas notes values a spreadsheet would run as a formula, were
	// it to open the CSV (the review workbook writes every value as text,
	// and lists them for the CSV approve writes).
	Formulas bool
	// Script says the restore script comes with the CSV: it sets what the
	// CSV cannot carry, and the findings say so.
	Script bool
}

// Limits from JumpCloud's v1 user schema.
const (
	maxText          = 1024
	maxEmployeeID    = 256
	maxAttributeName = 31
	windowsUsername  = 20
	unixUsername     = 30
	maxUnixID        = 2147483647
)

var attributeName = regexp.MustCompile(`^[A-Za-z0-9]{1,31}$`)

// Validate checks every record against JumpCloud's import rules and stores
// the findings in its Issues, replacing earlier ones. It also normalises
// what the import would change anyway: Email is lowercased, invalid UTF-8
// is replaced, and Password is emptied. Duplicates are looked for across
// all records, so pass every record that will be written.
func Validate(records []Record, rules Rules) {
	for i := range records {
		records[i].Issues = checkRecord(&records[i], rules)
	}
	duplicates(records, "Username", func(r *Record) string { return r.Username })
	duplicates(records, "Email", func(r *Record) string { return r.Email })
	duplicates(records, "employeeIdentifier", func(r *Record) string { return r.EmployeeIdentifier })
	for i := range records {
		slices.SortStableFunc(records[i].Issues, func(a, b Issue) int { return int(b.Severity) - int(a.Severity) })
	}
}

type checker struct{ issues []Issue }

// add adds a finding; an error asks for a fix before the import.
func (c *checker) add(s Severity, field, format string, args ...any) {
	asks := AsksNothing
	if s == Error {
		asks = AsksReview
	}
	c.issues = append(c.issues, Issue{Severity: s, Asks: asks, Field: field, Message: fmt.Sprintf(format, args...)})
}

// after adds a warning of what the import does not bring back: a step for
// after it.
func (c *checker) after(field, format string, args ...any) {
	c.issues = append(c.issues, Issue{Severity: Warning, Asks: AsksAfterImport, Field: field, Message: fmt.Sprintf(format, args...)})
}

func checkRecord(r *Record, rules Rules) []Issue {
	var c checker
	if r.Password != "" {
		r.Password = ""
		c.add(Warning, "Password", "emptied: jcrestore never writes a password")
	}
	for i, col := range Columns {
		v := r.User.Cell(i)
		if !utf8.ValidString(v) {
			v = strings.ToValidUTF8(v, "\uFFFD")
			r.User.SetCell(i, v)
			c.add(Warning, col, "invalid UTF-8 replaced by \uFFFD")
		}
		checkText(&c, col, v, maxLength(i), rules)
	}
	r.Email = strings.ToLower(r.Email)
	checkUsername(&c, r.Username)
	checkEmail(&c, r.Email)
	if rules.Importer {
		for _, col := range [...]string{"FirstName", "LastName"} {
			if strings.TrimSpace(r.User.Cell(ColumnIndex(col))) == "" {
				c.add(Error, col, "missing (Import-JCUsersFromCSV requires it)")
			}
		}
		// New-JCUser's ValidateLength counts UTF-16 code units: characters
		// past U+FFFF (emoji) count twice.
		if n := len(utf16.Encode([]rune(r.Description))); n > maxText && utf8.RuneCountInString(r.Description) <= maxText {
			c.add(Error, "description", "%d UTF-16 code units, more than New-JCUser's %d", n, maxText)
		}
	}
	for _, col := range [...]string{"unix_uid", "unix_guid"} {
		if v := r.User.Cell(ColumnIndex(col)); v != "" {
			if n, err := strconv.ParseInt(v, 10, 64); err != nil || n < 1 || n > maxUnixID {
				c.add(Error, col, "%q is not a whole number from 1 to %d", v, maxUnixID)
			}
		}
	}
	if IsID(r.Manager) {
		if rules.Importer {
			c.add(Warning, "manager", "%s is a user id that no event in the input ties to a username: Import-JCUsersFromCSV looks it up "+
				"as it creates the user and, if no user has that id now, does not create the user at all; check that the manager exists, or empty the cell", r.Manager)
		} else {
			c.add(Warning, "manager", "%s is a user id that no event in the input ties to a username: check that the manager exists", r.Manager)
		}
	}
	if r.ManagerGone != "" {
		c.issues = append(c.issues, managerGone(r.ManagerGone, rules))
	}
	checkAccount(&c, r, rules)
	checkLinks(&c, r, rules)
	checkCut(&c, r)
	if rules.Importer {
		r.Groups = slices.DeleteFunc(r.Groups, func(g string) bool {
			if filtered(g) {
				c.after("group "+g, "%q ends in %q, and Import-JCUsersFromCSV skips such a group without a word: left out; add the user to it by hand after the import", g, filteredEnd(g))
			}
			return filtered(g)
		})
	}
	for i, g := range r.Groups {
		checkText(&c, fmt.Sprintf("Group%d", i+1), g, maxText, rules)
	}
	if rules.Importer {
		importerAttributes(&c, r)
	}
	checkAttributes(&c, r, rules)
	checkBeyond(&c, r)
	return c.issues
}

// checkAccount tells what the user had that the import does not bring
// back, and checks the columns that carry the rest.
func checkAccount(c *checker, r *Record, rules Rules) {
	for _, st := range accountSettings {
		if r.account&st.bit != 0 && st.bit != acctMFA {
			if rules.Script && (st.bit == acctSuspended || slices.Contains(flagBits, st.bit)) {
				c.add(Note, st.name, "%s; the restore script sets it again after the import", st.had)
				continue
			}
			c.after(st.name, "%s; %s", st.had, st.outcome)
		}
	}
	if v := r.EnableUserPortalMultifactor; v != "" && !slices.Contains([]string{"true", "false", "$true", "$false"}, strings.ToLower(v)) {
		c.add(Error, "enable_user_portal_multifactor", "%q: the import takes True or False", v)
	}
	if v := r.SystemID; v != "" && !IsID(v) {
		c.after("SystemID", "%q is not a device id: the import creates the user and cannot bind the device", v)
	}
	if v := strings.ToLower(r.Administrator); v != "" && !strings.HasSuffix(v, "true") && !strings.HasSuffix(v, "false") {
		c.after("Administrator", "%q: the import takes True or False, and binds the device without administrator rights otherwise", r.Administrator)
	}
}

// checkCut tells which of the user's values PowerShell's ConvertTo-Json
// lost at its default depth, where no other event gave them: one warning
// that names them all.
func checkCut(c *checker, r *Record) {
	var lost []string
	for _, field := range r.CutLost {
		var have bool
		switch Normalize(field) {
		case "addresses":
			for _, kind := range [...]string{"home", "work"} {
				for _, p := range addressParts {
					have = have || r.User.Cell(ColumnIndex(kind+"_"+p.suffix)) != ""
				}
			}
		case "phonenumbers":
			for _, col := range phoneColumns {
				have = have || r.User.Cell(ColumnIndex(col)) != ""
			}
		case "attributes":
			have = len(r.Attributes) > 0
		}
		if !have {
			lost = append(lost, field)
		}
	}
	if len(lost) > 0 {
		c.issues = append(c.issues, Issue{Severity: Warning, Asks: AsksReview, Field: strings.Join(lost, ", "),
			Message: "lost: PowerShell's ConvertTo-Json wrote them as System.Object[] at its default depth; export the events again with ConvertTo-Json -Depth 10 to restore them"})
	}
}

// checkLinks tells what of the user's devices, groups and direct
// associations the CSV does not bring back as they were: a binding with
// passwordless sudo (the importer binds with a password), groups whose
// names differ only in case (its lookup by name finds both, and adds the
// user to neither), and links to applications, directories and device
// groups (the CSV has no column for them). With the restore script, which
// makes each of them by id, only what has no id is told.
func checkLinks(c *checker, r *Record, rules Rules) {
	var other []string
	for _, l := range r.Links {
		name := cmp.Or(l.Name, l.ID)
		if l.RightsUnknown && l.sudoAllowed() {
			c.after(linkWords[l.Type]+" "+name, "its rights are unknown: PowerShell's ConvertTo-Json cut the binding's attributes at its default depth; "+
				"bound as a standard user: grant administrator again where it had it, or export the events again with ConvertTo-Json -Depth 10")
		}
		switch {
		case !IsID(l.ID) && l.Type != "system" && l.Type != "user_group":
			c.after(linkWords[l.Type], "%s has no id in the export: bind it again by hand after the import", name)
		case rules.Script:
		case l.Type == "system" && l.NoPassword:
			c.after("device "+name, "was bound with passwordless sudo, which the import cannot grant (Add-JCSystemUser binds with a password): grant it after the import, or write the restore script (--script)")
		case l.Type != "system" && l.Type != "user_group":
			other = append(other, linkWords[l.Type]+" "+name)
		}
	}
	if len(other) > 0 {
		c.after("links", "bound directly to %s, which the CSV cannot carry: bind them again after the import, or write the restore script (--script)", strings.Join(other, ", "))
	}
	if !rules.Importer {
		return
	}
	seen := map[string]string{}
	for _, g := range r.Groups {
		if first, ok := seen[strings.ToLower(g)]; ok && first != g {
			if rules.Script {
				c.add(Note, "group "+g, "%q and %q differ only in case: Import-JCUsersFromCSV finds both by name and adds the user to neither; the restore script adds the user to them by id", first, g)
			} else {
				c.after("group "+g, "%q and %q differ only in case: Import-JCUsersFromCSV finds both by name and adds the user to neither; add the user to them by hand after the import", first, g)
			}
		}
		seen[strings.ToLower(g)] = g
	}
}

// filtered reports whether Import-JCUsersFromCSV's own filter drops a
// custom attribute value or group name: it keeps only the cells whose
// definition "Name=value" does not end in "=" or "null", in any case
// (importer-behaviour.md, 1.6 and 1.7).
func filtered(v string) bool {
	return filteredEnd(v) != ""
}

func filteredEnd(v string) string {
	switch l := strings.ToLower(v); {
	case strings.HasSuffix(l, "="):
		return "="
	case strings.HasSuffix(l, "null"):
		return v[len(v)-4:]
	}
	return ""
}

// importerAttributes orders and, where it must, leaves out custom
// attributes so that Import-JCUsersFromCSV creates the user: a value its
// filter drops fails the user unless it is the last of two or more
// (importer-behaviour.md 1.7), so one such pair is written last and any
// other is left out; a name that ends in "null" fails the user only when
// it is the only attribute. Each is reported.
func importerAttributes(c *checker, r *Record) {
	var keep, bad []Attribute
	for _, a := range r.Attributes {
		if filtered(a.Value) {
			bad = append(bad, a)
		} else {
			keep = append(keep, a)
		}
	}
	if len(keep) > 0 && len(bad) > 0 {
		a := bad[0]
		bad = bad[1:]
		keep = append(keep, a)
		c.add(Warning, "custom attribute "+a.Name, "%q ends in %q: written last, where Import-JCUsersFromCSV keeps it", a.Value, filteredEnd(a.Value))
	}
	for _, a := range bad {
		c.after("custom attribute "+a.Name, "%q ends in %q, which makes Import-JCUsersFromCSV fail the user: left out; set it after the import", a.Value, filteredEnd(a.Value))
	}
	if len(keep) == 1 && strings.HasSuffix(strings.ToLower(keep[0].Name), "null") {
		c.after("custom attribute "+keep[0].Name, "a name that ends in \"null\" makes Import-JCUsersFromCSV fail the user when it is the only attribute: left out; set it after the import")
		keep = nil
	}
	r.Attributes = keep
}

func maxLength(col int) int {
	if Columns[col] == "employeeIdentifier" {
		return maxEmployeeID
	}
	return maxText
}

// checkText applies the checks every value gets: length, line breaks and
// control characters, and formula-like beginnings.
func checkText(c *checker, field, v string, limit int, rules Rules) {
	if v == "" {
		return
	}
	if n := utf8.RuneCountInString(v); n > limit {
		c.add(Error, field, "%d characters, more than JumpCloud's %d", n, limit)
	}
	if strings.ContainsFunc(v, func(r rune) bool { return unicode.IsControl(r) && r != '\t' }) {
		c.add(Warning, field, "contains a line break or control character")
	}
	if rules.Formulas && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		c.issues = append(c.issues, Issue{Severity: Note, Field: field, Tally: TallyFormula,
			Message: fmt.Sprintf("%q begins with %q: a spreadsheet opening the CSV would run it as a formula", v, v[:1])})
	}
}

func checkUsername(c *checker, u string) {
	const f = "Username"
	switch {
	case strings.TrimSpace(u) == "":
		c.add(Error, f, "missing")
		return
	case !isASCIILetter(u[0]):
		c.add(Error, f, "%q does not start with a letter", u)
	case strings.ContainsFunc(u, unicode.IsSpace):
		c.add(Error, f, "%q contains whitespace", u)
	case strings.Contains(u, "@"):
		c.add(Error, f, "%q contains '@'", u)
	case strings.ContainsFunc(u, func(r rune) bool {
		return !isASCIILetter(byte(r)) && !('0' <= r && r <= '9') && r != '.' && r != '_' && r != '-' || r > 0x7f
	}):
		c.add(Warning, f, "%q has characters other than letters, digits, '.', '_' and '-': devices may not accept it", u)
	}
	switch n := utf8.RuneCountInString(u); {
	case n > maxText:
	case n > unixUsername:
		c.add(Warning, f, "%d characters: macOS and Linux devices take at most %d, Windows %d", n, unixUsername, windowsUsername)
	case n > windowsUsername:
		c.add(Warning, f, "%d characters: Windows devices take at most %d", n, windowsUsername)
	}
}

func isASCIILetter(b byte) bool {
	return 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z'
}

func checkEmail(c *checker, e string) {
	const f = "Email"
	if strings.TrimSpace(e) == "" {
		c.add(Error, f, "missing")
		return
	}
	local, domain, ok := strings.Cut(e, "@")
	switch {
	case !ok || strings.Contains(domain, "@") || local == "" || domain == "":
		c.add(Error, f, "%q is not an email address (it needs one '@' with text on both sides)", e)
	case strings.ContainsFunc(e, unicode.IsSpace):
		c.add(Error, f, "%q contains whitespace", e)
	}
}

func checkAttributes(c *checker, r *Record, rules Rules) {
	seen := make(map[string]bool)
	for i, a := range r.Attributes {
		name, value := fmt.Sprintf("Attribute%d_name", i+1), fmt.Sprintf("Attribute%d_value", i+1)
		switch {
		case !attributeName.MatchString(a.Name):
			c.add(Error, name, "%q: custom attribute names are 1 to %d letters and digits", a.Name, maxAttributeName)
		case seen[strings.ToLower(a.Name)]:
			c.add(Error, name, "%q appears twice", a.Name)
		}
		seen[strings.ToLower(a.Name)] = true
		switch {
		case a.Value == "" && rules.Importer:
			c.add(Error, value, "empty: Import-JCUsersFromCSV stops at an attribute without a value")
		case a.Value == "":
			c.add(Error, value, "empty: a custom attribute needs a value")
		}
		checkText(c, value, a.Value, maxText, rules)
	}
}

// duplicates marks every record that shares a non-empty value of field
// (ignoring case) with another: only one of them can be created.
func duplicates(records []Record, field string, get func(*Record) string) {
	// Counted first, in a map of the records' size: most often no value
	// is there twice, and the rows of each are not needed.
	count := make(map[string]int, len(records))
	twice := false
	for i := range records {
		if v := strings.ToLower(get(&records[i])); v != "" {
			count[v]++
			twice = twice || count[v] > 1
		}
	}
	if !twice {
		return
	}
	rows := make(map[string][]int)
	for i := range records {
		if v := strings.ToLower(get(&records[i])); count[v] > 1 {
			rows[v] = append(rows[v], i)
		}
	}
	for i := range records {
		v := strings.ToLower(get(&records[i]))
		same := rows[v]
		if len(same) < 2 {
			continue
		}
		var others []string
		for _, j := range same {
			if j != i {
				others = append(others, records[j].Name())
			}
		}
		records[i].Issues = append(records[i].Issues, Issue{Severity: Error, Asks: AsksReview, Field: field,
			Message: fmt.Sprintf("%q is also the %s of %s: only one can be created", get(&records[i]), field, strings.Join(others, ", "))})
	}
}

// managerGone is the warning of a manager left empty.
func managerGone(why string, rules Rules) Issue {
	msg := why + ": left empty; set the manager after the import"
	if rules.Importer {
		msg = why + ": left empty, as Import-JCUsersFromCSV does not create a user whose manager it cannot find; set the manager after the import"
	}
	return Issue{Severity: Warning, Asks: AsksAfterImport, Field: "manager", Message: msg}
}
