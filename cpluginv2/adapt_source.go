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
		return s.SourcePlugin
	case toV1SourceOpener:
		return s.SourcePlugin
	}
	adapted := fromV1Source{source}
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
		return s.SourcePlugin
	case fromV1SourceOpener:
		return s.SourcePlugin
	}
	adapted := toV1Source{source}
	if opener, ok := source.(hostrun.SourceOpener[Record]); ok {
		return toV1SourceOpener{adapted, opener}
	}
	return adapted
}

// fromV1Source is a v1 source as a v2 one. The calls but Open and
// Run take the same types in both APIs: the v1 source's own serve.
type fromV1Source struct{ cpluginv1.SourcePlugin }

// fromV1SourceOpener is a v1 source whose transport the host reads
// directly (package client's), as a v2 one: the engine opens the same
// transport for either API.
type fromV1SourceOpener struct {
	fromV1Source
	hostrun.SourceOpener[Record]
}

func (s fromV1Source) Open(ctx context.Context, req SourceOpenRequest) (SourceOpenResponse, error) {
	return s.Start(ctx, req)
}

func (s fromV1Source) Run(ctx context.Context, stream SourceRunStream) error {
	return s.SourcePlugin.Run(ctx, &v1SourceStream{v2: stream})
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

// toV1Source is a v2 source as a v1 one. The calls but Start and
// Run take the same types in both APIs: the v2 source's own serve.
type toV1Source struct{ SourcePlugin }

// toV1SourceOpener is a v2 source whose transport the host reads directly,
// as a v1 one.
type toV1SourceOpener struct {
	toV1Source
	hostrun.SourceOpener[Record]
}

func (s toV1Source) Start(ctx context.Context, req cpluginv1.SourceStartRequest) (cpluginv1.SourceStartResponse, error) {
	return s.Open(ctx, req)
}

func (s toV1Source) Run(ctx context.Context, stream cpluginv1.SourceRunStream) error {
	return s.SourcePlugin.Run(ctx, &v2SourceStream{v1: stream})
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
