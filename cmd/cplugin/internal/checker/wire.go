package checker

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"

	"google.golang.org/protobuf/encoding/prototext"
	"google.golang.org/protobuf/proto"

	"github.com/connectorkit/conduit-connector-protocol/contract"
)

// wire validates every message the connector sends against the contract's
// protovalidate rules, as it arrives, and keeps the violations until the run
// hands them to the checks that own the messages.
type wire struct {
	mu         sync.Mutex
	violations []wireViolation
	messages   int
}

type wireViolation struct {
	method  string // full gRPC method, "/connector.v1.SourcePlugin/Run"
	field   string // the field path, "record.operation"; empty for message rules
	reason  string
	message string
}

// observe is a connector.Observer. It sees the messages of either protocol
// version and files them under the v1 method (see v1Method).
func (w *wire) observe(method string, msg proto.Message) {
	method = v1Method(method)
	err := contract.Validate(msg)
	w.mu.Lock()
	defer w.mu.Unlock()
	w.messages++
	if err == nil {
		return
	}
	name := shortMessageName(string(msg.ProtoReflect().Descriptor().FullName()))
	var invalid *contract.Error
	if !errors.As(err, &invalid) {
		w.violations = append(w.violations, wireViolation{method: method, reason: fmt.Sprintf("%s could not be validated: %v", name, err), message: formatMessage(msg)})
		return
	}
	for _, v := range invalid.Violations {
		w.violations = append(w.violations, wireViolation{
			method:  method,
			field:   v.Field,
			reason:  fmt.Sprintf("%s breaks a rule of the contract: %s", name, v),
			message: formatMessage(msg),
		})
	}
}

// saw reports whether a message the connector sent in answer to method
// broke a rule of the contract.
func (w *wire) saw(method string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, v := range w.violations {
		if v.method == method {
			return true
		}
	}
	return false
}

// report hands every violation to the check that owns its message.
func (w *wire) report(res *results) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, v := range w.violations {
		res.problem(route(v.method, v.field), v.reason, v.message)
	}
}

// v1Method names a v2 method by its v1 counterpart, so that the checks
// own the messages of both versions alike: "/connector.v2.SourcePlugin/Open"
// is "/connector.v1.SourcePlugin/Start".
func v1Method(method string) string {
	rest, ok := strings.CutPrefix(method, "/connector.v2.")
	if !ok {
		return method
	}
	service, rpc, _ := strings.Cut(rest, "/")
	if rpc == "Open" {
		rpc = "Start"
	}
	return "/connector.v1." + service + "/" + rpc
}

// route names the check that owns a message the connector sent in answer to
// method: the records of a source, the acks of a destination, the
// specification, and the (empty, today) responses of the other calls.
func route(method, field string) check {
	service, rpc, _ := strings.Cut(strings.TrimPrefix(method, "/connector.v1."), "/")
	switch service {
	case "SpecifierPlugin":
		if field == "name" || field == "specification.name" {
			return checkSpecName
		}
		return checkSpecParams
	case "SourcePlugin":
		switch rpc {
		case "Run":
			return checkSourceRecords
		case "Configure":
			return checkSourceConfigure
		case "Start":
			return checkSourceStart
		case "Stop":
			return checkSourceStop
		case "Teardown":
			return checkSourceTeardown
		default:
			return checkSourceLifecycle
		}
	case "DestinationPlugin":
		switch rpc {
		case "Run":
			return checkDestinationAcks
		case "Configure":
			return checkDestinationConfigure
		case "Start":
			return checkDestinationStart
		case "Stop":
			return checkDestinationStop
		case "Teardown":
			return checkDestinationTeardown
		default:
			return checkDestinationLifecycle
		}
	}
	return checkConnect
}

// shortMessageName drops the package of a v1 message: "Source.Run.Response";
// a v2 message keeps its version: "v2 Source.Run.Response".
func shortMessageName(full string) string {
	if name, ok := strings.CutPrefix(full, "connector.v1."); ok {
		return name
	}
	if name, ok := strings.CutPrefix(full, "connector.v2."); ok {
		return "v2 " + name
	}
	return full
}

// maxMessageText keeps a large record from flooding the report.
const maxMessageText = 400

// formatMessage renders msg on one line in protobuf text format, shortened
// if it is long.
func formatMessage(msg proto.Message) string {
	return shorten(prototext.MarshalOptions{}.Format(msg))
}

func shorten(s string) string {
	if len(s) <= maxMessageText {
		return s
	}
	cut := maxMessageText
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + fmt.Sprintf("… (%d more bytes)", len(s)-cut)
}
