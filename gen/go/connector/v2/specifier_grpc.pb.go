// Protocol v2 between a data-pipeline host (such as Conduit) and a connector.
// It is the protocol the Conduit server and its connector SDKs speak today,
// and it is wire-compatible with them.
//
// Package connector.v2 is split over three files: this one
// (SpecifierPlugin, and what holds for every service of the protocol),
// connector/v2/source.proto (SourcePlugin) and
// connector/v2/destination.proto (DestinationPlugin). A connector serves
// SpecifierPlugin always, and SourcePlugin and DestinationPlugin each only if
// it has that side; it answers every call of a side it does not have with
// UNIMPLEMENTED.
//
// # What changed since protocol v1
//
// Protocol v1 is connector/v1/connector.proto. Version 2 keeps its call
// order, lifecycle events, error codes and record format (opencdc.v1.Record)
// and changes three things:
//
//   - Run messages carry batches. A Source.Run.Response holds a list of
//     records and a Source.Run.Request a list of acks; the same holds for
//     Destination.Run.Request and Destination.Run.Response. The rules for
//     batches are at the top of source.proto and destination.proto.
//   - Start is called Open.
//   - A specification is its own message (Specification), and its
//     parameters are config.v1.Parameter (config/v1/parameter.proto). Their
//     field numbers differ from v1's Specifier.Parameter, and the deprecated
//     required flag is gone: translate between the two by field name, never
//     by copying bytes.
//
// # Starting a standalone connector
//
// The host starts the connector's executable once per pipeline connector and
// follows the hashicorp/go-plugin conventions, as in v1:
//
//   - The environment holds CONDUIT_PLUGIN_MAGIC_COOKIE=
//     204e8e812c3a1bb73b838928c575b42a105dd2e9aa449be481bc4590486df53f.
//     Without it, the connector prints a message for humans and exits with a
//     non-zero status.
//   - PLUGIN_PROTOCOL_VERSIONS lists the application protocol versions the
//     host speaks, comma-separated and in no particular order (the Conduit
//     server sends 1 and 2, for example "1,2" or "2,1"). This protocol is
//     version 2. A connector may serve both 1 and 2: it then uses the
//     highest version that the list contains and that it serves, and serves
//     that version's services (go-plugin picks it this way when the
//     connector registers one plugin set per version). A connector that
//     serves only version 2 cannot run under a host whose list lacks 2.
//   - The connector listens on a Unix socket (or TCP on loopback), serves
//     the gRPC health service reporting the service "plugin" as SERVING, and
//     prints exactly one line on stdout with the version it chose:
//     "1|2|unix|/path/to/socket|grpc" (core version, application protocol
//     version, network, address, protocol). The host speaks that version.
//   - The host also passes CONDUIT_CONNECTOR_ID, CONDUIT_CONNECTOR_LOG_LEVEL,
//     CONDUIT_CONNECTOR_MAX_RECEIVE_RECORD_SIZE, CONDUIT_CONNECTOR_TOKEN and
//     CONDUIT_CONNECTOR_UTILITIES_GRPC_TARGET (the connector utilities: see
//     connutils/v1/schema.proto). A connector must work when any of them is
//     absent.
//
// # Message size limits
//
// CONDUIT_CONNECTOR_MAX_RECEIVE_RECORD_SIZE (bytes, default 4194304) is the
// largest message the connector accepts: the connector sets it as its gRPC
// server's receive limit, as connectors built with the Go connector SDK do.
// Despite its name, in v2 it limits a whole received Run message, which
// holds a batch, not a single record. So the sender of a Run message keeps
// every message below the receiver's limit by splitting a batch over as
// many messages as it takes:
//
//   - The host splits the records it sends to a destination
//     (Destination.Run.Request) and the acks it sends to a source
//     (Source.Run.Request) so that each message stays below the connector's
//     CONDUIT_CONNECTOR_MAX_RECEIVE_RECORD_SIZE. A single record larger than
//     the limit cannot be delivered: the connector refuses the message with
//     RESOURCE_EXHAUSTED.
//   - The connector splits the records (Source.Run.Response) and acks
//     (Destination.Run.Response) it sends so that each message stays below
//     the host's receive limit. The variable does not limit what the
//     connector sends; the Conduit server accepts messages up to 2 GiB.
//
// Splitting changes nothing else: the order of records and acks across
// messages is what counts, not where one message ends.
//
// # Call order
//
// For each connector in a pipeline the host calls, in this order:
//
//  1. Configure, with the user's configuration.
//  2. LifecycleOnCreated on the first run of a new connector, or
//     LifecycleOnUpdated when the configuration changed since the last run.
//     Neither when nothing changed.
//  3. Open, then Run (one bidirectional stream for the whole run).
//  4. Stop, when the pipeline stops. The Run stream drains (see the Run and
//     Stop RPCs) and is closed by the host.
//  5. Teardown, always the last call. It may come at any time, also without
//     any previous call, and must release every resource.
//
// A connector that is deleted from the host gets LifecycleOnDeleted as its
// only call (then Teardown): no Configure comes before it (the Conduit server
// deletes a connector that way), and its request carries the configuration
// the connector had. SpecifierPlugin.Specify may come at any time. A call
// that arrives out of order is answered with FAILED_PRECONDITION.
//
// # Lifecycle events
//
// A connector answers a lifecycle event (LifecycleOnCreated,
// LifecycleOnUpdated, LifecycleOnDeleted) it has nothing to do for with
// success: an empty response. Never with UNIMPLEMENTED: the Conduit server
// fails the pipeline when a standalone connector answers a lifecycle event
// with UNIMPLEMENTED. Hosts should still accept UNIMPLEMENTED for a lifecycle
// event as "nothing to do", because some connectors answer it.
//
// # Errors
//
// Errors cross the process boundary as gRPC status codes, and the status
// message is shown to users as is. Codes that carry meaning:
//
//   - INVALID_ARGUMENT: the configuration or a request is not valid.
//   - UNIMPLEMENTED: the connector does not implement this RPC (never a
//     lifecycle event: see above). A connector must never answer a call it
//     does not implement with any other code.
//   - FAILED_PRECONDITION: the call came out of order (for example Run
//     before Open).
//   - CANCELED and DEADLINE_EXCEEDED: the caller's context ended; these
//     mirror the caller's own cancellation and deadline.
//   - RESOURCE_EXHAUSTED: a message was larger than the receiver allows
//     (see "Message size limits").
//   - INTERNAL (or any other code): everything else.

