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

// Code generated by protoc-gen-go. DO NOT EDIT.
// versions:
// 	protoc-gen-go v1.36.12
// 	protoc        (unknown)
// source: connector/v2/specifier.proto

package connectorv2

import (
	_ "buf.build/gen/go/bufbuild/protovalidate/protocolbuffers/go/buf/validate"
	v1 "github.com/connectorkit/conduit-connector-protocol/gen/go/config/v1"
	protoreflect "google.golang.org/protobuf/reflect/protoreflect"
	protoimpl "google.golang.org/protobuf/runtime/protoimpl"
	reflect "reflect"
	sync "sync"
	unsafe "unsafe"
)

const (
	// Verify that this generated code is sufficiently up-to-date.
	_ = protoimpl.EnforceVersion(20 - protoimpl.MinVersion)
	// Verify that runtime/protoimpl is sufficiently up-to-date.
	_ = protoimpl.EnforceVersion(protoimpl.MaxVersion - 20)
)

// Specification describes a connector: who it is and which parameters each
// of its sides accepts in Configure.
type Specification struct {
	state protoimpl.MessageState `protogen:"open.v1"`
	// The connector's name, unique among connectors (for example "file" or
	// "github.com/acme/conduit-connector-foo"). Required.
	Name string `protobuf:"bytes,1,opt,name=name,proto3" json:"name,omitempty"`
	// One line that says what the connector does.
	Summary string `protobuf:"bytes,2,opt,name=summary,proto3" json:"summary,omitempty"`
	// A longer description, in Markdown.
	Description string `protobuf:"bytes,3,opt,name=description,proto3" json:"description,omitempty"`
	// The connector's version, preferably semantic versioning with a "v"
	// prefix (for example "v1.2.3"). Any string is accepted, for example
	// "(devel)", which Go reports for builds without a module version.
	Version string `protobuf:"bytes,4,opt,name=version,proto3" json:"version,omitempty"`
	// Who wrote the connector (a person, a company, an e-mail address).
	Author string `protobuf:"bytes,5,opt,name=author,proto3" json:"author,omitempty"`
	// The parameters the destination side accepts in Configure, by parameter
	// name (not empty). Empty if the connector has no destination.
	DestinationParams map[string]*v1.Parameter `protobuf:"bytes,6,rep,name=destination_params,json=destinationParams,proto3" json:"destination_params,omitempty" protobuf_key:"bytes,1,opt,name=key" protobuf_val:"bytes,2,opt,name=value"`
	// The parameters the source side accepts in Configure, by parameter name
	// (not empty). Empty if the connector has no source.
	SourceParams  map[string]*v1.Parameter `protobuf:"bytes,7,rep,name=source_params,json=sourceParams,proto3" json:"source_params,omitempty" protobuf_key:"bytes,1,opt,name=key" protobuf_val:"bytes,2,opt,name=value"`
	unknownFields protoimpl.UnknownFields
	sizeCache     protoimpl.SizeCache
}

func (x *Specification) Reset() {
	*x = Specification{}
	mi := &file_connector_v2_specifier_proto_msgTypes[0]
	ms := protoimpl.X.MessageStateOf(protoimpl.Pointer(x))
	ms.StoreMessageInfo(mi)
}

func (x *Specification) String() string {
	return protoimpl.X.MessageStringOf(x)
}

func (*Specification) ProtoMessage() {}

func (x *Specification) ProtoReflect() protoreflect.Message {
	mi := &file_connector_v2_specifier_proto_msgTypes[0]
	if x != nil {
		ms := protoimpl.X.MessageStateOf(protoimpl.Pointer(x))
		if ms.LoadMessageInfo() == nil {
			ms.StoreMessageInfo(mi)
		}
		return ms
	}
	return mi.MessageOf(x)
}

// Deprecated: Use Specification.ProtoReflect.Descriptor instead.
func (*Specification) Descriptor() ([]byte, []int) {
	return file_connector_v2_specifier_proto_rawDescGZIP(), []int{0}
}

func (x *Specification) GetName() string {
	if x != nil {
		return x.Name
	}
	return ""
}

func (x *Specification) GetSummary() string {
	if x != nil {
		return x.Summary
	}
	return ""
}

func (x *Specification) GetDescription() string {
	if x != nil {
		return x.Description
	}
	return ""
}

