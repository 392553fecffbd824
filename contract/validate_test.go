package contract_test

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"

	"buf.build/gen/go/bufbuild/protovalidate/protocolbuffers/go/buf/validate"
	"buf.build/go/protovalidate"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/connectorkit/conduit-connector-protocol/contract"
	configv1 "github.com/connectorkit/conduit-connector-protocol/gen/go/config/v1"
	connectorv1 "github.com/connectorkit/conduit-connector-protocol/gen/go/connector/v1"
	connectorv2 "github.com/connectorkit/conduit-connector-protocol/gen/go/connector/v2"
	opencdcv1 "github.com/connectorkit/conduit-connector-protocol/gen/go/opencdc/v1"
)

// validRecord returns a record that satisfies every rule; cases break one
// thing at a time.
func validRecord() *opencdcv1.Record {
	return &opencdcv1.Record{
		Position:  []byte("p1"),
		Operation: opencdcv1.Operation_OPERATION_CREATE,
	}
}

// specifyResponse returns a valid Specify response with the given source
// parameters.
func specifyResponse(sourceParams map[string]*connectorv1.Specifier_Parameter) *connectorv1.Specifier_Specify_Response {
	return &connectorv1.Specifier_Specify_Response{Name: "file", SourceParams: sourceParams}
}

// parameterWith returns a parameter with the given validations.
func parameterWith(validations ...*connectorv1.Specifier_Parameter_Validation) *connectorv1.Specifier_Parameter {
	return &connectorv1.Specifier_Parameter{Validations: validations}
}

func validation(typ connectorv1.Specifier_Parameter_Validation_Type, value string) *connectorv1.Specifier_Parameter_Validation {
	return &connectorv1.Specifier_Parameter_Validation{Type: typ, Value: value}
}

// specifyResponseV2 returns a valid protocol v2 Specify response with the
// given source parameters.
func specifyResponseV2(sourceParams map[string]*configv1.Parameter) *connectorv2.Specifier_Specify_Response {
	return &connectorv2.Specifier_Specify_Response{
		Specification: &connectorv2.Specification{Name: "file", SourceParams: sourceParams},
	}
}

// parameterV2With returns a config.v1 parameter with the given validations.
func parameterV2With(validations ...*configv1.Validation) *configv1.Parameter {
	return &configv1.Parameter{Validations: validations}
}

func validationV2(typ configv1.Validation_Type, value string) *configv1.Validation {
	return &configv1.Validation{Type: typ, Value: value}
}

// ruleCase exercises one protovalidate rule of the contract.
type ruleCase struct {
	// rule names the rule as rulesInContract does: "<message>.<field>
	// <rule path>" for field rules, "<message> cel:<id>" for message rules.
	rule string
	// valid messages satisfy the rule (and every other rule).
	valid []proto.Message
	// invalid breaks only this rule, so it yields exactly want.
	invalid proto.Message
	want    contract.Violation
}

