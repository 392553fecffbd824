package client

import (
	"context"

	"google.golang.org/grpc"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv2"
	connectorv1 "github.com/connectorkit/conduit-connector-protocol/gen/go/connector/v1"
	connectorv2 "github.com/connectorkit/conduit-connector-protocol/gen/go/connector/v2"
	"github.com/connectorkit/conduit-connector-protocol/internal/hostrun"
)

// destinationCalls are a destination's unary calls in either protocol
// version: those every plugin has (pluginCalls), Stop, and start for v1's
// Start and v2's Open, whose messages are the same but for their names.
type destinationCalls struct{ pluginCalls }

// Stop calls the connector's Stop with the position of the last record the
// host sent.
func (c destinationCalls) Stop(ctx context.Context, req cpluginv1.DestinationStopRequest) (cpluginv1.DestinationStopResponse, error) {
	return cpluginv1.DestinationStopResponse{}, c.invoke(ctx, "Stop", nil,
		&connectorv1.Destination_Stop_Request{LastPosition: req.LastPosition}, new(connectorv1.Destination_Stop_Response))
}

// start calls the connector's method Start (v1) or Open (v2).
func (c destinationCalls) start(ctx context.Context, method string) (cpluginv1.DestinationStartResponse, error) {
	return cpluginv1.DestinationStartResponse{}, c.invoke(ctx, method, nil,
		new(connectorv1.Destination_Start_Request), new(connectorv1.Destination_Start_Response))
}

// destinationClient is a cpluginv1.DestinationPlugin served by a connector
// over gRPC in protocol v1.
type destinationClient struct{ destinationCalls }

var _ cpluginv1.DestinationPlugin = (*destinationClient)(nil)

func newDestinationClient(conn grpc.ClientConnInterface, opts []grpc.CallOption) *destinationClient {
	return &destinationClient{destinationCalls{newPluginCalls(conn, connectorv1.DestinationPlugin_ServiceDesc.ServiceName, opts)}}
}

// Start calls the connector's Start.
func (c *destinationClient) Start(ctx context.Context, _ cpluginv1.DestinationStartRequest) (cpluginv1.DestinationStartResponse, error) {
	return c.start(ctx, "Start")
}

// OpenDestinationRun opens the connector's Run stream for the host to read
// and write directly (see cpluginv1.RunDestination, which calls it).
func (c *destinationClient) OpenDestinationRun(ctx context.Context) (hostrun.DestinationTransport[cpluginv1.Record, cpluginv1.DestinationRunResponse], error) {
	s := new(destinationHostStream)
	if err := c.openRun(ctx, &s.hostStream); err != nil {
		return nil, err
	}
	return s, nil
}

// Run serves the connector's Run stream to a stream of the caller's:
// records from stream.Recv go to the connector, acks from the connector go
// to stream.Send, and stream.Recv's io.EOF closes the host's side. It
// returns nil when the connector ends the stream normally, and the
// connector's (or the transport's) error otherwise; a record that cannot be
// sent (too large, or holding an unsupported structured value) ends it with
// an error saying so. Hosts use cpluginv1.RunDestination instead, which
// reads the gRPC stream directly.
func (c *destinationClient) Run(ctx context.Context, stream cpluginv1.DestinationRunStream) error {
	return pumpRun(ctx, c.OpenDestinationRun,
		func() ([]cpluginv1.Record, error) {
			req, err := stream.Recv()
			return []cpluginv1.Record{req.Record}, err
		},
		oneByOne(stream.Send))
}

// destinationClientV2 is a cpluginv2.DestinationPlugin served by a
// connector over gRPC in protocol v2, whose Run stream carries batches (see
// destinationHostStreamV2).
type destinationClientV2 struct{ destinationCalls }

var _ cpluginv2.DestinationPlugin = (*destinationClientV2)(nil)

func newDestinationClientV2(conn grpc.ClientConnInterface, opts []grpc.CallOption) *destinationClientV2 {
	return &destinationClientV2{destinationCalls{newPluginCalls(conn, connectorv2.DestinationPlugin_ServiceDesc.ServiceName, opts)}}
}

// Open calls the connector's Open.
func (c *destinationClientV2) Open(ctx context.Context, _ cpluginv2.DestinationOpenRequest) (cpluginv2.DestinationOpenResponse, error) {
	return c.start(ctx, "Open")
}

// OpenDestinationRun opens the connector's Run stream for the host to read
// and write directly (see cpluginv2.RunDestination, which calls it): a
// batch of records or acks is one message.
func (c *destinationClientV2) OpenDestinationRun(ctx context.Context) (hostrun.DestinationTransport[cpluginv1.Record, cpluginv1.DestinationRunResponse], error) {
	s := new(destinationHostStreamV2)
	if err := c.openRun(ctx, &s.hostStream); err != nil {
		return nil, err
	}
	return s, nil
}

// Run serves the connector's Run stream to a stream of the caller's, as
// destinationClient.Run does, a batch at a time.
func (c *destinationClientV2) Run(ctx context.Context, stream cpluginv2.DestinationRunStream) error {
	return pumpRun(ctx, c.OpenDestinationRun,
		func() ([]cpluginv1.Record, error) {
			req, err := stream.Recv()
			return req.Records, err
		},
		func(acks []cpluginv1.DestinationRunResponse) error {
			return stream.Send(cpluginv2.DestinationRunResponse{Acks: acks})
		})
}
