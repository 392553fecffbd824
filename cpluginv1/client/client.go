package client

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"
	plugin "github.com/hashicorp/go-plugin"
	"github.com/hashicorp/go-plugin/runner"
	"google.golang.org/grpc"
	"google.golang.org/grpc/backoff"
	"google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/pluginconfig"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv2"
	"github.com/connectorkit/conduit-connector-protocol/internal/cerrors"
)

// Environment variables a host passes to a connector process: the
// constants of package pluginconfig, which documents them. Connectors
// built with the Go connector SDK refuse to start without the token, the
// connector ID and the utilities target.
const (
	EnvConnectorID          = pluginconfig.EnvConnectorID
	EnvToken                = pluginconfig.EnvToken
	EnvUtilitiesGRPCTarget  = pluginconfig.EnvUtilitiesGRPCTarget
	EnvLogLevel             = pluginconfig.EnvLogLevel
	EnvMaxReceiveRecordSize = pluginconfig.EnvMaxReceiveRecordSize
)

// DefaultStartTimeout is how long New waits for a connector to complete
// the handshake if Config.StartTimeout is zero.
const DefaultStartTimeout = 30 * time.Second

// DefaultCloseGrace is how long Close waits for a connector process to exit
// after asking it to shut down, before it kills it, if Config.CloseGrace is
// zero.
const DefaultCloseGrace = 5 * time.Second

// ErrConnectorUnavailable is reported (errors.Is) by the error of a call
// that could not reach the connector, usually because its process exited.
var ErrConnectorUnavailable = cerrors.ErrUnavailable

