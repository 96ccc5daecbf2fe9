//go:build !windows

package export

import (
	"os"
	"testing"
)

// checkPrivate fails t unless path is the user's alone: mode 0600.
func checkPrivate(t *testing.T, path string) {
	t.Helper()
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("%s: mode %v, %v; want 0600", path, fi.Mode().Perm(), err)
	}
}
