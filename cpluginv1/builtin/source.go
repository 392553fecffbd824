package builtin

import (
	"context"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/connectorkit/conduit-connector-protocol/internal/utf8check"
)

// NewSource wraps a connector's source for a host that runs the connector
// in its own process. See the package documentation for what the wrapper
// adds.
//
// The connector's calls find the host's schema registry with
// cpluginv1.SchemaServiceFromContext: schemaregistry.Default() unless
// [WithSchemaService] names another.
func NewSource(impl cpluginv1.SourcePlugin, opts ...Option) cpluginv1.SourcePlugin {
	return &source{impl: impl, schemas: resolveOptions(opts).schemas}
}

type source struct {
	impl    cpluginv1.SourcePlugin
	schemas cpluginv1.SchemaService
}

// withSchemas returns ctx carrying the schema service, which the
// connector's context of the call takes over (see connectorContext).
func (s *source) withSchemas(ctx context.Context) context.Context {
	return cpluginv1.ContextWithSchemaService(ctx, s.schemas)
}

func (s *source) Configure(ctx context.Context, req cpluginv1.SourceConfigureRequest) (cpluginv1.SourceConfigureResponse, error) {
	if err := utf8check.Config("config", req.Config); err != nil {
		return cpluginv1.SourceConfigureResponse{}, err
	}
	return call(s.withSchemas(ctx), "Source.Configure", req, s.impl.Configure, func(req cpluginv1.SourceConfigureRequest) cpluginv1.SourceConfigureRequest {
		return cpluginv1.SourceConfigureRequest{Config: copyConfig(req.Config)}
	}, same)
}

func (s *source) Start(ctx context.Context, req cpluginv1.SourceStartRequest) (cpluginv1.SourceStartResponse, error) {
	return call(s.withSchemas(ctx), "Source.Start", req, s.impl.Start, func(req cpluginv1.SourceStartRequest) cpluginv1.SourceStartRequest {
		return cpluginv1.SourceStartRequest{Position: copyPosition(req.Position)}
	}, same)
}

func (s *source) Stop(ctx context.Context, req cpluginv1.SourceStopRequest) (cpluginv1.SourceStopResponse, error) {
	return call(s.withSchemas(ctx), "Source.Stop", req, s.impl.Stop, same, func(resp cpluginv1.SourceStopResponse) cpluginv1.SourceStopResponse {
		return cpluginv1.SourceStopResponse{LastPosition: copyPosition(resp.LastPosition)}
	})
}

func (s *source) Teardown(ctx context.Context, req cpluginv1.SourceTeardownRequest) (cpluginv1.SourceTeardownResponse, error) {
	return call(s.withSchemas(ctx), "Source.Teardown", req, s.impl.Teardown, same, same)
}

func (s *source) LifecycleOnCreated(ctx context.Context, req cpluginv1.SourceLifecycleOnCreatedRequest) (cpluginv1.SourceLifecycleOnCreatedResponse, error) {
	if err := utf8check.Config("config", req.Config); err != nil {
		return cpluginv1.SourceLifecycleOnCreatedResponse{}, err
	}
	return call(s.withSchemas(ctx), "Source.LifecycleOnCreated", req, s.impl.LifecycleOnCreated, func(req cpluginv1.SourceLifecycleOnCreatedRequest) cpluginv1.SourceLifecycleOnCreatedRequest {
		return cpluginv1.SourceLifecycleOnCreatedRequest{Config: copyConfig(req.Config)}
	}, same)
}

func (s *source) LifecycleOnUpdated(ctx context.Context, req cpluginv1.SourceLifecycleOnUpdatedRequest) (cpluginv1.SourceLifecycleOnUpdatedResponse, error) {
	if err := utf8check.Config("config_before", req.ConfigBefore); err != nil {
		return cpluginv1.SourceLifecycleOnUpdatedResponse{}, err
	}
	if err := utf8check.Config("config_after", req.ConfigAfter); err != nil {
		return cpluginv1.SourceLifecycleOnUpdatedResponse{}, err
	}
	return call(s.withSchemas(ctx), "Source.LifecycleOnUpdated", req, s.impl.LifecycleOnUpdated, func(req cpluginv1.SourceLifecycleOnUpdatedRequest) cpluginv1.SourceLifecycleOnUpdatedRequest {
		return cpluginv1.SourceLifecycleOnUpdatedRequest{
			ConfigBefore: copyConfig(req.ConfigBefore),
			ConfigAfter:  copyConfig(req.ConfigAfter),
		}
	}, same)
}

func (s *source) LifecycleOnDeleted(ctx context.Context, req cpluginv1.SourceLifecycleOnDeletedRequest) (cpluginv1.SourceLifecycleOnDeletedResponse, error) {
	if err := utf8check.Config("config", req.Config); err != nil {
		return cpluginv1.SourceLifecycleOnDeletedResponse{}, err
	}
	return call(s.withSchemas(ctx), "Source.LifecycleOnDeleted", req, s.impl.LifecycleOnDeleted, func(req cpluginv1.SourceLifecycleOnDeletedRequest) cpluginv1.SourceLifecycleOnDeletedRequest {
		return cpluginv1.SourceLifecycleOnDeletedRequest{Config: copyConfig(req.Config)}
	}, same)
}

// Run runs the connector's Run with a stream that copies and normalises
// what crosses it. See runStream for how the call ends.
func (s *source) Run(ctx context.Context, stream cpluginv1.SourceRunStream) error {
	// A source's records are checked in Send, where the connector sees the
	// error, so the stream never fails on the host's side.
	return runStream(s.withSchemas(ctx), "Source.Run", func(connectorCtx context.Context, _ func(error)) error {
		return s.impl.Run(connectorCtx, &sourceStream{ctx: connectorCtx, host: stream})
	})
}

// sourceStream is the connector's end of a built-in source Run stream.
type sourceStream struct {
	ctx  context.Context // the connector's context for Run
	host cpluginv1.SourceRunStream
}

// Send normalises the record as encoding it for gRPC would: a record that
// cannot cross is not sent and the connector gets the error, which wraps
// cpluginv1.ErrUnsupportedValue.
func (s *sourceStream) Send(resp cpluginv1.SourceRunResponse) error {
	if err := s.ctx.Err(); err != nil {
		return err // Run has returned, or the host cancelled the stream
	}
	record, err := normalizeRecord(resp.Record)
	if err != nil {
		return err
	}
	return streamError(s.ctx, "send record", s.host.Send(cpluginv1.SourceRunResponse{Record: record}))
}

func (s *sourceStream) Recv() (cpluginv1.SourceRunRequest, error) {
	if err := s.ctx.Err(); err != nil {
		return cpluginv1.SourceRunRequest{}, err // Run has returned, or the host cancelled the stream
	}
	req, err := s.host.Recv()
	if err != nil {
		return cpluginv1.SourceRunRequest{}, streamError(s.ctx, "receive ack", err)
	}
	return cpluginv1.SourceRunRequest{AckPosition: copyPosition(req.AckPosition)}, nil
}
