package connector

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"slices"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/mem"
	"google.golang.org/grpc/test/bufconn"
	"google.golang.org/protobuf/proto"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/builtin"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/client"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/schemaregistry"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/server"
	"github.com/connectorkit/conduit-connector-protocol/examples/jsonlines"
	"github.com/connectorkit/conduit-connector-protocol/examples/sequence"
	connectorv1 "github.com/connectorkit/conduit-connector-protocol/gen/go/connector/v1"
	connectorv2 "github.com/connectorkit/conduit-connector-protocol/gen/go/connector/v2"
	"github.com/connectorkit/conduit-connector-protocol/internal/wire"
)

// BuiltinPrefix starts the name of a built-in connector, as in
// "builtin:sequence".
const BuiltinPrefix = "builtin:"

// DefaultLogLevel is the log level a standalone connector gets by default.
// The connector ID, the token and the connector utilities (the schema
// service, CONDUIT_CONNECTOR_UTILITIES_GRPC_TARGET), which connectors built
// with the Go connector SDK need, come from package client, which serves the
// utilities to every connector it starts; all connectors of one cplugin run
// share one in-memory schema registry ([Schemas]).
const DefaultLogLevel = "warn"

// Schemas is the schema registry cplugin offers its connectors, standalone
// and built-in: the registry package client and package builtin use by
// default.
func Schemas() *schemaregistry.InMemory { return schemaregistry.Default() }

// Observer is told about every message a connector sends to the host, in
// its wire form, with the full gRPC method name (for example
// "/connector.v1.SourcePlugin/Run"). It may be called from several
// goroutines at once.
type Observer func(method string, msg proto.Message)

// Options says how to open a connector.
type Options struct {
	// Env holds extra environment variables ("KEY=value") for a standalone
	// connector; they override the defaults above and the inherited
	// environment.
	Env []string
	// Observer, if set, sees every message the connector sends. A built-in
	// connector is then served over gRPC inside this process, so that its
	// messages exist in wire form too.
	Observer Observer
	// Logger receives the connector's log output; nil discards it.
	Logger *slog.Logger
	// StartTimeout bounds starting a standalone connector, up to the end of
	// its plugin handshake; zero means client.DefaultStartTimeout.
	StartTimeout time.Duration
	// OnSlowStart, if set, is called once when a standalone connector has
	// not completed its plugin handshake after SlowStart, with the start
	// timeout, so that a person learns what is being waited for.
	OnSlowStart func(timeout time.Duration)
	// SlowStart is how long a start may take before OnSlowStart is called;
	// zero means DefaultSlowStart.
	SlowStart time.Duration
	// ProtocolVersions are the connector protocol versions offered to a
	// standalone connector (client.ProtocolVersion1, client.ProtocolVersion2);
	// empty offers both, and the connector picks the highest it serves.
	// With an Observer, a built-in connector is served in-process over the
	// highest version listed (v1 if none is). Without one, a built-in
	// connector is called directly and speaks no protocol version.
	ProtocolVersions []int
}

// DefaultSlowStart is how long a standalone connector may take to start
// before Options.OnSlowStart is called.
const DefaultSlowStart = 2 * time.Second

// abandonAfter is how long Open waits beyond the start timeout for the
// client to return. The client kills a connector whose start timed out,
// but then waits for the process's output to end, which a child process
// that inherited it (a shell script's command, say) can hold open for long.
const abandonAfter = 2 * time.Second

// StartError is the error of Open when a standalone connector did not
// start. Its message names the connector once.
type StartError struct {
	// Ref is the connector, as given to Open.
	Ref string
	// Reason says what went wrong, without naming the connector: "the file
	// does not exist".
	Reason string
	// TimedOut is true if the connector did not complete the plugin
	// handshake within the start timeout.
	TimedOut bool
	// Err is the client's error.
	Err error
}

// Error returns "start REF: REASON".
func (e *StartError) Error() string { return "start " + e.Ref + ": " + e.Reason }

// Unwrap returns the client's error.
func (e *StartError) Unwrap() error { return e.Err }