// Config says how to start (or find) a standalone connector.
type Config struct {
	// Path is the connector's executable. Required unless Reattach is set.
	Path string
	// Args are the executable's arguments, without the program name.
	Args []string
	// Env holds extra environment variables as "KEY=value". They override
	// the inherited environment and the variables set from the fields below.
	Env []string
	// SkipHostEnv starts the connector without the host's environment;
	// by default it inherits it.
	SkipHostEnv bool

	// ConnectorID sets CONDUIT_CONNECTOR_ID; empty means the base name of
	// Path. Connectors built with the Go connector SDK refuse to start
	// without it.
	ConnectorID string
	// Token sets CONDUIT_CONNECTOR_TOKEN, the token the connector sends with
	// every call of the connector utilities. Empty means a random token for
	// this launch, which is what a host should want; set it only together
	// with UtilitiesGRPCTarget, for utilities of the host's own.
	Token string
	// UtilitiesGRPCTarget sets CONDUIT_CONNECTOR_UTILITIES_GRPC_TARGET, the
	// gRPC target of the connector utilities (the schema service). Empty,
	// the default, means New serves them itself for this connector: it
	// serves Schemas on a unix socket in a directory only the host's user
	// can enter, accepts only calls that carry this launch's token, and
	// stops when Close is called. Set it only if the host serves the
	// connector utilities itself (then set Token too).
	UtilitiesGRPCTarget string
	// Schemas is the schema registry the connector utilities serve when New
	// serves them; nil means schemaregistry.Default(), one in-memory
	// registry shared by every connector of this process, so that a
	// destination can fetch the schemas a source registered.
	Schemas cpluginv1.SchemaService
	// LogLevel sets CONDUIT_CONNECTOR_LOG_LEVEL if not empty (trace, debug,
	// info, warn or error).
	LogLevel string

	// StartTimeout bounds the start: the handshake, the gRPC connection
	// and the health check; zero means DefaultStartTimeout. The context
	// given to New can end it earlier. When either ends, New kills the
	// connector (its process group) and returns within about a second
	// more, also if the connector's socket accepts connections but never
	// speaks gRPC.
	StartTimeout time.Duration
	// Logger receives go-plugin's messages and the connector's log lines,
	// each at its level, and what the connector prints on stdout. Nil
	// discards them. A line longer than 64 KiB is logged cut, with a
	// marker; the host holds no more of a line, newline or not.
	Logger *slog.Logger

	// MaxReceiveSize is the largest message, in bytes, the host accepts from
	// the connector (in practice: a record from a source); zero means
	// pluginconfig.DefaultMaxMessageSize. A larger record ends the Run stream with
	// an error wrapping cpluginv1.ErrMessageTooLarge.
	MaxReceiveSize int
	// MaxSendSize is the largest message, in bytes, the host sends (in
	// practice: a record to a destination); zero means
	// pluginconfig.DefaultMaxMessageSize. The connector gets it as
	// CONDUIT_CONNECTOR_MAX_RECEIVE_RECORD_SIZE, its receive limit. (It
	// does not limit what the connector sends: that is MaxReceiveSize.)
	MaxSendSize int

	// SocketDir is the directory in which a private directory for the
	// connector's unix socket is made and removed again by Close; empty
	// means the system's temporary directory. The private directory is
	// accessible to the host's user only (mode 0700), and New makes the
	// socket in it readable and writable by that user only (mode 0600), so
	// that other users of the machine cannot connect to the connector. Keep
	// the path short: unix socket paths are limited to about 100 bytes.
	SocketDir string
	// AutoMTLS secures the connection to the connector with mutual TLS:
	// New generates a key and a self-signed certificate for this launch
	// only and passes the certificate to the connector in
	// PLUGIN_CLIENT_CERT; the connector answers with its own certificate
	// (generated for this launch) in its handshake line, and each side
	// accepts only the other's certificate. Connectors built with package
	// cpluginv1/server (and with hashicorp/go-plugin) support it; New fails
	// with a clear error for a connector that does not. It cannot be
	// combined with Reattach, because the certificates of a launch live
	// only in the client that started the process. Without it the
	// connection is plain text, protected by the permissions of the socket
	// directory (see SocketDir).
	AutoMTLS bool
	// DialOptions are extra gRPC dial options.
	DialOptions []grpc.DialOption

	// Reattach, if set, connects to a connector process that is already
	// running (see Client.ReattachConfig) instead of starting Path. Close
	// stops that process.
	Reattach *plugin.ReattachConfig

	// CloseGrace is how long Close waits for the connector process to exit
	// after asking it to shut down (the connector's Serve returns then),
	// before it kills the process; zero means DefaultCloseGrace. It bounds
	// Close for a connector that does not answer the request at all (a hung
	// or stopped process). A connector that answers but does not exit is
	// killed after at most 2 seconds by hashicorp/go-plugin, which does the
	// asking, even if CloseGrace is longer. The kill takes the connector's
	// process group, so that the processes it started end with it, and
	// Close stops reading the connector's stdout and stderr a second after
	// the process exited, in case a process that escaped the kill holds
	// them: Close returns within CloseGrace and about a second.
	CloseGrace time.Duration

	// ProtocolVersions are the connector protocol versions the host offers
	// in the plugin handshake (go-plugin's PLUGIN_PROTOCOL_VERSIONS), out of
	// ProtocolVersion1 and ProtocolVersion2; empty means both
	// (DefaultProtocolVersions). The connector speaks the highest version
	// it serves of those (Client.ProtocolVersion says which): a connector
	// built with cpluginv1/server or the Go connector SDK speaks version 2
	// unless only 1 is offered. New fails for a connector that serves none
	// of them. With Reattach, the version is Reattach.ProtocolVersion (0
	// means 1), which must be one of them.
	ProtocolVersions []int
}

// Client is the host's handle on one standalone connector process (or, from
// NewFromConn, on one gRPC connection to a connector). Its plugins implement
// the cpluginv1 interfaces; they may be used from several goroutines.
type Client struct {
	specifier   cpluginv1.SpecifierPlugin
	source      cpluginv1.SourcePlugin
	destination cpluginv1.DestinationPlugin
	// The same plugins for protocol v2's Go API (package cpluginv2); one
	// pair is the transport's, the other an adapter over it.
	sourceV2      cpluginv2.SourcePlugin
	destinationV2 cpluginv2.DestinationPlugin
	version       int   // the connector protocol version spoken (ProtocolVersion)
	offered       []int // the versions New offered, ascending

	path        string         // the executable, for errors
	plugin      *plugin.Client // nil from NewFromConn
	runner      *processRunner // nil unless the process was started by New
	watch       *exitWatch     // nil unless the process was started by New
	reattachPid int            // the process of Config.Reattach, if any
	closeGrace  time.Duration
	logger      *slog.Logger
	stdio       []*lineWriter // flushed by Close
	utilities   *utilities    // nil unless New serves the connector utilities
	closeOnce   sync.Once
	closeErr    error
}

