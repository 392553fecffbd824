package contract_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"

	configv1 "github.com/connectorkit/conduit-connector-protocol/gen/go/config/v1"
	connectorv1 "github.com/connectorkit/conduit-connector-protocol/gen/go/connector/v1"
	connectorv2 "github.com/connectorkit/conduit-connector-protocol/gen/go/connector/v2"
	connutilsv1 "github.com/connectorkit/conduit-connector-protocol/gen/go/connutils/v1"
	metadatav1 "github.com/connectorkit/conduit-connector-protocol/gen/go/metadata/v1"
	opencdcv1 "github.com/connectorkit/conduit-connector-protocol/gen/go/opencdc/v1"
	schemav1 "github.com/connectorkit/conduit-connector-protocol/gen/go/schema/v1"
)

// The tables below are the wire contract, written by hand, not dumped from
// the descriptors. They hold what existing Conduit hosts and connectors
// speak: the names, numbers and types of the proto files of Conduit's own
// modules, connector/v1, connector/v2 and connutils/v1 of
// github.com/conduitio/conduit-connector-protocol v0.9.4, and opencdc/v1,
// schema/v1, metadata/v1 and config/v1 of github.com/conduitio/conduit-commons
// v0.6.0 (the versions interop/go.mod pins, which `make interop` exchanges
// protocol v1 messages with in both directions; protocol v2 and config/v1
// were compared with those modules' descriptors when they were added). A difference means the proto files
// drifted from that wire format. Change the tables only together with an
// intended, versioned change of the contract.
//
// A field is written "name = number : type", where type is a scalar kind
// (bytes, string, bool), "enum <full name>", "message <full name>",
// "repeated <type>" or "map<key, value>"; "(oneof x)" marks oneof members,
// "[deprecated]" deprecated fields. Map entry messages are not listed: they
// are part of the map type.

// wantFiles holds each contract file's path and proto package.
var wantFiles = map[string]string{
	"connector/v1/connector.proto":   "connector.v1",
	"connector/v2/source.proto":      "connector.v2",
	"connector/v2/destination.proto": "connector.v2",
	"connector/v2/specifier.proto":   "connector.v2",
	"config/v1/parameter.proto":      "config.v1",
	"opencdc/v1/opencdc.proto":       "opencdc.v1",
	"connutils/v1/schema.proto":      "connutils.v1",
	"schema/v1/schema.proto":         "schema.v1",
	"metadata/v1/constants.proto":    "metadata.v1",
}

