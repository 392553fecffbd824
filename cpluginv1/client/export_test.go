package client

import "time"

// SetCloseTimeout sets how long Close waits for go-plugin before it kills
// the process, for the duration of a test.
func SetCloseTimeout(d time.Duration) (restore func()) {
	old := closeTimeout
	closeTimeout = d
	return func() { closeTimeout = old }
}
