package convert

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/gocarina/gocsv"
	"github.com/jcrestore/jcrestore/convert/jsonstream"
)

// Existing is the set of usernames and emails taken by users that exist
// now, from a CSV such as the Admin Portal's user export or the output of
// Get-JCUser | Export-Csv, or from Get-JCUser | ConvertTo-Json.
type Existing struct {
	Name      string // the file, for messages
	usernames map[string]bool
	emails    map[string]bool
}

// ReadExisting reads a CSV of current users: any CSV whose header names a
// username and/or an email column, matched as --template headers are
// ("Username", "username", "User Name", "Email", "Company Email", ...), in
// any encoding the exports may have (UTF-8 with or without BOM, UTF-16 as
// Windows PowerShell 5.1's > writes it, gzip). The "#TYPE ..." line of
// Windows PowerShell's Export-Csv is skipped. Values are compared without
// regard to case.
func ReadExisting(r io.Reader, name string) (*Existing, error) {
	text, _, err := jsonstream.Decode(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	br := bufio.NewReader(text)
	if head, _ := br.Peek(512); LooksJSON(head) {
		return existingJSON(name, br)
	}
	skipped := 0 // lines before the CSV
	if b, _ := br.Peek(5); string(b) == "#TYPE" {
		if _, err := br.ReadString('\n'); err != nil {
			return nil, fmt.Errorf("%s: only a #TYPE line", name)
		}
		skipped = 1
	}
	cr := gocsv.LazyCSVReader(br)
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s is empty: it needs a header row naming a username or email column", name)
	}
	if err != nil {
		return nil, csvError(name, skipped, err)
	}
	user, email := -1, -1
	for i, h := range header {
		switch c, _ := Canonical(h); c {
		case "Username":
			user = first(user, i)
		case "Email":
			email = first(email, i)
		}
	}
	if user < 0 && email < 0 {
		return nil, fmt.Errorf("%s has no username or email column (its header is %s)", name, strings.Join(header, ","))
	}
	e := &Existing{Name: name, usernames: map[string]bool{}, emails: map[string]bool{}}
	for {
		row, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return e, nil
		}
		if err != nil {
			return nil, csvError(name, skipped, err)
		}
		if user >= 0 && user < len(row) && strings.TrimSpace(row[user]) != "" {
			e.usernames[strings.ToLower(strings.TrimSpace(row[user]))] = true
		}
		if email >= 0 && email < len(row) && strings.TrimSpace(row[email]) != "" {
			e.emails[strings.ToLower(strings.TrimSpace(row[email]))] = true
		}
	}
}

// existingJSON reads the users that exist now from Get-JCUser |
// ConvertTo-Json, as verify reads them.
func existingJSON(name string, r io.Reader) (*Existing, error) {
	text, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	users, err := ReadCurrent(name, text)
	if err != nil {
		return nil, err
	}
	return new(Existing).With(users), nil
}

// With is e (a new Existing when nil) with the users of now too: the
// usernames and emails taken.
func (e *Existing) With(now *Current) *Existing {
	if e == nil {
		e = &Existing{Name: now.Name}
	}
	if e.usernames == nil {
		e.Name, e.usernames, e.emails = now.Name, map[string]bool{}, map[string]bool{}
	}
	for _, u := range now.Users {
		if u.Username != "" {
			e.usernames[strings.ToLower(u.Username)] = true
		}
		if u.Email != "" {
			e.emails[strings.ToLower(u.Email)] = true
		}
	}
	return e
}

// csvError names the file and line of a CSV syntax error, counting the
// skipped lines before the CSV: "users.csv:3:7: extraneous \" in field".
func csvError(name string, skipped int, err error) error {
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", name, err)
	}
	if pe.Err == csv.ErrFieldCount {
		return fmt.Errorf("%s:%d: %v", name, pe.Line+skipped, pe.Err)
	}
	return fmt.Errorf("%s:%d:%d: %v", name, pe.Line+skipped, pe.Column, pe.Err)
}

func first(old, i int) int {
	if old >= 0 {
		return old
	}
	return i
}

// Taken says why a record cannot be created: its username or its email
// belongs to a user that exists now; "" when neither does.
func (e *Existing) Taken(r *Record) string {
	switch {
	case e == nil:
		return ""
	case r.Username != "" && e.usernames[strings.ToLower(r.Username)]:
		return fmt.Sprintf("the username %s is in %s", r.Username, e.Name)
	case r.Email != "" && e.emails[strings.ToLower(r.Email)]:
		return fmt.Sprintf("the email %s is in %s", strings.ToLower(r.Email), e.Name)
	}
	return ""
}
