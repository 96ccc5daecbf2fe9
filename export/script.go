package export

import (
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"strings"

	"github.com/jcrestore/jcrestore/convert"
)

// The restore script is restore.ps1, the same code for every export, with
// the users as one data literal in it: JSON, in base64, between single
// quotes. Base64 has no quote, dollar sign, backtick or line break of its
// own, so no value of an export can end the literal or become code,
// whatever it holds; PowerShell's FromBase64String ignores the line
// breaks that keep the lines short.

//go:embed restore.ps1
var scriptCode string

// scriptMarker is the line of restore.ps1 that the data replaces.
const scriptMarker = "\nDATA\n"

// Script is the restore script of one output: the users of one
// organization, and the files beside it.
type Script struct {
	Organization string // "" when the export names none: the script then checks none
	CSV          string // the import CSV, as named from the script's folder
	Results      string // the results file it writes, likewise
	Rows         []convert.Record
	After        []convert.AfterImport // what to set for each of Rows
}

// scriptData is what the script reads of its data. The names are the
// script's (restore.ps1).
type scriptData struct {
	Organization string       `json:"organization"`
	CSV          string       `json:"csv"`
	Results      string       `json:"results"`
	Users        []scriptUser `json:"users"`
}

type scriptUser struct {
	Username string         `json:"username"`
	Suspend  bool           `json:"suspend"`
	Flags    []string       `json:"flags"`
	Devices  []scriptDevice `json:"devices"`
	Groups   []scriptLink   `json:"groups"`
	Links    []scriptLink   `json:"links"`
	Manager  string         `json:"manager"`
	Reports  []string       `json:"reports"`
}

type scriptDevice struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	Admin      bool   `json:"admin"`
	NoPassword bool   `json:"noPassword"`
}

type scriptLink struct {
	Type string `json:"type"`
	ID   string `json:"id"`
	Name string `json:"name"`
}

// WriteScript writes the restore script s.
func WriteScript(w io.Writer, s *Script) error {
	if len(s.After) != len(s.Rows) {
		return errors.New("the restore script needs what to set for every row")
	}
	d := scriptData{Organization: s.Organization, CSV: s.CSV, Results: s.Results, Users: make([]scriptUser, len(s.Rows))}
	for i, r := range s.Rows {
		a := s.After[i]
		u := scriptUser{Username: r.Username, Suspend: a.Suspend, Flags: nonNil(a.Flags), Manager: a.Manager, Reports: nonNil(a.Reports),
			Devices: []scriptDevice{}, Groups: []scriptLink{}, Links: []scriptLink{}}
		for _, l := range a.Links {
			switch l.Type {
			case "system":
				u.Devices = append(u.Devices, scriptDevice{ID: l.ID, Name: l.Name, Admin: l.Sudo, NoPassword: l.NoPassword})
			case "user_group":
				u.Groups = append(u.Groups, scriptLink{Type: l.Type, ID: l.ID, Name: l.Name})
			default:
				u.Links = append(u.Links, scriptLink{Type: l.Type, ID: l.ID, Name: l.Name})
			}
		}
		d.Users[i] = u
	}
	data, err := json.Marshal(d)
	if err != nil {
		return err
	}
	code, rest, _ := strings.Cut(strings.ReplaceAll(scriptCode, "\r\n", "\n"), scriptMarker)
	var b strings.Builder
	b.WriteString(code)
	b.WriteByte('\n')
	enc := base64.StdEncoding.EncodeToString(data)
	for len(enc) > 0 {
		n := min(len(enc), 76)
		b.WriteString(enc[:n])
		b.WriteByte('\n')
		enc = enc[n:]
	}
	b.WriteString(rest)
	_, err = io.WriteString(w, strings.ReplaceAll(b.String(), "\n", "\r\n"))
	return err
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// ScriptData returns the data of a restore script (its users, as the
// script reads them) and its code with the data taken out: the same text
// for every script. ok is false when script is not one.
func ScriptData(script string) (code string, data []byte, ok bool) {
	script = strings.ReplaceAll(script, "\r\n", "\n")
	const open, close = "$Data = '\n", "'\n"
	i := strings.Index(script, open)
	if i < 0 {
		return "", nil, false
	}
	j := strings.Index(script[i+len(open):], close)
	if j < 0 {
		return "", nil, false
	}
	lit := script[i+len(open) : i+len(open)+j]
	data, err := base64.StdEncoding.DecodeString(strings.ReplaceAll(lit, "\n", ""))
	if err != nil {
		return "", nil, false
	}
	return script[:i+len(open)] + script[i+len(open)+j:], data, true
}
