package contract_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"testing"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/connectorkit/conduit-connector-protocol/contract"
	configv1 "github.com/connectorkit/conduit-connector-protocol/gen/go/config/v1"
	connectorv1 "github.com/connectorkit/conduit-connector-protocol/gen/go/connector/v1"
	connectorv2 "github.com/connectorkit/conduit-connector-protocol/gen/go/connector/v2"
	connutilsv1 "github.com/connectorkit/conduit-connector-protocol/gen/go/connutils/v1"
	opencdcv1 "github.com/connectorkit/conduit-connector-protocol/gen/go/opencdc/v1"
	schemav1 "github.com/connectorkit/conduit-connector-protocol/gen/go/schema/v1"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden from the in-test messages")

const goldenDir = "testdata/golden"

// Golden files pin the bytes on the wire. Every case is stored twice:
//
//   - NAME.binpb, the binary encoding, is compared byte for byte with
//     proto.MarshalOptions{Deterministic: true} (map entries sorted by key).
//     Binary encoding is what travels over gRPC, so a changed field number or
//     wire type shows up as a byte diff.
//   - NAME.json, the protojson encoding (what tools and non-Go authors read),
//     is compared after decoding, never as text: protojson deliberately adds
//     random whitespace so that nobody depends on its exact output. The test
//     decodes the file with protojson and compares the message with
//     proto.Equal, and also compares the generic JSON values (field names,
//     enum names, base64 bytes), so a renamed field or enum value fails too.
//
// Run `go test ./contract -update` to rewrite the files after an intended
// change; without the flag the tests only read them.

// goldenCase is one message with a stable name; the name is the file name
// without extension.
type goldenCase struct {
	name string
	msg  proto.Message
}

// rawRecord is a record carrying raw data, with every field set.
func rawRecord() *opencdcv1.Record {
	return &opencdcv1.Record{
		Position:  []byte("pos-0001"),
		Operation: opencdcv1.Operation_OPERATION_UPDATE,
		Metadata: map[string]string{
			"opencdc.version":    "v1",
			"opencdc.readAt":     "1700000000000000000",
			"opencdc.collection": "users",
		},
		Key: &opencdcv1.Data{Data: &opencdcv1.Data_RawData{RawData: []byte("user-42")}},
		Payload: &opencdcv1.Change{
			Before: &opencdcv1.Data{Data: &opencdcv1.Data_RawData{RawData: []byte(`{"name":"Ada"}`)}},
			After:  &opencdcv1.Data{Data: &opencdcv1.Data_RawData{RawData: []byte{0x00, 0xff, 0x10, '"'}}},
		},
	}
}

// structuredRecord is a record carrying structured data of every kind a
// google.protobuf.Struct can hold.
func structuredRecord() *opencdcv1.Record {
	key, err := structpb.NewStruct(map[string]any{"id": 42})
	if err != nil {
		panic(err)
	}
	before, err := structpb.NewStruct(map[string]any{"name": "Ada", "active": false})
	if err != nil {
		panic(err)
	}
	after, err := structpb.NewStruct(map[string]any{
		"name":    "Ada Lovelace",
		"active":  true,
		"score":   1.5,
		"nothing": nil,
		"tags":    []any{"math", 1815.0, true},
		"address": map[string]any{"city": "London", "zip": "W1"},
	})
	if err != nil {
		panic(err)
	}
	return &opencdcv1.Record{
		Position:  []byte{0x01, 0x02, 0x03},
		Operation: opencdcv1.Operation_OPERATION_CREATE,
		Metadata:  map[string]string{"opencdc.createdAt": "1700000000000000000"},
		Key:       &opencdcv1.Data{Data: &opencdcv1.Data_StructuredData{StructuredData: key}},
		Payload: &opencdcv1.Change{
			Before: &opencdcv1.Data{Data: &opencdcv1.Data_StructuredData{StructuredData: before}},
			After:  &opencdcv1.Data{Data: &opencdcv1.Data_StructuredData{StructuredData: after}},
		},
	}
}

func config() map[string]string {
	return map[string]string{"path": "/tmp/in.txt", "batch.size": "100", "": "empty key is allowed"}
}