var ruleCases = []ruleCase{
	{
		rule:    "connector.v1.Source.Run.Request.ack_position bytes.min_len",
		valid:   []proto.Message{&connectorv1.Source_Run_Request{AckPosition: []byte{0}}},
		invalid: &connectorv1.Source_Run_Request{},
		want:    contract.Violation{Field: "ack_position", Rule: "bytes.min_len", RuleID: "bytes.min_len"},
	},
	{
		rule:    "connector.v1.Source.Run.Response.record required",
		valid:   []proto.Message{&connectorv1.Source_Run_Response{Record: validRecord()}},
		invalid: &connectorv1.Source_Run_Response{},
		want:    contract.Violation{Field: "record", Rule: "required", RuleID: "required"},
	},
	{
		rule:    "connector.v1.Destination.Run.Request.record required",
		valid:   []proto.Message{&connectorv1.Destination_Run_Request{Record: validRecord()}},
		invalid: &connectorv1.Destination_Run_Request{},
		want:    contract.Violation{Field: "record", Rule: "required", RuleID: "required"},
	},
	{
		rule: "connector.v1.Destination.Run.Response.ack_position bytes.min_len",
		valid: []proto.Message{
			&connectorv1.Destination_Run_Response{AckPosition: []byte("p1")},
			&connectorv1.Destination_Run_Response{AckPosition: []byte("p1"), Error: "nack"},
		},
		invalid: &connectorv1.Destination_Run_Response{Error: "nack without a position"},
		want:    contract.Violation{Field: "ack_position", Rule: "bytes.min_len", RuleID: "bytes.min_len"},
	},
	{
		rule:    "connector.v1.Specifier.Specify.Response.name string.min_len",
		valid:   []proto.Message{&connectorv1.Specifier_Specify_Response{Name: "f"}},
		invalid: &connectorv1.Specifier_Specify_Response{Version: "v1.0.0"},
		want:    contract.Violation{Field: "name", Rule: "string.min_len", RuleID: "string.min_len"},
	},
	{
		rule: "connector.v1.Specifier.Specify.Response.destination_params map.keys.string.min_len",
		valid: []proto.Message{&connectorv1.Specifier_Specify_Response{
			Name:              "file",
			DestinationParams: map[string]*connectorv1.Specifier_Parameter{"p": {}},
		}},
		invalid: &connectorv1.Specifier_Specify_Response{
			Name:              "file",
			DestinationParams: map[string]*connectorv1.Specifier_Parameter{"": {}},
		},
		want: contract.Violation{Field: `destination_params[""]`, Rule: "map.keys.string.min_len", RuleID: "string.min_len", ForKey: true},
	},
	{
		rule:    "connector.v1.Specifier.Specify.Response.source_params map.keys.string.min_len",
		valid:   []proto.Message{specifyResponse(map[string]*connectorv1.Specifier_Parameter{"p": {}})},
		invalid: specifyResponse(map[string]*connectorv1.Specifier_Parameter{"": {}}),
		want:    contract.Violation{Field: `source_params[""]`, Rule: "map.keys.string.min_len", RuleID: "string.min_len", ForKey: true},
	},
	{
		rule: "connector.v1.Specifier.Parameter.type enum.defined_only",
		valid: []proto.Message{
			&connectorv1.Specifier_Parameter{Type: connectorv1.Specifier_Parameter_TYPE_DURATION},
		},
		invalid: specifyResponse(map[string]*connectorv1.Specifier_Parameter{"p": {Type: 7}}),
		want:    contract.Violation{Field: `source_params["p"].type`, Rule: "enum.defined_only", RuleID: "enum.defined_only"},
	},
	{
		rule: "connector.v1.Specifier.Parameter.Validation.type enum.defined_only",
		valid: []proto.Message{
			validation(connectorv1.Specifier_Parameter_Validation_TYPE_EXCLUSION, "a,b"),
		},
		invalid: parameterWith(validation(7, "x")),
		want:    contract.Violation{Field: "validations[0].type", Rule: "enum.defined_only", RuleID: "enum.defined_only"},
	},
	{
		rule: "connector.v1.Specifier.Parameter.Validation cel:validation.value_number",
		valid: []proto.Message{
			validation(connectorv1.Specifier_Parameter_Validation_TYPE_GREATER_THAN, "0"),
			validation(connectorv1.Specifier_Parameter_Validation_TYPE_GREATER_THAN, "-1.5"),
			validation(connectorv1.Specifier_Parameter_Validation_TYPE_LESS_THAN, "1e4"),
			validation(connectorv1.Specifier_Parameter_Validation_TYPE_LESS_THAN, ".5"),
			validation(connectorv1.Specifier_Parameter_Validation_TYPE_LESS_THAN, "+2.E-3"),
			// Only the number types need a number.
			validation(connectorv1.Specifier_Parameter_Validation_TYPE_INCLUSION, "a,b"),
		},
		invalid: parameterWith(
			validation(connectorv1.Specifier_Parameter_Validation_TYPE_REQUIRED, ""),
			validation(connectorv1.Specifier_Parameter_Validation_TYPE_LESS_THAN, "ten"),
		),
		want: contract.Violation{
			Field:   "validations[1]",
			Rule:    "",
			RuleID:  "validation.value_number",
			Message: "a TYPE_GREATER_THAN or TYPE_LESS_THAN validation needs a decimal number as its value",
		},
	},
	{
		rule: "connector.v1.Specifier.Parameter.Validation cel:validation.value_regex",
		valid: []proto.Message{
			validation(connectorv1.Specifier_Parameter_Validation_TYPE_REGEX, "^[a-z]+$"),
			// Only TYPE_REGEX needs a value.
			validation(connectorv1.Specifier_Parameter_Validation_TYPE_REQUIRED, ""),
		},
		invalid: parameterWith(validation(connectorv1.Specifier_Parameter_Validation_TYPE_REGEX, "")),
		want: contract.Violation{
			Field:   "validations[0]",
			Rule:    "",
			RuleID:  "validation.value_regex",
			Message: "a TYPE_REGEX validation needs a regular expression as its value",
		},
	},

	// Protocol v2. The rules of opencdc.v1.Record apply to every record of a
	// batch without a rule of their own (TestValidateBatches); an empty batch
	// is valid.
	{
		rule: "connector.v2.Source.Run.Request.ack_positions repeated.items.bytes.min_len",
		valid: []proto.Message{
			&connectorv2.Source_Run_Request{},
			&connectorv2.Source_Run_Request{AckPositions: [][]byte{{0}}},
			&connectorv2.Source_Run_Request{AckPositions: [][]byte{[]byte("p1"), []byte("p2")}},
		},
		invalid: &connectorv2.Source_Run_Request{AckPositions: [][]byte{[]byte("p1"), {}, []byte("p3")}},
		want:    contract.Violation{Field: "ack_positions[1]", Rule: "repeated.items.bytes.min_len", RuleID: "bytes.min_len"},
	},
	{
		rule: "connector.v2.Destination.Run.Response.Ack.position bytes.min_len",
		valid: []proto.Message{
			&connectorv2.Destination_Run_Response{},
			&connectorv2.Destination_Run_Response_Ack{Position: []byte("p1"), Error: "nack"},
			&connectorv2.Destination_Run_Response{Acks: []*connectorv2.Destination_Run_Response_Ack{
				{Position: []byte("p1")},
				{Position: []byte("p2"), Error: "nack"},
			}},
		},
		invalid: &connectorv2.Destination_Run_Response{Acks: []*connectorv2.Destination_Run_Response_Ack{
			{Position: []byte("p1")},
			{Error: "nack without a position"},
		}},
		want: contract.Violation{Field: "acks[1].position", Rule: "bytes.min_len", RuleID: "bytes.min_len"},
	},
	{
		rule:    "connector.v2.Specifier.Specify.Response.specification required",
		valid:   []proto.Message{specifyResponseV2(nil)},
		invalid: &connectorv2.Specifier_Specify_Response{},
		want:    contract.Violation{Field: "specification", Rule: "required", RuleID: "required"},
	},
	{
		rule:    "connector.v2.Specification.name string.min_len",
		valid:   []proto.Message{&connectorv2.Specification{Name: "f"}},
		invalid: &connectorv2.Specifier_Specify_Response{Specification: &connectorv2.Specification{Version: "v1.0.0"}},
		want:    contract.Violation{Field: "specification.name", Rule: "string.min_len", RuleID: "string.min_len"},
	},
	{
		rule: "connector.v2.Specification.destination_params map.keys.string.min_len",
		valid: []proto.Message{&connectorv2.Specification{
			Name:              "file",
			DestinationParams: map[string]*configv1.Parameter{"p": {}},
		}},
		invalid: &connectorv2.Specification{
			Name:              "file",
			DestinationParams: map[string]*configv1.Parameter{"": {}},
		},
		want: contract.Violation{Field: `destination_params[""]`, Rule: "map.keys.string.min_len", RuleID: "string.min_len", ForKey: true},
	},
	{
		rule:    "connector.v2.Specification.source_params map.keys.string.min_len",
		valid:   []proto.Message{specifyResponseV2(map[string]*configv1.Parameter{"p": {}})},
		invalid: specifyResponseV2(map[string]*configv1.Parameter{"": {}}),
		want:    contract.Violation{Field: `specification.source_params[""]`, Rule: "map.keys.string.min_len", RuleID: "string.min_len", ForKey: true},
	},
	{
		rule: "config.v1.Parameter.type enum.defined_only",
		valid: []proto.Message{
			&configv1.Parameter{Type: configv1.Parameter_TYPE_DURATION},
		},
		invalid: specifyResponseV2(map[string]*configv1.Parameter{"p": {Type: 7}}),
		want:    contract.Violation{Field: `specification.source_params["p"].type`, Rule: "enum.defined_only", RuleID: "enum.defined_only"},
	},
	{
		rule: "config.v1.Validation.type enum.defined_only",
		valid: []proto.Message{
			validationV2(configv1.Validation_TYPE_EXCLUSION, "a,b"),
		},
		invalid: parameterV2With(validationV2(7, "x")),
		want:    contract.Violation{Field: "validations[0].type", Rule: "enum.defined_only", RuleID: "enum.defined_only"},
	},
	{
		rule: "config.v1.Validation cel:validation.value_number",
		valid: []proto.Message{
			validationV2(configv1.Validation_TYPE_GREATER_THAN, "0"),
			validationV2(configv1.Validation_TYPE_GREATER_THAN, "-1.5"),
			validationV2(configv1.Validation_TYPE_LESS_THAN, "1e4"),
			validationV2(configv1.Validation_TYPE_LESS_THAN, ".5"),
			validationV2(configv1.Validation_TYPE_LESS_THAN, "+2.E-3"),
			// Only the number types need a number.
			validationV2(configv1.Validation_TYPE_INCLUSION, "a,b"),
		},
		invalid: specifyResponseV2(map[string]*configv1.Parameter{"p": parameterV2With(
			validationV2(configv1.Validation_TYPE_REQUIRED, ""),
			validationV2(configv1.Validation_TYPE_GREATER_THAN, "ten"),
		)}),
		want: contract.Violation{
			Field:   `specification.source_params["p"].validations[1]`,
			Rule:    "",
			RuleID:  "validation.value_number",
			Message: "a TYPE_GREATER_THAN or TYPE_LESS_THAN validation needs a decimal number as its value",
		},
	},
	{
		rule: "config.v1.Validation cel:validation.value_regex",
		valid: []proto.Message{
			validationV2(configv1.Validation_TYPE_REGEX, "^[a-z]+$"),
			// Only TYPE_REGEX needs a value.
			validationV2(configv1.Validation_TYPE_REQUIRED, ""),
		},
		invalid: parameterV2With(validationV2(configv1.Validation_TYPE_REGEX, "")),
		want: contract.Violation{
			Field:   "validations[0]",
			Rule:    "",
			RuleID:  "validation.value_regex",
			Message: "a TYPE_REGEX validation needs a regular expression as its value",
		},
	},

	{
		rule:    "opencdc.v1.Record.position bytes.min_len",
		valid:   []proto.Message{validRecord()},
		invalid: &connectorv1.Source_Run_Response{Record: &opencdcv1.Record{Operation: opencdcv1.Operation_OPERATION_DELETE}},
		want:    contract.Violation{Field: "record.position", Rule: "bytes.min_len", RuleID: "bytes.min_len"},
	},
	{
		rule: "opencdc.v1.Record.operation enum.defined_only",
		valid: []proto.Message{
			&opencdcv1.Record{Position: []byte("p"), Operation: opencdcv1.Operation_OPERATION_SNAPSHOT},
		},
		invalid: &opencdcv1.Record{Position: []byte("p"), Operation: 5},
		want:    contract.Violation{Field: "operation", Rule: "enum.defined_only", RuleID: "enum.defined_only"},
	},
	{
		rule: "opencdc.v1.Record.operation enum.not_in",
		valid: []proto.Message{
			&opencdcv1.Record{Position: []byte("p"), Operation: opencdcv1.Operation_OPERATION_UPDATE},
		},
		invalid: &opencdcv1.Record{Position: []byte("p"), Operation: opencdcv1.Operation_OPERATION_UNSPECIFIED},
		want:    contract.Violation{Field: "operation", Rule: "enum.not_in", RuleID: "enum.not_in"},
	},
}