// New starts the connector executable cfg.Path, performs the plugin
// handshake (connector protocol versions 1 and 2, or those of
// cfg.ProtocolVersions; the connector picks the highest it serves) and
// checks that the connector serves,
// within cfg.StartTimeout and ctx. On failure the process is stopped again
// and the error says in one sentence, naming the executable, what went
// wrong: the file could not be run, the process exited (with its status)
// before the handshake, or its handshake line is not one this host
// accepts (and why), followed by the last lines the connector logged.
// Call Close when done with the connector.
//
// Once the connector runs, a call that fails because its process ended
// returns an error matching ErrConnectorUnavailable that says so and how
// it ended, for example "connector /connectors/file exited (signal:
// killed) during Run".
func New(ctx context.Context, cfg Config) (*Client, error) {
	if cfg.Path == "" && cfg.Reattach == nil {
		return nil, errors.New("start connector: Config.Path is empty")
	}
	if cfg.AutoMTLS && cfg.Reattach != nil {
		return nil, errors.New("start connector: Config.AutoMTLS cannot be combined with Config.Reattach, because the certificates of a launch live only in the client that started the process")
	}
	versions, err := offeredVersions(cfg)
	if err != nil {
		return nil, fmt.Errorf("start connector: %w", err)
	}
	if cfg.StartTimeout <= 0 {
		cfg.StartTimeout = DefaultStartTimeout
	}
	if cfg.CloseGrace <= 0 {
		cfg.CloseGrace = DefaultCloseGrace
	}
	if cfg.MaxReceiveSize <= 0 {
		cfg.MaxReceiveSize = pluginconfig.DefaultMaxMessageSize
	}
	if cfg.MaxSendSize <= 0 {
		cfg.MaxSendSize = pluginconfig.DefaultMaxMessageSize
	}
	if cfg.ConnectorID == "" && cfg.Path != "" {
		cfg.ConnectorID = filepath.Base(cfg.Path)
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	callOpts := []grpc.CallOption{
		grpc.MaxCallRecvMsgSize(cfg.MaxReceiveSize),
		grpc.MaxCallSendMsgSize(cfg.MaxSendSize),
	}

	c := &Client{closeGrace: cfg.CloseGrace, logger: logger, offered: versions}
	if cfg.Reattach == nil && cfg.UtilitiesGRPCTarget == "" {
		u, err := startUtilities(cfg.Schemas, cfg.Token, cfg.SocketDir)
		if err != nil {
			return nil, fmt.Errorf("start connector %s: %w", cfg.Path, err)
		}
		c.utilities = u
		cfg.UtilitiesGRPCTarget, cfg.Token = u.target, u.token
	}
	c.path = cfg.Path
	stdout := &lineWriter{logger: logger.With("stream", "stdout"), level: slog.LevelInfo}
	stderr := &lineWriter{logger: logger.With("stream", "stderr"), level: slog.LevelInfo}
	c.stdio = []*lineWriter{stdout, stderr}
	dialOptions := boundedDialOptions(cfg)
	if cfg.Reattach == nil {
		// What the connector prints on its real stdout after the handshake
		// line (connectors in other languages do) is logged as stdout too.
		realStdout := &lineWriter{logger: logger.With("stream", "stdout"), level: slog.LevelInfo}
		c.stdio = append(c.stdio, realStdout)
		c.runner = newProcessRunner(cfg.Path, realStdout)
		c.watch = &exitWatch{runner: c.runner}
		dialOptions = append(dialOptions, c.watch.dialOptions()...)
	} else {
		c.reattachPid = cfg.Reattach.Pid
	}
	dialOptions = append(dialOptions, cfg.DialOptions...)

	hclogger := newHCLogAdapter(logger, filepath.Base(cfg.Path))
	pcfg := &plugin.ClientConfig{
		HandshakeConfig: plugin.HandshakeConfig{
			ProtocolVersion:  pluginconfig.ProtocolVersion,
			MagicCookieKey:   pluginconfig.MagicCookieKey,
			MagicCookieValue: pluginconfig.MagicCookieValue,
		},
		VersionedPlugins: versionedClientPlugins(versions, callOpts),
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		StartTimeout:     cfg.StartTimeout,
		Logger:           hclogger,
		SyncStdout:       stdout,
		SyncStderr:       stderr,
		GRPCDialOptions:  dialOptions,
		AutoMTLS:         cfg.AutoMTLS,
		// The environment is built in runnerFunc, in an order that lets the
		// host's values win over inherited ones.
		SkipHostEnv: true,
	}
	if cfg.SocketDir != "" {
		pcfg.UnixSocketConfig = &plugin.UnixSocketConfig{TempDir: cfg.SocketDir}
	}
	if cfg.Reattach != nil {
		pcfg.Reattach = cfg.Reattach
		// go-plugin picks the plugin set of the negotiated version only
		// when it starts the process itself.
		version := cfg.Reattach.ProtocolVersion
		if version == 0 {
			version = ProtocolVersion1
		}
		if !slices.Contains(versions, version) {
			return nil, fmt.Errorf("start connector: Config.Reattach has connector protocol version %d, which is not in the versions offered (%s)", version, versionList(versions))
		}
		pcfg.Plugins = pcfg.VersionedPlugins[version]
		c.version = version
	} else {
		pcfg.RunnerFunc = c.runnerFunc(cfg)
	}
	c.plugin = plugin.NewClient(pcfg)

	if err := c.start(ctx, cfg); err != nil {
		// A connector that failed to start gets no graceful shutdown, which
		// would wait for one that cannot answer. Close waits until the
		// process was reaped and its output read, which the explanation
		// needs.
		if c.runner != nil {
			_ = c.runner.Kill(context.Background())
		}
		_ = c.Close()
		if sf := (*startFailure)(nil); errors.As(err, &sf) {
			err = sf.explain(c.runner)
		}
		if out := hclogger.tail.String(); out != "" {
			return nil, fmt.Errorf("%w; the connector's last output: %s", err, out)
		}
		return nil, err
	}
	return c, nil
}

// boundedDialOptions are the dial options that bound what the connection to
// the connector costs, before Config.DialOptions (which may override them):
//
//   - every message received on it, also on go-plugin's own services
//     (which otherwise accept 2 GiB, and the connector's stdio stream is
//     one of them), is limited to Config.MaxReceiveSize; the calls of the
//     plugins set their limits themselves;
//   - a connection attempt (TCP or unix, TLS and HTTP/2 handshakes) gives
//     up after Config.StartTimeout instead of gRPC's 20 seconds, so that a
//     connector whose socket accepts connections but never speaks gRPC
//     cannot hold up New, nor go-plugin, which waits for it without a
//     deadline;
//   - a unary call's message over a size limit fails with a sentence that
//     names the limit (see sizeLimitInterceptor).
func boundedDialOptions(cfg Config) []grpc.DialOption {
	return []grpc.DialOption{
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(cfg.MaxReceiveSize)),
		grpc.WithConnectParams(grpc.ConnectParams{Backoff: backoff.DefaultConfig, MinConnectTimeout: cfg.StartTimeout}),
		grpc.WithChainUnaryInterceptor(sizeLimitInterceptor),
	}
}