// wantMessages maps every message's full name to its fields, in field
// number order.
var wantMessages = map[string][]string{
	// opencdc.v1
	"opencdc.v1.Record": {
		"position = 1 : bytes",
		"operation = 2 : enum opencdc.v1.Operation",
		"metadata = 3 : map<string, string>",
		"key = 4 : message opencdc.v1.Data",
		"payload = 5 : message opencdc.v1.Change",
	},
	"opencdc.v1.Change": {
		"before = 1 : message opencdc.v1.Data",
		"after = 2 : message opencdc.v1.Data",
	},
	"opencdc.v1.Data": {
		"raw_data = 1 : bytes (oneof data)",
		"structured_data = 2 : message google.protobuf.Struct (oneof data)",
	},

	// connector.v1: Source
	"connector.v1.Source":                              nil,
	"connector.v1.Source.Configure":                    nil,
	"connector.v1.Source.Configure.Request":            {"config = 1 : map<string, string>"},
	"connector.v1.Source.Configure.Response":           nil,
	"connector.v1.Source.Start":                        nil,
	"connector.v1.Source.Start.Request":                {"position = 1 : bytes"},
	"connector.v1.Source.Start.Response":               nil,
	"connector.v1.Source.Run":                          nil,
	"connector.v1.Source.Run.Request":                  {"ack_position = 1 : bytes"},
	"connector.v1.Source.Run.Response":                 {"record = 1 : message opencdc.v1.Record"},
	"connector.v1.Source.Stop":                         nil,
	"connector.v1.Source.Stop.Request":                 nil,
	"connector.v1.Source.Stop.Response":                {"last_position = 1 : bytes"},
	"connector.v1.Source.Teardown":                     nil,
	"connector.v1.Source.Teardown.Request":             nil,
	"connector.v1.Source.Teardown.Response":            nil,
	"connector.v1.Source.Lifecycle":                    nil,
	"connector.v1.Source.Lifecycle.OnCreated":          nil,
	"connector.v1.Source.Lifecycle.OnCreated.Request":  {"config = 1 : map<string, string>"},
	"connector.v1.Source.Lifecycle.OnCreated.Response": nil,
	"connector.v1.Source.Lifecycle.OnUpdated":          nil,
	"connector.v1.Source.Lifecycle.OnUpdated.Request": {
		"config_before = 1 : map<string, string>",
		"config_after = 2 : map<string, string>",
	},
	"connector.v1.Source.Lifecycle.OnUpdated.Response": nil,
	"connector.v1.Source.Lifecycle.OnDeleted":          nil,
	"connector.v1.Source.Lifecycle.OnDeleted.Request":  {"config = 1 : map<string, string>"},
	"connector.v1.Source.Lifecycle.OnDeleted.Response": nil,

	// connector.v1: Destination
	"connector.v1.Destination":                    nil,
	"connector.v1.Destination.Configure":          nil,
	"connector.v1.Destination.Configure.Request":  {"config = 1 : map<string, string>"},
	"connector.v1.Destination.Configure.Response": nil,
	"connector.v1.Destination.Start":              nil,
	"connector.v1.Destination.Start.Request":      nil,
	"connector.v1.Destination.Start.Response":     nil,
	"connector.v1.Destination.Run":                nil,
	"connector.v1.Destination.Run.Request":        {"record = 1 : message opencdc.v1.Record"},
	"connector.v1.Destination.Run.Response": {
		"ack_position = 1 : bytes",
		"error = 2 : string",
	},
	"connector.v1.Destination.Stop":                         nil,
	"connector.v1.Destination.Stop.Request":                 {"last_position = 1 : bytes"},
	"connector.v1.Destination.Stop.Response":                nil,
	"connector.v1.Destination.Teardown":                     nil,
	"connector.v1.Destination.Teardown.Request":             nil,
	"connector.v1.Destination.Teardown.Response":            nil,
	"connector.v1.Destination.Lifecycle":                    nil,
	"connector.v1.Destination.Lifecycle.OnCreated":          nil,
	"connector.v1.Destination.Lifecycle.OnCreated.Request":  {"config = 1 : map<string, string>"},
	"connector.v1.Destination.Lifecycle.OnCreated.Response": nil,
	"connector.v1.Destination.Lifecycle.OnUpdated":          nil,
	"connector.v1.Destination.Lifecycle.OnUpdated.Request": {
		"config_before = 1 : map<string, string>",
		"config_after = 2 : map<string, string>",
	},
	"connector.v1.Destination.Lifecycle.OnUpdated.Response": nil,
	"connector.v1.Destination.Lifecycle.OnDeleted":          nil,
	"connector.v1.Destination.Lifecycle.OnDeleted.Request":  {"config = 1 : map<string, string>"},
	"connector.v1.Destination.Lifecycle.OnDeleted.Response": nil,

	// connector.v1: Specifier
	"connector.v1.Specifier":                 nil,
	"connector.v1.Specifier.Specify":         nil,
	"connector.v1.Specifier.Specify.Request": nil,
	"connector.v1.Specifier.Specify.Response": {
		"name = 1 : string",
		"summary = 2 : string",
		"description = 3 : string",
		"version = 4 : string",
		"author = 5 : string",
		"destination_params = 6 : map<string, message connector.v1.Specifier.Parameter>",
		"source_params = 7 : map<string, message connector.v1.Specifier.Parameter>",
	},
	"connector.v1.Specifier.Parameter": {
		"default = 1 : string",
		"required = 2 : bool [deprecated]",
		"description = 3 : string",
		"type = 4 : enum connector.v1.Specifier.Parameter.Type",
		"validations = 5 : repeated message connector.v1.Specifier.Parameter.Validation",
	},
	"connector.v1.Specifier.Parameter.Validation": {
		"type = 1 : enum connector.v1.Specifier.Parameter.Validation.Type",
		"value = 2 : string",
	},

	// connector.v2: Source. Protocol v2 is v1 with Start renamed Open and
	// batches on the Run streams.
	"connector.v2.Source":                              nil,
	"connector.v2.Source.Configure":                    nil,
	"connector.v2.Source.Configure.Request":            {"config = 1 : map<string, string>"},
	"connector.v2.Source.Configure.Response":           nil,
	"connector.v2.Source.Open":                         nil,
	"connector.v2.Source.Open.Request":                 {"position = 1 : bytes"},
	"connector.v2.Source.Open.Response":                nil,
	"connector.v2.Source.Run":                          nil,
	"connector.v2.Source.Run.Request":                  {"ack_positions = 1 : repeated bytes"},
	"connector.v2.Source.Run.Response":                 {"records = 1 : repeated message opencdc.v1.Record"},
	"connector.v2.Source.Stop":                         nil,
	"connector.v2.Source.Stop.Request":                 nil,
	"connector.v2.Source.Stop.Response":                {"last_position = 1 : bytes"},
	"connector.v2.Source.Teardown":                     nil,
	"connector.v2.Source.Teardown.Request":             nil,
	"connector.v2.Source.Teardown.Response":            nil,
	"connector.v2.Source.Lifecycle":                    nil,
	"connector.v2.Source.Lifecycle.OnCreated":          nil,
	"connector.v2.Source.Lifecycle.OnCreated.Request":  {"config = 1 : map<string, string>"},
	"connector.v2.Source.Lifecycle.OnCreated.Response": nil,
	"connector.v2.Source.Lifecycle.OnUpdated":          nil,
	"connector.v2.Source.Lifecycle.OnUpdated.Request": {
		"config_before = 1 : map<string, string>",
		"config_after = 2 : map<string, string>",
	},
	"connector.v2.Source.Lifecycle.OnUpdated.Response": nil,
	"connector.v2.Source.Lifecycle.OnDeleted":          nil,
	"connector.v2.Source.Lifecycle.OnDeleted.Request":  {"config = 1 : map<string, string>"},
	"connector.v2.Source.Lifecycle.OnDeleted.Response": nil,

	// connector.v2: Destination
	"connector.v2.Destination":                    nil,
	"connector.v2.Destination.Configure":          nil,
	"connector.v2.Destination.Configure.Request":  {"config = 1 : map<string, string>"},
	"connector.v2.Destination.Configure.Response": nil,
	"connector.v2.Destination.Open":               nil,
	"connector.v2.Destination.Open.Request":       nil,
	"connector.v2.Destination.Open.Response":      nil,
	"connector.v2.Destination.Run":                nil,
	"connector.v2.Destination.Run.Request":        {"records = 1 : repeated message opencdc.v1.Record"},
	"connector.v2.Destination.Run.Response":       {"acks = 1 : repeated message connector.v2.Destination.Run.Response.Ack"},
	"connector.v2.Destination.Run.Response.Ack": {
		"position = 1 : bytes",
		"error = 2 : string",
	},
	"connector.v2.Destination.Stop":                         nil,
	"connector.v2.Destination.Stop.Request":                 {"last_position = 1 : bytes"},
	"connector.v2.Destination.Stop.Response":                nil,
	"connector.v2.Destination.Teardown":                     nil,
	"connector.v2.Destination.Teardown.Request":             nil,
	"connector.v2.Destination.Teardown.Response":            nil,
	"connector.v2.Destination.Lifecycle":                    nil,
	"connector.v2.Destination.Lifecycle.OnCreated":          nil,
	"connector.v2.Destination.Lifecycle.OnCreated.Request":  {"config = 1 : map<string, string>"},
	"connector.v2.Destination.Lifecycle.OnCreated.Response": nil,
	"connector.v2.Destination.Lifecycle.OnUpdated":          nil,
	"connector.v2.Destination.Lifecycle.OnUpdated.Request": {
		"config_before = 1 : map<string, string>",
		"config_after = 2 : map<string, string>",
	},
	"connector.v2.Destination.Lifecycle.OnUpdated.Response": nil,
	"connector.v2.Destination.Lifecycle.OnDeleted":          nil,
	"connector.v2.Destination.Lifecycle.OnDeleted.Request":  {"config = 1 : map<string, string>"},
	"connector.v2.Destination.Lifecycle.OnDeleted.Response": nil,

	// connector.v2: Specifier. The specification is a top-level message,
	// and its parameters come from config.v1.
	"connector.v2.Specification": {
		"name = 1 : string",
		"summary = 2 : string",
		"description = 3 : string",
		"version = 4 : string",
		"author = 5 : string",
		"destination_params = 6 : map<string, message config.v1.Parameter>",
		"source_params = 7 : map<string, message config.v1.Parameter>",
	},
	"connector.v2.Specifier":                 nil,
	"connector.v2.Specifier.Specify":         nil,
	"connector.v2.Specifier.Specify.Request": nil,
	"connector.v2.Specifier.Specify.Response": {
		"specification = 1 : message connector.v2.Specification",
	},

	// config.v1: the parameters of a v2 specification. The numbers differ
	// from connector.v1.Specifier.Parameter (no required flag), and
	// Validation is a top-level message.
	"config.v1.Parameter": {
		"default = 1 : string",
		"description = 2 : string",
		"type = 3 : enum config.v1.Parameter.Type",
		"validations = 4 : repeated message config.v1.Validation",
	},
	"config.v1.Validation": {
		"type = 1 : enum config.v1.Validation.Type",
		"value = 2 : string",
	},

	// connutils.v1 and schema.v1: the schema service a host offers
	"connutils.v1.CreateSchemaRequest": {
		"subject = 1 : string",
		"type = 2 : enum schema.v1.Schema.Type",
		"bytes = 3 : bytes",
	},
	"connutils.v1.CreateSchemaResponse": {"schema = 1 : message schema.v1.Schema"},
	"connutils.v1.GetSchemaRequest": {
		"subject = 1 : string",
		"version = 2 : int32",
	},
	"connutils.v1.GetSchemaResponse": {"schema = 1 : message schema.v1.Schema"},
	"schema.v1.Schema": {
		"subject = 1 : string",
		"version = 2 : int32",
		"id = 3 : int32",
		"type = 4 : enum schema.v1.Schema.Type",
		"bytes = 5 : bytes",
	},
}

