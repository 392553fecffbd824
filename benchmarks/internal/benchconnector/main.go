// Command benchconnector is the connector process of the standalone
// benchmarks in package benchmarks, which build it into a temporary
// directory.
//
// Started by a host (with the plugin handshake), it serves the benchmark
// source and destination (package benchplugin), written against protocol
// v1's Go API, with server.Serve. Started by a host with the argument "v2"
// (benchplugin.ArgV2), it serves instead the benchmark source and
// destination written against protocol v2's Go API, which move records in
// batches. Started with the argument "baseline", it serves the bare gRPC
// baseline service on a unix socket in a new private directory, prints the
// socket's path on stdout, and serves until its stdin is closed.
//
// With the environment variable BENCH_PROFILE set to a directory, it
// writes a CPU profile of its whole life and a profile of its allocations
// to files named after its process ID in that directory, for
// `go tool pprof`.
package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"runtime/pprof"

	"google.golang.org/grpc"

	"github.com/connectorkit/conduit-connector-protocol/benchmarks/internal/benchplugin"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/server"
)

func main() {
	if dir := os.Getenv("BENCH_PROFILE"); dir != "" {
		stop, err := startProfile(dir)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		defer stop()
	}
	if err := serve(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1) //nolint:gocritic // the profile of a failed run is of no use
	}
}

func serve() error {
	if len(os.Args) == 2 {
		switch os.Args[1] {
		case "baseline":
			return serveBaseline()
		case benchplugin.ArgV2:
			return server.Serve(server.Connector{
				Specifier:     benchplugin.Specifier{},
				SourceV2:      &benchplugin.SourceV2{},
				DestinationV2: &benchplugin.DestinationV2{},
			})
		}
	}
	return server.Serve(server.Connector{
		Specifier:   benchplugin.Specifier{},
		Source:      &benchplugin.Source{},
		Destination: &benchplugin.Destination{},
	})
}

func startProfile(dir string) (stop func(), err error) {
	f, err := os.Create(filepath.Join(dir, fmt.Sprintf("benchconnector-%d.cpu.pprof", os.Getpid()))) //nolint:gosec // the directory is the developer's choice
	if err != nil {
		return nil, fmt.Errorf("create the CPU profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("start the CPU profile: %w", err)
	}
	return func() {
		pprof.StopCPUProfile()
		_ = f.Close()
		allocs, err := os.Create(filepath.Join(dir, fmt.Sprintf("benchconnector-%d.allocs.pprof", os.Getpid()))) //nolint:gosec // the directory is the developer's choice
		if err != nil {
			return
		}
		_ = pprof.Lookup("allocs").WriteTo(allocs, 0)
		_ = allocs.Close()
	}, nil
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