// handshakeLine is the shape of the line a connector prints on stdout once
// it serves (hashicorp/go-plugin's handshake).
const handshakeLine = "CORE-PROTOCOL-VERSION|APP-PROTOCOL-VERSION|NETWORK|ADDRESS|grpc"

// lastOutputMarker introduces the connector's last output in the client's
// start errors.
const lastOutputMarker = "; the connector's last output: "

// startError explains the client's error of a start that failed; timedOut
// says whether the start timeout expired.
func startError(path string, timeout time.Duration, timedOut bool, err error) *StartError {
	msg := err.Error()
	// The client names the connector in its own words; the StartError
	// names it once.
	for _, prefix := range []string{"start connector " + path + ": ", "connect to connector " + path + ": ", "start connector: "} {
		msg = strings.Replace(msg, prefix, "", 1)
	}
	if !timedOut {
		return &StartError{Ref: path, Reason: msg, Err: err}
	}
	reason := fmt.Sprintf("it did not complete the plugin handshake within %v: a connector prints its handshake line (%s) on stdout once it serves", timeout, handshakeLine)
	if _, output, ok := strings.Cut(msg, lastOutputMarker); ok {
		reason += lastOutputMarker + output
	} else {
		reason += ", and this one printed nothing"
	}
	return &StartError{Ref: path, Reason: reason, TimedOut: true, Err: err}
}

// Instance is one opened connector: one process for a standalone connector.
// A plugin the connector does not offer answers every call with an error
// wrapping cpluginv1.ErrUnimplemented.
type Instance struct {
	// Ref is what the connector was opened as.
	Ref         string
	Specifier   cpluginv1.SpecifierPlugin
	Source      cpluginv1.SourcePlugin
	Destination cpluginv1.DestinationPlugin
	// ProtocolVersion is the connector protocol version spoken with the
	// connector (client.ProtocolVersion1 or client.ProtocolVersion2), or 0
	// for a built-in connector called directly, without the wire.
	ProtocolVersion int

	closers []func()
}

// Close stops the connector (kills its process if it does not exit) and
// frees what Open allocated. It may be called more than once.
func (i *Instance) Close() {
	closers := i.closers
	i.closers = nil
	for _, c := range slices.Backward(closers) {
		c()
	}
}

// IsBuiltin reports whether ref names a built-in connector.
func IsBuiltin(ref string) bool { return strings.HasPrefix(ref, BuiltinPrefix) }

// Builtins returns the names of the built-in connectors, with the prefix.
func Builtins() []string {
	var names []string
	for name := range builtins {
		names = append(names, BuiltinPrefix+name)
	}
	slices.Sort(names)
	return names
}

// builtinConnector makes fresh plugins of a connector compiled into cplugin.
// A nil constructor means the connector does not offer that plugin.
type builtinConnector struct {
	specifier   cpluginv1.SpecifierPlugin
	source      func() cpluginv1.SourcePlugin
	destination func() cpluginv1.DestinationPlugin
}

var builtins = map[string]builtinConnector{
	sequence.Name: {
		specifier: sequence.Specifier{},
		source:    func() cpluginv1.SourcePlugin { return sequence.NewSource() },
	},
	jsonlines.Name: {
		specifier:   jsonlines.Specifier{},
		destination: func() cpluginv1.DestinationPlugin { return jsonlines.NewDestination() },
	},
}

// Open opens the connector ref names: "builtin:NAME" or the path of a
// standalone connector executable.
func Open(ctx context.Context, ref string, opts Options) (*Instance, error) {
	if IsBuiltin(ref) {
		return openBuiltin(ref, opts)
	}
	return openStandalone(ctx, ref, opts)
}

