// Package limits tests what happens when a record is larger than a message
// size limit of a standalone connector's Run stream, in either direction:
// the host's receive limit (client.Config.MaxReceiveSize), the connector's
// send limit, the host's send limit (client.Config.MaxSendSize) and the
// connector's receive limit (CONDUIT_CONNECTOR_MAX_RECEIVE_RECORD_SIZE).
//
// In each case the Run stream ends at once on both sides, the host gets one
// sentence naming the record's size, the limit and how to raise it (an error
// for which errors.Is reports cpluginv1.ErrMessageTooLarge), and the
// connector process keeps serving: the host can still Stop it and tear it
// down. Built-in connectors have no size limit, as nothing is serialised:
// TestBuiltInHasNoSizeLimit shows a record twice the default limit crossing
// in both directions.
//
// The package holds only tests. Its TestMain builds the parity suite's test
// connector (cpluginv1/cplugintest/testconnector) into a temporary
// directory.
package limits
