package cpluginv1_test

import (
	"testing"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/google/go-cmp/cmp"
)

func TestOperationString(t *testing.T) {
	cases := map[cpluginv1.Operation]string{
		cpluginv1.OperationCreate:   "create",
		cpluginv1.OperationUpdate:   "update",
		cpluginv1.OperationDelete:   "delete",
		cpluginv1.OperationSnapshot: "snapshot",
		0:                           "operation(0)",
		5:                           "operation(5)",
		-1:                          "operation(-1)",
	}
	for op, want := range cases {
		if got := op.String(); got != want {
			t.Errorf("Operation(%d).String() = %q, want %q", int32(op), got, want)
		}
	}
}

func newCloneRecord() cpluginv1.Record {
	return cpluginv1.Record{
		Position:  []byte("pos"),
		Operation: cpluginv1.OperationUpdate,
		Metadata:  map[string]string{"k": "v"},
		Key:       cpluginv1.RawData("key"),
		Payload: cpluginv1.Change{
			Before: cpluginv1.StructuredData{"m": map[string]any{"k": "v"}, "l": []any{"a"}},
			After:  cpluginv1.RawData("after"),
		},
	}
}

func TestRecordCloneSharesNoMemory(t *testing.T) {
	original := newCloneRecord()
	clone := original.Clone()
	if diff := cmp.Diff(original, clone); diff != "" {
		t.Fatalf("clone differs (-original +clone):\n%s", diff)
	}

	// Change every part of the clone that could share memory.
	clone.Position[0] = 'X'
	clone.Metadata["k"] = "changed"
	clone.Metadata["new"] = "x"
	clone.Key.(cpluginv1.RawData)[0] = 'X'
	before := clone.Payload.Before.(cpluginv1.StructuredData)
	before["m"].(map[string]any)["k"] = "changed"
	before["l"].([]any)[0] = "changed"
	before["new"] = true
	clone.Payload.After.(cpluginv1.RawData)[0] = 'X'

	if diff := cmp.Diff(newCloneRecord(), original); diff != "" {
		t.Errorf("changing the clone changed the original (-want +got):\n%s", diff)
	}
}

func TestRecordCloneKeepsNilAndEmpty(t *testing.T) {
	cases := []struct {
		name string
		in   cpluginv1.Record
	}{
		{name: "zero", in: cpluginv1.Record{}},
		{name: "empty", in: cpluginv1.Record{
			Position: []byte{},
			Metadata: map[string]string{},
			Key:      cpluginv1.RawData{},
			Payload:  cpluginv1.Change{Before: cpluginv1.StructuredData{}, After: cpluginv1.RawData(nil)},
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// cmp without options tells nil from empty, which Data relies
			// on: nil means no data, empty RawData means data of length 0.
			if diff := cmp.Diff(tc.in, tc.in.Clone()); diff != "" {
				t.Errorf("(-in +clone):\n%s", diff)
			}
		})
	}
}
