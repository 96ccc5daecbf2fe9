//go:build !windows

package export

import "os"

// private makes f the user's alone: os.CreateTemp made it 0600 already.
func private(*os.File) error { return nil }

// inUse is err: only Windows refuses to replace a file another program
// holds open.
func inUse(err error) error { return err }