func TestValidateRules(t *testing.T) {
	for _, tc := range ruleCases {
		t.Run(tc.rule, func(t *testing.T) {
			for _, msg := range tc.valid {
				if err := contract.Validate(msg); err != nil {
					t.Errorf("valid %T{%v}: %v", msg, msg, err)
				}
			}

			err := contract.Validate(tc.invalid)
			var contractErr *contract.Error
			if !errors.As(err, &contractErr) {
				t.Fatalf("invalid %T{%v}: got error %v, want a *contract.Error", tc.invalid, tc.invalid, err)
			}
			if want := string(tc.invalid.ProtoReflect().Descriptor().FullName()); contractErr.Message != want {
				t.Errorf("Error.Message = %q, want %q", contractErr.Message, want)
			}
			// The message text of standard rules belongs to protovalidate;
			// check that there is one and pin only the texts we wrote.
			got := contractErr.Violations
			if len(got) == 1 && tc.want.Message == "" {
				if got[0].Message == "" {
					t.Errorf("violation has no message for humans: %+v", got[0])
				}
				got = []contract.Violation{got[0]}
				got[0].Message = ""
			}
			if diff := cmp.Diff([]contract.Violation{tc.want}, got); diff != "" {
				t.Errorf("violations of %T{%v} (-want +got):\n%s", tc.invalid, tc.invalid, diff)
			}
			// The error text names the field and the rule, which is all a
			// user needs to find the problem.
			for _, part := range []string{tc.want.Field, "[" + tc.want.RuleID + "]"} {
				if !strings.Contains(err.Error(), part) {
					t.Errorf("error %q does not mention %q", err, part)
				}
			}
		})
	}
}