func (x *Specification) GetVersion() string {
	if x != nil {
		return x.Version
	}
	return ""
}

func (x *Specification) GetAuthor() string {
	if x != nil {
		return x.Author
	}
	return ""
}

func (x *Specification) GetDestinationParams() map[string]*v1.Parameter {
	if x != nil {
		return x.DestinationParams
	}
	return nil
}

func (x *Specification) GetSourceParams() map[string]*v1.Parameter {
	if x != nil {
		return x.SourceParams
	}
	return nil
}

// Specifier groups the messages of SpecifierPlugin.
type Specifier struct {
	state         protoimpl.MessageState `protogen:"open.v1"`
	unknownFields protoimpl.UnknownFields
	sizeCache     protoimpl.SizeCache
}

func (x *Specifier) Reset() {
	*x = Specifier{}
	mi := &file_connector_v2_specifier_proto_msgTypes[1]
	ms := protoimpl.X.MessageStateOf(protoimpl.Pointer(x))
	ms.StoreMessageInfo(mi)
}

func (x *Specifier) String() string {
	return protoimpl.X.MessageStringOf(x)
}

func (*Specifier) ProtoMessage() {}

func (x *Specifier) ProtoReflect() protoreflect.Message {
	mi := &file_connector_v2_specifier_proto_msgTypes[1]
	if x != nil {
		ms := protoimpl.X.MessageStateOf(protoimpl.Pointer(x))
		if ms.LoadMessageInfo() == nil {
			ms.StoreMessageInfo(mi)
		}
		return ms
	}
	return mi.MessageOf(x)
}

// Deprecated: Use Specifier.ProtoReflect.Descriptor instead.
func (*Specifier) Descriptor() ([]byte, []int) {
	return file_connector_v2_specifier_proto_rawDescGZIP(), []int{1}
}

// Specify groups the messages of SpecifierPlugin.Specify.
type Specifier_Specify struct {
	state         protoimpl.MessageState `protogen:"open.v1"`
	unknownFields protoimpl.UnknownFields
	sizeCache     protoimpl.SizeCache
}

func (x *Specifier_Specify) Reset() {
	*x = Specifier_Specify{}
	mi := &file_connector_v2_specifier_proto_msgTypes[4]
	ms := protoimpl.X.MessageStateOf(protoimpl.Pointer(x))
	ms.StoreMessageInfo(mi)
}

func (x *Specifier_Specify) String() string {
	return protoimpl.X.MessageStringOf(x)
}

func (*Specifier_Specify) ProtoMessage() {}

func (x *Specifier_Specify) ProtoReflect() protoreflect.Message {
	mi := &file_connector_v2_specifier_proto_msgTypes[4]
	if x != nil {
		ms := protoimpl.X.MessageStateOf(protoimpl.Pointer(x))
		if ms.LoadMessageInfo() == nil {
			ms.StoreMessageInfo(mi)
		}
		return ms
	}
	return mi.MessageOf(x)
}

// Deprecated: Use Specifier_Specify.ProtoReflect.Descriptor instead.
func (*Specifier_Specify) Descriptor() ([]byte, []int) {
	return file_connector_v2_specifier_proto_rawDescGZIP(), []int{1, 0}
}

// Request of SpecifierPlugin.Specify. Empty.
type Specifier_Specify_Request struct {
	state         protoimpl.MessageState `protogen:"open.v1"`
	unknownFields protoimpl.UnknownFields
	sizeCache     protoimpl.SizeCache
}

func (x *Specifier_Specify_Request) Reset() {
	*x = Specifier_Specify_Request{}
	mi := &file_connector_v2_specifier_proto_msgTypes[5]
	ms := protoimpl.X.MessageStateOf(protoimpl.Pointer(x))
	ms.StoreMessageInfo(mi)
}

func (x *Specifier_Specify_Request) String() string {
	return protoimpl.X.MessageStringOf(x)
}

func (*Specifier_Specify_Request) ProtoMessage() {}

func (x *Specifier_Specify_Request) ProtoReflect() protoreflect.Message {
	mi := &file_connector_v2_specifier_proto_msgTypes[5]
	if x != nil {
		ms := protoimpl.X.MessageStateOf(protoimpl.Pointer(x))
		if ms.LoadMessageInfo() == nil {
			ms.StoreMessageInfo(mi)
		}
		return ms
	}
	return mi.MessageOf(x)
}

