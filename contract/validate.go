package contract

import (
	"errors"
	"fmt"
	"strings"
	"sync"

	"buf.build/go/protovalidate"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	configv1 "github.com/connectorkit/conduit-connector-protocol/gen/go/config/v1"
	connectorv1 "github.com/connectorkit/conduit-connector-protocol/gen/go/connector/v1"
	connectorv2 "github.com/connectorkit/conduit-connector-protocol/gen/go/connector/v2"
	opencdcv1 "github.com/connectorkit/conduit-connector-protocol/gen/go/opencdc/v1"
)

// Validator checks protocol messages against the protovalidate rules of the
// contract. It is safe for concurrent use; create one and reuse it, because
// it caches the compiled rules of every message type it has seen.
type Validator struct {
	validator protovalidate.Validator
}

// NewValidator returns a Validator with the rules of every message in
// connector/v1/connector.proto, the protocol v2 files connector/v2/*.proto
// and config/v1/parameter.proto, and opencdc/v1/opencdc.proto compiled up
// front, so a broken rule in the contract is reported here rather than on the
// first message of that type.
func NewValidator() (*Validator, error) {
	messages := contractMessages()
	validator, err := protovalidate.New(protovalidate.WithMessageDescriptors(messages...))
	if err != nil {
		return nil, fmt.Errorf("contract: create validator: %w", err)
	}
	// protovalidate reports rules that do not compile only when a message is
	// validated, so validate an empty message of every type once. Rule
	// violations are expected here (empty messages break required rules);
	// any other error means the contract's rules themselves are broken.
	for _, md := range messages {
		mt, err := protoregistry.GlobalTypes.FindMessageByName(md.FullName())
		if err != nil {
			return nil, fmt.Errorf("contract: find message type %s: %w", md.FullName(), err)
		}
		var violations *protovalidate.ValidationError
		if err := validator.Validate(mt.New().Interface()); err != nil && !errors.As(err, &violations) {
			return nil, fmt.Errorf("contract: rules of %s: %w", md.FullName(), err)
		}
	}
	return &Validator{validator: validator}, nil
}

// contractMessages lists every message declared in the contract's files,
// nested ones included (map entries excluded: they carry no rules of their
// own).
func contractMessages() []protoreflect.MessageDescriptor {
	var all []protoreflect.MessageDescriptor
	var walk func(protoreflect.MessageDescriptors)
	walk = func(mds protoreflect.MessageDescriptors) {
		for i := range mds.Len() {
			md := mds.Get(i)
			if md.IsMapEntry() {
				continue
			}
			all = append(all, md)
			walk(md.Messages())
		}
	}
	walk(connectorv1.File_connector_v1_connector_proto.Messages())
	walk(connectorv2.File_connector_v2_source_proto.Messages())
	walk(connectorv2.File_connector_v2_destination_proto.Messages())
	walk(connectorv2.File_connector_v2_specifier_proto.Messages())
	walk(configv1.File_config_v1_parameter_proto.Messages())
	walk(opencdcv1.File_opencdc_v1_opencdc_proto.Messages())
	return all
}

var defaultValidator = sync.OnceValues(NewValidator)

// Validate checks msg against the protovalidate rules of the contract with a
// shared [Validator]. It returns nil if msg satisfies every rule, an *[Error]
// listing every violated rule if it does not, and another error if the rules
// could not be evaluated. A typed nil message (for example a nil
// *opencdcv1.Record) is checked as the empty message it encodes to on the
// wire; an untyped nil is an error, because there is nothing to check.
func Validate(msg proto.Message) error {
	validator, err := defaultValidator()
	if err != nil {
		return err
	}
	return validator.Validate(msg)
}

// Validate checks msg against the protovalidate rules of the contract; see
// the package-level [Validate] for the result.
func (v *Validator) Validate(msg proto.Message) error {
	if msg == nil {
		return errors.New("contract: validate: nil message")
	}
	name := msg.ProtoReflect().Descriptor().FullName()
	err := v.validator.Validate(msg)
	if err == nil {
		return nil
	}
	var validationErr *protovalidate.ValidationError
	if !errors.As(err, &validationErr) {
		return fmt.Errorf("contract: validate %s: %w", name, err)
	}
	out := &Error{Message: string(name), cause: validationErr}
	for _, violation := range validationErr.Violations {
		out.Violations = append(out.Violations, Violation{
			Field:   protovalidate.FieldPathString(violation.Proto.GetField()),
			Rule:    protovalidate.FieldPathString(violation.Proto.GetRule()),
			RuleID:  violation.Proto.GetRuleId(),
			ForKey:  violation.Proto.GetForKey(),
			Message: violation.Proto.GetMessage(),
		})
	}
	return out
}

// Error is returned by [Validate] when a message breaks rules of the
// contract. It lists every violation, not only the first.
type Error struct {
	// Message is the full name of the message that was validated, for
	// example "connector.v1.Source.Run.Response" or
	// "connector.v2.Destination.Run.Request".
	Message string
	// Violations holds one entry per broken rule, in the order protovalidate
	// found them (field order, nested messages depth first).
	Violations []Violation

	cause *protovalidate.ValidationError
}

// Violation is one broken rule.
type Violation struct {
	// Field is the path of the offending field from the validated message,
	// for example "record.position", `source_params["timeout"].type`, or
	// "records[2].position" for the third record of a protocol v2 batch.
	// Empty for a rule on the whole validated message.
	Field string
	// Rule is the path of the rule inside the buf.validate field options,
	// for example "bytes.min_len" or "map.keys.string.min_len". Empty for a
	// custom CEL rule on a message, which protovalidate reports by RuleID
	// only.
	Rule string
	// RuleID identifies the rule: a standard rule's name such as
	// "bytes.min_len" or "required", or the id of a custom CEL rule such as
	// "validation.value_regex".
	RuleID string
	// ForKey is true if the rule was broken by a map key rather than by the
	// value stored under it.
	ForKey bool
	// Message says what is wrong, for humans.
	Message string
}

// String formats the violation as "field: message [rule id]", with "(key)"
// after the field when a map key broke the rule.
func (v Violation) String() string {
	var b strings.Builder
	if v.Field != "" {
		b.WriteString(v.Field)
		if v.ForKey {
			b.WriteString(" (key)")
		}
		b.WriteString(": ")
	}
	if v.Message != "" {
		b.WriteString(v.Message)
		b.WriteString(" ")
	}
	b.WriteString("[")
	b.WriteString(v.RuleID)
	b.WriteString("]")
	return b.String()
}

// Error lists the violations, one per line after the first when there are
// several.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("contract: invalid ")
	b.WriteString(e.Message)
	if len(e.Violations) == 1 {
		b.WriteString(": ")
		b.WriteString(e.Violations[0].String())
		return b.String()
	}
	b.WriteString(":")
	for _, violation := range e.Violations {
		b.WriteString("\n  - ")
		b.WriteString(violation.String())
	}
	return b.String()
}

// Unwrap returns protovalidate's own error, for callers that want the
// violations in their proto form (buf.validate.Violations).
func (e *Error) Unwrap() error {
	if e.cause == nil {
		return nil
	}
	return e.cause
}
