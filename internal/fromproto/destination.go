package fromproto

import (
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	connectorv1 "github.com/connectorkit/conduit-connector-protocol/gen/go/connector/v1"
)

// DestinationConfigureRequest converts the request of DestinationPlugin.Configure.
func DestinationConfigureRequest(in *connectorv1.Destination_Configure_Request) cpluginv1.DestinationConfigureRequest {
	return cpluginv1.DestinationConfigureRequest{Config: in.GetConfig()}
}

// DestinationConfigureResponse converts the response of DestinationPlugin.Configure.
func DestinationConfigureResponse(*connectorv1.Destination_Configure_Response) cpluginv1.DestinationConfigureResponse {
	return cpluginv1.DestinationConfigureResponse{}
}

// DestinationStartRequest converts the request of DestinationPlugin.Start.
func DestinationStartRequest(*connectorv1.Destination_Start_Request) cpluginv1.DestinationStartRequest {
	return cpluginv1.DestinationStartRequest{}
}

// DestinationStartResponse converts the response of DestinationPlugin.Start.
func DestinationStartResponse(*connectorv1.Destination_Start_Response) cpluginv1.DestinationStartResponse {
	return cpluginv1.DestinationStartResponse{}
}

// DestinationRunRequest converts a record the host sends on a destination
// Run stream. A missing record converts to the zero Record.
func DestinationRunRequest(in *connectorv1.Destination_Run_Request) cpluginv1.DestinationRunRequest {
	return cpluginv1.DestinationRunRequest{Record: Record(in.GetRecord())}
}

// DestinationRunResponse converts an ack the connector sends on a
// destination Run stream.
func DestinationRunResponse(in *connectorv1.Destination_Run_Response) cpluginv1.DestinationRunResponse {
	return cpluginv1.DestinationRunResponse{AckPosition: in.GetAckPosition(), Error: in.GetError()}
}

// DestinationStopRequest converts the request of DestinationPlugin.Stop.
func DestinationStopRequest(in *connectorv1.Destination_Stop_Request) cpluginv1.DestinationStopRequest {
	return cpluginv1.DestinationStopRequest{LastPosition: in.GetLastPosition()}
}

// DestinationStopResponse converts the response of DestinationPlugin.Stop.
func DestinationStopResponse(*connectorv1.Destination_Stop_Response) cpluginv1.DestinationStopResponse {
	return cpluginv1.DestinationStopResponse{}
}

// DestinationTeardownRequest converts the request of DestinationPlugin.Teardown.
func DestinationTeardownRequest(*connectorv1.Destination_Teardown_Request) cpluginv1.DestinationTeardownRequest {
	return cpluginv1.DestinationTeardownRequest{}
}

// DestinationTeardownResponse converts the response of DestinationPlugin.Teardown.
func DestinationTeardownResponse(*connectorv1.Destination_Teardown_Response) cpluginv1.DestinationTeardownResponse {
	return cpluginv1.DestinationTeardownResponse{}
}

// DestinationLifecycleOnCreatedRequest converts the request of
// DestinationPlugin.LifecycleOnCreated.
func DestinationLifecycleOnCreatedRequest(in *connectorv1.Destination_Lifecycle_OnCreated_Request) cpluginv1.DestinationLifecycleOnCreatedRequest {
	return cpluginv1.DestinationLifecycleOnCreatedRequest{Config: in.GetConfig()}
}

// DestinationLifecycleOnCreatedResponse converts the response of
// DestinationPlugin.LifecycleOnCreated.
func DestinationLifecycleOnCreatedResponse(*connectorv1.Destination_Lifecycle_OnCreated_Response) cpluginv1.DestinationLifecycleOnCreatedResponse {
	return cpluginv1.DestinationLifecycleOnCreatedResponse{}
}

// DestinationLifecycleOnUpdatedRequest converts the request of
// DestinationPlugin.LifecycleOnUpdated.
func DestinationLifecycleOnUpdatedRequest(in *connectorv1.Destination_Lifecycle_OnUpdated_Request) cpluginv1.DestinationLifecycleOnUpdatedRequest {
	return cpluginv1.DestinationLifecycleOnUpdatedRequest{
		ConfigBefore: in.GetConfigBefore(),
		ConfigAfter:  in.GetConfigAfter(),
	}
}

// DestinationLifecycleOnUpdatedResponse converts the response of
// DestinationPlugin.LifecycleOnUpdated.
func DestinationLifecycleOnUpdatedResponse(*connectorv1.Destination_Lifecycle_OnUpdated_Response) cpluginv1.DestinationLifecycleOnUpdatedResponse {
	return cpluginv1.DestinationLifecycleOnUpdatedResponse{}
}

// DestinationLifecycleOnDeletedRequest converts the request of
// DestinationPlugin.LifecycleOnDeleted.
func DestinationLifecycleOnDeletedRequest(in *connectorv1.Destination_Lifecycle_OnDeleted_Request) cpluginv1.DestinationLifecycleOnDeletedRequest {
	return cpluginv1.DestinationLifecycleOnDeletedRequest{Config: in.GetConfig()}
}

// DestinationLifecycleOnDeletedResponse converts the response of
// DestinationPlugin.LifecycleOnDeleted.
func DestinationLifecycleOnDeletedResponse(*connectorv1.Destination_Lifecycle_OnDeleted_Response) cpluginv1.DestinationLifecycleOnDeletedResponse {
	return cpluginv1.DestinationLifecycleOnDeletedResponse{}
}