// startFailure is an error of go-plugin's Start, which New explains once
// the process was reaped.
type startFailure struct {
	err      error
	versions []int // the versions New offered
}

func (e *startFailure) Error() string { return e.err.Error() }
func (e *startFailure) Unwrap() error { return e.err }

func (e *startFailure) explain(r *processRunner) error {
	if r == nil {
		return fmt.Errorf("start connector: %w", startError(e.err))
	}
	return r.explainStart(startError(e.err), e.versions)
}

// runnerFunc returns go-plugin's RunnerFunc. It is called once, by Start,
// with an unstarted command holding go-plugin's environment.
func (c *Client) runnerFunc(cfg Config) func(hclog.Logger, *exec.Cmd, string) (runner.Runner, error) {
	return func(_ hclog.Logger, goPluginCmd *exec.Cmd, socketDir string) (runner.Runner, error) {
		cmd := exec.Command(cfg.Path, cfg.Args...)
		cmd.Env = connectorEnv(cfg)
		if err := c.runner.prepare(cmd, goPluginCmd.Env, socketDir); err != nil {
			return nil, err
		}
		return c.runner, nil
	}
}

// connectorEnv is the connector's environment without go-plugin's
// variables: inherited, then from the Config fields, then Config.Env (later
// entries win in exec.Cmd).
func connectorEnv(cfg Config) []string {
	var env []string
	if !cfg.SkipHostEnv {
		env = append(env, os.Environ()...)
	}
	set := func(key, value string) {
		if value != "" {
			env = append(env, key+"="+value)
		}
	}
	set(EnvConnectorID, cfg.ConnectorID)
	set(EnvToken, cfg.Token)
	set(EnvUtilitiesGRPCTarget, cfg.UtilitiesGRPCTarget)
	set(EnvLogLevel, cfg.LogLevel)
	set(EnvMaxReceiveRecordSize, strconv.Itoa(cfg.MaxSendSize))
	return append(env, cfg.Env...)
}

