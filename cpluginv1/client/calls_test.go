package client

import (
	"fmt"
	"strings"
	"testing"

	"google.golang.org/protobuf/reflect/protoreflect"

	connectorv1 "github.com/connectorkit/conduit-connector-protocol/gen/go/connector/v1"
	connectorv2 "github.com/connectorkit/conduit-connector-protocol/gen/go/connector/v2"
)

// TestSharedCallMessages checks what pluginCalls, sourceCalls and
// destinationCalls rely on: that every service's messages of the calls they
// make are, field for field, the ones they send and receive (protocol v1's
// Source messages for the calls every plugin has, v1's own for Stop, Start
// and Open), so that they encode to the same bytes.
func TestSharedCallMessages(t *testing.T) {
	t.Parallel()
	v1 := connectorv1.File_connector_v1_connector_proto.Services()
	v2source := connectorv2.File_connector_v2_source_proto.Services().ByName("SourcePlugin")
	v2destination := connectorv2.File_connector_v2_destination_proto.Services().ByName("DestinationPlugin")
	sent := map[string]protoreflect.ServiceDescriptor{
		"source":      v1.ByName("SourcePlugin"),
		"destination": v1.ByName("DestinationPlugin"),
	}
	services := []struct {
		role    string
		service protoreflect.ServiceDescriptor
		start   protoreflect.Name
	}{
		{"source", v1.ByName("SourcePlugin"), "Start"},
		{"destination", v1.ByName("DestinationPlugin"), "Start"},
		{"source", v2source, "Open"},
		{"destination", v2destination, "Open"},
	}
	for _, s := range services {
		if s.service == nil {
			t.Fatalf("a %s service is missing from the generated descriptors", s.role)
		}
		for _, call := range []protoreflect.Name{"Configure", "Teardown", "LifecycleOnCreated", "LifecycleOnUpdated", "LifecycleOnDeleted", "Stop", s.start} {
			want := sent["source"]
			if call == "Stop" || call == s.start {
				want = sent[s.role]
			}
			wantCall := call
			if call == s.start {
				wantCall = "Start"
			}
			got := s.service.Methods().ByName(call)
			w := want.Methods().ByName(wantCall)
			if got == nil || w == nil {
				t.Errorf("%s has no method %s", s.service.FullName(), call)
				continue
			}
			if g, w := shape(got.Input()), shape(w.Input()); g != w {
				t.Errorf("%s/%s request: fields %s, the client sends %s", s.service.FullName(), call, g, w)
			}
			if g, w := shape(got.Output()), shape(w.Output()); g != w {
				t.Errorf("%s/%s response: fields %s, the client decodes %s", s.service.FullName(), call, g, w)
			}
		}
	}
}

// shape describes what of a message decides its encoding: each field's
// number, kind and cardinality, and for a map its key and value.
func shape(m protoreflect.MessageDescriptor) string {
	var b strings.Builder
	fields := m.Fields()
	for i := range fields.Len() {
		f := fields.Get(i)
		fmt.Fprintf(&b, "[%d %s %s", f.Number(), f.Kind(), f.Cardinality())
		if f.IsMap() {
			fmt.Fprintf(&b, " map<%s,%s>", f.MapKey().Kind(), f.MapValue().Kind())
		}
		b.WriteString("]")
	}
	if b.Len() == 0 {
		return "(none)"
	}
	return b.String()
}
