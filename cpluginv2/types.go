package cpluginv2

import "github.com/connectorkit/conduit-connector-protocol/cpluginv1"

// The types protocol v2 shares with v1, by their v1 names. The v2 calls
// Open (source and destination) take v1's Start request and response.
type (
	// Record is an OpenCDC record; see cpluginv1.Record.
	Record = cpluginv1.Record

	// SpecifierPlugin describes the connector; see cpluginv1.SpecifierPlugin.
	SpecifierPlugin = cpluginv1.SpecifierPlugin

	// SourceConfigureRequest is the request of SourcePlugin.Configure.
	SourceConfigureRequest = cpluginv1.SourceConfigureRequest
	// SourceConfigureResponse is the response of SourcePlugin.Configure.
	SourceConfigureResponse = cpluginv1.SourceConfigureResponse
	// SourceOpenRequest is the request of SourcePlugin.Open: the position
	// to resume after.
	SourceOpenRequest = cpluginv1.SourceStartRequest
	// SourceOpenResponse is the response of SourcePlugin.Open.
	SourceOpenResponse = cpluginv1.SourceStartResponse
	// SourceStopRequest is the request of SourcePlugin.Stop.
	SourceStopRequest = cpluginv1.SourceStopRequest
	// SourceStopResponse is the response of SourcePlugin.Stop: the last
	// position the source sent or will still send.
	SourceStopResponse = cpluginv1.SourceStopResponse
	// SourceTeardownRequest is the request of SourcePlugin.Teardown.
	SourceTeardownRequest = cpluginv1.SourceTeardownRequest
	// SourceTeardownResponse is the response of SourcePlugin.Teardown.
	SourceTeardownResponse = cpluginv1.SourceTeardownResponse
	// SourceLifecycleOnCreatedRequest is the request of
	// SourcePlugin.LifecycleOnCreated.
	SourceLifecycleOnCreatedRequest = cpluginv1.SourceLifecycleOnCreatedRequest
	// SourceLifecycleOnCreatedResponse is the response of
	// SourcePlugin.LifecycleOnCreated.
	SourceLifecycleOnCreatedResponse = cpluginv1.SourceLifecycleOnCreatedResponse
	// SourceLifecycleOnUpdatedRequest is the request of
	// SourcePlugin.LifecycleOnUpdated.
	SourceLifecycleOnUpdatedRequest = cpluginv1.SourceLifecycleOnUpdatedRequest
	// SourceLifecycleOnUpdatedResponse is the response of
	// SourcePlugin.LifecycleOnUpdated.
	SourceLifecycleOnUpdatedResponse = cpluginv1.SourceLifecycleOnUpdatedResponse
	// SourceLifecycleOnDeletedRequest is the request of
	// SourcePlugin.LifecycleOnDeleted.
	SourceLifecycleOnDeletedRequest = cpluginv1.SourceLifecycleOnDeletedRequest
	// SourceLifecycleOnDeletedResponse is the response of
	// SourcePlugin.LifecycleOnDeleted.
	SourceLifecycleOnDeletedResponse = cpluginv1.SourceLifecycleOnDeletedResponse

	// DestinationConfigureRequest is the request of
	// DestinationPlugin.Configure.
	DestinationConfigureRequest = cpluginv1.DestinationConfigureRequest
	// DestinationConfigureResponse is the response of
	// DestinationPlugin.Configure.
	DestinationConfigureResponse = cpluginv1.DestinationConfigureResponse
	// DestinationOpenRequest is the request of DestinationPlugin.Open.
	DestinationOpenRequest = cpluginv1.DestinationStartRequest
	// DestinationOpenResponse is the response of DestinationPlugin.Open.
	DestinationOpenResponse = cpluginv1.DestinationStartResponse
	// DestinationStopRequest is the request of DestinationPlugin.Stop: the
	// position of the last record the host sent.
	DestinationStopRequest = cpluginv1.DestinationStopRequest
	// DestinationStopResponse is the response of DestinationPlugin.Stop.
	DestinationStopResponse = cpluginv1.DestinationStopResponse
	// DestinationTeardownRequest is the request of
	// DestinationPlugin.Teardown.
	DestinationTeardownRequest = cpluginv1.DestinationTeardownRequest
	// DestinationTeardownResponse is the response of
	// DestinationPlugin.Teardown.
	DestinationTeardownResponse = cpluginv1.DestinationTeardownResponse
	// DestinationLifecycleOnCreatedRequest is the request of
	// DestinationPlugin.LifecycleOnCreated.
	DestinationLifecycleOnCreatedRequest = cpluginv1.DestinationLifecycleOnCreatedRequest
	// DestinationLifecycleOnCreatedResponse is the response of
	// DestinationPlugin.LifecycleOnCreated.
	DestinationLifecycleOnCreatedResponse = cpluginv1.DestinationLifecycleOnCreatedResponse
	// DestinationLifecycleOnUpdatedRequest is the request of
	// DestinationPlugin.LifecycleOnUpdated.
	DestinationLifecycleOnUpdatedRequest = cpluginv1.DestinationLifecycleOnUpdatedRequest
	// DestinationLifecycleOnUpdatedResponse is the response of
	// DestinationPlugin.LifecycleOnUpdated.
	DestinationLifecycleOnUpdatedResponse = cpluginv1.DestinationLifecycleOnUpdatedResponse
	// DestinationLifecycleOnDeletedRequest is the request of
	// DestinationPlugin.LifecycleOnDeleted.
	DestinationLifecycleOnDeletedRequest = cpluginv1.DestinationLifecycleOnDeletedRequest
	// DestinationLifecycleOnDeletedResponse is the response of
	// DestinationPlugin.LifecycleOnDeleted.
	DestinationLifecycleOnDeletedResponse = cpluginv1.DestinationLifecycleOnDeletedResponse

	// DestinationAck is one ack of a destination: the position of the
	// record it acknowledges and, for a record not written, the error.
	DestinationAck = cpluginv1.DestinationRunResponse

	// ContractError is the refusal of a record or ack that breaks the
	// protocol's rules; see cpluginv1.ContractError.
	ContractError = cpluginv1.ContractError
)