func openStandalone(ctx context.Context, path string, opts Options) (*Instance, error) {
	timeout := opts.StartTimeout
	if timeout <= 0 {
		timeout = client.DefaultStartTimeout
	}
	cfg := client.Config{
		Path:         path,
		Env:          opts.Env,
		LogLevel:     DefaultLogLevel,
		StartTimeout: timeout,
		Logger:       opts.Logger,
		// Empty offers both versions; the observer sees the messages of
		// either as they cross the wire (see observingDialOptions).
		ProtocolVersions: opts.ProtocolVersions,
	}
	if opts.Observer != nil {
		cfg.DialOptions = observingDialOptions(opts.Observer)
	}

	type started struct {
		c   *client.Client
		err error
	}
	done := make(chan started, 1)
	begin := time.Now()
	go func() {
		c, err := client.New(ctx, cfg)
		done <- started{c, err}
	}()
	// abandon leaves the start to end in the background: the client kills
	// the connector and cleans up on its own.
	abandon := func() {
		go func() {
			if s := <-done; s.c != nil {
				_ = s.c.Close()
			}
		}()
	}
	var slow <-chan time.Time
	if opts.OnSlowStart != nil {
		after := opts.SlowStart
		if after <= 0 {
			after = DefaultSlowStart
		}
		slowTimer := time.NewTimer(after)
		defer slowTimer.Stop()
		slow = slowTimer.C
	}
	deadline := time.NewTimer(timeout + abandonAfter)
	defer deadline.Stop()
	for {
		select {
		case s := <-done:
			if s.err != nil {
				// The client's timer and hashicorp/go-plugin's, both set to
				// the timeout, race: when go-plugin's wins, the error says
				// that the process was killed. Either way the start took the
				// whole timeout.
				timedOut := ctx.Err() == nil && (errors.Is(s.err, context.DeadlineExceeded) || time.Since(begin) >= timeout)
				return nil, startError(path, timeout, timedOut, s.err)
			}
			return &Instance{
				Ref:             path,
				Specifier:       s.c.Specifier(),
				Source:          s.c.Source(),
				Destination:     s.c.Destination(),
				ProtocolVersion: s.c.ProtocolVersion(),
				closers:         []func(){func() { _ = s.c.Close() }},
			}, nil
		case <-slow:
			opts.OnSlowStart(timeout)
		case <-deadline.C:
			abandon()
			return nil, startError(path, timeout, true, fmt.Errorf("start connector %s: %w", path, context.DeadlineExceeded))
		case <-ctx.Done():
			abandon()
			return nil, &StartError{Ref: path, Reason: ctx.Err().Error(), Err: ctx.Err()}
		}
	}
}

func openBuiltin(ref string, opts Options) (*Instance, error) {
	bc, ok := builtins[strings.TrimPrefix(ref, BuiltinPrefix)]
	if !ok {
		return nil, fmt.Errorf("open %s: no such built-in connector (there are %s)", ref, strings.Join(Builtins(), ", "))
	}
	conn := server.Connector{Specifier: bc.specifier}
	if bc.source != nil {
		conn.Source = bc.source()
	}
	if bc.destination != nil {
		conn.Destination = bc.destination()
	}
	if opts.Observer != nil {
		version := client.ProtocolVersion1
		if slices.Contains(opts.ProtocolVersions, client.ProtocolVersion2) {
			version = client.ProtocolVersion2
		}
		return ServeInProcessVersion(ref, conn, opts.Observer, version)
	}
	inst := &Instance{
		Ref:         ref,
		Specifier:   builtin.NewSpecifier(conn.Specifier),
		Source:      builtin.NewSource(cpluginv1.UnimplementedSourcePlugin{}),
		Destination: builtin.NewDestination(cpluginv1.UnimplementedDestinationPlugin{}),
	}
	if conn.Source != nil {
		inst.Source = builtin.NewSource(conn.Source)
	}
	if conn.Destination != nil {
		inst.Destination = builtin.NewDestination(conn.Destination)
	}
	return inst, nil
}

// ServeInProcess serves a connector compiled into this process over gRPC on
// an in-memory listener, so that observe sees its messages in wire form
// exactly as it would for a standalone connector. ref names the instance.
// The checker's tests use it to check connectors written as Go values. It
// speaks protocol v1; ServeInProcessVersion speaks either.
func ServeInProcess(ref string, conn server.Connector, observe Observer) (*Instance, error) {
	return ServeInProcessVersion(ref, conn, observe, client.ProtocolVersion1)
}

