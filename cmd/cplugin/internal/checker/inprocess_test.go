package checker

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/connectorkit/conduit-connector-protocol/cmd/cplugin/internal/connector"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/client"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/server"
	"github.com/connectorkit/conduit-connector-protocol/examples/jsonlines"
	"github.com/connectorkit/conduit-connector-protocol/examples/sequence"
)

// These tests check connectors written as Go values, served over gRPC in
// the test's process: fast enough for -short, and able to break rules the
// standalone broken connectors do not.

func checkInProcess(t *testing.T, newConnector func() server.Connector, cfg Config) Report {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cfg.Connector = t.Name()
	cfg.Launch = func(_ context.Context, observe connector.Observer) (*connector.Instance, error) {
		if cfg.Protocol == client.ProtocolVersion2 {
			return connector.ServeInProcessVersion(t.Name(), newConnector(), observe, client.ProtocolVersion2)
		}
		return connector.ServeInProcess(t.Name(), newConnector(), observe)
	}
	if cfg.Timeout == 0 {
		// Generous: the tests run in parallel, on machines that may be
		// busy. A test that waits for a timeout on purpose sets a shorter
		// one.
		cfg.Timeout = 10 * time.Second
	}
	report := Run(ctx, cfg)
	for _, r := range report.Results {
		if r.Status != Pass {
			t.Logf("%s %s: %s %+v", r.Status, r.ID, r.Detail, r.Problems)
		}
	}
	return report
}

// wantOnly asserts that the check id has status want, with a problem whose
// reason contains reason, and that no other check failed or warned.
func wantOnly(t *testing.T, report Report, id string, want Status, reason string) {
	t.Helper()
	found := false
	for _, r := range report.Results {
		switch {
		case r.ID == id:
			found = true
			if r.Status != want || len(r.Problems) == 0 || !strings.Contains(r.Problems[0].Reason, reason) {
				t.Errorf("%s: %s %+v, want %s with a reason containing %q", id, r.Status, r.Problems, want, reason)
			}
		case r.Status == Fail || r.Status == Warn:
			t.Errorf("%s: %s %+v; only %s may report the fault", r.ID, r.Status, r.Problems, id)
		}
	}
	if !found {
		t.Errorf("no result for %s", id)
	}
}

func generatorConnector() server.Connector {
	return server.Connector{Specifier: sequence.Specifier{}, Source: sequence.NewSource()}
}

func fileConnector() server.Connector {
	return server.Connector{Specifier: jsonlines.Specifier{}, Destination: jsonlines.NewDestination()}
}

func TestExamplesPassInProcess(t *testing.T) {
	t.Parallel()
	for name, conn := range map[string]func() server.Connector{"sequence": generatorConnector, "jsonlines": fileConnector} {
		for _, version := range []int{client.ProtocolVersion1, client.ProtocolVersion2} {
			t.Run(fmt.Sprintf("%s/v%d", name, version), func(t *testing.T) {
				t.Parallel()
				report := checkInProcess(t, conn, Config{DestinationConfig: map[string]string{jsonlines.ParamMaxLineSize: "2048"}, Protocol: version})
				if len(report.Results) == 0 {
					t.Fatal("no results: nothing was checked")
				}
				for _, r := range report.Results {
					if r.Status != Pass || r.Protocol != version {
						t.Errorf("%s: %s over protocol %d, want pass over %d", r.ID, r.Status, r.Protocol, version)
					}
				}
				if got := IDs(); len(report.Results) > len(got) {
					t.Errorf("%d results, but only %d checks exist", len(report.Results), len(got))
				}
			})
		}
	}
}

// runIgnoresTeardown keeps Run going after Teardown, until its context ends.
type runIgnoresTeardown struct{ *sequence.Source }

func (s runIgnoresTeardown) Teardown(context.Context, cpluginv1.SourceTeardownRequest) (cpluginv1.SourceTeardownResponse, error) {
	return cpluginv1.SourceTeardownResponse{}, nil
}

// A Run that goes on after Teardown, until the host ends the stream, breaks
// only the SHOULD rule: the Conduit server ends the stream before it tears
// a connector down, and connectors built with the Go connector SDK wait for
// that.
func TestTeardownThatDoesNotEndRun(t *testing.T) {
	t.Parallel()
	report := checkInProcess(t, func() server.Connector {
		return server.Connector{Specifier: sequence.Specifier{}, Source: runIgnoresTeardown{sequence.NewSource()}}
	}, Config{Timeout: 5 * time.Second})
	wantOnly(t, report, "source.teardown-run", Warn, "Run did not end")
}

// teardownHangsDuringRun answers Teardown during Run only when its context
// ends, even once the host ended the stream.
type teardownHangsDuringRun struct {
	*sequence.Source
	running chan struct{} // closed when Run started
}

