package client_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/client"
)

// A host starts a standalone connector, asks what it is and reads records
// from its source until it has had enough.
func ExampleNew() {
	ctx := context.Background()
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))

	c, err := client.New(ctx, client.Config{
		Path:         "/var/lib/conduit/connectors/generator",
		ConnectorID:  "pipeline1:source",
		Logger:       logger.With("connector", "pipeline1:source"),
		StartTimeout: 10 * time.Second,
		// Connectors built with the Go connector SDK refuse to start
		// without these.
		Token:               "token-for-the-utilities-service",
		UtilitiesGRPCTarget: "127.0.0.1:8185",
	})
	if err != nil {
		logger.Error("start connector", "error", err)
		return
	}
	defer func() { _ = c.Close() }()

	spec, err := c.Specifier().Specify(ctx, cpluginv1.SpecifierSpecifyRequest{})
	if err != nil {
		logger.Error("specify", "error", err)
		return
	}
	fmt.Println("running", spec.Name, spec.Version)

	source := c.Source()
	if _, err := source.Configure(ctx, cpluginv1.SourceConfigureRequest{Config: map[string]string{"records": "10"}}); err != nil {
		if errors.Is(err, cpluginv1.ErrInvalidArgument) {
			logger.Error("the configuration is not valid", "error", err)
		}
		return
	}
	_, err = source.LifecycleOnCreated(ctx, cpluginv1.SourceLifecycleOnCreatedRequest{})
	if err != nil && !errors.Is(err, cpluginv1.ErrUnimplemented) {
		return
	}
	if _, err := source.Start(ctx, cpluginv1.SourceStartRequest{}); err != nil {
		return
	}

	run := cpluginv1.RunSource(ctx, source)
	for range 10 {
		resp, err := run.Recv()
		if err != nil {
			return
		}
		_ = run.Send(cpluginv1.SourceRunRequest{AckPosition: resp.Record.Position})
	}
	stop, _ := source.Stop(ctx, cpluginv1.SourceStopRequest{})
	// Receive and ack up to stop.LastPosition, then close the stream.
	_ = stop
	_ = run.CloseSend()
	_ = run.Wait()
	_, _ = source.Teardown(ctx, cpluginv1.SourceTeardownRequest{})
}
