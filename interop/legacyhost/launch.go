package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/conduitio/conduit-connector-protocol/pconnector"
	"github.com/conduitio/conduit-connector-protocol/pconnector/client"
	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
)

// onlyProtocol removes every protocol version but one from the client
// configuration. The existing host client (pconnector/client.New) offers
// versions 1 and 2, one go-plugin plugin set each (package pconnector/v1/client
// and pconnector/v2/client); go-plugin sends the versions left to the
// connector in PLUGIN_PROTOCOL_VERSIONS, so the connector has to pick this
// one: version 1, the non-batched Run streams of connector.v1, or version
// 2, the batches of connector.v2.
type onlyProtocol struct{ version int }

func (o onlyProtocol) ApplyOption(cfg *plugin.ClientConfig) error {
	set, ok := cfg.VersionedPlugins[o.version]
	if !ok {
		return fmt.Errorf("the client does not offer protocol version %d", o.version)
	}
	cfg.VersionedPlugins = map[int]plugin.PluginSet{o.version: set}
	return nil
}

// sourceClient is what the existing client dispenses as a source, at
// either version (*clientv1.SourcePluginClient, *clientv2.SourcePluginClient).
type sourceClient interface {
	pconnector.SourcePlugin
	NewStream() pconnector.SourceRunStream
}

// destinationClient is what the existing client dispenses as a
// destination, at either version.
type destinationClient interface {
	pconnector.DestinationPlugin
	NewStream() pconnector.DestinationRunStream
}

// connectorProcess is one launched connector process.
type connectorProcess struct {
	client *plugin.Client
	rpc    plugin.ClientProtocol
}

// launch starts the connector, performs the handshake and checks that it
// speaks the protocol version of opts (-protocol). The environment is what Conduit passes to a
// standalone connector; connectors built with the SDK refuse to start
// without the token, ID and utilities target.
func launch(opts options, path string) (*connectorProcess, error) {
	logger := nilSafeLogger{hclog.New(&hclog.LoggerOptions{
		Name:   "legacyhost",
		Output: os.Stderr,
		Level:  hclog.Warn,
	})}
	clientOpts := []client.Option{
		onlyProtocol{version: opts.protocol},
		client.WithEnvVar("CONDUIT_CONNECTOR_ID", "interop-connector"),
		client.WithEnvVar("CONDUIT_CONNECTOR_TOKEN", "interop-token"),
		// Never dialled: the interop connectors use no connector utilities.
		client.WithEnvVar("CONDUIT_CONNECTOR_UTILITIES_GRPC_TARGET", "127.0.0.1:1"),
		client.WithEnvVar("CONDUIT_CONNECTOR_LOG_LEVEL", "warn"),
	}
	for _, kv := range opts.env {
		key, value, _ := strings.Cut(kv, "=")
		clientOpts = append(clientOpts, client.WithEnvVar(key, value))
	}
	c, err := client.New(logger, path, clientOpts...)
	if err != nil {
		return nil, fmt.Errorf("create plugin client: %w", err)
	}
	rpc, err := c.Client()
	if err != nil {
		c.Kill()
		return nil, fmt.Errorf("start connector: %w", err)
	}
	if v := c.NegotiatedVersion(); v != opts.protocol {
		c.Kill()
		return nil, fmt.Errorf("connector negotiated protocol version %d, want %d", v, opts.protocol)
	}
	return &connectorProcess{client: c, rpc: rpc}, nil
}

// nilSafeLogger accepts the nil options client.New passes to
// StandardWriter, which hclog's own logger dereferences (Conduit passes its
// own logger implementation).
type nilSafeLogger struct{ hclog.Logger }

func (l nilSafeLogger) StandardWriter(opts *hclog.StandardLoggerOptions) io.Writer {
	if opts == nil {
		opts = &hclog.StandardLoggerOptions{}
	}
	return l.Logger.StandardWriter(opts)
}

// dispense returns the named plugin of the process as type T.
func dispense[T any](p *connectorProcess, name string) (T, error) {
	var zero T
	raw, err := p.rpc.Dispense(name)
	if err != nil {
		return zero, fmt.Errorf("dispense %s: %w", name, err)
	}
	out, ok := raw.(T)
	if !ok {
		return zero, fmt.Errorf("dispense %s: got %T, want %T", name, raw, zero)
	}
	return out, nil
}

// close stops the connector process (gracefully through go-plugin's
// controller service, forcefully after a grace period) and reaps it.
func (p *connectorProcess) close() { p.client.Kill() }
