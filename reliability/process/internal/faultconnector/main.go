// Command faultconnector is a standalone connector that misbehaves on
// demand, for the fault-injection tests of package reliability/process.
// Without a fault it is a well-behaved source and destination.
//
// The fault is chosen by environment variables, which the tests set through
// client.Config.Env:
//
//   - FAULT=exit-before-handshake: print a reason on stderr and exit with
//     status 3 before the plugin handshake.
//   - FAULT=print-line: print FAULT_LINE on stdout instead of the handshake
//     line, then wait to be killed.
//   - FAULT=protocol-version-3: perform the handshake with hashicorp/go-plugin
//     as a connector that speaks only (the hypothetical) connector protocol
//     version 3, which no host speaks (hosts built with cpluginv1/client
//     speak 1 and 2).
//   - FAULT_HANG_IN=Configure, Start, Stop or Teardown: that call (of the
//     source and of the destination) never returns and ignores its context,
//     and the process waits for it before exiting, so that it never exits
//     by itself once asked to shut down.
//   - FAULT_EXIT_AFTER=N: the source exits with status 3 after sending N
//     records, the destination after receiving N records.
//
// The source sends the number of records in its configuration's "records"
// (zero: until stopped) with positions "pos-0", "pos-1", ...; Stop answers
// the last position it sent. The destination acks every record.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"sync"
	"time"

	plugin "github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/server"
)

// hangLimit bounds a hang, so that a process a broken test failed to kill
// does not stay around forever.
const hangLimit = 5 * time.Minute

func main() {
	switch os.Getenv("FAULT") {
	case "exit-before-handshake":
		fmt.Fprintln(os.Stderr, "faultconnector: cannot open the database, giving up")
		os.Exit(3)
	case "print-line":
		fmt.Println(os.Getenv("FAULT_LINE"))
		time.Sleep(hangLimit)
		os.Exit(1)
	case "protocol-version-3":
		serveProtocolVersion3()
		return
	}

	f := &faults{hangIn: os.Getenv("FAULT_HANG_IN")}
	if v := os.Getenv("FAULT_EXIT_AFTER"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			fmt.Fprintln(os.Stderr, "faultconnector: FAULT_EXIT_AFTER is not a number")
			os.Exit(2)
		}
		f.exitAfter = n
	}
	err := server.Serve(server.Connector{
		Specifier:   specifier{},
		Source:      &source{faults: f},
		Destination: &destination{faults: f},
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	// Like a connector that finishes its work before exiting: a hung call
	// keeps the process alive after Serve returned.
	f.inFlight.Wait()
}

// faults holds the faults the environment asked for.
type faults struct {
	hangIn    string
	exitAfter int // 0: never
	inFlight  sync.WaitGroup
}

// maybeHang never returns (well, not for hangLimit) if call is the one to
// hang in, whatever ctx does.
func (f *faults) maybeHang(call string) {
	if f.hangIn != call {
		return
	}
	f.inFlight.Add(1)
	defer f.inFlight.Done()
	time.Sleep(hangLimit)
}

// maybeExit exits the process with status 3 once count reaches exitAfter.
func (f *faults) maybeExit(count int) {
	if f.exitAfter > 0 && count >= f.exitAfter {
		fmt.Fprintf(os.Stderr, "faultconnector: exiting after %d records\n", count)
		os.Exit(3)
	}
}

type specifier struct{}

func (specifier) Specify(context.Context, cpluginv1.SpecifierSpecifyRequest) (cpluginv1.SpecifierSpecifyResponse, error) {
	return cpluginv1.SpecifierSpecifyResponse{Specification: cpluginv1.Specification{
		Name:    "faultconnector",
		Summary: "A connector that misbehaves on demand, for fault-injection tests.",
		Version: "v0.1.0",
		Author:  "tests",
	}}, nil
}

type source struct {
	cpluginv1.UnimplementedSourcePlugin
	faults  *faults
	records int

	mu       sync.Mutex // Run and Stop run concurrently
	stopped  bool
	lastSent []byte
}

func (s *source) Configure(_ context.Context, req cpluginv1.SourceConfigureRequest) (cpluginv1.SourceConfigureResponse, error) {
	s.faults.maybeHang("Configure")
	if v := req.Config["records"]; v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return cpluginv1.SourceConfigureResponse{}, fmt.Errorf("records %q is not a number of records: %w", v, cpluginv1.ErrInvalidArgument)
		}
		s.records = n
	}
	return cpluginv1.SourceConfigureResponse{}, nil
}