// Deprecated: Use Specifier_Specify_Request.ProtoReflect.Descriptor instead.
func (*Specifier_Specify_Request) Descriptor() ([]byte, []int) {
	return file_connector_v2_specifier_proto_rawDescGZIP(), []int{1, 0, 0}
}

// Response of SpecifierPlugin.Specify.
type Specifier_Specify_Response struct {
	state protoimpl.MessageState `protogen:"open.v1"`
	// The connector's specification. Required.
	Specification *Specification `protobuf:"bytes,1,opt,name=specification,proto3" json:"specification,omitempty"`
	unknownFields protoimpl.UnknownFields
	sizeCache     protoimpl.SizeCache
}

func (x *Specifier_Specify_Response) Reset() {
	*x = Specifier_Specify_Response{}
	mi := &file_connector_v2_specifier_proto_msgTypes[6]
	ms := protoimpl.X.MessageStateOf(protoimpl.Pointer(x))
	ms.StoreMessageInfo(mi)
}

func (x *Specifier_Specify_Response) String() string {
	return protoimpl.X.MessageStringOf(x)
}

func (*Specifier_Specify_Response) ProtoMessage() {}

func (x *Specifier_Specify_Response) ProtoReflect() protoreflect.Message {
	mi := &file_connector_v2_specifier_proto_msgTypes[6]
	if x != nil {
		ms := protoimpl.X.MessageStateOf(protoimpl.Pointer(x))
		if ms.LoadMessageInfo() == nil {
			ms.StoreMessageInfo(mi)
		}
		return ms
	}
	return mi.MessageOf(x)
}

// Deprecated: Use Specifier_Specify_Response.ProtoReflect.Descriptor instead.
func (*Specifier_Specify_Response) Descriptor() ([]byte, []int) {
	return file_connector_v2_specifier_proto_rawDescGZIP(), []int{1, 0, 1}
}

func (x *Specifier_Specify_Response) GetSpecification() *Specification {
	if x != nil {
		return x.Specification
	}
	return nil
}

var File_connector_v2_specifier_proto protoreflect.FileDescriptor

const file_connector_v2_specifier_proto_rawDesc = "" +
	"\n" +
	"\x1cconnector/v2/specifier.proto\x12\fconnector.v2\x1a\x1bbuf/validate/validate.proto\x1a\x19config/v1/parameter.proto\"\xa0\x04\n" +
	"\rSpecification\x12\x1b\n" +
	"\x04name\x18\x01 \x01(\tB\a\xbaH\x04r\x02\x10\x01R\x04name\x12\x18\n" +
	"\asummary\x18\x02 \x01(\tR\asummary\x12 \n" +
	"\vdescription\x18\x03 \x01(\tR\vdescription\x12\x18\n" +
	"\aversion\x18\x04 \x01(\tR\aversion\x12\x16\n" +
	"\x06author\x18\x05 \x01(\tR\x06author\x12o\n" +
	"\x12destination_params\x18\x06 \x03(\v22.connector.v2.Specification.DestinationParamsEntryB\f\xbaH\t\x9a\x01\x06\"\x04r\x02\x10\x01R\x11destinationParams\x12`\n" +
	"\rsource_params\x18\a \x03(\v2-.connector.v2.Specification.SourceParamsEntryB\f\xbaH\t\x9a\x01\x06\"\x04r\x02\x10\x01R\fsourceParams\x1aZ\n" +
	"\x16DestinationParamsEntry\x12\x10\n" +
	"\x03key\x18\x01 \x01(\tR\x03key\x12*\n" +
	"\x05value\x18\x02 \x01(\v2\x14.config.v1.ParameterR\x05value:\x028\x01\x1aU\n" +
	"\x11SourceParamsEntry\x12\x10\n" +
	"\x03key\x18\x01 \x01(\tR\x03key\x12*\n" +
	"\x05value\x18\x02 \x01(\v2\x14.config.v1.ParameterR\x05value:\x028\x01\"x\n" +
	"\tSpecifier\x1ak\n" +
	"\aSpecify\x1a\t\n" +
	"\aRequest\x1aU\n" +
	"\bResponse\x12I\n" +
	"\rspecification\x18\x01 \x01(\v2\x1b.connector.v2.SpecificationB\x06\xbaH\x03\xc8\x01\x01R\rspecification2o\n" +
	"\x0fSpecifierPlugin\x12\\\n" +
	"\aSpecify\x12'.connector.v2.Specifier.Specify.Request\x1a(.connector.v2.Specifier.Specify.ResponseBTZRgithub.com/connectorkit/conduit-connector-protocol/gen/go/connector/v2;connectorv2b\x06proto3"