// wantEnums maps every enum's full name to its values, in number order.
var wantEnums = map[string][]string{
	"opencdc.v1.Operation": {
		"OPERATION_UNSPECIFIED = 0",
		"OPERATION_CREATE = 1",
		"OPERATION_UPDATE = 2",
		"OPERATION_DELETE = 3",
		"OPERATION_SNAPSHOT = 4",
	},
	"connector.v1.Specifier.Parameter.Type": {
		"TYPE_UNSPECIFIED = 0",
		"TYPE_STRING = 1",
		"TYPE_INT = 2",
		"TYPE_FLOAT = 3",
		"TYPE_BOOL = 4",
		"TYPE_FILE = 5",
		"TYPE_DURATION = 6",
	},
	"connector.v1.Specifier.Parameter.Validation.Type": {
		"TYPE_UNSPECIFIED = 0",
		"TYPE_REQUIRED = 1",
		"TYPE_GREATER_THAN = 2",
		"TYPE_LESS_THAN = 3",
		"TYPE_INCLUSION = 4",
		"TYPE_EXCLUSION = 5",
		"TYPE_REGEX = 6",
	},
	"config.v1.Parameter.Type": {
		"TYPE_UNSPECIFIED = 0",
		"TYPE_STRING = 1",
		"TYPE_INT = 2",
		"TYPE_FLOAT = 3",
		"TYPE_BOOL = 4",
		"TYPE_FILE = 5",
		"TYPE_DURATION = 6",
	},
	"config.v1.Validation.Type": {
		"TYPE_UNSPECIFIED = 0",
		"TYPE_REQUIRED = 1",
		"TYPE_GREATER_THAN = 2",
		"TYPE_LESS_THAN = 3",
		"TYPE_INCLUSION = 4",
		"TYPE_EXCLUSION = 5",
		"TYPE_REGEX = 6",
	},
	"schema.v1.Schema.Type": {
		"TYPE_UNSPECIFIED = 0",
		"TYPE_AVRO = 1",
	},
}