// TestValidateRuleCasesCoverContract fails when a buf.validate rule is added
// to (or removed from) the proto files without a matching case above.
func TestValidateRuleCasesCoverContract(t *testing.T) {
	var tested []string
	for _, tc := range ruleCases {
		tested = append(tested, tc.rule)
	}
	sort.Strings(tested)
	got := rulesInContract()
	if diff := cmp.Diff(got, tested); diff != "" {
		t.Errorf("rules in the proto files (-) and rules with a test case (+) differ:\n%s", diff)
	}
}

// rulesInContract lists every protovalidate rule set in the contract's
// files, named as ruleCase.rule.
func rulesInContract() []string {
	var rules []string
	for _, fd := range contractFiles {
		walkMessages(fd.Messages(), func(md protoreflect.MessageDescriptor) {
			messageRules, _ := proto.GetExtension(md.Options(), validate.E_Message).(*validate.MessageRules)
			for _, rule := range messageRules.GetCel() {
				rules = append(rules, fmt.Sprintf("%s cel:%s", md.FullName(), rule.GetId()))
			}
			if len(messageRules.GetOneof()) > 0 {
				rules = append(rules, fmt.Sprintf("%s oneof", md.FullName()))
			}
			for i := range md.Oneofs().Len() {
				od := md.Oneofs().Get(i)
				if oneofRules, _ := proto.GetExtension(od.Options(), validate.E_Oneof).(*validate.OneofRules); oneofRules != nil {
					rangeRulePaths(oneofRules.ProtoReflect(), "", func(path string) {
						rules = append(rules, fmt.Sprintf("%s.%s %s", md.FullName(), od.Name(), path))
					})
				}
			}
			for i := range md.Fields().Len() {
				field := md.Fields().Get(i)
				fieldRules, _ := proto.GetExtension(field.Options(), validate.E_Field).(*validate.FieldRules)
				if fieldRules == nil {
					continue
				}
				rangeRulePaths(fieldRules.ProtoReflect(), "", func(path string) {
					rules = append(rules, fmt.Sprintf("%s %s", field.FullName(), path))
				})
			}
		})
	}
	sort.Strings(rules)
	return rules
}

