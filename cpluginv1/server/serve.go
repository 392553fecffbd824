package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/user"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/go-hclog"
	plugin "github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	"google.golang.org/grpc/health/grpc_health_v1"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv2"
)

// Connector is what a connector process serves. Specifier is required in
// practice (hosts call Specify to learn what the connector is); a missing
// source or destination answers every call of that plugin with
// UNIMPLEMENTED, which hosts see as [cpluginv1.ErrUnimplemented].
//
// A source is written against protocol v1's Go API (Source, a record at a
// time) or v2's (SourceV2, a batch at a time); set at most one of the two,
// and likewise for the destination. Either is served to hosts of both
// protocol versions: a v1 plugin's records travel one per message on v2
// too, a v2 plugin's batches one record per message on v1.
type Connector struct {
	// Specifier describes the connector.
	Specifier cpluginv1.SpecifierPlugin
	// Source reads records, or is nil.
	Source cpluginv1.SourcePlugin
	// SourceV2 reads records in batches, or is nil.
	SourceV2 cpluginv2.SourcePlugin
	// Destination writes records, or is nil.
	Destination cpluginv1.DestinationPlugin
	// DestinationV2 writes records in batches, or is nil.
	DestinationV2 cpluginv2.DestinationPlugin
}

var errSpecifyUnimplemented = fmt.Errorf("specifier specify: %w", cpluginv1.ErrUnimplemented)

// validate reports a Connector that sets both versions of a plugin.
func (c Connector) validate() error {
	if c.Source != nil && c.SourceV2 != nil {
		return errors.New("serve connector: set Source or SourceV2, not both")
	}
	if c.Destination != nil && c.DestinationV2 != nil {
		return errors.New("serve connector: set Destination or DestinationV2, not both")
	}
	return nil
}

// withDefaults replaces the missing plugins by ones that answer every call,
// lifecycle events included, with ErrUnimplemented, in the same words as the
// built-in mode's cpluginv1.Unimplemented* types, and fills in each
// plugin's view for the other protocol version.
func (c Connector) withDefaults() Connector {
	if c.Specifier == nil {
		c.Specifier = unimplementedSpecifier{}
	}
	switch {
	case c.SourceV2 != nil:
		c.Source = cpluginv2.ToV1Source(c.SourceV2)
	case c.Source == nil:
		c.Source = missingSource{}
		fallthrough
	default:
		c.SourceV2 = cpluginv2.FromV1Source(c.Source)
	}
	switch {
	case c.DestinationV2 != nil:
		c.Destination = cpluginv2.ToV1Destination(c.DestinationV2)
	case c.Destination == nil:
		c.Destination = missingDestination{}
		fallthrough
	default:
		c.DestinationV2 = cpluginv2.FromV1Destination(c.Destination)
	}
	return c
}

// Serve serves the connector to the host that started this process and
// returns when the host stops it. Call it from main.
//
// Serve performs the hashicorp/go-plugin handshake (connector protocol
// versions 1 and 2, or those of [WithProtocolVersions]: go-plugin picks the
// highest one the host lists in PLUGIN_PROTOCOL_VERSIONS; plugins
// "specifier", "source" and "destination", gRPC only), and serves
// the gRPC health service (reporting "plugin" as SERVING) and go-plugin's
// controller and stdio services next to the connector's services.
//
// If the host asks for mutual TLS (it passes its certificate in
// PLUGIN_CLIENT_CERT), Serve serves over TLS with a certificate generated
// for this launch, which it sends to the host in the handshake line.
//
// A process started without the host's magic cookie (for example by a user
// in a terminal) prints a message saying what it is to stderr and exits with
// status 1: Serve does not return then. The cookie guards against running a
// connector by accident; it is not a secret and gives no security. Serve returns an error if an option
// or the environment set by the host is invalid; main should print it and
// exit with a non-zero status.
func Serve(c Connector, opts ...Option) error {
	if os.Getenv(MagicCookieKey) != MagicCookieValue {
		printNotStartedByHost(os.Stderr, c.Specifier)
		os.Exit(1)
	}
	// The socket goes into a directory only this user can enter, whatever
	// the host made (see privateSocketDir).
	dir, err := privateSocketDir(os.Getenv)
	if err != nil {
		return fmt.Errorf("serve connector: %w", err)
	}
	if dir != "" {
		defer func() { _ = os.RemoveAll(dir) }()
		if err := os.Setenv(plugin.EnvUnixSocketDir, dir); err != nil {
			return fmt.Errorf("serve connector: %w", err)
		}
	}
	// go-plugin points os.Stderr at a pipe to the host's stdio service once
	// it is serving; the logs keep going to the real stderr, which the host
	// reads as log lines.
	return serve(c, opts, os.Getenv, os.Stderr, nil)
}

