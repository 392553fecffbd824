package client_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/client"
)

// A host starts a standalone connector, asks what it is, and reads the
// records of its source: it acks each one, stops the source, receives what
// was still on its way, and closes the stream.
func ExampleNew() {
	// The connector's executable: here the small connector in
	// testdata/connector, which the package's tests build. A host would use
	// a path from its configuration.
	path, err := buildTestConnector()
	if err != nil {
		fmt.Println(err)
		return
	}

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, err := client.New(ctx, client.Config{
		Path:         path,
		ConnectorID:  "pipeline1:source",
		Logger:       slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
		StartTimeout: 10 * time.Second,
		// Connectors built with the Go connector SDK refuse to start
		// without these.
		Token:               "token-for-the-utilities-service",
		UtilitiesGRPCTarget: "127.0.0.1:8185",
	})
	if err != nil {
		fmt.Println("start connector:", err)
		return
	}
	defer func() { _ = c.Close() }() // stops the process

	spec, err := c.Specifier().Specify(ctx, cpluginv1.SpecifierSpecifyRequest{})
	if err != nil {
		fmt.Println("specify:", err)
		return
	}
	fmt.Println("running", spec.Name, spec.Version)

	source := c.Source()
	if _, err := source.Configure(ctx, cpluginv1.SourceConfigureRequest{Config: map[string]string{"records": "3"}}); err != nil {
		if errors.Is(err, cpluginv1.ErrInvalidArgument) {
			fmt.Println("the configuration is not valid:", err)
		}
		return
	}
	// A lifecycle event with nothing to do succeeds. A connector that
	// predates lifecycle events answers ErrUnimplemented, which a host
	// accepts as "nothing to do".
	_, err = source.LifecycleOnCreated(ctx, cpluginv1.SourceLifecycleOnCreatedRequest{Config: map[string]string{"records": "3"}})
	if err != nil && !errors.Is(err, cpluginv1.ErrUnimplemented) {
		fmt.Println("lifecycle:", err)
		return
	}
	if _, err := source.Start(ctx, cpluginv1.SourceStartRequest{}); err != nil {
		fmt.Println("start:", err)
		return
	}

	run := cpluginv1.RunSource(ctx, source)
	var last []byte
	receive := func() bool {
		resp, err := run.Recv()
		if err != nil {
			fmt.Println("receive:", err)
			return false
		}
		last = resp.Record.Position
		fmt.Printf("record %s\n", last)
		return run.Send(cpluginv1.SourceRunRequest{AckPosition: last}) == nil
	}
	for range 3 {
		if !receive() {
			return
		}
	}
	// Stop answers the last record the source has sent or will still
	// send: receive up to it (here, the source had no more), then close
	// the stream.
	stop, err := source.Stop(ctx, cpluginv1.SourceStopRequest{})
	if err != nil {
		fmt.Println("stop:", err)
		return
	}
	for !bytes.Equal(last, stop.LastPosition) {
		if !receive() {
			return
		}
	}
	_ = run.CloseSend()
	fmt.Println("run ended:", run.Wait())
	if _, err := source.Teardown(ctx, cpluginv1.SourceTeardownRequest{}); err != nil {
		fmt.Println("teardown:", err)
	}
	// Output:
	// running testconn v0.1.0
	// record pos-0
	// record pos-1
	// record pos-2
	// run ended: <nil>
}

