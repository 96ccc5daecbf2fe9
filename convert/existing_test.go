package convert

import (
	"strings"
	"testing"
)

func TestReadExisting(t *testing.T) {
	e, err := ReadExisting(strings.NewReader("\ufeff#TYPE System.Management.Automation.PSCustomObject\n\"_id\",\"username\",\"email\"\n\"1\",\"JDoe\",\"Jane@Example.com\"\n\"2\",\"\",\"kim@example.com\"\n"), "users.csv")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		user, email, want string
	}{
		{"jdoe", "x@example.com", "the username jdoe is in users.csv"},
		{"other", "JANE@example.com", "the email jane@example.com is in users.csv"},
		{"kim2", "kim@example.com", "the email kim@example.com is in users.csv"},
		{"new", "new@example.com", ""},
		{"", "", ""},
	} {
		if got := e.Taken(&Record{User: User{Username: tt.user, Email: tt.email}}); got != tt.want {
			t.Errorf("Taken(%q, %q) = %q, want %q", tt.user, tt.email, got, tt.want)
		}
	}
	for _, bad := range []string{"", "#TYPE x", "Name,Department\nA,B\n"} {
		if _, err := ReadExisting(strings.NewReader(bad), "users.csv"); err == nil {
			t.Errorf("ReadExisting(%q) accepted it", bad)
		}
	}
	// A broken row is named by its line in the file, #TYPE line counted.
	for in, want := range map[string]string{
		"username,email\njdoe,j@example.com\nkim\n":          "users.csv:3: wrong number of fields",
		"#TYPE x\nusername,email\nkim,k@example.com,extra\n": "users.csv:3: wrong number of fields",
	} {
		if _, err := ReadExisting(strings.NewReader(in), "users.csv"); err == nil || err.Error() != want {
			t.Errorf("ReadExisting(%q): %v, want %s", in, err, want)
		}
	}
}

// FuzzReadExisting checks that any bytes read as a CSV of current users
// either give an error or a set that answers without panicking.
func FuzzReadExisting(f *testing.F) {
	f.Add("username,email\njdoe,jane@example.com\n")
	f.Add("\ufeff#TYPE x\n\"User Name\",\"Company Email\"\r\n\"a\"\"b\",c@d\r\n")
	f.Fuzz(func(t *testing.T, in string) {
		e, err := ReadExisting(strings.NewReader(in), "f")
		if err != nil {
			return
		}
		e.Taken(&Record{User: User{Username: "jdoe", Email: "jane@example.com"}})
	})
}