// rangeRulePaths calls fn with the dotted path of every rule set in a
// buf.validate rules message ("bytes.min_len", "map.keys.string.min_len"),
// and "cel:<id>" for custom CEL rules.
func rangeRulePaths(rules protoreflect.Message, prefix string, fn func(string)) {
	rules.Range(func(fd protoreflect.FieldDescriptor, value protoreflect.Value) bool {
		path := prefix + string(fd.Name())
		switch {
		case fd.Name() == "cel" && fd.IsList():
			for i := range value.List().Len() {
				rule, _ := value.List().Get(i).Message().Interface().(*validate.Rule)
				fn(prefix + "cel:" + rule.GetId())
			}
		case fd.Kind() == protoreflect.MessageKind && !fd.IsList() && !fd.IsMap():
			rangeRulePaths(value.Message(), path+".", fn)
		default:
			fn(path)
		}
		return true
	})
}

// TestValidateAllowsOddMessages pins messages that look wrong but are
// allowed by the protocol; a stricter rule added later would break real
// connectors and hosts.
func TestValidateAllowsOddMessages(t *testing.T) {
	tests := []struct {
		name string
		msg  proto.Message
	}{
		{"start without a position (first run)", &connectorv1.Source_Start_Request{}},
		{"specification with version (devel)", &connectorv1.Specifier_Specify_Response{Name: "file", Version: "(devel)"}},
		{"specification with only a name", &connectorv1.Specifier_Specify_Response{Name: "file"}},
		{"source stop without last position (nothing sent)", &connectorv1.Source_Stop_Response{}},
		{"destination stop without last position (nothing sent)", &connectorv1.Destination_Stop_Request{}},
		{"parameter with TYPE_UNSPECIFIED", specifyResponse(map[string]*connectorv1.Specifier_Parameter{
			"p": {Type: connectorv1.Specifier_Parameter_TYPE_UNSPECIFIED},
		})},
		{"validation with TYPE_UNSPECIFIED", parameterWith(validation(connectorv1.Specifier_Parameter_Validation_TYPE_UNSPECIFIED, ""))},
		{"deprecated required flag", &connectorv1.Specifier_Parameter{Required: true}}, //nolint:staticcheck // old connectors still send it
		{"configure with an empty config", &connectorv1.Source_Configure_Request{}},
		{"config with empty key and value", &connectorv1.Destination_Configure_Request{Config: map[string]string{"": ""}}},
		{"record with nil key and payload", validRecord()},
		{"record with a Data that has neither field set", &opencdcv1.Record{
			Position:  []byte("p"),
			Operation: opencdcv1.Operation_OPERATION_DELETE,
			Key:       &opencdcv1.Data{},
			Payload:   &opencdcv1.Change{Before: &opencdcv1.Data{}},
		}},
		{"record with empty raw data", &opencdcv1.Record{
			Position:  []byte("p"),
			Operation: opencdcv1.Operation_OPERATION_CREATE,
			Payload:   &opencdcv1.Change{After: &opencdcv1.Data{Data: &opencdcv1.Data_RawData{}}},
		}},
		{"run response with nil key and payload", &connectorv1.Source_Run_Response{Record: validRecord()}},
		{"destination ack with empty error", &connectorv1.Destination_Run_Response{AckPosition: []byte("p")}},
		{"typed nil of a message without rules", (*connectorv1.Source_Stop_Request)(nil)},

		// Protocol v2.
		{"v2 open without a position (first run)", &connectorv2.Source_Open_Request{}},
		{"v2 empty record batch from a source", &connectorv2.Source_Run_Response{}},
		{"v2 empty ack batch to a source", &connectorv2.Source_Run_Request{}},
		{"v2 empty record batch to a destination", &connectorv2.Destination_Run_Request{}},
		{"v2 empty ack batch from a destination", &connectorv2.Destination_Run_Response{}},
		{"v2 one-record batch", &connectorv2.Source_Run_Response{Records: []*opencdcv1.Record{validRecord()}}},
		{"v2 batch repeating a position", &connectorv2.Destination_Run_Request{Records: []*opencdcv1.Record{validRecord(), validRecord()}}},
		{"v2 batch of negative acks", &connectorv2.Destination_Run_Response{Acks: []*connectorv2.Destination_Run_Response_Ack{
			{Position: []byte("p1"), Error: "nack"},
			{Position: []byte("p2"), Error: "nack"},
		}}},
		{"v2 source stop without last position (nothing sent)", &connectorv2.Source_Stop_Response{}},
		{"v2 destination stop without last position (nothing sent)", &connectorv2.Destination_Stop_Request{}},
		{"v2 specification with only a name", specifyResponseV2(nil)},
		{"v2 specification with version (devel)", &connectorv2.Specifier_Specify_Response{
			Specification: &connectorv2.Specification{Name: "file", Version: "(devel)"},
		}},
		{"v2 parameter with TYPE_UNSPECIFIED", specifyResponseV2(map[string]*configv1.Parameter{
			"p": {Type: configv1.Parameter_TYPE_UNSPECIFIED},
		})},
		{"v2 validation with TYPE_UNSPECIFIED", parameterV2With(validationV2(configv1.Validation_TYPE_UNSPECIFIED, ""))},
		{"v2 configure with an empty config", &connectorv2.Destination_Configure_Request{}},
		{"v2 config with empty key and value", &connectorv2.Source_Configure_Request{Config: map[string]string{"": ""}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := contract.Validate(tc.msg); err != nil {
				t.Errorf("Validate(%v) = %v, want nil", tc.msg, err)
			}
		})
	}
}

