package cpluginv1_test

import (
	"testing"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/descriptorpb"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	connectorv1 "github.com/connectorkit/conduit-connector-protocol/gen/go/connector/v1"
	opencdcv1 "github.com/connectorkit/conduit-connector-protocol/gen/go/opencdc/v1"
)

// The Go constants repeat values that the proto files define, because
// cpluginv1 must not depend on the generated code. These tests read the
// values from the generated descriptors so the two cannot drift apart.

// TestMetadataConstantsMatchProtoOptions checks every metadata constant
// against the FileOptions extension of opencdc/v1/opencdc.proto that defines
// it, and that every extension of that file has a constant.
func TestMetadataConstantsMatchProtoOptions(t *testing.T) {
	constants := map[protoreflect.FullName]string{
		"opencdc.v1.opencdc_version":                 cpluginv1.OpenCDCVersion,
		"opencdc.v1.metadata_version":                cpluginv1.MetadataOpenCDCVersion,
		"opencdc.v1.metadata_created_at":             cpluginv1.MetadataCreatedAt,
		"opencdc.v1.metadata_read_at":                cpluginv1.MetadataReadAt,
		"opencdc.v1.metadata_collection":             cpluginv1.MetadataCollection,
		"opencdc.v1.metadata_key_schema_subject":     cpluginv1.MetadataKeySchemaSubject,
		"opencdc.v1.metadata_key_schema_version":     cpluginv1.MetadataKeySchemaVersion,
		"opencdc.v1.metadata_payload_schema_subject": cpluginv1.MetadataPayloadSchemaSubject,
		"opencdc.v1.metadata_payload_schema_version": cpluginv1.MetadataPayloadSchemaVersion,
		"opencdc.v1.metadata_file_name":              cpluginv1.MetadataFileName,
		"opencdc.v1.metadata_file_size":              cpluginv1.MetadataFileSize,
		"opencdc.v1.metadata_file_hash":              cpluginv1.MetadataFileHash,
		"opencdc.v1.metadata_file_chunked":           cpluginv1.MetadataFileChunked,
		"opencdc.v1.metadata_file_chunk_index":       cpluginv1.MetadataFileChunkIndex,
		"opencdc.v1.metadata_file_chunk_count":       cpluginv1.MetadataFileChunkCount,
	}

	file := opencdcv1.File_opencdc_v1_opencdc_proto
	options, ok := file.Options().(*descriptorpb.FileOptions)
	if !ok || options == nil {
		t.Fatalf("%s has no file options", file.Path())
	}
	// Every extension the file declares is a key the Go API must offer.
	declared := map[protoreflect.FullName]bool{}
	for i := range file.Extensions().Len() {
		name := file.Extensions().Get(i).FullName()
		declared[name] = true
		if _, ok := constants[name]; !ok {
			t.Errorf("option %s in %s has no constant in cpluginv1/metadata.go", name, file.Path())
		}
	}

	// opencdcv1's generated extension variables, by name, to read the values.
	extensions := []protoreflect.ExtensionType{
		opencdcv1.E_OpencdcVersion,
		opencdcv1.E_MetadataVersion,
		opencdcv1.E_MetadataCreatedAt,
		opencdcv1.E_MetadataReadAt,
		opencdcv1.E_MetadataCollection,
		opencdcv1.E_MetadataKeySchemaSubject,
		opencdcv1.E_MetadataKeySchemaVersion,
		opencdcv1.E_MetadataPayloadSchemaSubject,
		opencdcv1.E_MetadataPayloadSchemaVersion,
		opencdcv1.E_MetadataFileName,
		opencdcv1.E_MetadataFileSize,
		opencdcv1.E_MetadataFileHash,
		opencdcv1.E_MetadataFileChunked,
		opencdcv1.E_MetadataFileChunkIndex,
		opencdcv1.E_MetadataFileChunkCount,
	}
	byName := map[protoreflect.FullName]protoreflect.ExtensionType{}
	for _, xt := range extensions {
		byName[xt.TypeDescriptor().FullName()] = xt
	}

	for name, constant := range constants {
		if !declared[name] {
			t.Errorf("constant %q belongs to option %s, which %s does not declare", constant, name, file.Path())
			continue
		}
		xt, ok := byName[name]
		if !ok {
			t.Errorf("no generated extension variable for %s", name)
			continue
		}
		if !proto.HasExtension(options, xt) {
			t.Errorf("%s does not set option %s", file.Path(), name)
			continue
		}
		if got, _ := proto.GetExtension(options, xt).(string); got != constant {
			t.Errorf("option %s = %q in %s, but the Go constant is %q", name, got, file.Path(), constant)
		}
	}
}