// goldenCases has a populated instance of every request and response of the
// services of protocols v1 and v2 and of the connector utilities (empty
// messages stay empty: there is nothing to populate), named after the
// message, plus one record with raw and one with structured data.
func goldenCases() []goldenCase {
	return append(goldenCasesV1(), goldenCasesV2()...)
}

func goldenCasesV1() []goldenCase {
	return []goldenCase{
		{"opencdc.v1.Record.raw", rawRecord()},
		{"opencdc.v1.Record.structured", structuredRecord()},

		{"connector.v1.Source.Configure.Request", &connectorv1.Source_Configure_Request{Config: config()}},
		{"connector.v1.Source.Configure.Response", &connectorv1.Source_Configure_Response{}},
		{"connector.v1.Source.Start.Request", &connectorv1.Source_Start_Request{Position: []byte("pos-0001")}},
		{"connector.v1.Source.Start.Response", &connectorv1.Source_Start_Response{}},
		{"connector.v1.Source.Run.Request", &connectorv1.Source_Run_Request{AckPosition: []byte("pos-0001")}},
		{"connector.v1.Source.Run.Response", &connectorv1.Source_Run_Response{Record: rawRecord()}},
		{"connector.v1.Source.Stop.Request", &connectorv1.Source_Stop_Request{}},
		{"connector.v1.Source.Stop.Response", &connectorv1.Source_Stop_Response{LastPosition: []byte("pos-0002")}},
		{"connector.v1.Source.Teardown.Request", &connectorv1.Source_Teardown_Request{}},
		{"connector.v1.Source.Teardown.Response", &connectorv1.Source_Teardown_Response{}},
		{"connector.v1.Source.Lifecycle.OnCreated.Request", &connectorv1.Source_Lifecycle_OnCreated_Request{Config: config()}},
		{"connector.v1.Source.Lifecycle.OnCreated.Response", &connectorv1.Source_Lifecycle_OnCreated_Response{}},
		{"connector.v1.Source.Lifecycle.OnUpdated.Request", &connectorv1.Source_Lifecycle_OnUpdated_Request{
			ConfigBefore: map[string]string{"path": "/tmp/old.txt"},
			ConfigAfter:  config(),
		}},
		{"connector.v1.Source.Lifecycle.OnUpdated.Response", &connectorv1.Source_Lifecycle_OnUpdated_Response{}},
		{"connector.v1.Source.Lifecycle.OnDeleted.Request", &connectorv1.Source_Lifecycle_OnDeleted_Request{Config: config()}},
		{"connector.v1.Source.Lifecycle.OnDeleted.Response", &connectorv1.Source_Lifecycle_OnDeleted_Response{}},

		{"connector.v1.Destination.Configure.Request", &connectorv1.Destination_Configure_Request{Config: config()}},
		{"connector.v1.Destination.Configure.Response", &connectorv1.Destination_Configure_Response{}},
		{"connector.v1.Destination.Start.Request", &connectorv1.Destination_Start_Request{}},
		{"connector.v1.Destination.Start.Response", &connectorv1.Destination_Start_Response{}},
		{"connector.v1.Destination.Run.Request", &connectorv1.Destination_Run_Request{Record: structuredRecord()}},
		{"connector.v1.Destination.Run.Response", &connectorv1.Destination_Run_Response{
			AckPosition: []byte{0x01, 0x02, 0x03},
			Error:       "write users: duplicate key",
		}},
		{"connector.v1.Destination.Stop.Request", &connectorv1.Destination_Stop_Request{LastPosition: []byte{0x01, 0x02, 0x03}}},
		{"connector.v1.Destination.Stop.Response", &connectorv1.Destination_Stop_Response{}},
		{"connector.v1.Destination.Teardown.Request", &connectorv1.Destination_Teardown_Request{}},
		{"connector.v1.Destination.Teardown.Response", &connectorv1.Destination_Teardown_Response{}},
		{"connector.v1.Destination.Lifecycle.OnCreated.Request", &connectorv1.Destination_Lifecycle_OnCreated_Request{Config: config()}},
		{"connector.v1.Destination.Lifecycle.OnCreated.Response", &connectorv1.Destination_Lifecycle_OnCreated_Response{}},
		{"connector.v1.Destination.Lifecycle.OnUpdated.Request", &connectorv1.Destination_Lifecycle_OnUpdated_Request{
			ConfigBefore: map[string]string{"path": "/tmp/old.txt"},
			ConfigAfter:  config(),
		}},
		{"connector.v1.Destination.Lifecycle.OnUpdated.Response", &connectorv1.Destination_Lifecycle_OnUpdated_Response{}},
		{"connector.v1.Destination.Lifecycle.OnDeleted.Request", &connectorv1.Destination_Lifecycle_OnDeleted_Request{Config: config()}},
		{"connector.v1.Destination.Lifecycle.OnDeleted.Response", &connectorv1.Destination_Lifecycle_OnDeleted_Response{}},

		{"connector.v1.Specifier.Specify.Request", &connectorv1.Specifier_Specify_Request{}},
		{"connector.v1.Specifier.Specify.Response", &connectorv1.Specifier_Specify_Response{
			Name:        "file",
			Summary:     "Reads and writes lines of a file.",
			Description: "A connector for **files**.\n\nOne record per line.",
			Version:     "v1.2.3",
			Author:      "Example, Inc. <connectors@example.com>",
			DestinationParams: map[string]*connectorv1.Specifier_Parameter{
				"path": {
					Description: "The file to write to.",
					Type:        connectorv1.Specifier_Parameter_TYPE_FILE,
					Validations: []*connectorv1.Specifier_Parameter_Validation{
						{Type: connectorv1.Specifier_Parameter_Validation_TYPE_REQUIRED},
					},
				},
			},
			SourceParams: map[string]*connectorv1.Specifier_Parameter{
				"path": {
					// Deprecated, but older connectors still send it, so
					// its encoding is pinned too.
					Required:    true,
					Description: "The file to read.",
					Type:        connectorv1.Specifier_Parameter_TYPE_FILE,
				},
				"batch.size": {
					Default:     "100",
					Description: "How many lines to read at once.",
					Type:        connectorv1.Specifier_Parameter_TYPE_INT,
					Validations: []*connectorv1.Specifier_Parameter_Validation{
						{Type: connectorv1.Specifier_Parameter_Validation_TYPE_GREATER_THAN, Value: "0"},
						{Type: connectorv1.Specifier_Parameter_Validation_TYPE_LESS_THAN, Value: "1e4"},
					},
				},
				"format": {
					Default: "text",
					Type:    connectorv1.Specifier_Parameter_TYPE_STRING,
					Validations: []*connectorv1.Specifier_Parameter_Validation{
						{Type: connectorv1.Specifier_Parameter_Validation_TYPE_INCLUSION, Value: "text,json"},
						{Type: connectorv1.Specifier_Parameter_Validation_TYPE_EXCLUSION, Value: "xml"},
						{Type: connectorv1.Specifier_Parameter_Validation_TYPE_REGEX, Value: "^[a-z]+$"},
					},
				},
				"poll": {
					Default: "1s",
					Type:    connectorv1.Specifier_Parameter_TYPE_DURATION,
				},
				"ratio": {
					Default: "0.5",
					Type:    connectorv1.Specifier_Parameter_TYPE_FLOAT,
				},
				"follow": {
					Default: "false",
					Type:    connectorv1.Specifier_Parameter_TYPE_BOOL,
				},
				"legacy": {},
			},
		}},

		// connutils.v1: the schema service a host offers its connectors.
		{"connutils.v1.CreateSchemaRequest", &connutilsv1.CreateSchemaRequest{
			Subject: "pipeline:source.payload", Type: schemav1.Schema_TYPE_AVRO, Bytes: avroSchema,
		}},
		{"connutils.v1.CreateSchemaResponse", &connutilsv1.CreateSchemaResponse{Schema: schema()}},
		{"connutils.v1.GetSchemaRequest", &connutilsv1.GetSchemaRequest{Subject: "pipeline:source.payload", Version: 2}},
		{"connutils.v1.GetSchemaResponse", &connutilsv1.GetSchemaResponse{Schema: schema()}},
	}
}

