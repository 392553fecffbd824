package toproto

import (
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	connectorv1 "github.com/connectorkit/conduit-connector-protocol/gen/go/connector/v1"
	"github.com/connectorkit/conduit-connector-protocol/internal/utf8check"
)

// DestinationConfigureRequest converts the request of DestinationPlugin.Configure.
func DestinationConfigureRequest(in cpluginv1.DestinationConfigureRequest) *connectorv1.Destination_Configure_Request {
	return &connectorv1.Destination_Configure_Request{Config: in.Config}
}

// DestinationConfigureResponse converts the response of DestinationPlugin.Configure.
func DestinationConfigureResponse(cpluginv1.DestinationConfigureResponse) *connectorv1.Destination_Configure_Response {
	return &connectorv1.Destination_Configure_Response{}
}

// DestinationStartRequest converts the request of DestinationPlugin.Start.
func DestinationStartRequest(cpluginv1.DestinationStartRequest) *connectorv1.Destination_Start_Request {
	return &connectorv1.Destination_Start_Request{}
}

// DestinationStartResponse converts the response of DestinationPlugin.Start.
func DestinationStartResponse(cpluginv1.DestinationStartResponse) *connectorv1.Destination_Start_Response {
	return &connectorv1.Destination_Start_Response{}
}

// DestinationRunRequest converts a record the host sends on a destination
// Run stream. It fails as [Record] does.
func DestinationRunRequest(in cpluginv1.DestinationRunRequest) (*connectorv1.Destination_Run_Request, error) {
	// One allocation for the message and its record: see recordBlock.
	block := &struct {
		msg    connectorv1.Destination_Run_Request
		record recordBlock
	}{}
	if err := block.record.fill(in.Record); err != nil {
		return nil, err
	}
	block.msg.Record = &block.record.record
	return &block.msg, nil
}

// DestinationRunResponse converts an ack the connector sends on a
// destination Run stream. Bytes of the error text that are not part of valid
// UTF-8 are replaced by U+FFFD, which protobuf can encode (see
// utf8check.Text).
func DestinationRunResponse(in cpluginv1.DestinationRunResponse) *connectorv1.Destination_Run_Response {
	return &connectorv1.Destination_Run_Response{AckPosition: in.AckPosition, Error: utf8check.Text(in.Error)}
}

// DestinationStopRequest converts the request of DestinationPlugin.Stop.
func DestinationStopRequest(in cpluginv1.DestinationStopRequest) *connectorv1.Destination_Stop_Request {
	return &connectorv1.Destination_Stop_Request{LastPosition: in.LastPosition}
}

// DestinationStopResponse converts the response of DestinationPlugin.Stop.
func DestinationStopResponse(cpluginv1.DestinationStopResponse) *connectorv1.Destination_Stop_Response {
	return &connectorv1.Destination_Stop_Response{}
}

// DestinationTeardownRequest converts the request of DestinationPlugin.Teardown.
func DestinationTeardownRequest(cpluginv1.DestinationTeardownRequest) *connectorv1.Destination_Teardown_Request {
	return &connectorv1.Destination_Teardown_Request{}
}

// DestinationTeardownResponse converts the response of DestinationPlugin.Teardown.
func DestinationTeardownResponse(cpluginv1.DestinationTeardownResponse) *connectorv1.Destination_Teardown_Response {
	return &connectorv1.Destination_Teardown_Response{}
}

// DestinationLifecycleOnCreatedRequest converts the request of
// DestinationPlugin.LifecycleOnCreated.
func DestinationLifecycleOnCreatedRequest(in cpluginv1.DestinationLifecycleOnCreatedRequest) *connectorv1.Destination_Lifecycle_OnCreated_Request {
	return &connectorv1.Destination_Lifecycle_OnCreated_Request{Config: in.Config}
}

// DestinationLifecycleOnCreatedResponse converts the response of
// DestinationPlugin.LifecycleOnCreated.
func DestinationLifecycleOnCreatedResponse(cpluginv1.DestinationLifecycleOnCreatedResponse) *connectorv1.Destination_Lifecycle_OnCreated_Response {
	return &connectorv1.Destination_Lifecycle_OnCreated_Response{}
}

// DestinationLifecycleOnUpdatedRequest converts the request of
// DestinationPlugin.LifecycleOnUpdated.
func DestinationLifecycleOnUpdatedRequest(in cpluginv1.DestinationLifecycleOnUpdatedRequest) *connectorv1.Destination_Lifecycle_OnUpdated_Request {
	return &connectorv1.Destination_Lifecycle_OnUpdated_Request{
		ConfigBefore: in.ConfigBefore,
		ConfigAfter:  in.ConfigAfter,
	}
}

// DestinationLifecycleOnUpdatedResponse converts the response of
// DestinationPlugin.LifecycleOnUpdated.
func DestinationLifecycleOnUpdatedResponse(cpluginv1.DestinationLifecycleOnUpdatedResponse) *connectorv1.Destination_Lifecycle_OnUpdated_Response {
	return &connectorv1.Destination_Lifecycle_OnUpdated_Response{}
}

// DestinationLifecycleOnDeletedRequest converts the request of
// DestinationPlugin.LifecycleOnDeleted.
func DestinationLifecycleOnDeletedRequest(in cpluginv1.DestinationLifecycleOnDeletedRequest) *connectorv1.Destination_Lifecycle_OnDeleted_Request {
	return &connectorv1.Destination_Lifecycle_OnDeleted_Request{Config: in.Config}
}

// DestinationLifecycleOnDeletedResponse converts the response of
// DestinationPlugin.LifecycleOnDeleted.
func DestinationLifecycleOnDeletedResponse(cpluginv1.DestinationLifecycleOnDeletedResponse) *connectorv1.Destination_Lifecycle_OnDeleted_Response {
	return &connectorv1.Destination_Lifecycle_OnDeleted_Response{}
}
