package cpluginv2

import (
	"context"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/connectorkit/conduit-connector-protocol/internal/hostrun"
)

// FromV1Destination returns destination as a protocol v2 DestinationPlugin: Open calls
// Start, and on the Run stream the records of a batch the host sends reach
// the connector one by one, and every ack the connector sends is a batch of
// one. FromV1Destination(ToV1Destination(s)) is s.
//
// A host gets the same behaviour, errors and checks from the result as from
// destination. A destination from package client keeps reading and writing its gRPC
// stream directly under [RunDestination].
func FromV1Destination(destination cpluginv1.DestinationPlugin) DestinationPlugin {
	switch s := destination.(type) {
	case toV1Destination:
		return s.v2
	case toV1DestinationOpener:
		return s.v2
	}
	adapted := fromV1Destination{v1: destination}
	if opener, ok := destination.(hostrun.DestinationOpener[Record, DestinationAck]); ok {
		return fromV1DestinationOpener{adapted, opener}
	}
	return adapted
}

// ToV1Destination returns destination as a protocol v1 cpluginv1.DestinationPlugin: Start
// calls Open, every record the host sends reaches the connector as a batch
// of one, and every ack of a batch the connector sends reaches the host on
// its own. ToV1Destination(FromV1Destination(s)) is s.
func ToV1Destination(destination DestinationPlugin) cpluginv1.DestinationPlugin {
	switch s := destination.(type) {
	case fromV1Destination:
		return s.v1
	case fromV1DestinationOpener:
		return s.v1
	}
	adapted := toV1Destination{v2: destination}
	if opener, ok := destination.(hostrun.DestinationOpener[Record, DestinationAck]); ok {
		return toV1DestinationOpener{adapted, opener}
	}
	return adapted
}

// fromV1Destination is a v1 destination as a v2 one.
type fromV1Destination struct{ v1 cpluginv1.DestinationPlugin }

// fromV1DestinationOpener is a v1 destination whose transport the host reads
// directly (package client's), as a v2 one: the engine opens the same
// transport for either API.
type fromV1DestinationOpener struct {
	fromV1Destination
	hostrun.DestinationOpener[Record, DestinationAck]
}

func (s fromV1Destination) Configure(ctx context.Context, req DestinationConfigureRequest) (DestinationConfigureResponse, error) {
	return s.v1.Configure(ctx, req)
}

func (s fromV1Destination) Open(ctx context.Context, req DestinationOpenRequest) (DestinationOpenResponse, error) {
	return s.v1.Start(ctx, req)
}

func (s fromV1Destination) Run(ctx context.Context, stream DestinationRunStream) error {
	return s.v1.Run(ctx, &v1DestinationStream{v2: stream})
}

func (s fromV1Destination) Stop(ctx context.Context, req DestinationStopRequest) (DestinationStopResponse, error) {
	return s.v1.Stop(ctx, req)
}

func (s fromV1Destination) Teardown(ctx context.Context, req DestinationTeardownRequest) (DestinationTeardownResponse, error) {
	return s.v1.Teardown(ctx, req)
}

func (s fromV1Destination) LifecycleOnCreated(ctx context.Context, req DestinationLifecycleOnCreatedRequest) (DestinationLifecycleOnCreatedResponse, error) {
	return s.v1.LifecycleOnCreated(ctx, req)
}

func (s fromV1Destination) LifecycleOnUpdated(ctx context.Context, req DestinationLifecycleOnUpdatedRequest) (DestinationLifecycleOnUpdatedResponse, error) {
	return s.v1.LifecycleOnUpdated(ctx, req)
}

func (s fromV1Destination) LifecycleOnDeleted(ctx context.Context, req DestinationLifecycleOnDeletedRequest) (DestinationLifecycleOnDeletedResponse, error) {
	return s.v1.LifecycleOnDeleted(ctx, req)
}