// abandonWait bounds how long New waits for go-plugin to give up a step of
// the start (the handshake, the connection) once it killed the connector
// because its context ended. Killing the process ends both within
// milliseconds, or, if a process that escaped the kill holds the
// connector's pipes or socket, once the pipes were drained.
const abandonWait = pipeDrainTimeout + 2*time.Second

// start runs go-plugin's Start (process, handshake) and connects, giving up
// when ctx ends or cfg.StartTimeout passed. An error of go-plugin's Start
// is a *startFailure; every other error names the executable.
func (c *Client) start(parent context.Context, cfg Config) error {
	ctx, cancel := context.WithTimeout(parent, cfg.StartTimeout)
	defer cancel()
	what := "start connector"
	if cfg.Path != "" {
		what += " " + cfg.Path
	}
	// giveUp kills the connector and says which deadline passed during
	// step.
	giveUp := func(step string) error {
		if c.runner != nil {
			_ = c.runner.Kill(context.Background())
		}
		if parent.Err() == nil {
			return fmt.Errorf("%s: %s within %v (Config.StartTimeout): %w", what, step, cfg.StartTimeout, ctx.Err())
		}
		return fmt.Errorf("%s: %s before the context given to New ended: %w", what, step, ctx.Err())
	}

	started := make(chan error, 1)
	go func() {
		_, err := c.plugin.Start()
		started <- err
	}()
	select {
	case err := <-started:
		if err != nil && (ctx.Err() != nil || isStartTimeout(err)) {
			// go-plugin's own timer (also Config.StartTimeout) won.
			return giveUp("no plugin handshake")
		}
		if err != nil {
			return &startFailure{err: err, versions: c.offered}
		}
	case <-ctx.Done():
		// go-plugin's Start has no context: killing the process makes it
		// return. The runner refuses to start if it was not started yet.
		err := giveUp("no plugin handshake")
		// If the handshake won the race against the kill, New's Close
		// undoes it.
		_ = awaitBounded(started)
		return err
	}
	if c.runner != nil {
		if err := c.checkStarted(cfg); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
	}

	// go-plugin connects without a deadline (and holds its lock, which
	// Close needs, meanwhile): run it aside and stop waiting when ctx ends.
	type connected struct {
		rpc plugin.ClientProtocol
		err error
	}
	connecting := make(chan connected, 1)
	go func() {
		rpc, err := c.plugin.Client()
		connecting <- connected{rpc, err}
	}()
	var rpcClient plugin.ClientProtocol
	select {
	case r := <-connecting:
		if r.err != nil {
			return fmt.Errorf("%s: connect to it over gRPC: %w", what, c.connectError(r.err))
		}
		rpcClient = r.rpc
	case <-ctx.Done():
		err := giveUp("no gRPC connection after the plugin handshake")
		awaitBounded(connecting)
		return err
	}
	grpcClient, ok := rpcClient.(*plugin.GRPCClient)
	if !ok {
		return fmt.Errorf("%s: go-plugin connected with a %T, want a gRPC client", what, rpcClient)
	}
	if err := c.checkHealth(ctx, grpcClient.Conn); err != nil {
		if ctx.Err() != nil {
			return giveUp("no answer to the gRPC health check")
		}
		return fmt.Errorf("%s: %w", what, err)
	}

	specifier, err := dispense[cpluginv1.SpecifierPlugin](rpcClient, pluginconfig.PluginSpecifier)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	source, err := dispense[any](rpcClient, pluginconfig.PluginSource)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	destination, err := dispense[any](rpcClient, pluginconfig.PluginDestination)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	c.specifier = specifier
	c.setPlugins(source, destination)
	if c.version == 0 { // not reattached: the version of the handshake
		c.version = c.plugin.NegotiatedVersion()
	}
	return nil
}