// goldenCasesV2 covers protocol v2: the v1 messages with Start renamed Open,
// the Run messages as batches (two records or acks each, so the order of
// repeated elements is pinned too), and a specification whose parameters are
// config.v1.Parameter with every type and validation type.
func goldenCasesV2() []goldenCase {
	return []goldenCase{
		{"connector.v2.Source.Configure.Request", &connectorv2.Source_Configure_Request{Config: config()}},
		{"connector.v2.Source.Configure.Response", &connectorv2.Source_Configure_Response{}},
		{"connector.v2.Source.Open.Request", &connectorv2.Source_Open_Request{Position: []byte("pos-0001")}},
		{"connector.v2.Source.Open.Response", &connectorv2.Source_Open_Response{}},
		{"connector.v2.Source.Run.Request", &connectorv2.Source_Run_Request{
			AckPositions: [][]byte{[]byte("pos-0001"), {0x01, 0x02, 0x03}},
		}},
		{"connector.v2.Source.Run.Response", &connectorv2.Source_Run_Response{
			Records: []*opencdcv1.Record{rawRecord(), structuredRecord()},
		}},
		{"connector.v2.Source.Stop.Request", &connectorv2.Source_Stop_Request{}},
		{"connector.v2.Source.Stop.Response", &connectorv2.Source_Stop_Response{LastPosition: []byte{0x01, 0x02, 0x03}}},
		{"connector.v2.Source.Teardown.Request", &connectorv2.Source_Teardown_Request{}},
		{"connector.v2.Source.Teardown.Response", &connectorv2.Source_Teardown_Response{}},
		{"connector.v2.Source.Lifecycle.OnCreated.Request", &connectorv2.Source_Lifecycle_OnCreated_Request{Config: config()}},
		{"connector.v2.Source.Lifecycle.OnCreated.Response", &connectorv2.Source_Lifecycle_OnCreated_Response{}},
		{"connector.v2.Source.Lifecycle.OnUpdated.Request", &connectorv2.Source_Lifecycle_OnUpdated_Request{
			ConfigBefore: map[string]string{"path": "/tmp/old.txt"},
			ConfigAfter:  config(),
		}},
		{"connector.v2.Source.Lifecycle.OnUpdated.Response", &connectorv2.Source_Lifecycle_OnUpdated_Response{}},
		{"connector.v2.Source.Lifecycle.OnDeleted.Request", &connectorv2.Source_Lifecycle_OnDeleted_Request{Config: config()}},
		{"connector.v2.Source.Lifecycle.OnDeleted.Response", &connectorv2.Source_Lifecycle_OnDeleted_Response{}},

		{"connector.v2.Destination.Configure.Request", &connectorv2.Destination_Configure_Request{Config: config()}},
		{"connector.v2.Destination.Configure.Response", &connectorv2.Destination_Configure_Response{}},
		{"connector.v2.Destination.Open.Request", &connectorv2.Destination_Open_Request{}},
		{"connector.v2.Destination.Open.Response", &connectorv2.Destination_Open_Response{}},
		{"connector.v2.Destination.Run.Request", &connectorv2.Destination_Run_Request{
			Records: []*opencdcv1.Record{structuredRecord(), rawRecord()},
		}},
		{"connector.v2.Destination.Run.Response", &connectorv2.Destination_Run_Response{
			Acks: []*connectorv2.Destination_Run_Response_Ack{
				{Position: []byte{0x01, 0x02, 0x03}},
				{Position: []byte("pos-0001"), Error: "write users: duplicate key"},
			},
		}},
		{"connector.v2.Destination.Stop.Request", &connectorv2.Destination_Stop_Request{LastPosition: []byte("pos-0001")}},
		{"connector.v2.Destination.Stop.Response", &connectorv2.Destination_Stop_Response{}},
		{"connector.v2.Destination.Teardown.Request", &connectorv2.Destination_Teardown_Request{}},
		{"connector.v2.Destination.Teardown.Response", &connectorv2.Destination_Teardown_Response{}},
		{"connector.v2.Destination.Lifecycle.OnCreated.Request", &connectorv2.Destination_Lifecycle_OnCreated_Request{Config: config()}},
		{"connector.v2.Destination.Lifecycle.OnCreated.Response", &connectorv2.Destination_Lifecycle_OnCreated_Response{}},
		{"connector.v2.Destination.Lifecycle.OnUpdated.Request", &connectorv2.Destination_Lifecycle_OnUpdated_Request{
			ConfigBefore: map[string]string{"path": "/tmp/old.txt"},
			ConfigAfter:  config(),
		}},
		{"connector.v2.Destination.Lifecycle.OnUpdated.Response", &connectorv2.Destination_Lifecycle_OnUpdated_Response{}},
		{"connector.v2.Destination.Lifecycle.OnDeleted.Request", &connectorv2.Destination_Lifecycle_OnDeleted_Request{Config: config()}},
		{"connector.v2.Destination.Lifecycle.OnDeleted.Response", &connectorv2.Destination_Lifecycle_OnDeleted_Response{}},

		{"connector.v2.Specifier.Specify.Request", &connectorv2.Specifier_Specify_Request{}},
		{"connector.v2.Specifier.Specify.Response", &connectorv2.Specifier_Specify_Response{
			Specification: &connectorv2.Specification{
				Name:        "file",
				Summary:     "Reads and writes lines of a file.",
				Description: "A connector for **files**.\n\nOne record per line.",
				Version:     "v1.2.3",
				Author:      "Example, Inc. <connectors@example.com>",
				DestinationParams: map[string]*configv1.Parameter{
					"path": {
						Description: "The file to write to.",
						Type:        configv1.Parameter_TYPE_FILE,
						Validations: []*configv1.Validation{
							{Type: configv1.Validation_TYPE_REQUIRED},
						},
					},
				},
				SourceParams: map[string]*configv1.Parameter{
					"path": {
						Description: "The file to read.",
						Type:        configv1.Parameter_TYPE_FILE,
						Validations: []*configv1.Validation{
							{Type: configv1.Validation_TYPE_REQUIRED},
						},
					},
					"batch.size": {
						Default:     "100",
						Description: "How many lines to read at once.",
						Type:        configv1.Parameter_TYPE_INT,
						Validations: []*configv1.Validation{
							{Type: configv1.Validation_TYPE_GREATER_THAN, Value: "0"},
							{Type: configv1.Validation_TYPE_LESS_THAN, Value: "1e4"},
						},
					},
					"format": {
						Default: "text",
						Type:    configv1.Parameter_TYPE_STRING,
						Validations: []*configv1.Validation{
							{Type: configv1.Validation_TYPE_INCLUSION, Value: "text,json"},
							{Type: configv1.Validation_TYPE_EXCLUSION, Value: "xml"},
							{Type: configv1.Validation_TYPE_REGEX, Value: "^[a-z]+$"},
						},
					},
					"poll": {
						Default: "1s",
						Type:    configv1.Parameter_TYPE_DURATION,
					},
					"ratio": {
						Default: "0.5",
						Type:    configv1.Parameter_TYPE_FLOAT,
					},
					"follow": {
						Default: "false",
						Type:    configv1.Parameter_TYPE_BOOL,
					},
					"legacy": {},
				},
			},
		}},
	}
}

