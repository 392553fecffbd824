package server

import (
	"fmt"
	"log/slog"
	"math"
	"strconv"

	"google.golang.org/grpc"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/connectorkit/conduit-connector-protocol/internal/wire"
)

// Option configures [Serve] and [NewGRPCServer].
type Option func(*options)

type options struct {
	grpcOptions    []grpc.ServerOption
	maxReceiveSize int // 0: not set
	maxSendSize    int // 0: not set
	logger         *slog.Logger
	schemas        cpluginv1.SchemaService // nil: from the environment, if the host offers one
	versions       []int                   // the protocol versions served, ascending; nil: both
	err            error                   // the first invalid option
}

// WithGRPCServerOptions adds options to the gRPC server, for example
// interceptors. The message size limits are set by WithMaxReceiveSize and
// WithMaxSendSize and override the options given here, as does the
// connector's own gRPC codec (a codec given here, as with
// grpc.ForceServerCodecV2, has no effect).
func WithGRPCServerOptions(opts ...grpc.ServerOption) Option {
	return func(o *options) { o.grpcOptions = append(o.grpcOptions, opts...) }
}

// WithMaxReceiveSize sets the largest message, in bytes, the connector
// accepts (in practice: the largest record a destination receives). A larger
// message fails the Run stream on both sides with an error wrapping
// [cpluginv1.ErrMessageTooLarge].
//
// The default is the value of the environment variable
// CONDUIT_CONNECTOR_MAX_RECEIVE_RECORD_SIZE, which the host sets to its own
// send limit, or [DefaultMaxMessageSize] if it is not set.
func WithMaxReceiveSize(bytes int) Option {
	return func(o *options) {
		if bytes <= 0 {
			o.setErr(fmt.Errorf("max receive size must be a positive number of bytes, got %d", bytes))
			return
		}
		o.maxReceiveSize = bytes
	}
}

// WithMaxSendSize sets the largest message, in bytes, the connector sends
// (in practice: the largest record a source sends). Send on a Run stream
// returns an error wrapping [cpluginv1.ErrMessageTooLarge] for a larger
// record and the stream ends on both sides.
//
// By default the connector does not limit what it sends (beyond gRPC's own
// 2 GiB): the host decides what it accepts, as it does for connectors built
// with the Go connector SDK (the Conduit server accepts up to 2 GiB). A
// record over the host's receive limit then fails the Run stream with the
// host's error.
func WithMaxSendSize(bytes int) Option {
	return func(o *options) {
		if bytes <= 0 {
			o.setErr(fmt.Errorf("max send size must be a positive number of bytes, got %d", bytes))
			return
		}
		o.maxSendSize = bytes
	}
}

// WithLogger sets the logger the server reports problems to (for example a
// recovered panic, with its stack trace). By default [Serve] writes JSON
// lines to stderr in the format hashicorp/go-plugin hosts parse, at the level
// in CONDUIT_CONNECTOR_LOG_LEVEL, and [NewGRPCServer] uses slog.Default().
func WithLogger(logger *slog.Logger) Option {
	return func(o *options) {
		if logger != nil {
			o.logger = logger
		}
	}
}

// WithSchemaService sets the schema service the connector's calls find with
// [cpluginv1.SchemaServiceFromContext]. By default [Serve] connects to the
// one the host offers (environment variables
// CONDUIT_CONNECTOR_UTILITIES_GRPC_TARGET and CONDUIT_CONNECTOR_TOKEN), and
// [NewGRPCServer] offers none. Tests use it to give a connector served with
// NewGRPCServer a registry.
func WithSchemaService(s cpluginv1.SchemaService) Option {
	return func(o *options) { o.schemas = s }
}

func (o *options) setErr(err error) {
	if o.err == nil {
		o.err = err
	}
}

// resolveOptions applies opts and fills in the defaults, reading the
// environment through getenv.
func resolveOptions(opts []Option, getenv func(string) string) (options, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	if o.err != nil {
		return options{}, o.err
	}
	if o.maxReceiveSize == 0 {
		o.maxReceiveSize = DefaultMaxMessageSize
		if v := getenv(EnvMaxReceiveRecordSize); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n <= 0 {
				return options{}, fmt.Errorf("environment variable %s=%q is not a positive number of bytes", EnvMaxReceiveRecordSize, v)
			}
			o.maxReceiveSize = n
		}
	}
	if o.maxSendSize == 0 {
		o.maxSendSize = math.MaxInt32
	}
	return o, nil
}

// serverOptions returns the options of the gRPC server: base (from
// go-plugin), the caller's, then the transports' codec (package wire, for
// the Run streams' records) and the size limits, which win: the Run
// streams of a server made here send and receive through that codec only.
func (o options) serverOptions(base []grpc.ServerOption) []grpc.ServerOption {
	out := make([]grpc.ServerOption, 0, len(base)+len(o.grpcOptions)+5)
	out = append(out, base...)
	out = append(out, o.grpcOptions...)
	if o.schemas != nil {
		out = append(out, withSchemaService(o.schemas)...)
	}
	return append(out, grpc.ForceServerCodecV2(wire.Codec{}), grpc.MaxRecvMsgSize(o.maxReceiveSize), grpc.MaxSendMsgSize(o.maxSendSize))
}
