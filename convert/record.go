package convert

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"
	"unicode"
)

// User holds the data columns of a restored user. The csv tags are the header
// of JumpCloud's PowerShell import template (New-JCImportTemplate) in its
// order; unix_uid and unix_guid are written only when some row has them.
type User struct {
	FirstName string `csv:"FirstName"`
	LastName  string `csv:"LastName"`
	Username  string `csv:"Username"`
	// Password is part of the import template but is always empty: jcrestore
	// never writes a password; the user activates or resets it.
	Password           string `csv:"Password"`
	Email              string `csv:"Email"`
	AlternateEmail     string `csv:"alternateEmail"`
	RecoveryEmail      string `csv:"recoveryEmail"`
	Manager            string `csv:"manager"`
	ManagedAppleID     string `csv:"managedAppleId"`
	MiddleName         string `csv:"MiddleName"`
	PreferredName      string `csv:"preferredName"`
	JobTitle           string `csv:"jobTitle"`
	EmployeeIdentifier string `csv:"employeeIdentifier"`
	Department         string `csv:"department"`
	CostCenter         string `csv:"costCenter"`
	Company            string `csv:"company"`
	EmployeeType       string `csv:"employeeType"`
	Description        string `csv:"description"`
	Location           string `csv:"location"`
	HomeStreetAddress  string `csv:"home_streetAddress"`
	HomePOBox          string `csv:"home_poBox"`
	HomeCity           string `csv:"home_city"`
	HomeState          string `csv:"home_state"`
	HomePostalCode     string `csv:"home_postalCode"`
	HomeCountry        string `csv:"home_country"`
	WorkStreetAddress  string `csv:"work_streetAddress"`
	WorkPOBox          string `csv:"work_poBox"`
	WorkCity           string `csv:"work_city"`
	WorkState          string `csv:"work_state"`
	WorkPostalCode     string `csv:"work_postalCode"`
	WorkCountry        string `csv:"work_country"`
	MobileNumber       string `csv:"mobile_number"`
	HomeNumber         string `csv:"home_number"`
	WorkNumber         string `csv:"work_number"`
	WorkMobileNumber   string `csv:"work_mobile_number"`
	WorkFaxNumber      string `csv:"work_fax_number"`
	UnixUID            string `csv:"unix_uid"`
	UnixGUID           string `csv:"unix_guid"`
	// EnableUserPortalMultifactor is "True" for a user who had to use MFA
	// at the user portal: the import requires it again, with the default
	// enrollment period.
	EnableUserPortalMultifactor string `csv:"enable_user_portal_multifactor"`
	// SystemID and Administrator bind one device to the user after the
	// import: the device bound last, as an administrator only where the
	// event said so.
	SystemID      string `csv:"SystemID"`
	Administrator string `csv:"Administrator"`
}

// Attribute is one custom user attribute (AttributeN_name, AttributeN_value).
type Attribute struct {
	Name  string
	Value string
}

// Record is one deleted user to restore: the data columns, the optional
// repeated columns, where the deletion came from, and what validation found.
// It is the only type that crosses from convert to export.
type Record struct {
	User
	Groups     []string    `csv:"-"`
	Attributes []Attribute `csv:"-"`
	// Devices the user was bound to, as "name (id)": the import CSV binds
	// none, so the review workbook lists them.
	Devices []string `csv:"-"`
	// Links are every device, group and direct association the user had
	// when deleted: what the restore script binds again.
	Links []Link `csv:"-"`
	// Reports are the users the deleted user managed until the deletion
	// gave them another manager or none (Remove-JCUser -CascadeManager),
	// by username.
	Reports []string `csv:"-"`

	// ManagerID is the manager's user id, where the export gives it;
	// ManagerGone says why the manager was left empty.
	ManagerID   string `csv:"-"`
	ManagerGone string `csv:"-"`

	DeletedAt time.Time `csv:"-"` // zero when the event had no readable timestamp
	DeletedBy string    `csv:"-"` // the admin's email (or username, or id)
	EventID   string    `csv:"-"`
	FormerID  string    `csv:"-"` // the deleted user's id; never written to the CSV
	// Organization is the id of the organization the user was deleted
	// from ("" when the events named none among several).
	Organization string `csv:"-"`
	Source       string `csv:"-"` // file:line of the deletion event

	// Notes are facts about the record worth telling the admin (earlier
	// deletions of the same user, data without a column, devices to bind
	// again): printed as they are found, and in the review workbook.
	Notes []string `csv:"-"`
	// Details are facts kept for the review workbook only, too many to
	// print for a large export: which values came from the user's earlier
	// events, which user id a manager had.
	Details []string `csv:"-"`
	// Beyond are what the user had beyond the directory, which the
	// deletion ended and nothing restores (beyond.go).
	Beyond []Beyond `csv:"-"`
	// CutLost are the values of the deletion that PowerShell's
	// ConvertTo-Json wrote as System.Object[] at its default depth, by the
	// event's field name: lost unless an earlier event gave them.
	CutLost []string `csv:"-"`
	// Issues is what Validate found, errors first.
	Issues []Issue `csv:"-"`

	account     uint16 // the account settings the user had (see accountSettings)
	devicesNote string // the note among Notes on the devices bound again
}

