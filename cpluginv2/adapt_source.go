package cpluginv2

import (
	"context"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/connectorkit/conduit-connector-protocol/internal/hostrun"
)

// FromV1Source returns source as a protocol v2 SourcePlugin: Open calls
// Start, and on the Run stream every record the connector sends is a batch
// of one, and the acks of a batch the host sends reach the connector one by
// one. FromV1Source(ToV1Source(s)) is s.
//
// A host gets the same behaviour, errors and checks from the result as from
// source. A source from package client keeps reading and writing its gRPC
// stream directly under [RunSource].
func FromV1Source(source cpluginv1.SourcePlugin) SourcePlugin {
	switch s := source.(type) {
	case toV1Source:
		return s.v2
	case toV1SourceOpener:
		return s.v2
	}
	adapted := fromV1Source{v1: source}
	if opener, ok := source.(hostrun.SourceOpener[Record]); ok {
		return fromV1SourceOpener{adapted, opener}
	}
	return adapted
}

// ToV1Source returns source as a protocol v1 cpluginv1.SourcePlugin: Start
// calls Open, every record of a batch the connector sends reaches the host
// on its own, and every ack the host sends reaches the connector as a
// batch of one. ToV1Source(FromV1Source(s)) is s.
func ToV1Source(source SourcePlugin) cpluginv1.SourcePlugin {
	switch s := source.(type) {
	case fromV1Source:
		return s.v1
	case fromV1SourceOpener:
		return s.v1
	}
	adapted := toV1Source{v2: source}
	if opener, ok := source.(hostrun.SourceOpener[Record]); ok {
		return toV1SourceOpener{adapted, opener}
	}
	return adapted
}

// fromV1Source is a v1 source as a v2 one.
type fromV1Source struct{ v1 cpluginv1.SourcePlugin }

// fromV1SourceOpener is a v1 source whose transport the host reads
// directly (package client's), as a v2 one: the engine opens the same
// transport for either API.
type fromV1SourceOpener struct {
	fromV1Source
	hostrun.SourceOpener[Record]
}

func (s fromV1Source) Configure(ctx context.Context, req SourceConfigureRequest) (SourceConfigureResponse, error) {
	return s.v1.Configure(ctx, req)
}

func (s fromV1Source) Open(ctx context.Context, req SourceOpenRequest) (SourceOpenResponse, error) {
	return s.v1.Start(ctx, req)
}

func (s fromV1Source) Run(ctx context.Context, stream SourceRunStream) error {
	return s.v1.Run(ctx, &v1SourceStream{v2: stream})
}

func (s fromV1Source) Stop(ctx context.Context, req SourceStopRequest) (SourceStopResponse, error) {
	return s.v1.Stop(ctx, req)
}

func (s fromV1Source) Teardown(ctx context.Context, req SourceTeardownRequest) (SourceTeardownResponse, error) {
	return s.v1.Teardown(ctx, req)
}

func (s fromV1Source) LifecycleOnCreated(ctx context.Context, req SourceLifecycleOnCreatedRequest) (SourceLifecycleOnCreatedResponse, error) {
	return s.v1.LifecycleOnCreated(ctx, req)
}

func (s fromV1Source) LifecycleOnUpdated(ctx context.Context, req SourceLifecycleOnUpdatedRequest) (SourceLifecycleOnUpdatedResponse, error) {
	return s.v1.LifecycleOnUpdated(ctx, req)
}

func (s fromV1Source) LifecycleOnDeleted(ctx context.Context, req SourceLifecycleOnDeletedRequest) (SourceLifecycleOnDeletedResponse, error) {
	return s.v1.LifecycleOnDeleted(ctx, req)
}

// v1SourceStream is a v2 source Run stream as a v1 connector uses it.
type v1SourceStream struct {
	v2      SourceRunStream
	one     [1]Record // Send's batch of one
	pending [][]byte  // the acks of the last batch not handed out yet
}

func (s *v1SourceStream) Send(resp cpluginv1.SourceRunResponse) error {
	s.one[0] = resp.Record
	err := s.v2.Send(SourceRunResponse{Records: s.one[:]})
	s.one[0] = Record{}
	return err
}

func (s *v1SourceStream) Recv() (cpluginv1.SourceRunRequest, error) {
	for len(s.pending) == 0 {
		req, err := s.v2.Recv()
		if err != nil {
			return cpluginv1.SourceRunRequest{}, err
		}
		s.pending = req.AckPositions
	}
	position := s.pending[0]
	s.pending = s.pending[1:]
	return cpluginv1.SourceRunRequest{AckPosition: position}, nil
}

// toV1Source is a v2 source as a v1 one.
type toV1Source struct{ v2 SourcePlugin }

// toV1SourceOpener is a v2 source whose transport the host reads directly,
// as a v1 one.
type toV1SourceOpener struct {
	toV1Source
	hostrun.SourceOpener[Record]
}

func (s toV1Source) Configure(ctx context.Context, req cpluginv1.SourceConfigureRequest) (cpluginv1.SourceConfigureResponse, error) {
	return s.v2.Configure(ctx, req)
}

func (s toV1Source) Start(ctx context.Context, req cpluginv1.SourceStartRequest) (cpluginv1.SourceStartResponse, error) {
	return s.v2.Open(ctx, req)
}

func (s toV1Source) Run(ctx context.Context, stream cpluginv1.SourceRunStream) error {
	return s.v2.Run(ctx, &v2SourceStream{v1: stream})
}

func (s toV1Source) Stop(ctx context.Context, req cpluginv1.SourceStopRequest) (cpluginv1.SourceStopResponse, error) {
	return s.v2.Stop(ctx, req)
}

func (s toV1Source) Teardown(ctx context.Context, req cpluginv1.SourceTeardownRequest) (cpluginv1.SourceTeardownResponse, error) {
	return s.v2.Teardown(ctx, req)
}

func (s toV1Source) LifecycleOnCreated(ctx context.Context, req cpluginv1.SourceLifecycleOnCreatedRequest) (cpluginv1.SourceLifecycleOnCreatedResponse, error) {
	return s.v2.LifecycleOnCreated(ctx, req)
}

func (s toV1Source) LifecycleOnUpdated(ctx context.Context, req cpluginv1.SourceLifecycleOnUpdatedRequest) (cpluginv1.SourceLifecycleOnUpdatedResponse, error) {
	return s.v2.LifecycleOnUpdated(ctx, req)
}

func (s toV1Source) LifecycleOnDeleted(ctx context.Context, req cpluginv1.SourceLifecycleOnDeletedRequest) (cpluginv1.SourceLifecycleOnDeletedResponse, error) {
	return s.v2.LifecycleOnDeleted(ctx, req)
}

// v2SourceStream is a v1 source Run stream as a v2 connector uses it.
type v2SourceStream struct {
	v1  cpluginv1.SourceRunStream
	one [1][]byte // Recv's batch of one, valid until the next Recv
}

func (s *v2SourceStream) Send(resp SourceRunResponse) error {
	for _, rec := range resp.Records {
		if err := s.v1.Send(cpluginv1.SourceRunResponse{Record: rec}); err != nil {
			return err
		}
	}
	return nil
}

func (s *v2SourceStream) Recv() (SourceRunRequest, error) {
	req, err := s.v1.Recv()
	if err != nil {
		return SourceRunRequest{}, err
	}
	s.one[0] = req.AckPosition
	return SourceRunRequest{AckPositions: s.one[:]}, nil
}