// TestValidateBatches checks that the rules of a record or an ack hold for
// every element of a protocol v2 batch, and that a violation names the
// element by its index, so a checker can point at the record at fault.
func TestValidateBatches(t *testing.T) {
	noPosition := &opencdcv1.Record{Operation: opencdcv1.Operation_OPERATION_CREATE}
	noOperation := &opencdcv1.Record{Position: []byte("p3")}
	tests := []struct {
		name string
		msg  proto.Message
		want []contract.Violation
	}{
		{
			name: "source batch with one record without a position",
			msg: &connectorv2.Source_Run_Response{Records: []*opencdcv1.Record{
				validRecord(), noPosition, validRecord(),
			}},
			want: []contract.Violation{{Field: "records[1].position", Rule: "bytes.min_len", RuleID: "bytes.min_len"}},
		},
		{
			name: "destination batch with one record without an operation",
			msg: &connectorv2.Destination_Run_Request{Records: []*opencdcv1.Record{
				validRecord(), validRecord(), noOperation,
			}},
			want: []contract.Violation{{Field: "records[2].operation", Rule: "enum.not_in", RuleID: "enum.not_in"}},
		},
		{
			name: "first record of a batch with an undefined operation",
			msg: &connectorv2.Source_Run_Response{Records: []*opencdcv1.Record{
				{Position: []byte("p"), Operation: 5}, validRecord(),
			}},
			want: []contract.Violation{{Field: "records[0].operation", Rule: "enum.defined_only", RuleID: "enum.defined_only"}},
		},
		{
			name: "every bad record of a batch is reported",
			msg: &connectorv2.Source_Run_Response{Records: []*opencdcv1.Record{
				noPosition, validRecord(), noOperation,
			}},
			want: []contract.Violation{
				{Field: "records[0].position", Rule: "bytes.min_len", RuleID: "bytes.min_len"},
				{Field: "records[2].operation", Rule: "enum.not_in", RuleID: "enum.not_in"},
			},
		},
		{
			name: "source ack batch with one empty position",
			msg:  &connectorv2.Source_Run_Request{AckPositions: [][]byte{[]byte("p1"), []byte("p2"), nil}},
			want: []contract.Violation{{Field: "ack_positions[2]", Rule: "repeated.items.bytes.min_len", RuleID: "bytes.min_len"}},
		},
		{
			name: "destination ack batch with one empty position",
			msg: &connectorv2.Destination_Run_Response{Acks: []*connectorv2.Destination_Run_Response_Ack{
				{Error: "nack"}, {Position: []byte("p2")},
			}},
			want: []contract.Violation{{Field: "acks[0].position", Rule: "bytes.min_len", RuleID: "bytes.min_len"}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := contract.Validate(tc.msg)
			var contractErr *contract.Error
			if !errors.As(err, &contractErr) {
				t.Fatalf("Validate(%v) = %v, want a *contract.Error", tc.msg, err)
			}
			got := make([]contract.Violation, len(contractErr.Violations))
			for i, violation := range contractErr.Violations {
				if violation.Message == "" {
					t.Errorf("violation has no message for humans: %+v", violation)
				}
				violation.Message = "" // protovalidate's text, not ours
				got[i] = violation
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("violations (-want +got):\n%s", diff)
			}
			for _, violation := range tc.want {
				if !strings.Contains(err.Error(), violation.Field+":") {
					t.Errorf("error %q does not name %q", err, violation.Field)
				}
			}
		})
	}

	t.Run("error text", func(t *testing.T) {
		err := contract.Validate(&connectorv2.Destination_Run_Request{Records: []*opencdcv1.Record{validRecord(), {}}})
		want := "contract: invalid connector.v2.Destination.Run.Request:\n" +
			"  - records[1].position: must be at least 1 bytes [bytes.min_len]\n" +
			"  - records[1].operation: must not be in list [0] [enum.not_in]"
		if err == nil || err.Error() != want {
			t.Errorf("error text:\n%v\nwant:\n%s", err, want)
		}
	})
}

