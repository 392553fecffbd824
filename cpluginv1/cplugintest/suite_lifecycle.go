package cplugintest

import (
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/google/go-cmp/cmp"
)

func testSpecify(t *testing.T, h Harness) {
	e := start(t, h)
	resp, err := e.p.Specifier.Specify(e.ctx, cpluginv1.SpecifierSpecifyRequest{})
	if err != nil {
		t.Fatalf("Specify: %v", err)
	}
	if diff := cmp.Diff(Specification(), resp.Specification, EquateEmpty()); diff != "" {
		t.Fatalf("Specify returned another specification (-want +got):\n%s", diff)
	}
}

func testLifecycleOnDeleted(t *testing.T, h Harness) {
	config := testConfig()
	want := journal(fmt.Sprintf("Configure(%q)", config), fmt.Sprintf("LifecycleOnDeleted(%q)", config), "Teardown")
	t.Run("Source", func(t *testing.T) {
		e := start(t, h)
		e.configureSource(config)
		if _, err := e.p.Source.LifecycleOnDeleted(e.ctx, cpluginv1.SourceLifecycleOnDeletedRequest{Config: config}); err != nil {
			t.Fatalf("LifecycleOnDeleted: %v", err)
		}
		_, err := e.p.Source.Teardown(e.ctx, cpluginv1.SourceTeardownRequest{})
		checkError(t, "Teardown (reports the journal)", err, want, nil)
	})
	t.Run("Destination", func(t *testing.T) {
		e := start(t, h)
		e.configureDestination(config)
		if _, err := e.p.Destination.LifecycleOnDeleted(e.ctx, cpluginv1.DestinationLifecycleOnDeletedRequest{Config: config}); err != nil {
			t.Fatalf("LifecycleOnDeleted: %v", err)
		}
		_, err := e.p.Destination.Teardown(e.ctx, cpluginv1.DestinationTeardownRequest{})
		checkError(t, "Teardown (reports the journal)", err, want, nil)
	})
	// A deleted connector gets no Configure first (the Conduit server sends
	// LifecycleOnDeleted alone, with the last configuration).
	alone := journal(fmt.Sprintf("LifecycleOnDeleted(%q)", config), "Teardown")
	t.Run("SourceWithoutConfigure", func(t *testing.T) {
		e := start(t, h)
		if _, err := e.p.Source.LifecycleOnDeleted(e.ctx, cpluginv1.SourceLifecycleOnDeletedRequest{Config: config}); err != nil {
			t.Fatalf("LifecycleOnDeleted as the first call: %v", err)
		}
		_, err := e.p.Source.Teardown(e.ctx, cpluginv1.SourceTeardownRequest{})
		checkError(t, "Teardown (reports the journal)", err, alone, nil)
	})
	t.Run("DestinationWithoutConfigure", func(t *testing.T) {
		e := start(t, h)
		if _, err := e.p.Destination.LifecycleOnDeleted(e.ctx, cpluginv1.DestinationLifecycleOnDeletedRequest{Config: config}); err != nil {
			t.Fatalf("LifecycleOnDeleted as the first call: %v", err)
		}
		_, err := e.p.Destination.Teardown(e.ctx, cpluginv1.DestinationTeardownRequest{})
		checkError(t, "Teardown (reports the journal)", err, alone, nil)
	})
}

// testSchemaService: a connector finds the host's schema service with
// cpluginv1.SchemaServiceFromContext, and registering, fetching and each
// kind of failure behave the same through every transport (the connector
// reports what it saw in its journal).
func testSchemaService(t *testing.T, h Harness) {
	config := map[string]string{keyJournal: "true", keySchemas: "true"}
	want := journal(
		fmt.Sprintf("Configure(%q)", config),
		"Schemas(first v1 avro; again v1 same id true ok; second v2 new id true ok; other subject v1 same id true ok; "+
			"get v2 subject ok true version 2 bytes ok true id ok true ok; missing subject ErrSchemaSubjectNotFound; "+
			"missing version ErrSchemaVersionNotFound; empty subject ErrInvalidSchema; not json ErrInvalidSchema; no type ErrInvalidSchema)",
		"Teardown",
	)
	t.Run("Source", func(t *testing.T) {
		e := start(t, h)
		e.configureSource(config)
		_, err := e.p.Source.Teardown(e.ctx, cpluginv1.SourceTeardownRequest{})
		checkError(t, "Teardown (reports the journal)", err, want, nil)
	})
	t.Run("Destination", func(t *testing.T) {
		e := start(t, h)
		e.configureDestination(config)
		_, err := e.p.Destination.Teardown(e.ctx, cpluginv1.DestinationTeardownRequest{})
		checkError(t, "Teardown (reports the journal)", err, want, nil)
	})
}