// Severity ranks a validation finding or a message.
type Severity int

const (
	// Note is worth knowing and nothing is wrong; --quiet hides it.
	Note Severity = iota - 1
	// Warning keeps the row in the output.
	Warning
	// Error leaves the row out unless --include-invalid is given.
	Error
)

func (s Severity) String() string {
	switch s {
	case Error:
		return "error"
	case Note:
		return "note"
	}
	return "warning"
}

// Issue is one validation finding on one field of a record.
type Issue struct {
	Severity Severity
	Asks     Asks
	Field    string // a column name such as "Email" or "Attribute2_name"
	Message  string
	// Tally, when set, is a kind of finding that a run sums up in one
	// line on the terminal (TallyFormula), each listed in the workbook.
	Tally string
}

// TallyFormula is the tally of values a spreadsheet would read as a
// formula: most are phone numbers (+1 312 ...), each a finding of its
// own would drown the ones that matter.
const TallyFormula = "formula"

// String words the finding as messages and the review workbook show it:
// "error: Email: missing".
func (is Issue) String() string {
	return fmt.Sprintf("%s: %s: %s", is.Severity, is.Field, is.Message)
}

// Invalid reports whether validation found an error in the record.
func (r *Record) Invalid() bool {
	for _, is := range r.Issues {
		if is.Severity == Error {
			return true
		}
	}
	return false
}

// Name is how messages refer to the user: the username, else the email,
// else the former user id.
func (r *Record) Name() string {
	switch {
	case r.Username != "":
		return r.Username
	case r.Email != "":
		return r.Email
	case r.FormerID != "":
		return "user " + r.FormerID
	}
	return "user without username"
}

// Columns lists the data columns of User in template order, as written in
// the csv tags. Their index is the field's.
var Columns = columnNames()

// TemplateColumns is how many of Columns every CSV in the PowerShell layout
// has: all before unix_uid. The others come in blocks, as
// New-JCImportTemplate asks for them, only where a row has data in one.
var TemplateColumns = ColumnIndex("unix_uid")

// byName is the index of each column by its name as written, and byNormal
// by its name normalised.
var byName, byNormal = columnIndex()

func columnNames() []string {
	t := reflect.TypeFor[User]()
	if t.NumField() > 64 {
		panic("convert: more User fields than attrs.touched has bits")
	}
	names := make([]string, t.NumField())
	for i := range names {
		names[i] = t.Field(i).Tag.Get("csv")
	}
	return names
}

func columnIndex() (exact, normalised map[string]int) {
	exact, normalised = make(map[string]int, len(Columns)), make(map[string]int, len(Columns))
	for i, c := range Columns {
		exact[c] = i
		normalised[Normalize(c)] = i
	}
	return exact, normalised
}

// ColumnIndex returns the index in Columns of the column named exactly
// name, or -1.
func ColumnIndex(name string) int {
	if i, ok := byName[name]; ok {
		return i
	}
	return -1
}

// Cell returns the value of the data column Columns[i]. Reflection on the
// addressed struct neither allocates nor copies.
func (u *User) Cell(i int) string { return reflect.ValueOf(u).Elem().Field(i).String() }

// SetCell sets the value of the data column Columns[i].
func (u *User) SetCell(i int, v string) { reflect.ValueOf(u).Elem().Field(i).SetString(v) }

// Normalize folds an attribute or header name for matching: lower case,
// letters and digits only. "first_name", "First Name", "firstName" and
// "First name*" all become "firstname"; "Phone (Mobile)" "phonemobile".
func Normalize(name string) string {
	return strings.Map(func(r rune) rune {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			return -1
		}
		return toLower(r)
	}, name)
}