// wantServices maps every service's full name to its RPCs, in declaration
// order, as "full method name(request) returns (response)" with "stream"
// marking a streamed side.
var wantServices = map[string][]string{
	"connector.v1.SourcePlugin": {
		"/connector.v1.SourcePlugin/Configure(connector.v1.Source.Configure.Request) returns (connector.v1.Source.Configure.Response)",
		"/connector.v1.SourcePlugin/Start(connector.v1.Source.Start.Request) returns (connector.v1.Source.Start.Response)",
		"/connector.v1.SourcePlugin/Run(stream connector.v1.Source.Run.Request) returns (stream connector.v1.Source.Run.Response)",
		"/connector.v1.SourcePlugin/Stop(connector.v1.Source.Stop.Request) returns (connector.v1.Source.Stop.Response)",
		"/connector.v1.SourcePlugin/Teardown(connector.v1.Source.Teardown.Request) returns (connector.v1.Source.Teardown.Response)",
		"/connector.v1.SourcePlugin/LifecycleOnCreated(connector.v1.Source.Lifecycle.OnCreated.Request) returns (connector.v1.Source.Lifecycle.OnCreated.Response)",
		"/connector.v1.SourcePlugin/LifecycleOnUpdated(connector.v1.Source.Lifecycle.OnUpdated.Request) returns (connector.v1.Source.Lifecycle.OnUpdated.Response)",
		"/connector.v1.SourcePlugin/LifecycleOnDeleted(connector.v1.Source.Lifecycle.OnDeleted.Request) returns (connector.v1.Source.Lifecycle.OnDeleted.Response)",
	},
	"connector.v1.DestinationPlugin": {
		"/connector.v1.DestinationPlugin/Configure(connector.v1.Destination.Configure.Request) returns (connector.v1.Destination.Configure.Response)",
		"/connector.v1.DestinationPlugin/Start(connector.v1.Destination.Start.Request) returns (connector.v1.Destination.Start.Response)",
		"/connector.v1.DestinationPlugin/Run(stream connector.v1.Destination.Run.Request) returns (stream connector.v1.Destination.Run.Response)",
		"/connector.v1.DestinationPlugin/Stop(connector.v1.Destination.Stop.Request) returns (connector.v1.Destination.Stop.Response)",
		"/connector.v1.DestinationPlugin/Teardown(connector.v1.Destination.Teardown.Request) returns (connector.v1.Destination.Teardown.Response)",
		"/connector.v1.DestinationPlugin/LifecycleOnCreated(connector.v1.Destination.Lifecycle.OnCreated.Request) returns (connector.v1.Destination.Lifecycle.OnCreated.Response)",
		"/connector.v1.DestinationPlugin/LifecycleOnUpdated(connector.v1.Destination.Lifecycle.OnUpdated.Request) returns (connector.v1.Destination.Lifecycle.OnUpdated.Response)",
		"/connector.v1.DestinationPlugin/LifecycleOnDeleted(connector.v1.Destination.Lifecycle.OnDeleted.Request) returns (connector.v1.Destination.Lifecycle.OnDeleted.Response)",
	},
	"connector.v1.SpecifierPlugin": {
		"/connector.v1.SpecifierPlugin/Specify(connector.v1.Specifier.Specify.Request) returns (connector.v1.Specifier.Specify.Response)",
	},
	"connector.v2.SourcePlugin": {
		"/connector.v2.SourcePlugin/Configure(connector.v2.Source.Configure.Request) returns (connector.v2.Source.Configure.Response)",
		"/connector.v2.SourcePlugin/Open(connector.v2.Source.Open.Request) returns (connector.v2.Source.Open.Response)",
		"/connector.v2.SourcePlugin/Run(stream connector.v2.Source.Run.Request) returns (stream connector.v2.Source.Run.Response)",
		"/connector.v2.SourcePlugin/Stop(connector.v2.Source.Stop.Request) returns (connector.v2.Source.Stop.Response)",
		"/connector.v2.SourcePlugin/Teardown(connector.v2.Source.Teardown.Request) returns (connector.v2.Source.Teardown.Response)",
		"/connector.v2.SourcePlugin/LifecycleOnCreated(connector.v2.Source.Lifecycle.OnCreated.Request) returns (connector.v2.Source.Lifecycle.OnCreated.Response)",
		"/connector.v2.SourcePlugin/LifecycleOnUpdated(connector.v2.Source.Lifecycle.OnUpdated.Request) returns (connector.v2.Source.Lifecycle.OnUpdated.Response)",
		"/connector.v2.SourcePlugin/LifecycleOnDeleted(connector.v2.Source.Lifecycle.OnDeleted.Request) returns (connector.v2.Source.Lifecycle.OnDeleted.Response)",
	},
	"connector.v2.DestinationPlugin": {
		"/connector.v2.DestinationPlugin/Configure(connector.v2.Destination.Configure.Request) returns (connector.v2.Destination.Configure.Response)",
		"/connector.v2.DestinationPlugin/Open(connector.v2.Destination.Open.Request) returns (connector.v2.Destination.Open.Response)",
		"/connector.v2.DestinationPlugin/Run(stream connector.v2.Destination.Run.Request) returns (stream connector.v2.Destination.Run.Response)",
		"/connector.v2.DestinationPlugin/Stop(connector.v2.Destination.Stop.Request) returns (connector.v2.Destination.Stop.Response)",
		"/connector.v2.DestinationPlugin/Teardown(connector.v2.Destination.Teardown.Request) returns (connector.v2.Destination.Teardown.Response)",
		"/connector.v2.DestinationPlugin/LifecycleOnCreated(connector.v2.Destination.Lifecycle.OnCreated.Request) returns (connector.v2.Destination.Lifecycle.OnCreated.Response)",
		"/connector.v2.DestinationPlugin/LifecycleOnUpdated(connector.v2.Destination.Lifecycle.OnUpdated.Request) returns (connector.v2.Destination.Lifecycle.OnUpdated.Response)",
		"/connector.v2.DestinationPlugin/LifecycleOnDeleted(connector.v2.Destination.Lifecycle.OnDeleted.Request) returns (connector.v2.Destination.Lifecycle.OnDeleted.Response)",
	},
	"connector.v2.SpecifierPlugin": {
		"/connector.v2.SpecifierPlugin/Specify(connector.v2.Specifier.Specify.Request) returns (connector.v2.Specifier.Specify.Response)",
	},
	"connutils.v1.SchemaService": {
		"/connutils.v1.SchemaService/CreateSchema(connutils.v1.CreateSchemaRequest) returns (connutils.v1.CreateSchemaResponse)",
		"/connutils.v1.SchemaService/GetSchema(connutils.v1.GetSchemaRequest) returns (connutils.v1.GetSchemaResponse)",
	},
}

