package export

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/jcrestore/jcrestore/convert"
)

// The restore script's record (restore.ps1 writes it beside itself): one
// JSON line for each run, step and read, appended as it happens, so that
// a run stopped at any point leaves everything before the stop. A run's
// line carries the script's data (its plan) the first time that plan
// runs; the steps and reads of later runs add to those of earlier ones,
// the last outcome of each standing.

// recordTool begins the record's first line.
const recordTool = `{"tool":"jcrestore restore script"`

// IsResults reports whether text (decoded) is a restore script's record.
func IsResults(text []byte) bool {
	return bytes.HasPrefix(text, []byte(recordTool))
}

// Results is a restore script's record read back.
type Results struct {
	Name         string
	Organization string           // the organization of its last run
	Plan         *convert.Planned // the plan of its last run
	Restored     *convert.Restored
	// Current are the accounts the script read back (the restored users
	// and their managers); nil when it read none.
	Current *convert.Current
	Notes   []convert.Message
}

// recordLine is one line of the record, by restore.ps1's names; each kind
// uses some of them.
type recordLine struct {
	Tool         string          `json:"tool"`
	Kind         string          `json:"kind"` // run, importing, step, read, end
	At           string          `json:"at"`
	Mode         string          `json:"mode"`
	Organization string          `json:"organization"`
	PlanSHA256   string          `json:"planSha256"`
	Data         string          `json:"data"`
	User         string          `json:"user"`
	ID           string          `json:"id"`
	Step         string          `json:"step"`
	Target       string          `json:"target"`
	Words        string          `json:"words"`
	Outcome      string          `json:"outcome"`
	Message      string          `json:"message"`
	What         string          `json:"what"`
	Type         string          `json:"type"`
	OK           bool            `json:"ok"`
	Value        json.RawMessage `json:"value"`
	Error        string          `json:"error"`
	Stopped      bool            `json:"stopped"`
}