// ServeInProcessVersion is ServeInProcess over the connector protocol
// version given (client.ProtocolVersion1 or client.ProtocolVersion2).
func ServeInProcessVersion(ref string, conn server.Connector, observe Observer, version int) (*Instance, error) {
	if version != client.ProtocolVersion1 && version != client.ProtocolVersion2 {
		return nil, fmt.Errorf("open %s: protocol version %d: want %d or %d", ref, version, client.ProtocolVersion1, client.ProtocolVersion2)
	}
	srv, err := server.NewGRPCServer(conn, server.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", ref, err)
	}
	lis := bufconn.Listen(1 << 20)
	go func() { _ = srv.Serve(lis) }()
	cc, err := grpc.NewClient("passthrough:///"+ref,
		append(observingDialOptions(observe),
			grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }),
			grpc.WithTransportCredentials(insecure.NewCredentials()),
		)...)
	if err != nil {
		srv.Stop()
		return nil, fmt.Errorf("open %s: %w", ref, err)
	}
	c := client.NewFromConn(cc)
	if version == client.ProtocolVersion2 {
		c = client.NewFromConnV2(cc)
	}
	return &Instance{
		Ref:             ref,
		Specifier:       c.Specifier(),
		Source:          c.Source(),
		Destination:     c.Destination(),
		ProtocolVersion: c.ProtocolVersion(),
		closers: []func(){
			srv.Stop,
			func() { _ = cc.Close() },
		},
	}, nil
}

// observingDialOptions report every message the connector sends, unary
// responses and stream messages alike, to observe.
func observingDialOptions(observe Observer) []grpc.DialOption {
	unary := func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
		err := invoker(ctx, method, req, reply, cc, opts...)
		if msg, ok := reply.(proto.Message); ok && err == nil {
			observe(method, msg)
		}
		return err
	}
	stream := func(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, streamer grpc.Streamer, opts ...grpc.CallOption) (grpc.ClientStream, error) {
		opts = observeDecoding(method, opts, observe)
		cs, err := streamer(ctx, desc, cc, method, opts...)
		if err != nil {
			return nil, err
		}
		return observedStream{ClientStream: cs, method: method, observe: observe}, nil
	}
	return []grpc.DialOption{
		grpc.WithChainUnaryInterceptor(unary),
		grpc.WithChainStreamInterceptor(stream),
	}
}

type observedStream struct {
	grpc.ClientStream
	method  string
	observe Observer
}

func (s observedStream) RecvMsg(m any) error {
	err := s.ClientStream.RecvMsg(m)
	if msg, ok := m.(proto.Message); ok && err == nil {
		s.observe(s.method, msg)
	}
	return err
}

// runResponses makes the message a connector sends on each Run stream, of
// either protocol version.
var runResponses = map[string]func() proto.Message{
	connectorv1.SourcePlugin_Run_FullMethodName:      func() proto.Message { return new(connectorv1.Source_Run_Response) },
	connectorv1.DestinationPlugin_Run_FullMethodName: func() proto.Message { return new(connectorv1.Destination_Run_Response) },
	connectorv2.SourcePlugin_Run_FullMethodName:      func() proto.Message { return new(connectorv2.Source_Run_Response) },
	connectorv2.DestinationPlugin_Run_FullMethodName: func() proto.Message { return new(connectorv2.Destination_Run_Response) },
}

// observeDecoding makes sure observe sees the messages of a Run stream in
// wire form. The client decodes a Run stream's messages with the
// transports' codec (package wire) straight into the Go types, which
// RecvMsg then receives instead of protobuf messages; this adds a call
// option with the same codec, observing (the last codec option of a call
// wins), so that each message is also decoded with the standard protobuf
// decoder and observed exactly as it arrived: on v2 the whole batch, as
// one connectorv2 message. A message the standard decoder refuses is left
// to the codec to report.
func observeDecoding(method string, opts []grpc.CallOption, observe Observer) []grpc.CallOption {
	newResponse, ok := runResponses[method]
	if !ok {
		return opts
	}
	codec := wire.Codec{Observe: func(data mem.BufferSlice) {
		msg := newResponse()
		if err := proto.Unmarshal(data.Materialize(), msg); err == nil {
			observe(method, msg)
		}
	}}
	return append(slices.Clip(opts), grpc.ForceCodecV2(codec))
}