func (s teardownHangsDuringRun) Run(ctx context.Context, stream cpluginv1.SourceRunStream) error {
	select {
	case <-s.running:
	default:
		close(s.running)
	}
	return s.Source.Run(ctx, stream)
}

func (s teardownHangsDuringRun) Teardown(ctx context.Context, req cpluginv1.SourceTeardownRequest) (cpluginv1.SourceTeardownResponse, error) {
	select {
	case <-s.running:
		<-ctx.Done()
		return cpluginv1.SourceTeardownResponse{}, ctx.Err()
	default:
		return s.Source.Teardown(ctx, req)
	}
}

// A Teardown during Run that does not answer even once the host ended the
// stream breaks the MUST rule.
func TestTeardownThatHangsDuringRun(t *testing.T) {
	t.Parallel()
	report := checkInProcess(t, func() server.Connector {
		return server.Connector{Specifier: sequence.Specifier{}, Source: teardownHangsDuringRun{sequence.NewSource(), make(chan struct{})}}
	}, Config{Timeout: 2 * time.Second})
	got := map[string]Status{}
	for _, r := range report.Results {
		got[r.ID] = r.Status
	}
	if got["source.teardown"] != Fail || got["source.teardown-run"] != Warn {
		t.Errorf("source.teardown = %s, source.teardown-run = %s; want fail and warn", got["source.teardown"], got["source.teardown-run"])
	}
}

// stopNeverReached answers Stop with a position it never sends and keeps
// producing records.
type stopNeverReached struct{ *sequence.Source }

func (stopNeverReached) Stop(context.Context, cpluginv1.SourceStopRequest) (cpluginv1.SourceStopResponse, error) {
	return cpluginv1.SourceStopResponse{LastPosition: []byte("never")}, nil
}

func TestStopPositionNeverReached(t *testing.T) {
	t.Parallel()
	report := checkInProcess(t, func() server.Connector {
		return server.Connector{Specifier: sequence.Specifier{}, Source: stopNeverReached{sequence.NewSource()}}
	}, Config{Timeout: 5 * time.Second})
	wantOnly(t, report, "source.stop-position", Fail, "did not reach it within 5s")
}

// dropsLastAck never acks the record at one position.
type dropsLastAck struct{ *jsonlines.Destination }

func (d dropsLastAck) Run(ctx context.Context, stream cpluginv1.DestinationRunStream) error {
	return d.Destination.Run(ctx, dropAck{stream})
}

type dropAck struct{ cpluginv1.DestinationRunStream }

func (s dropAck) Send(ack cpluginv1.DestinationRunResponse) error {
	if string(ack.AckPosition) == "cplugin-check-20" {
		return nil
	}
	return s.DestinationRunStream.Send(ack)
}

func TestStopThatReturnsBeforeTheLastAck(t *testing.T) {
	t.Parallel()
	report := checkInProcess(t, func() server.Connector {
		return server.Connector{Specifier: jsonlines.Specifier{}, Destination: dropsLastAck{jsonlines.NewDestination()}}
	}, Config{})
	wantOnly(t, report, "destination.stop", Fail, "only 19 of the 20 records were acked")
}

// nackEndsRun ends the stream at its first negative ack, as if a negative
// ack were fatal.
type nackEndsRun struct{ *jsonlines.Destination }

func (d nackEndsRun) Run(ctx context.Context, stream cpluginv1.DestinationRunStream) error {
	return d.Destination.Run(ctx, &nackEnds{DestinationRunStream: stream})
}

type nackEnds struct {
	cpluginv1.DestinationRunStream
	refused bool
}

func (s *nackEnds) Send(ack cpluginv1.DestinationRunResponse) error {
	if s.refused {
		return errors.New("giving up after a refused record")
	}
	s.refused = ack.Error != ""
	return s.DestinationRunStream.Send(ack)
}

func TestNegativeAckThatEndsTheStream(t *testing.T) {
	t.Parallel()
	report := checkInProcess(t, func() server.Connector {
		return server.Connector{Specifier: jsonlines.Specifier{}, Destination: nackEndsRun{jsonlines.NewDestination()}}
	}, Config{DestinationConfig: map[string]string{jsonlines.ParamMaxLineSize: "2048"}})
	for _, r := range report.Results {
		if r.ID == "destination.nack" && r.Status != Fail {
			t.Errorf("destination.nack: %s, want fail", r.Status)
		}
	}
	if report.OK {
		t.Error("report OK, want a failure")
	}
}

// ignoresPosition restarts from the beginning whatever Start is told.
type ignoresPosition struct{ *sequence.Source }

func (s ignoresPosition) Start(ctx context.Context, _ cpluginv1.SourceStartRequest) (cpluginv1.SourceStartResponse, error) {
	return s.Source.Start(ctx, cpluginv1.SourceStartRequest{})
}

