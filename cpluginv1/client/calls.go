package client

import (
	"cmp"
	"context"

	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	connectorv1 "github.com/connectorkit/conduit-connector-protocol/gen/go/connector/v1"
	"github.com/connectorkit/conduit-connector-protocol/internal/grpcerrors"
	"github.com/connectorkit/conduit-connector-protocol/internal/utf8check"
)

// pluginCalls makes the calls of one plugin service (a source's or a
// destination's, of protocol v1 or v2) that are not its own: Configure,
// Teardown and the three lifecycle events, and opening the Run stream.
//
// Those unary calls have one Go request and response type each for both
// plugins (cpluginv1.ConfigureRequest and so on), and one message on the
// wire in all four services: the same fields with the same numbers
// (TestSharedCallMessages checks it). So one method serves all four
// services: it sends and receives protocol v1's Source messages, which
// encode to the bytes the others would.
//
// Every unary call of the client goes through invoke, the specifier's
// Specify included.
type pluginCalls struct {
	conn    grpc.ClientConnInterface
	service string // the service's full name, "connector.v1.SourcePlugin"
	opts    []grpc.CallOption
}

func newPluginCalls(conn grpc.ClientConnInterface, service string, opts []grpc.CallOption) pluginCalls {
	return pluginCalls{conn: conn, service: service, opts: opts}
}

// Configure calls the connector's Configure.
func (c pluginCalls) Configure(ctx context.Context, req cpluginv1.ConfigureRequest) (cpluginv1.ConfigureResponse, error) {
	return cpluginv1.ConfigureResponse{}, c.invoke(ctx, "Configure", utf8check.Config("config", req.Config),
		&connectorv1.Source_Configure_Request{Config: req.Config}, new(connectorv1.Source_Configure_Response))
}

// Teardown calls the connector's Teardown.
func (c pluginCalls) Teardown(ctx context.Context, _ cpluginv1.TeardownRequest) (cpluginv1.TeardownResponse, error) {
	return cpluginv1.TeardownResponse{}, c.invoke(ctx, "Teardown", nil,
		new(connectorv1.Source_Teardown_Request), new(connectorv1.Source_Teardown_Response))
}

// LifecycleOnCreated calls the connector's LifecycleOnCreated.
func (c pluginCalls) LifecycleOnCreated(ctx context.Context, req cpluginv1.LifecycleOnCreatedRequest) (cpluginv1.LifecycleOnCreatedResponse, error) {
	return cpluginv1.LifecycleOnCreatedResponse{}, c.invoke(ctx, "LifecycleOnCreated", utf8check.Config("config", req.Config),
		&connectorv1.Source_Lifecycle_OnCreated_Request{Config: req.Config}, new(connectorv1.Source_Lifecycle_OnCreated_Response))
}

// LifecycleOnUpdated calls the connector's LifecycleOnUpdated.
func (c pluginCalls) LifecycleOnUpdated(ctx context.Context, req cpluginv1.LifecycleOnUpdatedRequest) (cpluginv1.LifecycleOnUpdatedResponse, error) {
	unsendable := cmp.Or(utf8check.Config("config_before", req.ConfigBefore), utf8check.Config("config_after", req.ConfigAfter))
	return cpluginv1.LifecycleOnUpdatedResponse{}, c.invoke(ctx, "LifecycleOnUpdated", unsendable,
		&connectorv1.Source_Lifecycle_OnUpdated_Request{ConfigBefore: req.ConfigBefore, ConfigAfter: req.ConfigAfter},
		new(connectorv1.Source_Lifecycle_OnUpdated_Response))
}

// LifecycleOnDeleted calls the connector's LifecycleOnDeleted.
func (c pluginCalls) LifecycleOnDeleted(ctx context.Context, req cpluginv1.LifecycleOnDeletedRequest) (cpluginv1.LifecycleOnDeletedResponse, error) {
	return cpluginv1.LifecycleOnDeletedResponse{}, c.invoke(ctx, "LifecycleOnDeleted", utf8check.Config("config", req.Config),
		&connectorv1.Source_Lifecycle_OnDeleted_Request{Config: req.Config}, new(connectorv1.Source_Lifecycle_OnDeleted_Response))
}

// invoke calls the service's method with req and decodes the answer into
// resp; the error is the connector's, with its message and sentinel (see
// grpcerrors.FromStatus). unsendable, if not nil, is why req cannot be
// encoded (a configuration map that is not valid UTF-8, see
// utf8check.Config): the connector is not called, and the caller gets it.
func (c pluginCalls) invoke(ctx context.Context, method string, unsendable error, req, resp proto.Message) error {
	if unsendable != nil {
		return unsendable
	}
	if err := c.conn.Invoke(ctx, "/"+c.service+"/"+method, req, resp, c.opts...); err != nil {
		return grpcerrors.FromStatus(err)
	}
	return nil
}

// runStream describes a Run method: a stream both ways.
var runStream = grpc.StreamDesc{StreamName: "Run", ServerStreams: true, ClientStreams: true}

// openRun opens the service's Run stream into s, with the codec of package
// wire, which reads and writes the Run messages straight from and into the
// Go types.
func (c pluginCalls) openRun(ctx context.Context, s *hostStream) error {
	ctx, cancel := context.WithCancel(ctx)
	grpcStream, err := c.conn.NewStream(ctx, &runStream, "/"+c.service+"/Run", runCallOptions(c.opts)...)
	if err != nil {
		cancel()
		return grpcerrors.FromStatus(err)
	}
	s.grpc, s.cancel = grpcStream, cancel
	return nil
}
