package cpluginv1

// The requests and responses below are those of the calls a source and a
// destination both have, with the same fields: one Go type serves both
// (SourceConfigureRequest and DestinationConfigureRequest are names of
// ConfigureRequest, and so on), as one protobuf message shape does on the
// wire in every plugin service of both protocol versions.

// ConfigureRequest is the request of Configure (SourceConfigureRequest,
// DestinationConfigureRequest).
type ConfigureRequest struct {
	// Config maps parameter names to the values the user set.
	Config map[string]string
}

// ConfigureResponse is the response of Configure.
type ConfigureResponse struct{}

// TeardownRequest is the request of Teardown (SourceTeardownRequest,
// DestinationTeardownRequest).
type TeardownRequest struct{}

// TeardownResponse is the response of Teardown.
type TeardownResponse struct{}

// LifecycleOnCreatedRequest is the request of LifecycleOnCreated
// (SourceLifecycleOnCreatedRequest, DestinationLifecycleOnCreatedRequest).
type LifecycleOnCreatedRequest struct {
	// Config is the connector's configuration, as in Configure.
	Config map[string]string
}

// LifecycleOnCreatedResponse is the response of LifecycleOnCreated.
type LifecycleOnCreatedResponse struct{}

// LifecycleOnUpdatedRequest is the request of LifecycleOnUpdated
// (SourceLifecycleOnUpdatedRequest, DestinationLifecycleOnUpdatedRequest).
type LifecycleOnUpdatedRequest struct {
	// ConfigBefore is the configuration of the previous run.
	ConfigBefore map[string]string
	// ConfigAfter is the configuration of this run, as in Configure.
	ConfigAfter map[string]string
}

// LifecycleOnUpdatedResponse is the response of LifecycleOnUpdated.
type LifecycleOnUpdatedResponse struct{}

// LifecycleOnDeletedRequest is the request of LifecycleOnDeleted
// (SourceLifecycleOnDeletedRequest, DestinationLifecycleOnDeletedRequest).
type LifecycleOnDeletedRequest struct {
	// Config is the configuration the connector had when it was deleted.
	Config map[string]string
}

// LifecycleOnDeletedResponse is the response of LifecycleOnDeleted.
type LifecycleOnDeletedResponse struct{}

// The names the interfaces of a source and of a destination give the types
// above.
type (
	// SourceConfigureRequest is the request of SourcePlugin.Configure.
	SourceConfigureRequest = ConfigureRequest
	// DestinationConfigureRequest is the request of DestinationPlugin.Configure.
	DestinationConfigureRequest = ConfigureRequest
	// SourceConfigureResponse is the response of SourcePlugin.Configure.
	SourceConfigureResponse = ConfigureResponse
	// DestinationConfigureResponse is the response of DestinationPlugin.Configure.
	DestinationConfigureResponse = ConfigureResponse
	// SourceTeardownRequest is the request of SourcePlugin.Teardown.
	SourceTeardownRequest = TeardownRequest
	// DestinationTeardownRequest is the request of DestinationPlugin.Teardown.
	DestinationTeardownRequest = TeardownRequest
	// SourceTeardownResponse is the response of SourcePlugin.Teardown.
	SourceTeardownResponse = TeardownResponse
	// DestinationTeardownResponse is the response of DestinationPlugin.Teardown.
	DestinationTeardownResponse = TeardownResponse
	// SourceLifecycleOnCreatedRequest is the request of SourcePlugin.LifecycleOnCreated.
	SourceLifecycleOnCreatedRequest = LifecycleOnCreatedRequest
	// DestinationLifecycleOnCreatedRequest is the request of DestinationPlugin.LifecycleOnCreated.
	DestinationLifecycleOnCreatedRequest = LifecycleOnCreatedRequest
	// SourceLifecycleOnCreatedResponse is the response of SourcePlugin.LifecycleOnCreated.
	SourceLifecycleOnCreatedResponse = LifecycleOnCreatedResponse
	// DestinationLifecycleOnCreatedResponse is the response of DestinationPlugin.LifecycleOnCreated.
	DestinationLifecycleOnCreatedResponse = LifecycleOnCreatedResponse
	// SourceLifecycleOnUpdatedRequest is the request of SourcePlugin.LifecycleOnUpdated.
	SourceLifecycleOnUpdatedRequest = LifecycleOnUpdatedRequest
	// DestinationLifecycleOnUpdatedRequest is the request of DestinationPlugin.LifecycleOnUpdated.
	DestinationLifecycleOnUpdatedRequest = LifecycleOnUpdatedRequest
	// SourceLifecycleOnUpdatedResponse is the response of SourcePlugin.LifecycleOnUpdated.
	SourceLifecycleOnUpdatedResponse = LifecycleOnUpdatedResponse
	// DestinationLifecycleOnUpdatedResponse is the response of DestinationPlugin.LifecycleOnUpdated.
	DestinationLifecycleOnUpdatedResponse = LifecycleOnUpdatedResponse
	// SourceLifecycleOnDeletedRequest is the request of SourcePlugin.LifecycleOnDeleted.
	SourceLifecycleOnDeletedRequest = LifecycleOnDeletedRequest
	// DestinationLifecycleOnDeletedRequest is the request of DestinationPlugin.LifecycleOnDeleted.
	DestinationLifecycleOnDeletedRequest = LifecycleOnDeletedRequest
	// SourceLifecycleOnDeletedResponse is the response of SourcePlugin.LifecycleOnDeleted.
	SourceLifecycleOnDeletedResponse = LifecycleOnDeletedResponse
	// DestinationLifecycleOnDeletedResponse is the response of DestinationPlugin.LifecycleOnDeleted.
	DestinationLifecycleOnDeletedResponse = LifecycleOnDeletedResponse
)
