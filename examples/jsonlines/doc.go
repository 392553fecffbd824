// Package jsonlines is a reference destination connector: it appends every record
// as one line of JSON (JSON Lines) to a file, or discards the records when no
// file is configured, and acks them in the order they arrived. A record it
// cannot write (one whose line would exceed the configured maximum size) gets
// a negative ack, and the stream goes on.
//
// The same [Destination] runs built-in (a host wraps it with the builtin
// package) and standalone (cmd/file hands it to server.Serve). The cplugin
// command uses it as its built-in example "builtin:jsonlines". Connector authors
// read it as an example of batching writes while keeping acks in order, and
// of a Stop that flushes and acks up to the position the host names.
package jsonlines