// enumConstant pairs a Go constant's number with the name of the proto enum
// value it stands for.
type enumConstant struct {
	number    int32
	protoName protoreflect.Name
}

// checkEnumConstants checks that every Go constant has the number of its
// proto enum value, and that every proto value except those in unmapped has
// a Go constant.
func checkEnumConstants(t *testing.T, enum protoreflect.EnumDescriptor, constants []enumConstant, unmapped ...protoreflect.Name) {
	t.Helper()
	mapped := map[protoreflect.Name]bool{}
	for _, c := range constants {
		mapped[c.protoName] = true
		value := enum.Values().ByName(c.protoName)
		if value == nil {
			t.Errorf("%s has no value %s", enum.FullName(), c.protoName)
			continue
		}
		if int32(value.Number()) != c.number {
			t.Errorf("%s.%s = %d in the proto file, but the Go constant is %d", enum.FullName(), c.protoName, value.Number(), c.number)
		}
	}
	for _, name := range unmapped {
		mapped[name] = true
	}
	for i := range enum.Values().Len() {
		if name := enum.Values().Get(i).Name(); !mapped[name] {
			t.Errorf("%s.%s has no Go constant", enum.FullName(), name)
		}
	}
}

func TestOperationConstantsMatchProtoEnum(t *testing.T) {
	// OPERATION_UNSPECIFIED has no constant on purpose: a record never
	// carries it, and the zero Operation is documented as invalid.
	checkEnumConstants(t, opencdcv1.Operation(0).Descriptor(), []enumConstant{
		{int32(cpluginv1.OperationCreate), "OPERATION_CREATE"},
		{int32(cpluginv1.OperationUpdate), "OPERATION_UPDATE"},
		{int32(cpluginv1.OperationDelete), "OPERATION_DELETE"},
		{int32(cpluginv1.OperationSnapshot), "OPERATION_SNAPSHOT"},
	}, "OPERATION_UNSPECIFIED")
}

func TestParameterTypeConstantsMatchProtoEnum(t *testing.T) {
	checkEnumConstants(t, connectorv1.Specifier_Parameter_Type(0).Descriptor(), []enumConstant{
		{int32(cpluginv1.ParameterTypeUnspecified), "TYPE_UNSPECIFIED"},
		{int32(cpluginv1.ParameterTypeString), "TYPE_STRING"},
		{int32(cpluginv1.ParameterTypeInt), "TYPE_INT"},
		{int32(cpluginv1.ParameterTypeFloat), "TYPE_FLOAT"},
		{int32(cpluginv1.ParameterTypeBool), "TYPE_BOOL"},
		{int32(cpluginv1.ParameterTypeFile), "TYPE_FILE"},
		{int32(cpluginv1.ParameterTypeDuration), "TYPE_DURATION"},
	})
}

func TestValidationTypeConstantsMatchProtoEnum(t *testing.T) {
	checkEnumConstants(t, connectorv1.Specifier_Parameter_Validation_Type(0).Descriptor(), []enumConstant{
		{int32(cpluginv1.ValidationTypeUnspecified), "TYPE_UNSPECIFIED"},
		{int32(cpluginv1.ValidationTypeRequired), "TYPE_REQUIRED"},
		{int32(cpluginv1.ValidationTypeGreaterThan), "TYPE_GREATER_THAN"},
		{int32(cpluginv1.ValidationTypeLessThan), "TYPE_LESS_THAN"},
		{int32(cpluginv1.ValidationTypeInclusion), "TYPE_INCLUSION"},
		{int32(cpluginv1.ValidationTypeExclusion), "TYPE_EXCLUSION"},
		{int32(cpluginv1.ValidationTypeRegex), "TYPE_REGEX"},
	})
}
