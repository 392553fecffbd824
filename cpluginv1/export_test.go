package cpluginv1

import "github.com/connectorkit/conduit-connector-protocol/internal/runpipe"

// Exported for the tests in package cpluginv1_test, which assert which end
// of a Run stream an error names.
var (
	ErrSendClosed = errSendClosed
	ErrRunEnded   = runpipe.ErrRunEnded
)

// RunEnded returns the channel that is closed when the connector's Run of a
// *SourceRun or *DestinationRun over a pipe (a plugin no transport wraps)
// has returned: the tests of the pipe's behaviour after Run returned wait
// for it.
func RunEnded(run any) <-chan struct{} {
	switch r := run.(type) {
	case *SourceRun:
		return r.local.Ended()
	case *DestinationRun:
		return r.local.Ended()
	default:
		panic("RunEnded: not a Run stream")
	}
}