// avroSchema is a small Avro record schema, as connectors built with the Go
// connector SDK register them.
var avroSchema = []byte(`{"type":"record","name":"payload","fields":[{"name":"id","type":"long"},{"name":"name","type":"string"}]}`)

// schema is a registered schema with every field set.
func schema() *schemav1.Schema {
	return &schemav1.Schema{
		Subject: "pipeline:source.payload",
		Version: 2,
		Id:      7,
		Type:    schemav1.Schema_TYPE_AVRO,
		Bytes:   avroSchema,
	}
}

// TestGoldenCoversEveryRPCMessage makes sure goldenCases keeps up with the
// services: every request and response type of every RPC has a case.
func TestGoldenCoversEveryRPCMessage(t *testing.T) {
	covered := map[string]bool{}
	for _, tc := range goldenCases() {
		covered[string(tc.msg.ProtoReflect().Descriptor().FullName())] = true
	}
	for _, fd := range contractFiles {
		services := fd.Services()
		for i := range services.Len() {
			methods := services.Get(i).Methods()
			for j := range methods.Len() {
				method := methods.Get(j)
				for _, md := range []string{string(method.Input().FullName()), string(method.Output().FullName())} {
					if !covered[md] {
						t.Errorf("no golden case for %s (used by %s)", md, method.FullName())
					}
				}
			}
		}
	}
}

