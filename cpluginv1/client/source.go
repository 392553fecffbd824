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

// sourceCalls are a source's unary calls in either protocol version: those
// every plugin has (pluginCalls), Stop, and start for v1's Start and v2's
// Open, whose messages are the same but for their names.
type sourceCalls struct{ pluginCalls }

// Stop calls the connector's Stop.
func (c sourceCalls) Stop(ctx context.Context, _ cpluginv1.SourceStopRequest) (cpluginv1.SourceStopResponse, error) {
	var resp connectorv1.Source_Stop_Response
	if err := c.invoke(ctx, "Stop", nil, new(connectorv1.Source_Stop_Request), &resp); err != nil {
		return cpluginv1.SourceStopResponse{}, err
	}
	return cpluginv1.SourceStopResponse{LastPosition: resp.GetLastPosition()}, nil
}

// start calls the connector's method Start (v1) or Open (v2).
func (c sourceCalls) start(ctx context.Context, method string, req cpluginv1.SourceStartRequest) (cpluginv1.SourceStartResponse, error) {
	return cpluginv1.SourceStartResponse{}, c.invoke(ctx, method, nil,
		&connectorv1.Source_Start_Request{Position: req.Position}, new(connectorv1.Source_Start_Response))
}

// sourceClient is a cpluginv1.SourcePlugin served by a connector over gRPC
// in protocol v1.
type sourceClient struct{ sourceCalls }

var _ cpluginv1.SourcePlugin = (*sourceClient)(nil)

func newSourceClient(conn grpc.ClientConnInterface, opts []grpc.CallOption) *sourceClient {
	return &sourceClient{sourceCalls{newPluginCalls(conn, connectorv1.SourcePlugin_ServiceDesc.ServiceName, opts)}}
}

// Start calls the connector's Start.
func (c *sourceClient) Start(ctx context.Context, req cpluginv1.SourceStartRequest) (cpluginv1.SourceStartResponse, error) {
	return c.start(ctx, "Start", req)
}

// OpenSourceRun opens the connector's Run stream for the host to read and
// write directly (see cpluginv1.RunSource, which calls it).
func (c *sourceClient) OpenSourceRun(ctx context.Context) (hostrun.SourceTransport[cpluginv1.Record], error) {
	s := &sourceHostStream{hostStream: hostStream{sourceRun: true}}
	if err := c.openRun(ctx, &s.hostStream); err != nil {
		return nil, err
	}
	return s, nil
}

// Run serves the connector's Run stream to a stream of the caller's:
// records from the connector go to stream.Send, acks from stream.Recv go to
// the connector, and stream.Recv's io.EOF closes the host's side. It
// returns nil when the connector ends the stream normally, and the
// connector's (or the transport's) error otherwise. Hosts use
// cpluginv1.RunSource instead, which reads the gRPC stream directly.
func (c *sourceClient) Run(ctx context.Context, stream cpluginv1.SourceRunStream) error {
	return pumpRun(ctx, c.OpenSourceRun,
		func() ([][]byte, error) {
			ack, err := stream.Recv()
			return [][]byte{ack.AckPosition}, err
		},
		oneByOne(func(rec cpluginv1.Record) error {
			return stream.Send(cpluginv1.SourceRunResponse{Record: rec})
		}))
}

// sourceClientV2 is a cpluginv2.SourcePlugin served by a connector over
// gRPC in protocol v2, whose Run stream carries batches (see
// sourceHostStreamV2).
type sourceClientV2 struct{ sourceCalls }

var _ cpluginv2.SourcePlugin = (*sourceClientV2)(nil)

func newSourceClientV2(conn grpc.ClientConnInterface, opts []grpc.CallOption) *sourceClientV2 {
	return &sourceClientV2{sourceCalls{newPluginCalls(conn, connectorv2.SourcePlugin_ServiceDesc.ServiceName, opts)}}
}

// Open calls the connector's Open.
func (c *sourceClientV2) Open(ctx context.Context, req cpluginv2.SourceOpenRequest) (cpluginv2.SourceOpenResponse, error) {
	return c.start(ctx, "Open", req)
}

// OpenSourceRun opens the connector's Run stream for the host to read and
// write directly (see cpluginv2.RunSource, which calls it): a batch of
// records or acks is one message.
func (c *sourceClientV2) OpenSourceRun(ctx context.Context) (hostrun.SourceTransport[cpluginv1.Record], error) {
	s := &sourceHostStreamV2{hostStream: hostStream{sourceRun: true}}
	if err := c.openRun(ctx, &s.hostStream); err != nil {
		return nil, err
	}
	return s, nil
}

// Run serves the connector's Run stream to a stream of the caller's, as
// sourceClient.Run does, a batch at a time.
func (c *sourceClientV2) Run(ctx context.Context, stream cpluginv2.SourceRunStream) error {
	return pumpRun(ctx, c.OpenSourceRun,
		func() ([][]byte, error) {
			req, err := stream.Recv()
			return req.AckPositions, err
		},
		func(records []cpluginv1.Record) error {
			return stream.Send(cpluginv2.SourceRunResponse{Records: records})
		})
}
