// Package cancel tests what happens when one side of a Run stream gives up
// mid-stream, in built-in and in standalone mode:
//
//   - the host cancels the context of its Run: the connector's Send and Recv
//     fail with context.Canceled, so that its Run returns, and the host's own
//     Recv and Send return context.Canceled at once;
//   - the connector's Run returns mid-stream, with an error of its own or
//     with the error of a context it cancelled itself: the host's Recv
//     returns that error (with its message, and context.Canceled for
//     errors.Is in the second case) and its Send stops blocking and returns
//     io.EOF, while the host's context stays alive.
//
// "Promptly" means within ten seconds on a loaded machine; in practice it
// takes milliseconds. The package holds only tests and the probe connector
// they use (internal/probe), which TestMain builds into a temporary
// directory for standalone mode.
package cancel