// ReadResults reads a restore script's record, text, from name. A last
// line cut off by a stop is left out and said; so is a run that did not
// end.
func ReadResults(name string, text []byte) (*Results, error) {
	if !IsResults(text) {
		return nil, fmt.Errorf("%s: not the record of a jcrestore restore script", name)
	}
	res := &Results{Name: name}
	rec := &convert.Restored{Name: name, Accounts: map[string]string{}, Skipped: map[string]string{}, Reads: map[string]*convert.ReadBack{}}
	res.Restored = rec
	plans := map[string]string{} // the data of each plan, by its SHA-256
	var lastPlan, lastRun string
	ended := true
	steps := map[string]convert.Step{} // the last outcome of each step
	var order []string                 // the steps' keys, first seen first
	accounts := map[string]int{}       // the index in values of each account's last read
	var values [][]byte
	var where []string
	for n, rest := 1, text; len(rest) > 0; n++ {
		line, after, complete := bytes.Cut(rest, []byte("\n"))
		rest = after
		line = bytes.TrimRight(line, "\r")
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var l recordLine
		if err := json.Unmarshal(line, &l); err != nil {
			if !complete {
				res.Notes = append(res.Notes, convert.Message{Severity: convert.Warning, Where: fmt.Sprintf("%s:%d", name, n),
					Text: "warning: the record ends in the middle of this line (the script was stopped as it wrote it): read up to there"})
				break
			}
			res.Notes = append(res.Notes, convert.Message{Severity: convert.Warning, Where: fmt.Sprintf("%s:%d", name, n),
				Text: fmt.Sprintf("warning: not a line of the record (%v): left out", err)})
			continue
		}
		at := fmt.Sprintf("%s:%d", name, n)
		user := strings.ToLower(l.User)
		switch l.Kind {
		case "run":
			if !ended {
				res.Notes = append(res.Notes, convert.Notef("the run of %s has no end in %s: it was stopped (the window closed?) before it finished", lastRun, name))
			}
			if l.Data != "" {
				plans[l.PlanSHA256] = l.Data
			}
			lastPlan, lastRun, ended, res.Organization = l.PlanSHA256, l.At, false, strings.ToLower(l.Organization)
		case "end":
			ended = true
			if l.Stopped {
				res.Notes = append(res.Notes, convert.Notef("the run of %s was stopped before it finished (%s): run the script again to finish", l.At, at))
			}
		case "step":
			key := strings.ToLower(l.ID) + "|" + l.Step + "|" + l.Target
			switch l.Step {
			case "import", "take", "user":
				key = user + "|" + l.Step
			}
			if _, ok := steps[key]; !ok {
				order = append(order, key)
			}
			steps[key] = convert.Step{Username: l.User, ID: strings.ToLower(l.ID), Step: l.Step, Target: l.Target, Words: l.Words, Outcome: l.Outcome, Message: l.Message}
			switch {
			case (l.Step == "import" || l.Step == "take") && l.Outcome == "done":
				rec.Accounts[user] = strings.ToLower(l.ID)
				delete(rec.Skipped, user)
				delete(steps, user+"|user")
			case l.Step == "user" && l.Outcome == "skipped":
				rec.Skipped[user] = l.Message
			}
		case "read":
			id := strings.ToLower(l.ID)
			r := rec.Reads[id]
			if r == nil {
				r = &convert.ReadBack{Bindings: map[string][]convert.Binding{}, Failed: map[string]string{}}
				rec.Reads[id] = r
			}
			what := l.What
			if what == "associations" {
				what += " " + l.Type
			}
			if what == "manager" {
				what = "account"
			}
			if !l.OK {
				r.Failed[what] = l.Error
				continue
			}
			delete(r.Failed, what)
			switch l.What {
			case "account", "manager":
				if v := bytes.TrimSpace(l.Value); len(v) == 0 || v[0] != '{' || !json.Valid(v) || !bytes.Contains(v, []byte(`"username"`)) {
					r.Failed[what] = "JumpCloud returned no account"
					continue
				}
				if i, ok := accounts[id]; ok {
					values[i], where[i] = l.Value, at
				} else {
					accounts[id] = len(values)
					values, where = append(values, l.Value), append(where, at)
				}
			case "associations":
				r.Bindings[l.Type] = bindings(l.Type, l.Value)
			case "groups":
				r.Groups = groupIDs(l.Value)
			}
		}
	}
	for _, key := range order {
		if s, ok := steps[key]; ok && s.Outcome == "failed" {
			rec.Failed = append(rec.Failed, s)
		}
	}
	if !ended {
		res.Notes = append(res.Notes, convert.Notef("the run of %s has no end in %s: it was stopped (the window closed?) or is still running; what it recorded is read", lastRun, name))
	}
	data, ok := plans[lastPlan]
	if !ok {
		return nil, fmt.Errorf("%s holds no plan for its last run: was it edited? Give the restore script with it", name)
	}
	raw, err := base64.StdEncoding.DecodeString(data)
	var d scriptData
	if err != nil || json.Unmarshal(raw, &d) != nil {
		return nil, fmt.Errorf("%s: the plan it holds cannot be read: was it edited? Give the restore script with it", name)
	}
	if res.Plan, err = d.planned(name); err != nil {
		return nil, err
	}
	if len(values) > 0 {
		if res.Current, err = convert.ReadCurrentValues(name, values, where); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// bindings reads the associations of one type the script read back:
// each as JumpCloud sent it (the SDK object's ToJsonString: attributes,
// to), or the SDK object itself where that was missing (ToId, ToType;
// its attributes then may not show the rights).
func bindings(typ string, value json.RawMessage) []convert.Binding {
	var list []struct {
		Attributes *attributes
		To         struct{ ID, Type string }
		ToID       string `json:"ToId"`
		ToType     string
	}
	if json.Unmarshal(value, &list) != nil {
		return []convert.Binding{}
	}
	out := make([]convert.Binding, 0, len(list))
	for _, b := range list {
		id, t := b.To.ID, b.To.Type
		if id == "" {
			id, t = b.ToID, b.ToType
		}
		if t != "" && !strings.EqualFold(t, typ) {
			continue
		}
		var sudo *sudoAttribute
		if b.Attributes != nil {
			sudo = b.Attributes.Sudo
			if sudo == nil && b.Attributes.AdditionalProperties != nil {
				sudo = b.Attributes.AdditionalProperties.Sudo
			}
		}
		bd := convert.Binding{Type: typ, ID: strings.ToLower(id)}
		if sudo != nil {
			bd.Sudo, bd.NoPassword = sudo.Enabled, sudo.Enabled && sudo.WithoutPassword
		}
		out = append(out, bd)
	}
	return out
}

type attributes struct {
	Sudo                 *sudoAttribute
	AdditionalProperties *struct{ Sudo *sudoAttribute }
}

type sudoAttribute struct{ Enabled, WithoutPassword bool }

// groupIDs are the ids of the groups the script read back.
func groupIDs(value json.RawMessage) []string {
	var list []struct{ ID string }
	json.Unmarshal(value, &list)
	out := make([]string, 0, len(list))
	for _, g := range list {
		out = append(out, strings.ToLower(g.ID))
	}
	return out
}
