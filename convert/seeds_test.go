package convert

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// seeds returns the inputs of the CLI cases under testdata/cases and
// testdata/shared, to seed the fuzz targets with every container and
// encoding the tests know.
func seeds(tb testing.TB) [][]byte {
	paths, err := filepath.Glob("../testdata/cases/*/*")
	if err != nil {
		tb.Fatal(err)
	}
	shared, _ := filepath.Glob("../testdata/shared/*/*")
	backups, _ := filepath.Glob("../testdata/shared/*/*/*") // a backup's folder
	paths = append(append(paths, shared...), backups...)
	var out [][]byte
	for _, p := range paths {
		base := filepath.Base(p)
		if base == "cmd" || base == "shared" || strings.HasPrefix(base, "want.") {
			continue
		}
		if fi, err := os.Stat(p); err == nil && fi.IsDir() {
			continue // a case's directory of inputs: its files are seeds of other cases too
		}
		b, err := os.ReadFile(p)
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}