func TestSourceThatCannotResumeIsAWarning(t *testing.T) {
	t.Parallel()
	report := checkInProcess(t, func() server.Connector {
		return server.Connector{Specifier: sequence.Specifier{}, Source: ignoresPosition{sequence.NewSource()}}
	}, Config{})
	wantOnly(t, report, "source.resume", Warn, "a duplicate")
	if !report.OK {
		t.Error("report not OK; a SHOULD rule must not fail the run")
	}
}

// lenientOrder accepts Start before Configure.
type lenientOrder struct{ *sequence.Source }

func (s lenientOrder) Start(context.Context, cpluginv1.SourceStartRequest) (cpluginv1.SourceStartResponse, error) {
	return cpluginv1.SourceStartResponse{}, nil
}

func (s lenientOrder) Run(ctx context.Context, stream cpluginv1.SourceRunStream) error {
	// Started or not, Run behaves as after Start: the rule under test is
	// only about Start.
	if _, err := s.Source.Start(ctx, cpluginv1.SourceStartRequest{}); err != nil && !errors.Is(err, cpluginv1.ErrFailedPrecondition) {
		return err
	}
	return s.Source.Run(ctx, stream)
}

func TestCallOutOfOrderIsAWarning(t *testing.T) {
	t.Parallel()
	report := checkInProcess(t, func() server.Connector {
		return server.Connector{Specifier: sequence.Specifier{}, Source: lenientOrder{sequence.NewSource()}}
	}, Config{})
	var got Result
	for _, r := range report.Results {
		if r.ID == "source.call-order" {
			got = r
		}
	}
	if got.Status != Warn || !strings.Contains(got.Problems[0].Reason, "Start before Configure succeeded") {
		t.Errorf("source.call-order: %+v, want a warning about Start before Configure", got)
	}
	if !report.OK {
		t.Error("report not OK; a SHOULD rule must not fail the run")
	}
}

// tearsDownWithoutSource answers Teardown on a plugin it does not offer.
type tearsDownWithoutSource struct {
	cpluginv1.UnimplementedSourcePlugin
}

func (tearsDownWithoutSource) Teardown(context.Context, cpluginv1.SourceTeardownRequest) (cpluginv1.SourceTeardownResponse, error) {
	return cpluginv1.SourceTeardownResponse{}, nil
}

func TestAbsentPluginMustAnswerUnimplementedEverywhere(t *testing.T) {
	t.Parallel()
	report := checkInProcess(t, func() server.Connector {
		c := fileConnector()
		c.Source = tearsDownWithoutSource{}
		return c
	}, Config{})
	wantOnly(t, report, "source.unimplemented", Fail, "but Teardown succeeded")
}

func TestConfigureFailureSkipsTheRest(t *testing.T) {
	t.Parallel()
	report := checkInProcess(t, generatorConnector, Config{SourceConfig: map[string]string{"records": "-3"}})
	for _, r := range report.Results {
		switch {
		case r.ID == "source.configure":
			if r.Status != Fail || !strings.Contains(r.Problems[0].Reason, "INVALID_ARGUMENT") {
				t.Errorf("source.configure: %+v, want a failure naming INVALID_ARGUMENT", r)
			}
		case strings.HasPrefix(r.ID, "source."):
			if r.Status != Skip || r.Detail != "needs source.configure" {
				t.Errorf("%s: %s %q, want skip: needs source.configure", r.ID, r.Status, r.Detail)
			}
		}
	}
}

// needsToken declares a required parameter and refuses to work without it.
type needsToken struct{ *sequence.Source }

func (s needsToken) Configure(ctx context.Context, req cpluginv1.SourceConfigureRequest) (cpluginv1.SourceConfigureResponse, error) {
	if req.Config["token"] == "" {
		return cpluginv1.SourceConfigureResponse{}, errors.New("token is required")
	}
	cfg := maps.Clone(req.Config)
	delete(cfg, "token")
	return s.Source.Configure(ctx, cpluginv1.SourceConfigureRequest{Config: cfg})
}

type tokenSpecifier struct{}

func (tokenSpecifier) Specify(context.Context, cpluginv1.SpecifierSpecifyRequest) (cpluginv1.SpecifierSpecifyResponse, error) {
	spec := sequence.Specification()
	spec.SourceParams["token"] = cpluginv1.Parameter{
		Description: "An access token.",
		Type:        cpluginv1.ParameterTypeString,
		Validations: []cpluginv1.Validation{{Type: cpluginv1.ValidationTypeRequired}},
	}
	return cpluginv1.SpecifierSpecifyResponse{Specification: spec}, nil
}

