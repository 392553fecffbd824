package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/hashicorp/go-hclog"
	plugin "github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	"google.golang.org/grpc/health/grpc_health_v1"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	connectorv1 "github.com/connectorkit/conduit-connector-protocol/gen/go/connector/v1"
)

// Connector is what a connector process serves. Specifier is required in
// practice (hosts call Specify to learn what the connector is); a nil
// Source or Destination answers every call of that plugin with
// UNIMPLEMENTED, which hosts see as [cpluginv1.ErrUnimplemented].
type Connector struct {
	// Specifier describes the connector.
	Specifier cpluginv1.SpecifierPlugin
	// Source reads records, or is nil if the connector has no source.
	Source cpluginv1.SourcePlugin
	// Destination writes records, or is nil if the connector has no
	// destination.
	Destination cpluginv1.DestinationPlugin
}

var errSpecifyUnimplemented = fmt.Errorf("specifier specify: %w", cpluginv1.ErrUnimplemented)

// withDefaults replaces the missing plugins by ones that answer every call,
// lifecycle events included, with ErrUnimplemented, in the same words as the
// built-in mode's cpluginv1.Unimplemented* types.
func (c Connector) withDefaults() Connector {
	if c.Specifier == nil {
		c.Specifier = unimplementedSpecifier{}
	}
	if c.Source == nil {
		c.Source = missingSource{}
	}
	if c.Destination == nil {
		c.Destination = missingDestination{}
	}
	return c
}

// Serve serves the connector to the host that started this process and
// returns when the host stops it. Call it from main.
//
// Serve performs the hashicorp/go-plugin handshake (protocol version 1,
// plugins "specifier", "source" and "destination", gRPC only), and serves
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
	// go-plugin points os.Stderr at a pipe to the host's stdio service once
	// it is serving; the logs keep going to the real stderr, which the host
	// reads as log lines.
	return serve(c, opts, os.Getenv, os.Stderr, nil)
}

// serve is Serve once the magic cookie is checked: it reads the environment
// through getenv and logs to stderr. With test set, go-plugin serves in the
// calling process until test.Context ends, without printing the handshake
// line or taking over stdout and stderr (see plugin.ServeTestConfig).
func serve(c Connector, opts []Option, getenv func(string) string, stderr io.Writer, test *plugin.ServeTestConfig) error {
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
		HandshakeConfig: Handshake,
		VersionedPlugins: map[int]plugin.PluginSet{
			ProtocolVersion: pluginSet(c, panicGuard{logger: o.logger}),
		},
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
// services and the gRPC health service (reporting "plugin" as SERVING), with
// the options' message size limits, but without the plugin handshake and
// go-plugin's own services. Tests use it to serve a connector in the test's
// process (on a bufconn or unix socket listener) to a host built with
// client.NewFromConn.
func NewGRPCServer(c Connector, opts ...Option) (*grpc.Server, error) {
	o, err := resolveOptions(opts, os.Getenv)
	if err != nil {
		return nil, fmt.Errorf("new connector gRPC server: %w", err)
	}
	if o.logger == nil {
		o.logger = slog.Default()
	}
	s := grpc.NewServer(o.serverOptions(nil)...)
	register(s, c, panicGuard{logger: o.logger})
	healthServer := health.NewServer()
	healthServer.SetServingStatus(plugin.GRPCServiceName, grpc_health_v1.HealthCheckResponse_SERVING)
	grpc_health_v1.RegisterHealthServer(s, healthServer)
	return s, nil
}

// register registers the connector's services on s, a server made here
// (with the transports' codec, package wire).
func register(s grpc.ServiceRegistrar, c Connector, g panicGuard) {
	c = c.withDefaults()
	connectorv1.RegisterSpecifierPluginServer(s, &specifierServer{impl: c.Specifier, guard: g})
	connectorv1.RegisterSourcePluginServer(s, &sourceServer{impl: c.Source, guard: g})
	connectorv1.RegisterDestinationPluginServer(s, &destinationServer{impl: c.Destination, guard: g})
}

// pluginSet is go-plugin's plugin set of protocol version 1.
func pluginSet(c Connector, g panicGuard) plugin.PluginSet {
	c = c.withDefaults()
	return plugin.PluginSet{
		PluginSpecifier: grpcPlugin{register: func(s *grpc.Server) {
			connectorv1.RegisterSpecifierPluginServer(s, &specifierServer{impl: c.Specifier, guard: g})
		}},
		PluginSource: grpcPlugin{register: func(s *grpc.Server) {
			connectorv1.RegisterSourcePluginServer(s, &sourceServer{impl: c.Source, guard: g})
		}},
		PluginDestination: grpcPlugin{register: func(s *grpc.Server) {
			connectorv1.RegisterDestinationPluginServer(s, &destinationServer{impl: c.Destination, guard: g})
		}},
	}
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