// wantExtensions lists the extensions declared in the contract, file by
// file, in number order, as "full name = number : type extends message =
// value", where value is the option's value set on the declaring file itself.
var wantExtensions = []string{
	`opencdc.v1.opencdc_version = 9999 : string extends google.protobuf.FileOptions = "v1"`,
	`opencdc.v1.metadata_version = 10000 : string extends google.protobuf.FileOptions = "opencdc.version"`,
	`opencdc.v1.metadata_created_at = 10001 : string extends google.protobuf.FileOptions = "opencdc.createdAt"`,
	`opencdc.v1.metadata_read_at = 10002 : string extends google.protobuf.FileOptions = "opencdc.readAt"`,
	`opencdc.v1.metadata_collection = 10003 : string extends google.protobuf.FileOptions = "opencdc.collection"`,
	`opencdc.v1.metadata_key_schema_subject = 10004 : string extends google.protobuf.FileOptions = "opencdc.key.schema.subject"`,
	`opencdc.v1.metadata_key_schema_version = 10005 : string extends google.protobuf.FileOptions = "opencdc.key.schema.version"`,
	`opencdc.v1.metadata_payload_schema_subject = 10006 : string extends google.protobuf.FileOptions = "opencdc.payload.schema.subject"`,
	`opencdc.v1.metadata_payload_schema_version = 10007 : string extends google.protobuf.FileOptions = "opencdc.payload.schema.version"`,
	`opencdc.v1.metadata_file_name = 10008 : string extends google.protobuf.FileOptions = "opencdc.file.name"`,
	`opencdc.v1.metadata_file_size = 10009 : string extends google.protobuf.FileOptions = "opencdc.file.size"`,
	`opencdc.v1.metadata_file_hash = 10010 : string extends google.protobuf.FileOptions = "opencdc.file.hash"`,
	`opencdc.v1.metadata_file_chunked = 10011 : string extends google.protobuf.FileOptions = "opencdc.file.chunked"`,
	`opencdc.v1.metadata_file_chunk_index = 10012 : string extends google.protobuf.FileOptions = "opencdc.file.chunk.index"`,
	`opencdc.v1.metadata_file_chunk_count = 10013 : string extends google.protobuf.FileOptions = "opencdc.file.chunk.count"`,
	`metadata.v1.metadata_conduit_source_plugin_name = 20000 : string extends google.protobuf.FileOptions = "conduit.source.plugin.name"`,
	`metadata.v1.metadata_conduit_source_plugin_version = 20001 : string extends google.protobuf.FileOptions = "conduit.source.plugin.version"`,
	`metadata.v1.metadata_conduit_destination_plugin_name = 20002 : string extends google.protobuf.FileOptions = "conduit.destination.plugin.name"`,
	`metadata.v1.metadata_conduit_destination_plugin_version = 20003 : string extends google.protobuf.FileOptions = "conduit.destination.plugin.version"`,
	`metadata.v1.metadata_conduit_source_connector_id = 20004 : string extends google.protobuf.FileOptions = "conduit.source.connector.id"`,
	`metadata.v1.metadata_conduit_dlq_nack_error = 20005 : string extends google.protobuf.FileOptions = "conduit.dlq.nack.error"`,
	`metadata.v1.metadata_conduit_dlq_nack_node_id = 20006 : string extends google.protobuf.FileOptions = "conduit.dlq.nack.node.id"`,
}