// Code generated by protoc-gen-go-grpc. DO NOT EDIT.
// versions:
// - protoc-gen-go-grpc v1.6.2
// - protoc             (unknown)
// source: connector/v2/specifier.proto

package connectorv2

import (
	context "context"
	grpc "google.golang.org/grpc"
	codes "google.golang.org/grpc/codes"
	status "google.golang.org/grpc/status"
)

// This is a compile-time assertion to ensure that this generated file
// is compatible with the grpc package it is being compiled against.
// Requires gRPC-Go v1.64.0 or later.
const _ = grpc.SupportPackageIsVersion9

const (
	SpecifierPlugin_Specify_FullMethodName = "/connector.v2.SpecifierPlugin/Specify"
)

// SpecifierPluginClient is the client API for SpecifierPlugin service.
//
// For semantics around ctx use and closing/ending streaming RPCs, please refer to https://pkg.go.dev/google.golang.org/grpc/?tab=doc#ClientConn.NewStream.
//
// SpecifierPlugin is served by every connector. It describes the connector
// and its configuration parameters. Hosts may call it before any other
// service, and also in a process that is started only for this call.
type SpecifierPluginClient interface {
	// Specify returns the connector's specification. It has no side effects,
	// needs no Configure before it, and may be called at any time.
	Specify(ctx context.Context, in *Specifier_Specify_Request, opts ...grpc.CallOption) (*Specifier_Specify_Response, error)
}

type specifierPluginClient struct {
	cc grpc.ClientConnInterface
}

func NewSpecifierPluginClient(cc grpc.ClientConnInterface) SpecifierPluginClient {
	return &specifierPluginClient{cc}
}

