//go:build !linux && !darwin

package main

import "os"

// noLineEditing leaves the terminal in its own line mode: the Windows
// console ends a paste at Ctrl-Z Enter itself, and Paste makes that end
// final.
func noLineEditing(*os.File) (restore func(), eof byte, err error) {
	return func() {}, 0, nil
}
