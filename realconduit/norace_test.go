//go:build unix && !race

package realconduit_test

// raceEnabled reports whether the test runs with the race detector; this
// repository's connectors are then built with it too.
const raceEnabled = false