// testCallsOutOfOrder checks that the connector's FAILED_PRECONDITION
// answers reach the host as ErrFailedPrecondition, for unary calls and Run.
func testCallsOutOfOrder(t *testing.T, h Harness) {
	t.Run("Source", func(t *testing.T) {
		e := start(t, h)
		_, err := e.p.Source.Start(e.ctx, cpluginv1.SourceStartRequest{})
		checkIs(t, "Start before Configure", err, cpluginv1.ErrFailedPrecondition)
		_, err = e.p.Source.Stop(e.ctx, cpluginv1.SourceStopRequest{})
		checkIs(t, "Stop before Start", err, cpluginv1.ErrFailedPrecondition)
		e.configureSource(nil)
		run := cpluginv1.RunSource(e.ctx, e.p.Source)
		checkIs(t, "Run before Start: Recv", recvUntilError(run), cpluginv1.ErrFailedPrecondition)
		checkIs(t, "Run before Start: Wait", e.waitRun(run), cpluginv1.ErrFailedPrecondition)
		if _, err := e.p.Source.Start(e.ctx, cpluginv1.SourceStartRequest{}); err != nil {
			t.Fatalf("Start: %v", err)
		}
		_, err = e.p.Source.LifecycleOnCreated(e.ctx, cpluginv1.SourceLifecycleOnCreatedRequest{})
		checkIs(t, "LifecycleOnCreated after Start", err, cpluginv1.ErrFailedPrecondition)
		_, err = e.p.Source.Configure(e.ctx, cpluginv1.SourceConfigureRequest{})
		checkIs(t, "Configure after Start", err, cpluginv1.ErrFailedPrecondition)
		e.teardownSource()
	})
	t.Run("Destination", func(t *testing.T) {
		e := start(t, h)
		_, err := e.p.Destination.Start(e.ctx, cpluginv1.DestinationStartRequest{})
		checkIs(t, "Start before Configure", err, cpluginv1.ErrFailedPrecondition)
		_, err = e.p.Destination.Stop(e.ctx, cpluginv1.DestinationStopRequest{})
		checkIs(t, "Stop before Start", err, cpluginv1.ErrFailedPrecondition)
		e.configureDestination(nil)
		run := cpluginv1.RunDestination(e.ctx, e.p.Destination)
		_, err = run.Recv()
		checkIs(t, "Run before Start: Recv", err, cpluginv1.ErrFailedPrecondition)
		checkIs(t, "Run before Start: Wait", e.waitRun(run), cpluginv1.ErrFailedPrecondition)
		if _, err := e.p.Destination.Start(e.ctx, cpluginv1.DestinationStartRequest{}); err != nil {
			t.Fatalf("Start: %v", err)
		}
		_, err = e.p.Destination.LifecycleOnUpdated(e.ctx, cpluginv1.DestinationLifecycleOnUpdatedRequest{})
		checkIs(t, "LifecycleOnUpdated after Start", err, cpluginv1.ErrFailedPrecondition)
		e.teardownDestination()
	})
}

