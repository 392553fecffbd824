package builtin

import (
	"context"
	"fmt"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/connectorkit/conduit-connector-protocol/internal/utf8check"
)

// NewDestination wraps a connector's destination for a host that runs the
// connector in its own process. See the package documentation for what the
// wrapper adds.
//
// The connector's calls find the host's schema registry with
// cpluginv1.SchemaServiceFromContext: schemaregistry.Default() unless
// [WithSchemaService] names another.
func NewDestination(impl cpluginv1.DestinationPlugin, opts ...Option) cpluginv1.DestinationPlugin {
	return &destination{impl: impl, schemas: resolveOptions(opts).schemas}
}

type destination struct {
	impl    cpluginv1.DestinationPlugin
	schemas cpluginv1.SchemaService
}

// withSchemas returns ctx carrying the schema service, which the
// connector's context of the call takes over (see connectorContext).
func (d *destination) withSchemas(ctx context.Context) context.Context {
	return cpluginv1.ContextWithSchemaService(ctx, d.schemas)
}

func (d *destination) Configure(ctx context.Context, req cpluginv1.DestinationConfigureRequest) (cpluginv1.DestinationConfigureResponse, error) {
	if err := utf8check.Config("config", req.Config); err != nil {
		return cpluginv1.DestinationConfigureResponse{}, err
	}
	return call(d.withSchemas(ctx), "Destination.Configure", req, d.impl.Configure, func(req cpluginv1.DestinationConfigureRequest) cpluginv1.DestinationConfigureRequest {
		return cpluginv1.DestinationConfigureRequest{Config: copyConfig(req.Config)}
	}, same)
}

func (d *destination) Start(ctx context.Context, req cpluginv1.DestinationStartRequest) (cpluginv1.DestinationStartResponse, error) {
	return call(d.withSchemas(ctx), "Destination.Start", req, d.impl.Start, same, same)
}

func (d *destination) Stop(ctx context.Context, req cpluginv1.DestinationStopRequest) (cpluginv1.DestinationStopResponse, error) {
	return call(d.withSchemas(ctx), "Destination.Stop", req, d.impl.Stop, func(req cpluginv1.DestinationStopRequest) cpluginv1.DestinationStopRequest {
		return cpluginv1.DestinationStopRequest{LastPosition: copyPosition(req.LastPosition)}
	}, same)
}

func (d *destination) Teardown(ctx context.Context, req cpluginv1.DestinationTeardownRequest) (cpluginv1.DestinationTeardownResponse, error) {
	return call(d.withSchemas(ctx), "Destination.Teardown", req, d.impl.Teardown, same, same)
}

func (d *destination) LifecycleOnCreated(ctx context.Context, req cpluginv1.DestinationLifecycleOnCreatedRequest) (cpluginv1.DestinationLifecycleOnCreatedResponse, error) {
	if err := utf8check.Config("config", req.Config); err != nil {
		return cpluginv1.DestinationLifecycleOnCreatedResponse{}, err
	}
	return call(d.withSchemas(ctx), "Destination.LifecycleOnCreated", req, d.impl.LifecycleOnCreated, func(req cpluginv1.DestinationLifecycleOnCreatedRequest) cpluginv1.DestinationLifecycleOnCreatedRequest {
		return cpluginv1.DestinationLifecycleOnCreatedRequest{Config: copyConfig(req.Config)}
	}, same)
}

func (d *destination) LifecycleOnUpdated(ctx context.Context, req cpluginv1.DestinationLifecycleOnUpdatedRequest) (cpluginv1.DestinationLifecycleOnUpdatedResponse, error) {
	if err := utf8check.Config("config_before", req.ConfigBefore); err != nil {
		return cpluginv1.DestinationLifecycleOnUpdatedResponse{}, err
	}
	if err := utf8check.Config("config_after", req.ConfigAfter); err != nil {
		return cpluginv1.DestinationLifecycleOnUpdatedResponse{}, err
	}
	return call(d.withSchemas(ctx), "Destination.LifecycleOnUpdated", req, d.impl.LifecycleOnUpdated, func(req cpluginv1.DestinationLifecycleOnUpdatedRequest) cpluginv1.DestinationLifecycleOnUpdatedRequest {
		return cpluginv1.DestinationLifecycleOnUpdatedRequest{
			ConfigBefore: copyConfig(req.ConfigBefore),
			ConfigAfter:  copyConfig(req.ConfigAfter),
		}
	}, same)
}

func (d *destination) LifecycleOnDeleted(ctx context.Context, req cpluginv1.DestinationLifecycleOnDeletedRequest) (cpluginv1.DestinationLifecycleOnDeletedResponse, error) {
	if err := utf8check.Config("config", req.Config); err != nil {
		return cpluginv1.DestinationLifecycleOnDeletedResponse{}, err
	}
	return call(d.withSchemas(ctx), "Destination.LifecycleOnDeleted", req, d.impl.LifecycleOnDeleted, func(req cpluginv1.DestinationLifecycleOnDeletedRequest) cpluginv1.DestinationLifecycleOnDeletedRequest {
		return cpluginv1.DestinationLifecycleOnDeletedRequest{Config: copyConfig(req.Config)}
	}, same)
}

// Run runs the connector's Run with a stream that copies and normalises
// what crosses it. See runStream for how the call ends.
func (d *destination) Run(ctx context.Context, stream cpluginv1.DestinationRunStream) error {
	return runStream(d.withSchemas(ctx), "Destination.Run", func(connectorCtx context.Context, fail func(error)) error {
		return d.impl.Run(connectorCtx, &destinationStream{ctx: connectorCtx, host: stream, fail: fail})
	})
}

// destinationStream is the connector's end of a built-in destination Run
// stream.
type destinationStream struct {
	ctx  context.Context // the connector's context for Run
	host cpluginv1.DestinationRunStream
	fail func(error)
}

func (s *destinationStream) Send(resp cpluginv1.DestinationRunResponse) error {
	if err := s.ctx.Err(); err != nil {
		return err // Run has returned, or the host cancelled the stream
	}
	return streamError(s.ctx, "send ack", s.host.Send(cpluginv1.DestinationRunResponse{
		AckPosition: copyPosition(resp.AckPosition),
		Error:       utf8check.Text(resp.Error),
	}))
}

// Recv normalises the record as encoding it for gRPC would. A record the
// host sent that cannot cross ends the Run call with the error, which wraps
// cpluginv1.ErrUnsupportedValue, and the connector sees its stream
// cancelled: in standalone mode the host's side fails to encode the record
// and cancels the stream, so the connector never receives it.
func (s *destinationStream) Recv() (cpluginv1.DestinationRunRequest, error) {
	if err := s.ctx.Err(); err != nil {
		return cpluginv1.DestinationRunRequest{}, err // Run has returned, or the host cancelled the stream
	}
	req, err := s.host.Recv()
	if err != nil {
		return cpluginv1.DestinationRunRequest{}, streamError(s.ctx, "receive record", err)
	}
	record, err := normalizeRecord(req.Record)
	if err != nil {
		s.fail(fmt.Errorf("send record: %w", err)) // the client's words for it
		return cpluginv1.DestinationRunRequest{}, context.Canceled
	}
	return cpluginv1.DestinationRunRequest{Record: record}, nil
}
