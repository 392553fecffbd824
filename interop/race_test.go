//go:build race

package interop_test

// raceEnabled reports whether the test runs with the race detector; the
// connectors built with this repository are then built with it too.
const raceEnabled = true