func TestConfigureFailureNamesMissingRequiredParameters(t *testing.T) {
	t.Parallel()
	newConnector := func() server.Connector {
		return server.Connector{Specifier: tokenSpecifier{}, Source: needsToken{sequence.NewSource()}}
	}
	report := checkInProcess(t, newConnector, Config{})
	wantOnly(t, report, "source.configure", Fail, "the specification marks token as required: pass --source-config token=VALUE")

	report = checkInProcess(t, newConnector, Config{SourceConfig: map[string]string{"token": "secret"}})
	if !report.OK {
		t.Error("with the required parameter set, the report is not OK")
	}
}

// swapsAcks acks every pair of records in the wrong order (2, 1, 4, 3, ...).
type swapsAcks struct{ *jsonlines.Destination }

func (d swapsAcks) Run(ctx context.Context, stream cpluginv1.DestinationRunStream) error {
	return d.Destination.Run(ctx, &swappingStream{DestinationRunStream: stream})
}

type swappingStream struct {
	cpluginv1.DestinationRunStream
	held *cpluginv1.DestinationRunResponse
}

func (s *swappingStream) Send(ack cpluginv1.DestinationRunResponse) error {
	if s.held == nil {
		s.held = &ack
		return nil
	}
	held := *s.held
	s.held = nil
	if err := s.DestinationRunStream.Send(ack); err != nil {
		return err
	}
	return s.DestinationRunStream.Send(held)
}

// TestAcksOutOfOrderAreJudgedByTheChecker: the host's end of the stream
// refuses the first swapped ack and ends the stream, but the verdict, in
// destination.acks, is the checker's own (ackVerdict), on the acks as the
// connector sent them.
func TestAcksOutOfOrderAreJudgedByTheChecker(t *testing.T) {
	t.Parallel()
	for _, version := range []int{client.ProtocolVersion1, client.ProtocolVersion2} {
		t.Run(fmt.Sprintf("v%d", version), func(t *testing.T) {
			t.Parallel()
			report := checkInProcess(t, func() server.Connector {
				return server.Connector{Specifier: jsonlines.Specifier{}, Destination: swapsAcks{jsonlines.NewDestination()}}
			}, Config{Protocol: version})
			wantOnly(t, report, "destination.acks", Fail, `ack 1 names position "cplugin-check-2", of record 2, but the oldest record not acked yet is record 1 (position "cplugin-check-1"): acks follow the order of the records`)
		})
	}
}

// updatedUnimplemented answers LifecycleOnUpdated with Unimplemented.
type updatedUnimplemented struct{ *sequence.Source }

func (updatedUnimplemented) LifecycleOnUpdated(context.Context, cpluginv1.SourceLifecycleOnUpdatedRequest) (cpluginv1.SourceLifecycleOnUpdatedResponse, error) {
	return cpluginv1.SourceLifecycleOnUpdatedResponse{}, cpluginv1.ErrUnimplemented
}

func TestLifecycleEventAnsweredUnimplementedFails(t *testing.T) {
	t.Parallel()
	report := checkInProcess(t, func() server.Connector {
		return server.Connector{Specifier: sequence.Specifier{}, Source: updatedUnimplemented{sequence.NewSource()}}
	}, Config{})
	wantOnly(t, report, "source.lifecycle", Fail, "answered LifecycleOnUpdated with Unimplemented (\"unimplemented\"): the Conduit server fails the pipeline when a connector does this; answer success when there is nothing to do")
}

// deletedNeedsConfigure fails LifecycleOnDeleted unless Configure came
// first.
type deletedNeedsConfigure struct {
	*jsonlines.Destination
	configured bool
}

func (d *deletedNeedsConfigure) Configure(ctx context.Context, req cpluginv1.DestinationConfigureRequest) (cpluginv1.DestinationConfigureResponse, error) {
	d.configured = true
	return d.Destination.Configure(ctx, req)
}

func (d *deletedNeedsConfigure) LifecycleOnDeleted(context.Context, cpluginv1.DestinationLifecycleOnDeletedRequest) (cpluginv1.DestinationLifecycleOnDeletedResponse, error) {
	if !d.configured {
		return cpluginv1.DestinationLifecycleOnDeletedResponse{}, errors.New("no configuration to delete")
	}
	return cpluginv1.DestinationLifecycleOnDeletedResponse{}, nil
}

func TestDeletedWithoutConfigureMustSucceed(t *testing.T) {
	t.Parallel()
	report := checkInProcess(t, func() server.Connector {
		return server.Connector{Specifier: jsonlines.Specifier{}, Destination: &deletedNeedsConfigure{Destination: jsonlines.NewDestination()}}
	}, Config{})
	wantOnly(t, report, "destination.deleted", Fail, `as the first call of a fresh process (no Configure before it), LifecycleOnDeleted answered INTERNAL ("no configuration to delete")`)
}