// privateSocketDir makes the directory the connector's unix socket goes
// into, unless the host named one in PLUGIN_UNIX_SOCKET_DIR that only this
// user can enter (as hosts built with package cpluginv1/client do): a new
// directory, accessible to this user only (mode 0700), in the directory
// the host names (or the system's temporary directory). go-plugin makes the
// socket with the process's umask, so that a host that names a directory
// others can enter (or none) would otherwise leave the socket connectable
// by other users of the machine. If the host names a group in
// PLUGIN_UNIX_SOCKET_GROUP (to which go-plugin gives the socket), that
// group may enter the directory too (mode 0710). It returns "" if it made
// no directory: on Windows, where go-plugin serves on TCP, and for a
// private directory of the host.
func privateSocketDir(getenv func(string) string) (string, error) {
	base := getenv(plugin.EnvUnixSocketDir)
	if runtime.GOOS == "windows" || (base != "" && isPrivateDir(base)) {
		return "", nil
	}
	dir, err := os.MkdirTemp(base, "c")
	if err != nil {
		return "", fmt.Errorf("make a private directory for the unix socket: %w", err)
	}
	group := getenv(plugin.EnvUnixSocketGroup)
	if group == "" {
		return dir, nil // MkdirTemp makes it 0700, whatever the umask
	}
	gid, err := strconv.Atoi(group)
	if err != nil {
		g, lookupErr := user.LookupGroup(group)
		if lookupErr != nil {
			_ = os.Remove(dir)
			return "", fmt.Errorf("find the group %q of %s: %w", group, plugin.EnvUnixSocketGroup, lookupErr)
		}
		gid, err = strconv.Atoi(g.Gid)
	}
	if err == nil {
		err = os.Chown(dir, -1, gid)
	}
	if err == nil {
		err = os.Chmod(dir, 0o710) //nolint:gosec // a directory the group the host names may enter (not list): go-plugin gives the socket to that group
	}
	if err != nil {
		_ = os.Remove(dir)
		return "", fmt.Errorf("give the group %q of %s the unix socket's directory: %w", group, plugin.EnvUnixSocketGroup, err)
	}
	return dir, nil
}

// serve is Serve once the magic cookie is checked: it reads the environment
// through getenv and logs to stderr. With test set, go-plugin serves in the
// calling process until test.Context ends, without printing the handshake
// line or taking over stdout and stderr (see plugin.ServeTestConfig).
func serve(c Connector, opts []Option, getenv func(string) string, stderr io.Writer, test *plugin.ServeTestConfig) error {
	if err := c.validate(); err != nil {
		return err
	}
	o, err := resolveOptions(opts, getenv)
	if err != nil {
		return fmt.Errorf("serve connector: %w", err)
	}
	if o.schemas == nil {
		schemas, closeConn, err := dialUtilities(getenv)
		if err != nil {
			return fmt.Errorf("serve connector: %w", err)
		}
		defer closeConn()
		o.schemas = schemas
	}
	level := logLevel(getenv(EnvLogLevel))
	if o.logger == nil {
		o.logger = slog.New(newHCLogHandler(stderr, level))
	}

	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig:  Handshake,
		VersionedPlugins: versionedPlugins(c, o, panicGuard{logger: o.logger}),
		GRPCServer: func(base []grpc.ServerOption) *grpc.Server {
			return grpc.NewServer(o.serverOptions(base)...)
		},
		Logger: hclog.New(&hclog.LoggerOptions{
			Name:       "go-plugin",
			Output:     stderr,
			JSONFormat: true,
			Level:      hclogLevel(level),
		}),
		Test: test,
	})
	return nil
}

