package main

import (
	"io"
	"os"
)

// isTerminal reports whether w is a terminal a person watches, so that
// output may use colours and redraw a progress line. It honours NO_COLOR
// and TERM=dumb. Checking the file mode avoids a dependency for one bit.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok || os.Getenv("NO_COLOR") != "" || os.Getenv("TERM") == "dumb" {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}
