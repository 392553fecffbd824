// Command testconnector serves the cplugintest test connector as a
// standalone connector process, for the parity suite's subprocess mode.
// Tests build it with `go build` into a temporary directory and start it
// through package client; it is not meant to be run by hand.
package main
