package schemaregistry_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/schemaregistry"
)

var (
	avroA = []byte(`{"type":"record","name":"a","fields":[]}`)
	avroB = []byte(`{"type":"record","name":"b","fields":[]}`)
)

func create(t *testing.T, r *schemaregistry.InMemory, subject string, schema []byte) cpluginv1.Schema {
	t.Helper()
	resp, err := r.CreateSchema(context.Background(), cpluginv1.CreateSchemaRequest{Subject: subject, Type: cpluginv1.SchemaTypeAvro, Bytes: schema})
	if err != nil {
		t.Fatalf("CreateSchema(%q): %v", subject, err)
	}
	return resp.Schema
}

func TestInMemoryVersionsAndIDs(t *testing.T) {
	t.Parallel()
	r := schemaregistry.New()
	first := create(t, r, "x", avroA)
	again := create(t, r, "x", avroA)
	second := create(t, r, "x", avroB)
	other := create(t, r, "y", avroA)

	want := []cpluginv1.Schema{
		{Subject: "x", Version: 1, ID: 1, Type: cpluginv1.SchemaTypeAvro, Bytes: avroA},
		{Subject: "x", Version: 2, ID: 2, Type: cpluginv1.SchemaTypeAvro, Bytes: avroB},
		{Subject: "y", Version: 1, ID: 1, Type: cpluginv1.SchemaTypeAvro, Bytes: avroA},
	}
	if diff := cmp.Diff(want, []cpluginv1.Schema{first, second, other}); diff != "" {
		t.Errorf("registered schemas (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(first, again); diff != "" {
		t.Errorf("the same bytes again must give the first version (-first +again):\n%s", diff)
	}
	if diff := cmp.Diff(want, r.List()); diff != "" {
		t.Errorf("List (-want +got):\n%s", diff)
	}
	got, err := r.GetSchema(context.Background(), cpluginv1.GetSchemaRequest{Subject: "x", Version: 2})
	if err != nil || !cmp.Equal(got.Schema, want[1]) {
		t.Errorf("GetSchema(x, 2) = %+v, %v; want %+v", got.Schema, err, want[1])
	}
}

func TestInMemoryOwnsItsBytes(t *testing.T) {
	t.Parallel()
	r := schemaregistry.New()
	schema := []byte(`"string"`)
	created := create(t, r, "x", schema)
	schema[1] = 'X'
	created.Bytes[1] = 'Y'
	got, err := r.GetSchema(context.Background(), cpluginv1.GetSchemaRequest{Subject: "x", Version: 1})
	if err != nil || string(got.Schema.Bytes) != `"string"` {
		t.Errorf("GetSchema = %q, %v; want the bytes as registered", got.Schema.Bytes, err)
	}
}

func TestInMemoryErrors(t *testing.T) {
	t.Parallel()
	r := schemaregistry.New()
	create(t, r, "x", avroA)
	ctx := context.Background()
	tests := map[string]struct {
		call func() error
		want error
	}{
		"unknown subject": {func() error {
			_, err := r.GetSchema(ctx, cpluginv1.GetSchemaRequest{Subject: "nope", Version: 1})
			return err
		}, cpluginv1.ErrSchemaSubjectNotFound},
		"unknown version": {func() error {
			_, err := r.GetSchema(ctx, cpluginv1.GetSchemaRequest{Subject: "x", Version: 2})
			return err
		}, cpluginv1.ErrSchemaVersionNotFound},
		"version zero": {func() error {
			_, err := r.GetSchema(ctx, cpluginv1.GetSchemaRequest{Subject: "x"})
			return err
		}, cpluginv1.ErrSchemaVersionNotFound},
		"empty subject": {func() error {
			_, err := r.CreateSchema(ctx, cpluginv1.CreateSchemaRequest{Type: cpluginv1.SchemaTypeAvro, Bytes: avroA})
			return err
		}, cpluginv1.ErrInvalidSchema},
		"no type": {func() error {
			_, err := r.CreateSchema(ctx, cpluginv1.CreateSchemaRequest{Subject: "x", Bytes: avroA})
			return err
		}, cpluginv1.ErrInvalidSchema},
		"not JSON": {func() error {
			_, err := r.CreateSchema(ctx, cpluginv1.CreateSchemaRequest{Subject: "x", Type: cpluginv1.SchemaTypeAvro, Bytes: []byte("{")})
			return err
		}, cpluginv1.ErrInvalidSchema},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if err := tt.call(); !errors.Is(err, tt.want) {
				t.Errorf("error = %v, want one wrapping %v", err, tt.want)
			}
		})
	}
	if got := len(r.List()); got != 1 {
		t.Errorf("the refused calls changed the registry: %d schemas, want 1", got)
	}
}

func TestDefaultIsOneRegistry(t *testing.T) {
	t.Parallel()
	first, second := schemaregistry.Default(), schemaregistry.Default()
	if first != second {
		t.Error("Default returned two registries")
	}
}