func TestGoldenBinary(t *testing.T) {
	for _, tc := range goldenCases() {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(goldenDir, tc.name+".binpb")
			want, err := proto.MarshalOptions{Deterministic: true}.Marshal(tc.msg)
			if err != nil {
				t.Fatalf("marshal: %v", err)
			}
			if *update {
				writeGolden(t, path, want)
			}
			golden := readGolden(t, path)

			decoded := tc.msg.ProtoReflect().Type().New().Interface()
			if err := proto.Unmarshal(golden, decoded); err != nil {
				t.Fatalf("decode %s: %v", path, err)
			}
			if !proto.Equal(tc.msg, decoded) {
				t.Errorf("%s decodes to a different message:\n got: %v\nwant: %v", path, decoded, tc.msg)
			}
			if !bytes.Equal(want, golden) {
				t.Errorf("encoding differs from %s:\n got: %x\nwant: %x", path, want, golden)
			}
			// Re-encoding what was decoded gives the committed bytes: nothing
			// was lost or reordered on the way through the generated code.
			reencoded, err := proto.MarshalOptions{Deterministic: true}.Marshal(decoded)
			if err != nil {
				t.Fatalf("re-encode: %v", err)
			}
			if !bytes.Equal(reencoded, golden) {
				t.Errorf("re-encoding %s differs:\n got: %x\nwant: %x", path, reencoded, golden)
			}
		})
	}
}

