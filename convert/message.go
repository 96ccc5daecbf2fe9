package convert

import "fmt"

// Message is something a run tells the admin, apart from the findings of
// one record: a note, a warning or an error, about a place, with what it
// asks of them. What is done with it (--quiet hides notes, a terminal
// shows a screenful of each severity) follows its Severity, never its
// words.
type Message struct {
	Severity Severity
	Asks     Asks
	Where    string // the file (or file and row) it is about; "" for none
	Text     string // the words, as printed after Where
}

// String is the message as printed: "where: text".
func (m Message) String() string {
	if m.Where == "" {
		return m.Text
	}
	return m.Where + ": " + m.Text
}

// Notef is a note whose words begin "note: ".
func Notef(format string, args ...any) Message {
	return Message{Severity: Note, Text: "note: " + fmt.Sprintf(format, args...)}
}

// Asks is what a message or finding asks of the admin.
type Asks int

const (
	// AsksNothing is a fact to know; nothing is to be done.
	AsksNothing Asks = iota
	// AsksReview is a choice or a fix before the import: a value to
	// correct, one of two users to keep, an option to check.
	AsksReview
	// AsksAfterImport is a step after the import, for what the CSV cannot
	// bring back: suspend or lock again, bind a device, set a manager, a
	// group or attribute the importer would drop.
	AsksAfterImport
)