// v1DestinationStream is a v2 destination Run stream as a v1 connector
// uses it.
type v1DestinationStream struct {
	v2      DestinationRunStream
	one     [1]DestinationAck // Send's batch of one
	pending []Record          // the records of the last batch not handed out yet
}

func (s *v1DestinationStream) Send(ack cpluginv1.DestinationRunResponse) error {
	s.one[0] = ack
	err := s.v2.Send(DestinationRunResponse{Acks: s.one[:]})
	s.one[0] = DestinationAck{}
	return err
}

func (s *v1DestinationStream) Recv() (cpluginv1.DestinationRunRequest, error) {
	for len(s.pending) == 0 {
		req, err := s.v2.Recv()
		if err != nil {
			return cpluginv1.DestinationRunRequest{}, err
		}
		s.pending = req.Records
	}
	rec := s.pending[0]
	s.pending = s.pending[1:]
	return cpluginv1.DestinationRunRequest{Record: rec}, nil
}

// toV1Destination is a v2 destination as a v1 one.
type toV1Destination struct{ v2 DestinationPlugin }

// toV1DestinationOpener is a v2 destination whose transport the host reads directly,
// as a v1 one.
type toV1DestinationOpener struct {
	toV1Destination
	hostrun.DestinationOpener[Record, DestinationAck]
}

func (s toV1Destination) Configure(ctx context.Context, req cpluginv1.DestinationConfigureRequest) (cpluginv1.DestinationConfigureResponse, error) {
	return s.v2.Configure(ctx, req)
}

func (s toV1Destination) Start(ctx context.Context, req cpluginv1.DestinationStartRequest) (cpluginv1.DestinationStartResponse, error) {
	return s.v2.Open(ctx, req)
}

func (s toV1Destination) Run(ctx context.Context, stream cpluginv1.DestinationRunStream) error {
	return s.v2.Run(ctx, &v2DestinationStream{v1: stream})
}

func (s toV1Destination) Stop(ctx context.Context, req cpluginv1.DestinationStopRequest) (cpluginv1.DestinationStopResponse, error) {
	return s.v2.Stop(ctx, req)
}

func (s toV1Destination) Teardown(ctx context.Context, req cpluginv1.DestinationTeardownRequest) (cpluginv1.DestinationTeardownResponse, error) {
	return s.v2.Teardown(ctx, req)
}

func (s toV1Destination) LifecycleOnCreated(ctx context.Context, req cpluginv1.DestinationLifecycleOnCreatedRequest) (cpluginv1.DestinationLifecycleOnCreatedResponse, error) {
	return s.v2.LifecycleOnCreated(ctx, req)
}

func (s toV1Destination) LifecycleOnUpdated(ctx context.Context, req cpluginv1.DestinationLifecycleOnUpdatedRequest) (cpluginv1.DestinationLifecycleOnUpdatedResponse, error) {
	return s.v2.LifecycleOnUpdated(ctx, req)
}

func (s toV1Destination) LifecycleOnDeleted(ctx context.Context, req cpluginv1.DestinationLifecycleOnDeletedRequest) (cpluginv1.DestinationLifecycleOnDeletedResponse, error) {
	return s.v2.LifecycleOnDeleted(ctx, req)
}

// v2DestinationStream is a v1 destination Run stream as a v2 connector
// uses it.
type v2DestinationStream struct {
	v1  cpluginv1.DestinationRunStream
	one [1]Record // Recv's batch of one, valid until the next Recv
}

func (s *v2DestinationStream) Send(resp DestinationRunResponse) error {
	for _, ack := range resp.Acks {
		if err := s.v1.Send(ack); err != nil {
			return err
		}
	}
	return nil
}

func (s *v2DestinationStream) Recv() (DestinationRunRequest, error) {
	req, err := s.v1.Recv()
	if err != nil {
		return DestinationRunRequest{}, err
	}
	s.one[0] = req.Record
	return DestinationRunRequest{Records: s.one[:]}, nil
}
