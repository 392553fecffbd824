package client_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
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
	// A connector that predates lifecycle events answers ErrUnimplemented,
	// which counts as success.
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
