package toproto

import (
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	connectorv1 "github.com/connectorkit/conduit-connector-protocol/gen/go/connector/v1"
)

// SourceConfigureRequest converts the request of SourcePlugin.Configure.
func SourceConfigureRequest(in cpluginv1.SourceConfigureRequest) *connectorv1.Source_Configure_Request {
	return &connectorv1.Source_Configure_Request{Config: in.Config}
}

// SourceConfigureResponse converts the response of SourcePlugin.Configure.
func SourceConfigureResponse(cpluginv1.SourceConfigureResponse) *connectorv1.Source_Configure_Response {
	return &connectorv1.Source_Configure_Response{}
}

// SourceStartRequest converts the request of SourcePlugin.Start.
func SourceStartRequest(in cpluginv1.SourceStartRequest) *connectorv1.Source_Start_Request {
	return &connectorv1.Source_Start_Request{Position: in.Position}
}

// SourceStartResponse converts the response of SourcePlugin.Start.
func SourceStartResponse(cpluginv1.SourceStartResponse) *connectorv1.Source_Start_Response {
	return &connectorv1.Source_Start_Response{}
}

// SourceRunRequest converts an ack the host sends on a source Run stream.
func SourceRunRequest(in cpluginv1.SourceRunRequest) *connectorv1.Source_Run_Request {
	return &connectorv1.Source_Run_Request{AckPosition: in.AckPosition}
}

// SourceRunResponse converts a record the connector sends on a source Run
// stream. It fails as [Record] does.
func SourceRunResponse(in cpluginv1.SourceRunResponse) (*connectorv1.Source_Run_Response, error) {
	// One allocation for the message and its record: see recordBlock.
	block := &struct {
		msg    connectorv1.Source_Run_Response
		record recordBlock
	}{}
	if err := block.record.fill(in.Record); err != nil {
		return nil, err
	}
	block.msg.Record = &block.record.record
	return &block.msg, nil
}

// SourceStopRequest converts the request of SourcePlugin.Stop.
func SourceStopRequest(cpluginv1.SourceStopRequest) *connectorv1.Source_Stop_Request {
	return &connectorv1.Source_Stop_Request{}
}

// SourceStopResponse converts the response of SourcePlugin.Stop.
func SourceStopResponse(in cpluginv1.SourceStopResponse) *connectorv1.Source_Stop_Response {
	return &connectorv1.Source_Stop_Response{LastPosition: in.LastPosition}
}

// SourceTeardownRequest converts the request of SourcePlugin.Teardown.
func SourceTeardownRequest(cpluginv1.SourceTeardownRequest) *connectorv1.Source_Teardown_Request {
	return &connectorv1.Source_Teardown_Request{}
}

// SourceTeardownResponse converts the response of SourcePlugin.Teardown.
func SourceTeardownResponse(cpluginv1.SourceTeardownResponse) *connectorv1.Source_Teardown_Response {
	return &connectorv1.Source_Teardown_Response{}
}

// SourceLifecycleOnCreatedRequest converts the request of
// SourcePlugin.LifecycleOnCreated.
func SourceLifecycleOnCreatedRequest(in cpluginv1.SourceLifecycleOnCreatedRequest) *connectorv1.Source_Lifecycle_OnCreated_Request {
	return &connectorv1.Source_Lifecycle_OnCreated_Request{Config: in.Config}
}

// SourceLifecycleOnCreatedResponse converts the response of
// SourcePlugin.LifecycleOnCreated.
func SourceLifecycleOnCreatedResponse(cpluginv1.SourceLifecycleOnCreatedResponse) *connectorv1.Source_Lifecycle_OnCreated_Response {
	return &connectorv1.Source_Lifecycle_OnCreated_Response{}
}

// SourceLifecycleOnUpdatedRequest converts the request of
// SourcePlugin.LifecycleOnUpdated.
func SourceLifecycleOnUpdatedRequest(in cpluginv1.SourceLifecycleOnUpdatedRequest) *connectorv1.Source_Lifecycle_OnUpdated_Request {
	return &connectorv1.Source_Lifecycle_OnUpdated_Request{
		ConfigBefore: in.ConfigBefore,
		ConfigAfter:  in.ConfigAfter,
	}
}

// SourceLifecycleOnUpdatedResponse converts the response of
// SourcePlugin.LifecycleOnUpdated.
func SourceLifecycleOnUpdatedResponse(cpluginv1.SourceLifecycleOnUpdatedResponse) *connectorv1.Source_Lifecycle_OnUpdated_Response {
	return &connectorv1.Source_Lifecycle_OnUpdated_Response{}
}

// SourceLifecycleOnDeletedRequest converts the request of
// SourcePlugin.LifecycleOnDeleted.
func SourceLifecycleOnDeletedRequest(in cpluginv1.SourceLifecycleOnDeletedRequest) *connectorv1.Source_Lifecycle_OnDeleted_Request {
	return &connectorv1.Source_Lifecycle_OnDeleted_Request{Config: in.Config}
}

// SourceLifecycleOnDeletedResponse converts the response of
// SourcePlugin.LifecycleOnDeleted.
func SourceLifecycleOnDeletedResponse(cpluginv1.SourceLifecycleOnDeletedResponse) *connectorv1.Source_Lifecycle_OnDeleted_Response {
	return &connectorv1.Source_Lifecycle_OnDeleted_Response{}
}