// NewGRPCServer returns a gRPC server that serves the connector's three
// services, in protocol v1 and v2 (or the versions of
// [WithProtocolVersions]; the services of the two versions have names of
// their own, so a host picks one by the client it uses), and the gRPC
// health service (reporting "plugin" as SERVING), with
// the options' message size limits, but without the plugin handshake and
// go-plugin's own services. Tests use it to serve a connector in the test's
// process (on a bufconn or unix socket listener) to a host built with
// client.NewFromConn.
func NewGRPCServer(c Connector, opts ...Option) (*grpc.Server, error) {
	if err := c.validate(); err != nil {
		return nil, err
	}
	o, err := resolveOptions(opts, os.Getenv)
	if err != nil {
		return nil, fmt.Errorf("new connector gRPC server: %w", err)
	}
	if o.logger == nil {
		o.logger = slog.Default()
	}
	s := grpc.NewServer(o.serverOptions(nil)...)
	registerVersions(s, c, o, panicGuard{logger: o.logger})
	healthServer := health.NewServer()
	healthServer.SetServingStatus(plugin.GRPCServiceName, grpc_health_v1.HealthCheckResponse_SERVING)
	grpc_health_v1.RegisterHealthServer(s, healthServer)
	return s, nil
}

// grpcPlugin is the connector side of one go-plugin plugin: it registers
// one gRPC service.
type grpcPlugin struct {
	plugin.NetRPCUnsupportedPlugin
	register func(*grpc.Server)
}

func (p grpcPlugin) GRPCServer(_ *plugin.GRPCBroker, s *grpc.Server) error {
	p.register(s)
	return nil
}

func (grpcPlugin) GRPCClient(context.Context, *plugin.GRPCBroker, *grpc.ClientConn) (any, error) {
	return nil, errors.New("the connector side has no gRPC client: use package cpluginv1/client")
}

// printNotStartedByHost tells a user who ran the connector by hand what it
// is and how it is meant to be used.
func printNotStartedByHost(w io.Writer, spec cpluginv1.SpecifierPlugin) {
	what := "a Conduit connector"
	if name, version := describe(spec); name != "" {
		what = fmt.Sprintf("the Conduit connector %q", name)
		if version != "" {
			what += " " + version
		}
	}
	_, _ = fmt.Fprintf(w, `This program is %s.
It is not meant to be run by hand: a Conduit host (or any host of the
Conduit connector protocol) starts it as a plugin process and talks to it
over gRPC. Make it available to the host, for example in Conduit's
connectors directory, and use it in a pipeline.
(It exits because %s is not set as a host sets it.)
`, what, MagicCookieKey)
}

// describe returns the connector's name and version, or empty strings if
// Specify fails, panics or takes long: the message is best effort.
func describe(spec cpluginv1.SpecifierPlugin) (name, version string) {
	if spec == nil {
		return "", ""
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	type result struct{ name, version string }
	done := make(chan result, 1)
	go func() {
		var r result
		defer func() {
			_ = recover()
			done <- r
		}()
		resp, err := spec.Specify(ctx, cpluginv1.SpecifierSpecifyRequest{})
		if err == nil {
			r = result{strings.TrimSpace(resp.Name), strings.TrimSpace(resp.Version)}
		}
	}()
	select {
	case r := <-done:
		return r.name, r.version
	case <-ctx.Done():
		return "", ""
	}
}