func (c *specifierPluginClient) Specify(ctx context.Context, in *Specifier_Specify_Request, opts ...grpc.CallOption) (*Specifier_Specify_Response, error) {
	cOpts := append([]grpc.CallOption{grpc.StaticMethod()}, opts...)
	out := new(Specifier_Specify_Response)
	err := c.cc.Invoke(ctx, SpecifierPlugin_Specify_FullMethodName, in, out, cOpts...)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// SpecifierPluginServer is the server API for SpecifierPlugin service.
// All implementations must embed UnimplementedSpecifierPluginServer
// for forward compatibility.
//
// SpecifierPlugin is served by every connector. It describes the connector
// and its configuration parameters. Hosts may call it before any other
// service, and also in a process that is started only for this call.
type SpecifierPluginServer interface {
	// Specify returns the connector's specification. It has no side effects,
	// needs no Configure before it, and may be called at any time.
	Specify(context.Context, *Specifier_Specify_Request) (*Specifier_Specify_Response, error)
	mustEmbedUnimplementedSpecifierPluginServer()
}

// UnimplementedSpecifierPluginServer must be embedded to have
// forward compatible implementations.
//
// NOTE: this should be embedded by value instead of pointer to avoid a nil
// pointer dereference when methods are called.
type UnimplementedSpecifierPluginServer struct{}

func (UnimplementedSpecifierPluginServer) Specify(context.Context, *Specifier_Specify_Request) (*Specifier_Specify_Response, error) {
	return nil, status.Error(codes.Unimplemented, "method Specify not implemented")
}
func (UnimplementedSpecifierPluginServer) mustEmbedUnimplementedSpecifierPluginServer() {}
func (UnimplementedSpecifierPluginServer) testEmbeddedByValue()                         {}

// UnsafeSpecifierPluginServer may be embedded to opt out of forward compatibility for this service.
// Use of this interface is not recommended, as added methods to SpecifierPluginServer will
// result in compilation errors.
type UnsafeSpecifierPluginServer interface {
	mustEmbedUnimplementedSpecifierPluginServer()
}

func RegisterSpecifierPluginServer(s grpc.ServiceRegistrar, srv SpecifierPluginServer) {
	// If the following call panics, it indicates UnimplementedSpecifierPluginServer was
	// embedded by pointer and is nil.  This will cause panics if an
	// unimplemented method is ever invoked, so we test this at initialization
	// time to prevent it from happening at runtime later due to I/O.
	if t, ok := srv.(interface{ testEmbeddedByValue() }); ok {
		t.testEmbeddedByValue()
	}
	s.RegisterService(&SpecifierPlugin_ServiceDesc, srv)
}

func _SpecifierPlugin_Specify_Handler(srv interface{}, ctx context.Context, dec func(interface{}) error, interceptor grpc.UnaryServerInterceptor) (interface{}, error) {
	in := new(Specifier_Specify_Request)
	if err := dec(in); err != nil {
		return nil, err
	}
	if interceptor == nil {
		return srv.(SpecifierPluginServer).Specify(ctx, in)
	}
	info := &grpc.UnaryServerInfo{
		Server:     srv,
		FullMethod: SpecifierPlugin_Specify_FullMethodName,
	}
	handler := func(ctx context.Context, req interface{}) (interface{}, error) {
		return srv.(SpecifierPluginServer).Specify(ctx, req.(*Specifier_Specify_Request))
	}
	return interceptor(ctx, in, info, handler)
}

// SpecifierPlugin_ServiceDesc is the grpc.ServiceDesc for SpecifierPlugin service.
// It's only intended for direct use with grpc.RegisterService,
// and not to be introspected or modified (even as a copy)
var SpecifierPlugin_ServiceDesc = grpc.ServiceDesc{
	ServiceName: "connector.v2.SpecifierPlugin",
	HandlerType: (*SpecifierPluginServer)(nil),
	Methods: []grpc.MethodDesc{
		{
			MethodName: "Specify",
			Handler:    _SpecifierPlugin_Specify_Handler,
		},
	},
	Streams:  []grpc.StreamDesc{},
	Metadata: "connector/v2/specifier.proto",
}
