package convert

import (
	"fmt"
	"testing"
)

// TestParseAfterImportStable: every kind of link, with and without
// rights, reads back as it was written, the same way 1,000 times over (a
// map ranged over once chose the device "group Servers" for a device
// group, about one time in eight).
func TestParseAfterImportStable(t *testing.T) {
	for i, typ := range LinkTypes {
		for _, rights := range [][2]bool{{false, false}, {true, false}, {true, true}} {
			l := Link{Type: typ, ID: fmt.Sprintf("6f00000000000000000000%02x", i), Name: "Servers", Sudo: rights[0], NoPassword: rights[1]}
			if l.Sudo && !l.sudoAllowed() {
				continue
			}
			text := AfterImport{Links: []Link{l}}.String()
			for n := range 1000 {
				a, err := ParseAfterImport(text)
				if err != nil || len(a.Links) != 1 || a.Links[0] != l {
					t.Fatalf("parse %d of %q: %+v, %v; want %+v", n, text, a.Links, err, l)
				}
			}
		}
	}
	// Rights on a link that cannot carry them are no step.
	if _, err := ParseAfterImport("application Slack (6c0000000000000000000001) admin"); err == nil {
		t.Error("an application with administrator rights was read")
	}
}