// contractFiles are the descriptors compiled into the generated packages;
// walking them checks what a host or connector built from gen/go speaks.
var contractFiles = []protoreflect.FileDescriptor{
	connectorv1.File_connector_v1_connector_proto,
	connectorv2.File_connector_v2_source_proto,
	connectorv2.File_connector_v2_destination_proto,
	connectorv2.File_connector_v2_specifier_proto,
	configv1.File_config_v1_parameter_proto,
	opencdcv1.File_opencdc_v1_opencdc_proto,
	connutilsv1.File_connutils_v1_schema_proto,
	schemav1.File_schema_v1_schema_proto,
	metadatav1.File_metadata_v1_constants_proto,
}

func TestContractFiles(t *testing.T) {
	got := map[string]string{}
	for _, fd := range contractFiles {
		got[fd.Path()] = string(fd.Package())
	}
	if diff := cmp.Diff(wantFiles, got); diff != "" {
		t.Errorf("contract files and packages differ from the design (-want +got):\n%s", diff)
	}
}

func TestContractMessages(t *testing.T) {
	got := map[string][]string{}
	for _, fd := range contractFiles {
		walkMessages(fd.Messages(), func(md protoreflect.MessageDescriptor) {
			var fields []string
			for i := range md.Fields().Len() {
				fields = append(fields, describeField(md.Fields().Get(i)))
			}
			got[string(md.FullName())] = fields
		})
	}
	// Fields() lists fields in declaration order; the tables are in number
	// order, which is the order the proto files declare them in. A reordering
	// in the file shows up here too, which is fine: it is a diff to review.
	if diff := cmp.Diff(wantMessages, got); diff != "" {
		t.Errorf("messages differ from the wire contract (-want +got):\n%s", diff)
	}
}