func TestValidateErrors(t *testing.T) {
	t.Run("untyped nil is an error", func(t *testing.T) {
		if err := contract.Validate(nil); err == nil {
			t.Error("Validate(nil) = nil, want an error")
		}
	})

	t.Run("typed nil is checked as the empty message", func(t *testing.T) {
		err := contract.Validate((*opencdcv1.Record)(nil))
		var contractErr *contract.Error
		if !errors.As(err, &contractErr) || len(contractErr.Violations) != 2 {
			t.Fatalf("Validate((*Record)(nil)) = %v, want the two violations of an empty record", err)
		}
	})

	t.Run("every violation is reported, one per line", func(t *testing.T) {
		err := contract.Validate(&connectorv1.Destination_Run_Request{Record: &opencdcv1.Record{}})
		want := "contract: invalid connector.v1.Destination.Run.Request:\n" +
			"  - record.position: must be at least 1 bytes [bytes.min_len]\n" +
			"  - record.operation: must not be in list [0] [enum.not_in]"
		if err == nil || err.Error() != want {
			t.Errorf("error text:\n%v\nwant:\n%s", err, want)
		}
	})

	t.Run("map key violations say so", func(t *testing.T) {
		err := contract.Validate(specifyResponse(map[string]*connectorv1.Specifier_Parameter{"": {}}))
		want := `contract: invalid connector.v1.Specifier.Specify.Response: source_params[""] (key): must be at least 1 characters [string.min_len]`
		if err == nil || err.Error() != want {
			t.Errorf("error text:\n%v\nwant:\n%s", err, want)
		}
	})

	t.Run("protovalidate's error stays reachable", func(t *testing.T) {
		err := contract.Validate(&connectorv1.Source_Run_Request{})
		var validationErr *protovalidate.ValidationError
		if !errors.As(err, &validationErr) {
			t.Fatalf("errors.As(%v, *protovalidate.ValidationError) = false", err)
		}
		if got := validationErr.ToProto().GetViolations()[0].GetRuleId(); got != "bytes.min_len" {
			t.Errorf("rule id = %q, want bytes.min_len", got)
		}
	})
}

func TestNewValidator(t *testing.T) {
	validator, err := contract.NewValidator()
	if err != nil {
		t.Fatalf("NewValidator: %v", err)
	}
	if err := validator.Validate(validRecord()); err != nil {
		t.Errorf("Validate(valid record) = %v", err)
	}
	if err := validator.Validate(&opencdcv1.Record{Operation: opencdcv1.Operation_OPERATION_CREATE}); err == nil {
		t.Error("Validate(record without position) = nil, want an error")
	}
}

// TestValidateConcurrently runs the shared validator from several goroutines,
// as a checker validating both directions of a stream does; with -race it
// proves the caching inside is safe.
func TestValidateConcurrently(t *testing.T) {
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := range 8 {
		wg.Go(func() {
			if i%2 == 0 {
				errs <- contract.Validate(&connectorv1.Destination_Run_Request{Record: validRecord()})
				return
			}
			if err := contract.Validate(&connectorv1.Source_Run_Request{}); err == nil {
				errs <- errors.New("empty ack passed validation")
				return
			}
			errs <- nil
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}
