package export

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/windows"
)

// underWine reports whether these tests run under Wine, not Windows.
func underWine() bool {
	return windows.NewLazySystemDLL("ntdll.dll").NewProc("wine_get_version").Find() == nil
}

// checkPrivate fails t unless path is the user's alone: on Windows its
// access list is its own (not inherited) and grants the user running the
// test full control and nobody else anything.
func checkPrivate(t *testing.T, path string) {
	t.Helper()
	if underWine() {
		// Seen under Wine 8: SetNamedSecurityInfo succeeds, and the file
		// then shows an access list made from its Unix mode bits.
		t.Skip("Wine keeps no access list of a file")
	}
	user, err := windows.GetCurrentProcessToken().GetTokenUser()
	if err != nil {
		t.Fatal(err)
	}
	sd, err := windows.GetNamedSecurityInfo(path, windows.SE_FILE_OBJECT, windows.DACL_SECURITY_INFORMATION)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := sd.String(), "D:P(A;;FA;;;"+user.User.Sid.String()+")"; got != want {
		t.Errorf("%s: access list %s, want %s", path, got, want)
	}
}

// TestOutputOpenElsewhere replaces an output that another program holds
// open without sharing it, as Excel holds the file it shows: the error
// says so, and the file is left as it was.
func TestOutputOpenElsewhere(t *testing.T) {
	path := filepath.Join(tempDir(t), "restore.csv")
	if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	name, _ := windows.UTF16PtrFromString(path)
	h, err := windows.CreateFile(name, windows.GENERIC_READ, 0, nil, windows.OPEN_EXISTING, windows.FILE_ATTRIBUTE_NORMAL, 0)
	if err != nil {
		t.Fatal(err)
	}
	f, err := create(path, true)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("new")
	err = f.Commit()
	windows.CloseHandle(h)
	if err == nil || !strings.Contains(err.Error(), "open in another program") {
		t.Errorf("replacing a file open elsewhere: %v", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "old" {
		t.Errorf("the file holds %q", b)
	}
	if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 1 {
		t.Errorf("left behind: %v", entries)
	}
}