// A host runs a standalone source from launch to exit: it configures and
// starts the source, reads and acks records, stops the source and drains
// the records still on their way up to the position Stop returned, closes
// its side of the Run stream, waits for Run to end, tears the source down
// and closes the client. Skipping any of these steps leaves the connector
// busy when Close asks it to exit, which then kills it after
// Config.CloseGrace and logs "plugin failed to exit gracefully". The
// README's hosting snippet is this function.
func ExampleClient_Source() {
	path, err := buildTestConnector() // the connector's executable (here testdata/connector)
	if err != nil {
		fmt.Println(err)
		return
	}

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, err := client.New(ctx, client.Config{
		Path: path,
		// Warnings and errors, such as "plugin failed to exit gracefully",
		// go to stdout here, so that the Output below shows there are none.
		// A host passes its own logger, such as slog.Default().
		Logger: slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{Level: slog.LevelWarn})),
	})
	if err != nil {
		fmt.Println("start connector:", err)
		return
	}
	defer func() { // last: stops the process, reaps it and removes its socket
		if err := c.Close(); err != nil {
			fmt.Println("close:", err)
		}
	}()
	src := c.Source() // or builtin.NewSource(impl) for a built-in connector: same interface

	config := map[string]string{"records": "1000"}
	if _, err := src.Configure(ctx, cpluginv1.SourceConfigureRequest{Config: config}); err != nil {
		fmt.Println("configure:", err)
		return
	}
	// A new pipeline. A connector that predates lifecycle events answers
	// ErrUnimplemented, which means "nothing to do".
	_, err = src.LifecycleOnCreated(ctx, cpluginv1.SourceLifecycleOnCreatedRequest{Config: config})
	if err != nil && !errors.Is(err, cpluginv1.ErrUnimplemented) {
		fmt.Println("lifecycle:", err)
		return
	}
	var lastPosition []byte // where the previous run's last acked record was; nil: from the start
	if _, err := src.Start(ctx, cpluginv1.SourceStartRequest{Position: lastPosition}); err != nil {
		fmt.Println("start:", err)
		return
	}

	run := cpluginv1.RunSource(ctx, src)
	// receive takes the next record and acks it (a real host acks it once
	// the destination has written it).
	receive := func() ([]byte, error) {
		rec, err := run.Recv()
		if err != nil {
			return nil, err
		}
		return rec.Record.Position, run.Send(cpluginv1.SourceRunRequest{AckPosition: rec.Record.Position})
	}
	var last []byte
	for range 3 {
		if last, err = receive(); err != nil {
			fmt.Println("receive:", err)
			return
		}
		fmt.Printf("record %s\n", last)
	}

	// Stop: the source answers the position of the last record it has sent
	// or will still send. Drain: receive and ack the records up to it.
	stop, err := run.Stop(ctx)
	if err != nil {
		fmt.Println("stop:", err)
		return
	}
	for !bytes.Equal(last, stop.LastPosition) {
		if last, err = receive(); err != nil {
			fmt.Println("drain:", err)
			return
		}
	}
	fmt.Println("drained up to the position Stop returned")
	// Half-close: no acks follow. The connector's Run returns, and Wait
	// says how.
	if err := run.CloseSend(); err != nil {
		fmt.Println("close send:", err)
		return
	}
	fmt.Println("run ended:", run.Wait())
	_, err = src.Teardown(ctx, cpluginv1.SourceTeardownRequest{})
	fmt.Println("teardown:", err)

	// Output:
	// record pos-0
	// record pos-1
	// record pos-2
	// drained up to the position Stop returned
	// run ended: <nil>
	// teardown: <nil>
}

// TestREADMEShowsExampleClientSource checks that the README's hosting
// snippet (section "Hosting connectors in Go") is the body of
// ExampleClient_Source from its context to its last call, so that the code
// the README shows is the code go test runs.
func TestREADMEShowsExampleClientSource(t *testing.T) {
	source, err := os.ReadFile("example_test.go")
	if err != nil {
		t.Fatal(err)
	}
	_, body, ok := strings.Cut(string(source), "func ExampleClient_Source() {\n")
	if !ok {
		t.Fatal("example_test.go has no ExampleClient_Source")
	}
	body, _, _ = strings.Cut(body, "\t// Output:")
	_, body, ok = strings.Cut(body, "\n\n\tctx, cancel :=")
	if !ok {
		t.Fatal("ExampleClient_Source does not start a context after finding its connector")
	}
	var want []string
	for _, line := range strings.Split(strings.TrimRight("\tctx, cancel :="+body, "\n"), "\n") {
		want = append(want, strings.TrimPrefix(line, "\t"))
	}

	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "### Hosting connectors in Go\n")
	if !ok {
		t.Fatal("README.md has no section \"Hosting connectors in Go\"")
	}
	_, snippet, ok := strings.Cut(section, "```go\n")
	if !ok {
		t.Fatal("the README's section \"Hosting connectors in Go\" has no Go code")
	}
	snippet, _, _ = strings.Cut(snippet, "```")
	got := strings.Split(strings.TrimRight(snippet, "\n"), "\n")
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		for i := range max(len(got), len(want)) {
			var g, w string
			if i < len(got) {
				g = got[i]
			}
			if i < len(want) {
				w = want[i]
			}
			if g != w {
				t.Fatalf("the README's hosting snippet differs from ExampleClient_Source at line %d:\nREADME:  %q\nexample: %q\ncopy the example's body (without its Output) into README.md", i+1, g, w)
			}
		}
	}
}