func TestContractEnums(t *testing.T) {
	got := map[string][]string{}
	collect := func(eds protoreflect.EnumDescriptors) {
		for i := range eds.Len() {
			ed := eds.Get(i)
			var values []string
			for j := range ed.Values().Len() {
				value := ed.Values().Get(j)
				values = append(values, fmt.Sprintf("%s = %d", value.Name(), value.Number()))
			}
			got[string(ed.FullName())] = values
		}
	}
	for _, fd := range contractFiles {
		collect(fd.Enums())
		walkMessages(fd.Messages(), func(md protoreflect.MessageDescriptor) { collect(md.Enums()) })
	}
	if diff := cmp.Diff(wantEnums, got); diff != "" {
		t.Errorf("enums differ from the wire contract (-want +got):\n%s", diff)
	}
}

func TestContractServices(t *testing.T) {
	got := map[string][]string{}
	for _, fd := range contractFiles {
		for i := range fd.Services().Len() {
			sd := fd.Services().Get(i)
			var methods []string
			for j := range sd.Methods().Len() {
				md := sd.Methods().Get(j)
				methods = append(methods, fmt.Sprintf("/%s/%s(%s%s) returns (%s%s)",
					sd.FullName(), md.Name(),
					streamPrefix(md.IsStreamingClient()), md.Input().FullName(),
					streamPrefix(md.IsStreamingServer()), md.Output().FullName()))
			}
			got[string(sd.FullName())] = methods
		}
	}
	if diff := cmp.Diff(wantServices, got); diff != "" {
		t.Errorf("services differ from the wire contract (-want +got):\n%s", diff)
	}
}

// TestContractGRPCServiceDescs checks the generated gRPC code, which is what
// actually routes calls, against the same table: the full method names a
// server registers and the streaming shape of each RPC. Request and response
// types are not in grpc.ServiceDesc; the descriptor test covers them.
func TestContractGRPCServiceDescs(t *testing.T) {
	got := map[string][]string{}
	for _, desc := range []grpc.ServiceDesc{
		connectorv1.SourcePlugin_ServiceDesc,
		connectorv1.DestinationPlugin_ServiceDesc,
		connectorv1.SpecifierPlugin_ServiceDesc,
		connectorv2.SourcePlugin_ServiceDesc,
		connectorv2.DestinationPlugin_ServiceDesc,
		connectorv2.SpecifierPlugin_ServiceDesc,
		connutilsv1.SchemaService_ServiceDesc,
	} {
		var methods []string
		for _, method := range desc.Methods {
			methods = append(methods, fmt.Sprintf("/%s/%s unary", desc.ServiceName, method.MethodName))
		}
		for _, stream := range desc.Streams {
			methods = append(methods, fmt.Sprintf("/%s/%s client-stream=%t server-stream=%t",
				desc.ServiceName, stream.StreamName, stream.ClientStreams, stream.ServerStreams))
		}
		got[desc.ServiceName] = methods
	}

	// Derive the expectation from wantServices; grpc.ServiceDesc lists unary
	// methods first, then streams.
	want := map[string][]string{}
	for service, rpcs := range wantServices {
		var unary, streams []string
		for _, rpc := range rpcs {
			fullMethod, rest, _ := strings.Cut(rpc, "(")
			clientStream := strings.HasPrefix(rest, "stream ")
			serverStream := strings.Contains(rest, "returns (stream ")
			if !clientStream && !serverStream {
				unary = append(unary, fullMethod+" unary")
				continue
			}
			streams = append(streams, fmt.Sprintf("%s client-stream=%t server-stream=%t", fullMethod, clientStream, serverStream))
		}
		want[service] = append(unary, streams...)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("generated gRPC service descriptions differ from the wire contract (-want +got):\n%s", diff)
	}
}

