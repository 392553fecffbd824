package cplugintest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
)

// The schemas useSchemaService registers: two versions of one Avro record.
var (
	schemaV1 = []byte(`{"type":"record","name":"r","fields":[{"name":"id","type":"long"}]}`)
	schemaV2 = []byte(`{"type":"record","name":"r","fields":[{"name":"id","type":"long"},{"name":"name","type":"string"}]}`)
)

// useSchemaService uses the schema service the host offers, as a connector
// does (cpluginv1.SchemaServiceFromContext), and returns a journal entry
// that says what it saw, in terms that do not depend on what the registry
// held before (the subject is new each time): versions, whether IDs match,
// and which sentinel each failure wraps.
func useSchemaService(ctx context.Context) string {
	svc := cpluginv1.SchemaServiceFromContext(ctx)
	var b [8]byte
	_, _ = rand.Read(b[:])
	subject := "cplugintest-" + hex.EncodeToString(b[:])

	create := func(subject string, schema []byte) (cpluginv1.Schema, error) {
		resp, err := svc.CreateSchema(ctx, cpluginv1.CreateSchemaRequest{Subject: subject, Type: cpluginv1.SchemaTypeAvro, Bytes: schema})
		return resp.Schema, err
	}
	first, err := create(subject, schemaV1)
	if err != nil {
		return "Schemas(create: " + sentinelOf(err) + ")"
	}
	again, errAgain := create(subject, schemaV1)
	second, errSecond := create(subject, schemaV2)
	other, errOther := create(subject+"-other", schemaV1)
	got, errGet := svc.GetSchema(ctx, cpluginv1.GetSchemaRequest{Subject: subject, Version: 2})
	_, errSubject := svc.GetSchema(ctx, cpluginv1.GetSchemaRequest{Subject: subject + "-missing", Version: 1})
	_, errVersion := svc.GetSchema(ctx, cpluginv1.GetSchemaRequest{Subject: subject, Version: 3})
	_, errEmpty := create("", schemaV1)
	_, errNotJSON := create(subject, []byte("not json"))
	_, errType := svc.CreateSchema(ctx, cpluginv1.CreateSchemaRequest{Subject: subject, Bytes: schemaV1})

	return fmt.Sprintf("Schemas(first v%d %s; again v%d same id %t %s; second v%d new id %t %s; other subject v%d same id %t %s; "+
		"get v2 subject ok %t version %d bytes ok %t id ok %t %s; missing subject %s; missing version %s; empty subject %s; not json %s; no type %s)",
		first.Version, first.Type, again.Version, again.ID == first.ID, sentinelOf(errAgain),
		second.Version, second.ID != first.ID, sentinelOf(errSecond),
		other.Version, other.ID == first.ID, sentinelOf(errOther),
		got.Schema.Subject == subject, got.Schema.Version, string(got.Schema.Bytes) == string(schemaV2), got.Schema.ID == second.ID, sentinelOf(errGet),
		sentinelOf(errSubject), sentinelOf(errVersion), sentinelOf(errEmpty), sentinelOf(errNotJSON), sentinelOf(errType))
}

// sentinelOf names the schema service sentinel err wraps: "ok" for nil.
func sentinelOf(err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, cpluginv1.ErrSchemaSubjectNotFound):
		return "ErrSchemaSubjectNotFound"
	case errors.Is(err, cpluginv1.ErrSchemaVersionNotFound):
		return "ErrSchemaVersionNotFound"
	case errors.Is(err, cpluginv1.ErrInvalidSchema):
		return "ErrInvalidSchema"
	case errors.Is(err, cpluginv1.ErrUnauthenticated):
		return "ErrUnauthenticated"
	case errors.Is(err, cpluginv1.ErrUnimplemented):
		return "ErrUnimplemented"
	default:
		return "other error: " + err.Error()
	}
}