var (
	file_connector_v2_specifier_proto_rawDescOnce sync.Once
	file_connector_v2_specifier_proto_rawDescData []byte
)

func file_connector_v2_specifier_proto_rawDescGZIP() []byte {
	file_connector_v2_specifier_proto_rawDescOnce.Do(func() {
		file_connector_v2_specifier_proto_rawDescData = protoimpl.X.CompressGZIP(unsafe.Slice(unsafe.StringData(file_connector_v2_specifier_proto_rawDesc), len(file_connector_v2_specifier_proto_rawDesc)))
	})
	return file_connector_v2_specifier_proto_rawDescData
}

var file_connector_v2_specifier_proto_msgTypes = make([]protoimpl.MessageInfo, 7)
var file_connector_v2_specifier_proto_goTypes = []any{
	(*Specification)(nil),              // 0: connector.v2.Specification
	(*Specifier)(nil),                  // 1: connector.v2.Specifier
	nil,                                // 2: connector.v2.Specification.DestinationParamsEntry
	nil,                                // 3: connector.v2.Specification.SourceParamsEntry
	(*Specifier_Specify)(nil),          // 4: connector.v2.Specifier.Specify
	(*Specifier_Specify_Request)(nil),  // 5: connector.v2.Specifier.Specify.Request
	(*Specifier_Specify_Response)(nil), // 6: connector.v2.Specifier.Specify.Response
	(*v1.Parameter)(nil),               // 7: config.v1.Parameter
}
var file_connector_v2_specifier_proto_depIdxs = []int32{
	2, // 0: connector.v2.Specification.destination_params:type_name -> connector.v2.Specification.DestinationParamsEntry
	3, // 1: connector.v2.Specification.source_params:type_name -> connector.v2.Specification.SourceParamsEntry
	7, // 2: connector.v2.Specification.DestinationParamsEntry.value:type_name -> config.v1.Parameter
	7, // 3: connector.v2.Specification.SourceParamsEntry.value:type_name -> config.v1.Parameter
	0, // 4: connector.v2.Specifier.Specify.Response.specification:type_name -> connector.v2.Specification
	5, // 5: connector.v2.SpecifierPlugin.Specify:input_type -> connector.v2.Specifier.Specify.Request
	6, // 6: connector.v2.SpecifierPlugin.Specify:output_type -> connector.v2.Specifier.Specify.Response
	6, // [6:7] is the sub-list for method output_type
	5, // [5:6] is the sub-list for method input_type
	5, // [5:5] is the sub-list for extension type_name
	5, // [5:5] is the sub-list for extension extendee
	0, // [0:5] is the sub-list for field type_name
}

func init() { file_connector_v2_specifier_proto_init() }
func file_connector_v2_specifier_proto_init() {
	if File_connector_v2_specifier_proto != nil {
		return
	}
	type x struct{}
	out := protoimpl.TypeBuilder{
		File: protoimpl.DescBuilder{
			GoPackagePath: reflect.TypeOf(x{}).PkgPath(),
			RawDescriptor: unsafe.Slice(unsafe.StringData(file_connector_v2_specifier_proto_rawDesc), len(file_connector_v2_specifier_proto_rawDesc)),
			NumEnums:      0,
			NumMessages:   7,
			NumExtensions: 0,
			NumServices:   1,
		},
		GoTypes:           file_connector_v2_specifier_proto_goTypes,
		DependencyIndexes: file_connector_v2_specifier_proto_depIdxs,
		MessageInfos:      file_connector_v2_specifier_proto_msgTypes,
	}.Build()
	File_connector_v2_specifier_proto = out.File
	file_connector_v2_specifier_proto_goTypes = nil
	file_connector_v2_specifier_proto_depIdxs = nil
}
