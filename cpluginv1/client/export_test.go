package client

import "time"

// SetCloseGrace sets how long Close waits for go-plugin before it kills the
// process, for the duration of a test.
func SetCloseGrace(d time.Duration) (restore func()) {
	old := closeGrace
	closeGrace = d
	return func() { closeGrace = old }
}