func TestContractExtensions(t *testing.T) {
	var got []string
	for _, fd := range contractFiles {
		for i := range fd.Extensions().Len() {
			xd := fd.Extensions().Get(i)
			// The value comes from the options of the file that declares the
			// extension: opencdc.proto sets each of its own options.
			options := fd.Options().(*descriptorpb.FileOptions)
			value := "<unset>"
			if xt := extensionType(t, xd); proto.HasExtension(options, xt) {
				value = fmt.Sprintf("%q", proto.GetExtension(options, xt))
			}
			got = append(got, fmt.Sprintf("%s = %d : %s extends %s = %s",
				xd.FullName(), xd.Number(), describeType(xd), xd.ContainingMessage().FullName(), value))
		}
	}
	if diff := cmp.Diff(wantExtensions, got); diff != "" {
		t.Errorf("extensions differ from the wire contract (-want +got):\n%s", diff)
	}
}

// extensionType finds the Go type of an extension registered by the
// generated package, which proto.GetExtension needs to read the option.
func extensionType(t *testing.T, xd protoreflect.ExtensionDescriptor) protoreflect.ExtensionType {
	t.Helper()
	xt, err := protoregistry.GlobalTypes.FindExtensionByName(xd.FullName())
	if err != nil {
		t.Fatalf("no generated Go type for extension %s: %v", xd.FullName(), err)
	}
	return xt
}

// walkMessages calls fn for every message in mds and the messages nested in
// them, depth first, skipping map entries (they are part of a map field's
// type, not messages of the contract).
func walkMessages(mds protoreflect.MessageDescriptors, fn func(protoreflect.MessageDescriptor)) {
	for i := range mds.Len() {
		md := mds.Get(i)
		if md.IsMapEntry() {
			continue
		}
		fn(md)
		walkMessages(md.Messages(), fn)
	}
}

// describeField renders a field as "name = number : type" plus markers, the
// notation of wantMessages.
func describeField(fd protoreflect.FieldDescriptor) string {
	s := fmt.Sprintf("%s = %d : %s", fd.Name(), fd.Number(), describeType(fd))
	if oneof := fd.ContainingOneof(); oneof != nil && !oneof.IsSynthetic() {
		s += fmt.Sprintf(" (oneof %s)", oneof.Name())
	}
	if options, ok := fd.Options().(*descriptorpb.FieldOptions); ok && options.GetDeprecated() {
		s += " [deprecated]"
	}
	return s
}

// describeType renders a field's cardinality and type: "map<k, v>",
// "repeated t", "optional t" (proto3 explicit presence) or a plain type.
func describeType(fd protoreflect.FieldDescriptor) string {
	switch {
	case fd.IsMap():
		return fmt.Sprintf("map<%s, %s>", describeType(fd.MapKey()), describeType(fd.MapValue()))
	case fd.Cardinality() == protoreflect.Repeated:
		return "repeated " + describeKind(fd)
	case fd.HasOptionalKeyword():
		return "optional " + describeKind(fd)
	default:
		return describeKind(fd)
	}
}

// describeKind renders a field's kind, with the full name for messages and
// enums.
func describeKind(fd protoreflect.FieldDescriptor) string {
	switch fd.Kind() {
	case protoreflect.MessageKind, protoreflect.GroupKind:
		return "message " + string(fd.Message().FullName())
	case protoreflect.EnumKind:
		return "enum " + string(fd.Enum().FullName())
	default:
		return fd.Kind().String()
	}
}

func streamPrefix(streaming bool) string {
	if streaming {
		return "stream "
	}
	return ""
}