// isStartTimeout reports whether err is go-plugin's error for a connector
// that did not print its handshake line within Config.StartTimeout.
func isStartTimeout(err error) bool {
	return strings.HasPrefix(err.Error(), "timeout while waiting for plugin to start")
}

// awaitBounded returns what ch delivers within abandonWait, or the zero
// value (for an error: nil) after that.
func awaitBounded[T any](ch <-chan T) T {
	timer := time.NewTimer(abandonWait)
	defer timer.Stop()
	select {
	case v := <-ch:
		return v
	case <-timer.C:
		var zero T
		return zero
	}
}

// connectError says why go-plugin could not connect, with the words of
// another process capped (see cerrors.Text).
func (c *Client) connectError(err error) error {
	if state := c.exitState(); state != nil {
		return fmt.Errorf("the process %s", describeExit(state))
	}
	return errors.New(cerrors.Text(err.Error()))
}

// exitState returns how the connector process ended, or nil if it runs (or
// the client did not start it).
func (c *Client) exitState() *os.ProcessState {
	if c.runner == nil {
		return nil
	}
	return c.runner.exitState()
}

// checkHealth asks the gRPC health service whether the connector serves,
// as go-plugin hosts do. The error completes "start connector PATH: " and
// says whether the process has exited; what the connector answered is
// capped (see cerrors.Text).
func (c *Client) checkHealth(ctx context.Context, conn grpc.ClientConnInterface) error {
	resp, err := grpc_health_v1.NewHealthClient(conn).Check(ctx, &grpc_health_v1.HealthCheckRequest{Service: plugin.GRPCServiceName})
	if err != nil {
		if state := c.exitState(); state != nil {
			return fmt.Errorf("the process %s during the gRPC health check", describeExit(state))
		}
		if ee := (*exitError)(nil); errors.As(err, &ee) && ee.runs {
			return fmt.Errorf("its gRPC health check of service %q could not reach it, although its process runs: %s", plugin.GRPCServiceName, ee.cause)
		}
		st := status.Convert(err)
		return fmt.Errorf("its gRPC health check of service %q failed (%s): %s", plugin.GRPCServiceName, st.Code(), cerrors.Text(st.Message()))
	}
	if resp.GetStatus() != grpc_health_v1.HealthCheckResponse_SERVING {
		return fmt.Errorf("its gRPC health check of service %q reports %v, want SERVING", plugin.GRPCServiceName, resp.GetStatus())
	}
	return nil
}

func dispense[T any](rpcClient plugin.ClientProtocol, name string) (T, error) {
	var zero T
	raw, err := rpcClient.Dispense(name)
	if err != nil {
		return zero, fmt.Errorf("dispense plugin %q: %w", name, err)
	}
	p, ok := raw.(T)
	if !ok {
		return zero, fmt.Errorf("dispense plugin %q: got a %T", name, raw)
	}
	return p, nil
}

