package cpluginv1

import (
	"github.com/connectorkit/conduit-connector-protocol/internal/hostrun"
	"github.com/connectorkit/conduit-connector-protocol/internal/runpipe"
)

// Exported for the tests in package cpluginv1_test, which assert which end
// of a Run stream an error names.
var (
	ErrSendClosed = hostrun.ErrSendClosed
	ErrRunEnded   = runpipe.ErrRunEnded
)

// RunEnded returns the channel that is closed when the connector's Run of a
// *SourceRun or *DestinationRun over a pipe (a plugin no transport wraps)
// has returned: the tests of the pipe's behaviour after Run returned wait
// for it.
func RunEnded(run any) <-chan struct{} {
	switch r := run.(type) {
	case *SourceRun:
		return r.run.LocalEnded()
	case *DestinationRun:
		return r.run.LocalEnded()
	default:
		panic("RunEnded: not a Run stream")
	}
}
