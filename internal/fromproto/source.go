package fromproto

import (
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	connectorv1 "github.com/connectorkit/conduit-connector-protocol/gen/go/connector/v1"
)

// SourceConfigureRequest converts the request of SourcePlugin.Configure.
func SourceConfigureRequest(in *connectorv1.Source_Configure_Request) cpluginv1.SourceConfigureRequest {
	return cpluginv1.SourceConfigureRequest{Config: in.GetConfig()}
}

// SourceConfigureResponse converts the response of SourcePlugin.Configure.
func SourceConfigureResponse(*connectorv1.Source_Configure_Response) cpluginv1.SourceConfigureResponse {
	return cpluginv1.SourceConfigureResponse{}
}

// SourceStartRequest converts the request of SourcePlugin.Start.
func SourceStartRequest(in *connectorv1.Source_Start_Request) cpluginv1.SourceStartRequest {
	return cpluginv1.SourceStartRequest{Position: in.GetPosition()}
}

// SourceStartResponse converts the response of SourcePlugin.Start.
func SourceStartResponse(*connectorv1.Source_Start_Response) cpluginv1.SourceStartResponse {
	return cpluginv1.SourceStartResponse{}
}

// SourceRunRequest converts an ack the host sends on a source Run stream.
func SourceRunRequest(in *connectorv1.Source_Run_Request) cpluginv1.SourceRunRequest {
	return cpluginv1.SourceRunRequest{AckPosition: in.GetAckPosition()}
}

// SourceRunResponse converts a record the connector sends on a source Run
// stream. A missing record converts to the zero Record.
func SourceRunResponse(in *connectorv1.Source_Run_Response) cpluginv1.SourceRunResponse {
	return cpluginv1.SourceRunResponse{Record: Record(in.GetRecord())}
}

// SourceStopRequest converts the request of SourcePlugin.Stop.
func SourceStopRequest(*connectorv1.Source_Stop_Request) cpluginv1.SourceStopRequest {
	return cpluginv1.SourceStopRequest{}
}

// SourceStopResponse converts the response of SourcePlugin.Stop.
func SourceStopResponse(in *connectorv1.Source_Stop_Response) cpluginv1.SourceStopResponse {
	return cpluginv1.SourceStopResponse{LastPosition: in.GetLastPosition()}
}

// SourceTeardownRequest converts the request of SourcePlugin.Teardown.
func SourceTeardownRequest(*connectorv1.Source_Teardown_Request) cpluginv1.SourceTeardownRequest {
	return cpluginv1.SourceTeardownRequest{}
}

// SourceTeardownResponse converts the response of SourcePlugin.Teardown.
func SourceTeardownResponse(*connectorv1.Source_Teardown_Response) cpluginv1.SourceTeardownResponse {
	return cpluginv1.SourceTeardownResponse{}
}

// SourceLifecycleOnCreatedRequest converts the request of
// SourcePlugin.LifecycleOnCreated.
func SourceLifecycleOnCreatedRequest(in *connectorv1.Source_Lifecycle_OnCreated_Request) cpluginv1.SourceLifecycleOnCreatedRequest {
	return cpluginv1.SourceLifecycleOnCreatedRequest{Config: in.GetConfig()}
}

// SourceLifecycleOnCreatedResponse converts the response of
// SourcePlugin.LifecycleOnCreated.
func SourceLifecycleOnCreatedResponse(*connectorv1.Source_Lifecycle_OnCreated_Response) cpluginv1.SourceLifecycleOnCreatedResponse {
	return cpluginv1.SourceLifecycleOnCreatedResponse{}
}

// SourceLifecycleOnUpdatedRequest converts the request of
// SourcePlugin.LifecycleOnUpdated.
func SourceLifecycleOnUpdatedRequest(in *connectorv1.Source_Lifecycle_OnUpdated_Request) cpluginv1.SourceLifecycleOnUpdatedRequest {
	return cpluginv1.SourceLifecycleOnUpdatedRequest{
		ConfigBefore: in.GetConfigBefore(),
		ConfigAfter:  in.GetConfigAfter(),
	}
}

// SourceLifecycleOnUpdatedResponse converts the response of
// SourcePlugin.LifecycleOnUpdated.
func SourceLifecycleOnUpdatedResponse(*connectorv1.Source_Lifecycle_OnUpdated_Response) cpluginv1.SourceLifecycleOnUpdatedResponse {
	return cpluginv1.SourceLifecycleOnUpdatedResponse{}
}

// SourceLifecycleOnDeletedRequest converts the request of
// SourcePlugin.LifecycleOnDeleted.
func SourceLifecycleOnDeletedRequest(in *connectorv1.Source_Lifecycle_OnDeleted_Request) cpluginv1.SourceLifecycleOnDeletedRequest {
	return cpluginv1.SourceLifecycleOnDeletedRequest{Config: in.GetConfig()}
}

// SourceLifecycleOnDeletedResponse converts the response of
// SourcePlugin.LifecycleOnDeleted.
func SourceLifecycleOnDeletedResponse(*connectorv1.Source_Lifecycle_OnDeleted_Response) cpluginv1.SourceLifecycleOnDeletedResponse {
	return cpluginv1.SourceLifecycleOnDeletedResponse{}
}