// NewFromConn returns a Client that talks to a connector over an existing
// gRPC connection, without a process or a handshake: tests use it with
// server.NewGRPCServer to run host and connector in one process. The call
// options (for example grpc.MaxCallRecvMsgSize) apply to every call. Close
// does not close conn.
func NewFromConn(conn grpc.ClientConnInterface, opts ...grpc.CallOption) *Client {
	c := &Client{version: ProtocolVersion1, specifier: newSpecifierClient(conn, opts)}
	c.setPlugins(newSourceClient(conn, opts), newDestinationClient(conn, opts))
	return c
}

// setPlugins sets the client's source and destination from the transport's
// (package client's v1 or v2 adapters) and makes the other API's view of
// each.
func (c *Client) setPlugins(source, destination any) {
	switch s := source.(type) {
	case cpluginv2.SourcePlugin:
		c.source, c.sourceV2 = cpluginv2.ToV1Source(s), s
	case cpluginv1.SourcePlugin:
		c.source, c.sourceV2 = s, cpluginv2.FromV1Source(s)
	}
	switch d := destination.(type) {
	case cpluginv2.DestinationPlugin:
		c.destination, c.destinationV2 = cpluginv2.ToV1Destination(d), d
	case cpluginv1.DestinationPlugin:
		c.destination, c.destinationV2 = d, cpluginv2.FromV1Destination(d)
	}
}

// Specifier returns the connector's SpecifierPlugin.
func (c *Client) Specifier() cpluginv1.SpecifierPlugin { return c.specifier }

// Source returns the connector's SourcePlugin. A connector without a source
// answers every call with an error wrapping cpluginv1.ErrUnimplemented.
func (c *Client) Source() cpluginv1.SourcePlugin { return c.source }

// Destination returns the connector's DestinationPlugin. A connector
// without a destination answers every call with an error wrapping
// cpluginv1.ErrUnimplemented.
func (c *Client) Destination() cpluginv1.DestinationPlugin { return c.destination }

// SourceV2 returns the connector's source for protocol v2's Go API (package
// cpluginv2), whatever protocol version the client speaks: on protocol v2
// the Run stream carries the batches as they are; on v1 every record the
// connector sends is a batch of one, and acks go one per message. Drive it
// with cpluginv2.RunSource.
func (c *Client) SourceV2() cpluginv2.SourcePlugin { return c.sourceV2 }

// DestinationV2 returns the connector's destination for protocol v2's Go
// API, as SourceV2 does for the source. Drive it with
// cpluginv2.RunDestination.
func (c *Client) DestinationV2() cpluginv2.DestinationPlugin { return c.destinationV2 }

// ReattachConfig returns what New needs (as Config.Reattach) to connect to
// this client's connector process from another client, for example after
// the host restarted; nil for a client from NewFromConn.
func (c *Client) ReattachConfig() *plugin.ReattachConfig {
	if c.plugin == nil {
		return nil
	}
	rc := c.plugin.ReattachConfig()
	if rc == nil {
		return nil
	}
	out := *rc
	if out.Pid == 0 && c.runner != nil {
		// go-plugin knows the pid only of processes it started itself.
		out.Pid = c.runner.Pid()
	}
	if out.ProtocolVersion == 0 {
		// go-plugin knows the version only of processes it started itself.
		out.ProtocolVersion = c.version
	}
	return &out
}

// Exited reports whether the connector process has exited.
func (c *Client) Exited() bool {
	return c.plugin != nil && c.plugin.Exited()
}

// reapTimeout bounds how long Close waits for go-plugin to see a killed
// process gone. It is generous: go-plugin notices the end of a process it
// reattached to by polling once a second. For a process the client started
// the wait is killWait: the runner reaps it at once and drains its pipes
// within pipeDrainTimeout.
const (
	reapTimeout = 10 * time.Second
	killWait    = pipeDrainTimeout + 2*time.Second
)