func toLower(r rune) rune {
	if 'A' <= r && r <= 'Z' {
		return r + 'a' - 'A'
	}
	return r
}

// synonyms maps normalised names that are not column names to the column
// they mean: the v1 API spellings found in events, and the wording of
// spreadsheet templates such as the Admin Portal's.
var synonyms = map[string]string{
	"first":                 "FirstName",
	"givenname":             "FirstName",
	"last":                  "LastName",
	"surname":               "LastName",
	"familyname":            "LastName",
	"middle":                "MiddleName",
	"user":                  "Username",
	"login":                 "Username",
	"emailaddress":          "Email",
	"companyemail":          "Email",
	"workemail":             "Email",
	"mail":                  "Email",
	"alternateemailaddress": "alternateEmail",
	"personalemail":         "alternateEmail",
	"recoveryemailaddress":  "recoveryEmail",
	"displayname":           "preferredName",
	"title":                 "jobTitle",
	"employeeid":            "employeeIdentifier",
	"employeenumber":        "employeeIdentifier",
	"appleid":               "managedAppleId",
	"homecity":              "home_city",
	"homelocality":          "home_city",
	"homeregion":            "home_state",
	"workcity":              "work_city",
	"worklocality":          "work_city",
	"workregion":            "work_state",
	"mobile":                "mobile_number",
	"phonemobile":           "mobile_number",
	"mobilephonenumber":     "mobile_number",
	"phonework":             "work_number",
	"workphonenumber":       "work_number",
	"phonehome":             "home_number",
	"homephonenumber":       "home_number",
	"phoneworkmobile":       "work_mobile_number",
	"phonefax":              "work_fax_number",
	"faxnumber":             "work_fax_number",
	"manageremail":          "manager",
	"managerusername":       "manager",
	"mobilephone":           "mobile_number",
	"homephone":             "home_number",
	"workphone":             "work_number",
	"workmobile":            "work_mobile_number",
	"workmobilephone":       "work_mobile_number",
	"workfax":               "work_fax_number",
	"fax":                   "work_fax_number",
	"uid":                   "unix_uid",
	"unixid":                "unix_uid",
	"gid":                   "unix_guid",
	"unixgid":               "unix_guid",
}

// addressWords are the words templates use for the parts of an address,
// by column suffix: "Work Address City", "Home Zip Code" and "work_street"
// all find their column.
var addressWords = map[string][]string{
	"streetAddress": {"street", "streetaddress", "address", "addressline1", "line1"},
	"poBox":         {"pobox", "postofficebox"},
	"city":          {"city", "locality", "town"},
	"state":         {"state", "region", "province"},
	"postalCode":    {"postalcode", "postcode", "zip", "zipcode"},
	"country":       {"country"},
}

func init() {
	for _, kind := range [...]string{"home", "work"} {
		for suffix, words := range addressWords {
			for _, w := range words {
				for _, n := range [...]string{kind + w, kind + "address" + w} {
					if _, ok := synonyms[n]; !ok {
						synonyms[n] = kind + "_" + suffix
					}
				}
			}
		}
	}
}

// Canonical returns the column that name refers to, matching column names
// and common synonyms after Normalize.
func Canonical(name string) (string, bool) {
	return canonical(Normalize(name))
}

// canonical is Canonical for a name already normalised.
func canonical(n string) (string, bool) {
	if i, ok := byNormal[n]; ok {
		return Columns[i], true
	}
	c, ok := synonyms[n]
	return c, ok
}

// ParseMap reads --map options, each ATTR=PATH: the column ATTR (any
// spelling Canonical accepts, but Password) read from the gjson PATH of the
// deletion event (Options.Map).
func ParseMap(options []string) (map[string]string, error) {
	var m map[string]string
	for _, o := range options {
		attr, path, ok := strings.Cut(o, "=")
		col, known := Canonical(attr)
		switch {
		case !ok || strings.TrimSpace(path) == "":
			return nil, fmt.Errorf("--map %q: write ATTR=PATH, e.g. --map email=resource.email", o)
		case !known || col == "Password":
			return nil, fmt.Errorf("--map %q: %q is not a column; use one of %s", o, attr,
				strings.Join(slices.DeleteFunc(slices.Clone(Columns), func(c string) bool { return c == "Password" }), ", "))
		}
		if m == nil {
			m = make(map[string]string)
		}
		m[col] = path
	}
	return m, nil
}
