// Command benchconnector is the connector process of the standalone
// benchmarks in package benchmarks, which build it into a temporary
// directory.
//
// Started by a host (with the plugin handshake), it serves the benchmark
// source and destination (package benchplugin) with server.Serve. Started
// with the argument "baseline", it serves the bare gRPC baseline service
// on a unix socket in a new private directory, prints the socket's path on
// stdout, and serves until its stdin is closed.
package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"

	"google.golang.org/grpc"

	"github.com/connectorkit/conduit-connector-protocol/benchmarks/internal/benchplugin"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/server"
)

func main() {
	var err error
	if len(os.Args) == 2 && os.Args[1] == "baseline" {
		err = serveBaseline()
	} else {
		err = server.Serve(server.Connector{
			Specifier:   benchplugin.Specifier{},
			Source:      &benchplugin.Source{},
			Destination: &benchplugin.Destination{},
		})
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func serveBaseline() error {
	dir, err := os.MkdirTemp("", "bench-baseline-")
	if err != nil {
		return fmt.Errorf("create socket directory: %w", err)
	}
	defer func() { _ = os.RemoveAll(dir) }()
	path := filepath.Join(dir, "grpc.sock")
	listener, err := net.Listen("unix", path)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	s := grpc.NewServer(grpc.ForceServerCodecV2(benchplugin.RawCodec{}))
	s.RegisterService(&benchplugin.BaselineServiceDesc, nil)
	served := make(chan error, 1)
	go func() { served <- s.Serve(listener) }()

	out := bufio.NewWriter(os.Stdout)
	_, _ = fmt.Fprintln(out, path)
	if err := out.Flush(); err != nil {
		return fmt.Errorf("print the socket path: %w", err)
	}
	_, _ = io.Copy(io.Discard, os.Stdin) // until the benchmark closes stdin
	s.Stop()
	return <-served
}