// Close stops the connector process: it asks it to shut down, kills it (and
// its process group) if it has not exited after Config.CloseGrace (also
// when it does not answer the request to shut down at all), waits for it,
// removes its socket and stops every goroutine of the client. The processes
// left in the connector's process group when it exits are killed too. Calls still running fail with an
// error matching context.Canceled or ErrConnectorUnavailable. Close may be
// called more than once; it returns an error only if the process could not
// be reaped even after it was killed, and then leaves the goroutines that
// wait for it running.
func (c *Client) Close() error {
	c.closeOnce.Do(func() {
		if c.watch != nil {
			c.watch.closing.Store(true)
		}
		if c.plugin != nil {
			c.closeErr = c.stopProcess()
		}
		if c.utilities != nil {
			c.utilities.stop()
		}
		for _, w := range c.stdio {
			w.Flush()
		}
	})
	return c.closeErr
}

// stopProcess runs go-plugin's Kill, bounded by the grace period: if Kill
// has not returned by then, it kills the process, which ends go-plugin's
// shutdown request, and waits up to reapTimeout for Kill to return.
//
// go-plugin asks the connector to shut down with a call that has no
// deadline and ends only when the process exits, so a connector that hangs
// (or is stopped, or starved of CPU) would otherwise keep Close waiting
// forever.
func (c *Client) stopProcess() error {
	killed := make(chan struct{})
	go func() {
		defer close(killed)
		c.plugin.Kill()
	}()
	grace := c.closeGrace
	if grace <= 0 { // a Client made without New
		grace = DefaultCloseGrace
	}
	timer := time.NewTimer(grace)
	defer timer.Stop()
	select {
	case <-killed:
		return nil
	case <-timer.C:
	}

	pid := c.pid()
	wait := reapTimeout
	if c.runner != nil {
		_ = c.runner.Kill(context.Background())
		wait = killWait
	} else if pid > 0 {
		if p, err := os.FindProcess(pid); err == nil {
			_ = p.Kill() // an error means it has exited meanwhile
			// FindProcess may hold a pidfd: close it now, not when the
			// garbage collector gets to it.
			_ = p.Release()
		}
	}
	timer.Reset(wait)
	select {
	case <-killed:
		return nil
	case <-timer.C:
		name := c.path
		if name == "" {
			name = "(reattached)"
		}
		return fmt.Errorf("close connector %s: process %d did not exit within %v of being killed", name, pid, wait)
	}
}

// pid returns the connector's process ID, or 0 if it is not known.
func (c *Client) pid() int {
	if c.runner != nil {
		return c.runner.Pid()
	}
	return c.reattachPid
}

// clientPluginSet is go-plugin's plugin set of protocol version 1 on the
// host side.
func clientPluginSet(callOpts []grpc.CallOption) plugin.PluginSet {
	return plugin.PluginSet{
		pluginconfig.PluginSpecifier: grpcPlugin{dispense: func(conn *grpc.ClientConn) any {
			return newSpecifierClient(conn, callOpts)
		}},
		pluginconfig.PluginSource: grpcPlugin{dispense: func(conn *grpc.ClientConn) any {
			return newSourceClient(conn, callOpts)
		}},
		pluginconfig.PluginDestination: grpcPlugin{dispense: func(conn *grpc.ClientConn) any {
			return newDestinationClient(conn, callOpts)
		}},
	}
}

// grpcPlugin is the host side of one go-plugin plugin.
type grpcPlugin struct {
	plugin.NetRPCUnsupportedPlugin
	dispense func(*grpc.ClientConn) any
}

func (p grpcPlugin) GRPCClient(_ context.Context, _ *plugin.GRPCBroker, conn *grpc.ClientConn) (any, error) {
	return p.dispense(conn), nil
}

func (grpcPlugin) GRPCServer(*plugin.GRPCBroker, *grpc.Server) error {
	return errors.New("the host side serves no plugin: use package cpluginv1/server")
}

// startError rewords go-plugin's error for a process that ended before it
// printed the handshake line, which is what a connector that fails at
// startup (or an executable that is no connector) does.
func startError(err error) error {
	if strings.HasPrefix(err.Error(), "Unrecognized remote plugin message: \nFailed to read any lines") ||
		strings.HasPrefix(err.Error(), "plugin exited before we could connect") {
		return errors.New("the process exited before the plugin handshake (is it a connector for this machine?)")
	}
	return err
}