func (s *source) Start(context.Context, cpluginv1.SourceStartRequest) (cpluginv1.SourceStartResponse, error) {
	s.faults.maybeHang("Start")
	return cpluginv1.SourceStartResponse{}, nil
}

func (s *source) Run(ctx context.Context, stream cpluginv1.SourceRunStream) error {
	// Acks are read until the host closes its side, which ends Run.
	acksDone := make(chan error, 1)
	go func() {
		for {
			if _, err := stream.Recv(); err != nil {
				if errors.Is(err, io.EOF) {
					err = nil
				}
				acksDone <- err
				return
			}
		}
	}()
	for i := 0; s.records == 0 || i < s.records; i++ {
		s.faults.maybeExit(i)
		pos, ok := s.next(i)
		if !ok {
			break
		}
		rec := cpluginv1.Record{
			Position:  pos,
			Operation: cpluginv1.OperationCreate,
			Payload:   cpluginv1.Change{After: cpluginv1.RawData("payload of " + string(pos))},
		}
		if err := stream.Send(cpluginv1.SourceRunResponse{Record: rec}); err != nil {
			return fmt.Errorf("send record %s: %w", pos, err)
		}
	}
	select {
	case err := <-acksDone:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// next returns the position of record i, or false once the source was
// stopped. The position counts as sent from here on, so that Stop's answer
// includes a record Run is about to send.
func (s *source) next(i int) ([]byte, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		return nil, false
	}
	s.lastSent = []byte("pos-" + strconv.Itoa(i))
	return s.lastSent, true
}

func (s *source) Stop(context.Context, cpluginv1.SourceStopRequest) (cpluginv1.SourceStopResponse, error) {
	s.faults.maybeHang("Stop")
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stopped = true
	return cpluginv1.SourceStopResponse{LastPosition: s.lastSent}, nil
}

func (s *source) Teardown(context.Context, cpluginv1.SourceTeardownRequest) (cpluginv1.SourceTeardownResponse, error) {
	s.faults.maybeHang("Teardown")
	return cpluginv1.SourceTeardownResponse{}, nil
}

type destination struct {
	cpluginv1.UnimplementedDestinationPlugin
	faults *faults
}

func (d *destination) Configure(context.Context, cpluginv1.DestinationConfigureRequest) (cpluginv1.DestinationConfigureResponse, error) {
	d.faults.maybeHang("Configure")
	return cpluginv1.DestinationConfigureResponse{}, nil
}

func (d *destination) Start(context.Context, cpluginv1.DestinationStartRequest) (cpluginv1.DestinationStartResponse, error) {
	d.faults.maybeHang("Start")
	return cpluginv1.DestinationStartResponse{}, nil
}

func (d *destination) Run(_ context.Context, stream cpluginv1.DestinationRunStream) error {
	for received := 0; ; received++ {
		d.faults.maybeExit(received)
		req, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := stream.Send(cpluginv1.DestinationRunResponse{AckPosition: req.Record.Position}); err != nil {
			return err
		}
	}
}

func (d *destination) Stop(context.Context, cpluginv1.DestinationStopRequest) (cpluginv1.DestinationStopResponse, error) {
	d.faults.maybeHang("Stop")
	return cpluginv1.DestinationStopResponse{}, nil
}

func (d *destination) Teardown(context.Context, cpluginv1.DestinationTeardownRequest) (cpluginv1.DestinationTeardownResponse, error) {
	d.faults.maybeHang("Teardown")
	return cpluginv1.DestinationTeardownResponse{}, nil
}

// serveProtocolVersion3 performs a real go-plugin handshake as a connector
// that speaks only connector protocol version 3: go-plugin answers with its
// own version when it shares none with the host, and the host refuses it.
func serveProtocolVersion3() {
	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig: plugin.HandshakeConfig{
			ProtocolVersion:  3,
			MagicCookieKey:   server.MagicCookieKey,
			MagicCookieValue: server.MagicCookieValue,
		},
		VersionedPlugins: map[int]plugin.PluginSet{3: {server.PluginSpecifier: noPlugin{}}},
		GRPCServer:       plugin.DefaultGRPCServer,
	})
}

// noPlugin is a go-plugin gRPC plugin that serves nothing: the host never
// gets past the handshake with the protocol-version-3 connector.
type noPlugin struct{ plugin.NetRPCUnsupportedPlugin }

func (noPlugin) GRPCServer(*plugin.GRPCBroker, *grpc.Server) error { return nil }

func (noPlugin) GRPCClient(context.Context, *plugin.GRPCBroker, *grpc.ClientConn) (any, error) {
	return nil, errors.New("faultconnector has no client side")
}
