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
		return s.DestinationPlugin
	case toV1DestinationOpener:
		return s.DestinationPlugin
	}
	adapted := fromV1Destination{destination}
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
		return s.DestinationPlugin
	case fromV1DestinationOpener:
		return s.DestinationPlugin
	}
	adapted := toV1Destination{destination}
	if opener, ok := destination.(hostrun.DestinationOpener[Record, DestinationAck]); ok {
		return toV1DestinationOpener{adapted, opener}
	}
	return adapted
}

// fromV1Destination is a v1 destination as a v2 one. The calls but Open and
// Run take the same types in both APIs: the v1 destination's own serve.
type fromV1Destination struct{ cpluginv1.DestinationPlugin }

// fromV1DestinationOpener is a v1 destination whose transport the host reads
// directly (package client's), as a v2 one: the engine opens the same
// transport for either API.
type fromV1DestinationOpener struct {
	fromV1Destination
	hostrun.DestinationOpener[Record, DestinationAck]
}

func (s fromV1Destination) Open(ctx context.Context, req DestinationOpenRequest) (DestinationOpenResponse, error) {
	return s.Start(ctx, req)
}

func (s fromV1Destination) Run(ctx context.Context, stream DestinationRunStream) error {
	return s.DestinationPlugin.Run(ctx, &v1DestinationStream{v2: stream})
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

// toV1Destination is a v2 destination as a v1 one. The calls but Start and
// Run take the same types in both APIs: the v2 destination's own serve.
type toV1Destination struct{ DestinationPlugin }

// toV1DestinationOpener is a v2 destination whose transport the host reads directly,
// as a v1 one.
type toV1DestinationOpener struct {
	toV1Destination
	hostrun.DestinationOpener[Record, DestinationAck]
}

func (s toV1Destination) Start(ctx context.Context, req cpluginv1.DestinationStartRequest) (cpluginv1.DestinationStartResponse, error) {
	return s.Open(ctx, req)
}

func (s toV1Destination) Run(ctx context.Context, stream cpluginv1.DestinationRunStream) error {
	return s.DestinationPlugin.Run(ctx, &v2DestinationStream{v1: stream})
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