// testOldConnector: a connector that predates lifecycle events answers
// them with ErrUnimplemented (which hosts built here accept as "nothing to
// do"); the error reaches the host unchanged and the connector keeps
// working.
func testOldConnector(t *testing.T, h Harness) {
	config := map[string]string{keyOld: "true"}
	t.Run("Source", func(t *testing.T) {
		e := start(t, h)
		e.configureSource(config)
		want := oldLifecycleError("source lifecycle on created")
		_, err := e.p.Source.LifecycleOnCreated(e.ctx, cpluginv1.SourceLifecycleOnCreatedRequest{Config: config})
		checkError(t, "LifecycleOnCreated", err, want.Error(), cpluginv1.ErrUnimplemented)
		want = oldLifecycleError("source lifecycle on updated")
		_, err = e.p.Source.LifecycleOnUpdated(e.ctx, cpluginv1.SourceLifecycleOnUpdatedRequest{ConfigAfter: config})
		checkError(t, "LifecycleOnUpdated", err, want.Error(), cpluginv1.ErrUnimplemented)
		want = oldLifecycleError("source lifecycle on deleted")
		_, err = e.p.Source.LifecycleOnDeleted(e.ctx, cpluginv1.SourceLifecycleOnDeletedRequest{Config: config})
		checkError(t, "LifecycleOnDeleted", err, want.Error(), cpluginv1.ErrUnimplemented)
		if _, err := e.p.Source.Start(e.ctx, cpluginv1.SourceStartRequest{}); err != nil {
			t.Fatalf("Start after the unimplemented lifecycle calls: %v", err)
		}
		e.teardownSource()
	})
	t.Run("Destination", func(t *testing.T) {
		e := start(t, h)
		e.configureDestination(config)
		want := oldLifecycleError("destination lifecycle on created")
		_, err := e.p.Destination.LifecycleOnCreated(e.ctx, cpluginv1.DestinationLifecycleOnCreatedRequest{Config: config})
		checkError(t, "LifecycleOnCreated", err, want.Error(), cpluginv1.ErrUnimplemented)
		want = oldLifecycleError("destination lifecycle on updated")
		_, err = e.p.Destination.LifecycleOnUpdated(e.ctx, cpluginv1.DestinationLifecycleOnUpdatedRequest{ConfigAfter: config})
		checkError(t, "LifecycleOnUpdated", err, want.Error(), cpluginv1.ErrUnimplemented)
		want = oldLifecycleError("destination lifecycle on deleted")
		_, err = e.p.Destination.LifecycleOnDeleted(e.ctx, cpluginv1.DestinationLifecycleOnDeletedRequest{Config: config})
		checkError(t, "LifecycleOnDeleted", err, want.Error(), cpluginv1.ErrUnimplemented)
		if _, err := e.p.Destination.Start(e.ctx, cpluginv1.DestinationStartRequest{}); err != nil {
			t.Fatalf("Start after the unimplemented lifecycle calls: %v", err)
		}
		e.teardownDestination()
	})
}

func testTeardownBeforeConfigure(t *testing.T, h Harness) {
	e := start(t, h)
	e.teardownSource()
	e.teardownDestination()
}

// testTeardownDuringRun: Teardown during Run makes the connector end Run;
// the host sees the normal end of the stream. The host does not close its
// side, so a transport that left a goroutine waiting on it fails the
// leak check.
func testTeardownDuringRun(t *testing.T, h Harness) {
	t.Run("Source", func(t *testing.T) {
		e := start(t, h)
		e.startSource(nil)
		run := cpluginv1.RunSource(e.ctx, e.p.Source)
		e.recvRecord(run)
		e.teardownSource()
		if err := recvUntilError(run); !errors.Is(err, io.EOF) {
			t.Fatalf("Recv after Teardown = %v, want io.EOF", err)
		}
		if err := e.waitRun(run); err != nil {
			t.Fatalf("Wait after Teardown = %v, want nil", err)
		}
	})
	t.Run("Destination", func(t *testing.T) {
		e := start(t, h)
		e.startDestination(nil)
		run := cpluginv1.RunDestination(e.ctx, e.p.Destination)
		e.sendRecord(run, endlessRecord(1))
		e.recvAck(run)
		e.teardownDestination()
		if _, err := run.Recv(); !errors.Is(err, io.EOF) {
			t.Fatalf("Recv after Teardown = %v, want io.EOF", err)
		}
		if err := e.waitRun(run); err != nil {
			t.Fatalf("Wait after Teardown = %v, want nil", err)
		}
	})
}
