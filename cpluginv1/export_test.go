package cpluginv1

// Exported for the tests in package cpluginv1_test, which assert which end
// of a Run stream an error names.
var (
	ErrSendClosed = errSendClosed
	ErrRunEnded   = errRunEnded
)
