// Command hang is a test connector for cplugin's own tests: it starts but
// never prints its plugin handshake line, like a connector stuck before it
// serves. cplugin must say what it waits for and give up after
// --start-timeout.
package main

import "time"

func main() {
	// Not select{}: the runtime would end a program with nothing left to
	// run as a deadlock.
	time.Sleep(time.Hour)
}