func TestGoldenJSON(t *testing.T) {
	for _, tc := range goldenCases() {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(goldenDir, tc.name+".json")
			encoded, err := protojson.MarshalOptions{Multiline: true, Indent: "  "}.Marshal(tc.msg)
			if err != nil {
				t.Fatalf("marshal: %v", err)
			}
			if *update {
				// protojson's output is not stable, so rewrite only when the
				// content changed; otherwise -update would churn every file.
				if old, err := os.ReadFile(path); err != nil || !sameJSON(t, old, encoded) {
					writeGolden(t, path, append(encoded, '\n'))
				}
			}
			golden := readGolden(t, path)

			decoded := tc.msg.ProtoReflect().Type().New().Interface()
			if err := protojson.Unmarshal(golden, decoded); err != nil {
				t.Fatalf("decode %s: %v", path, err)
			}
			if !proto.Equal(tc.msg, decoded) {
				t.Errorf("%s decodes to a different message:\n got: %v\nwant: %v", path, decoded, tc.msg)
			}
			if !sameJSON(t, golden, encoded) {
				t.Errorf("JSON encoding differs from %s:\n got: %s\nwant: %s", path, encoded, golden)
			}
		})
	}
}

// TestGoldenMessagesAreValid checks that the populated examples satisfy the
// contract's rules: they are what a well-behaved peer sends.
func TestGoldenMessagesAreValid(t *testing.T) {
	for _, tc := range goldenCases() {
		if err := contract.Validate(tc.msg); err != nil {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}

// TestGoldenNoStrayFiles fails on files in testdata/golden that no case
// reads, so a removed or renamed case does not leave a stale file behind.
func TestGoldenNoStrayFiles(t *testing.T) {
	want := map[string]bool{}
	for _, tc := range goldenCases() {
		want[tc.name+".binpb"] = true
		want[tc.name+".json"] = true
	}
	entries, err := os.ReadDir(goldenDir)
	if err != nil {
		t.Fatalf("read %s: %v", goldenDir, err)
	}
	var stray []string
	for _, entry := range entries {
		if !want[entry.Name()] {
			stray = append(stray, entry.Name())
		}
	}
	sort.Strings(stray)
	if len(stray) > 0 {
		t.Errorf("files in %s without a golden case (delete them): %v", goldenDir, stray)
	}
}

// sameJSON reports whether a and b hold the same JSON value, ignoring
// whitespace and key order.
func sameJSON(t *testing.T, a, b []byte) bool {
	t.Helper()
	var av, bv any
	if err := json.Unmarshal(a, &av); err != nil {
		t.Fatalf("parse JSON %s: %v", a, err)
	}
	if err := json.Unmarshal(b, &bv); err != nil {
		t.Fatalf("parse JSON %s: %v", b, err)
	}
	return reflect.DeepEqual(av, bv)
}

func readGolden(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("%s is missing; run `go test ./contract -update` to create it", path)
	}
	if err != nil {
		t.Fatalf("read golden file: %v", err)
	}
	return data
}

func writeGolden(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatalf("write golden file: %v", err)
	}
}
