// Package schemaregistry holds an in-memory schema registry: the
// [cpluginv1.SchemaService] a host offers its connectors when its author
// supplies no registry of their own.
//
// Host authors rarely use it directly: package client serves [Default] to
// every standalone connector it starts, and package builtin passes it to
// built-in connectors, unless the host gives them another
// [cpluginv1.SchemaService]. It links no gRPC.
package schemaregistry

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
)

// InMemory is a schema registry that keeps every schema in memory for the
// life of the process. Subjects have versions starting at 1; registering the
// same type and bytes under a subject again returns the version it already
// has; the same type and bytes under any subject share one ID. It accepts
// only Avro schemas, and checks of them only that they are JSON text (the
// form Avro schemas are written in), not that they are valid Avro.
//
// Its methods may be called from several goroutines. It does not retain the
// caller's byte slices and returns copies of its own.
type InMemory struct {
	mu       sync.Mutex
	subjects map[string][]cpluginv1.Schema // versions in order: index i is version i+1
	ids      map[string]int32              // type and bytes -> ID
}

// New returns an empty registry.
func New() *InMemory {
	return &InMemory{subjects: map[string][]cpluginv1.Schema{}, ids: map[string]int32{}}
}

// Default returns the registry that package client and package builtin offer
// to connectors whose host names no registry of its own: one per process, so
// that a destination can fetch the schema a source of the same host
// registered.
func Default() *InMemory { return defaultRegistry() }

var defaultRegistry = sync.OnceValue(New)

var _ cpluginv1.SchemaService = (*InMemory)(nil)

// CreateSchema registers the schema under its subject. It fails with an
// error wrapping cpluginv1.ErrInvalidSchema if the subject is empty, the
// type is not Avro or the bytes are not JSON text.
func (r *InMemory) CreateSchema(ctx context.Context, req cpluginv1.CreateSchemaRequest) (cpluginv1.CreateSchemaResponse, error) {
	if err := ctx.Err(); err != nil {
		return cpluginv1.CreateSchemaResponse{}, err
	}
	if err := validate(req); err != nil {
		return cpluginv1.CreateSchemaResponse{}, fmt.Errorf("create schema under subject %q: %w", req.Subject, err)
	}

	r.mu.Lock()
	defer r.mu.Unlock()
	versions := r.subjects[req.Subject]
	for _, s := range versions {
		if s.Type == req.Type && bytes.Equal(s.Bytes, req.Bytes) {
			return cpluginv1.CreateSchemaResponse{Schema: clone(s)}, nil
		}
	}
	content := req.Type.String() + "\x00" + string(req.Bytes)
	id, ok := r.ids[content]
	if !ok {
		id = int32(len(r.ids) + 1) //nolint:gosec // a registry with 2^31 schemas runs out of memory first
		r.ids[content] = id
	}
	s := cpluginv1.Schema{
		Subject: req.Subject,
		Version: int32(len(versions) + 1), //nolint:gosec // as above
		ID:      id,
		Type:    req.Type,
		Bytes:   slices.Clone(req.Bytes),
	}
	r.subjects[req.Subject] = append(versions, s)
	return cpluginv1.CreateSchemaResponse{Schema: clone(s)}, nil
}

// GetSchema returns one version of a subject. It fails with an error
// wrapping cpluginv1.ErrSchemaSubjectNotFound or
// cpluginv1.ErrSchemaVersionNotFound.
func (r *InMemory) GetSchema(ctx context.Context, req cpluginv1.GetSchemaRequest) (cpluginv1.GetSchemaResponse, error) {
	if err := ctx.Err(); err != nil {
		return cpluginv1.GetSchemaResponse{}, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	versions, ok := r.subjects[req.Subject]
	if !ok {
		return cpluginv1.GetSchemaResponse{}, fmt.Errorf("get schema %q version %d: %w", req.Subject, req.Version, cpluginv1.ErrSchemaSubjectNotFound)
	}
	if req.Version < 1 || int(req.Version) > len(versions) {
		return cpluginv1.GetSchemaResponse{}, fmt.Errorf("get schema %q version %d (the subject has versions 1 to %d): %w",
			req.Subject, req.Version, len(versions), cpluginv1.ErrSchemaVersionNotFound)
	}
	return cpluginv1.GetSchemaResponse{Schema: clone(versions[req.Version-1])}, nil
}

// List returns every registered schema, sorted by subject, then version.
func (r *InMemory) List() []cpluginv1.Schema {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []cpluginv1.Schema
	for _, versions := range r.subjects {
		for _, s := range versions {
			out = append(out, clone(s))
		}
	}
	slices.SortFunc(out, func(a, b cpluginv1.Schema) int {
		if c := strings.Compare(a.Subject, b.Subject); c != 0 {
			return c
		}
		return int(a.Version - b.Version)
	})
	return out
}

func validate(req cpluginv1.CreateSchemaRequest) error {
	switch {
	case req.Subject == "":
		return fmt.Errorf("the subject is empty: %w", cpluginv1.ErrInvalidSchema)
	case req.Type != cpluginv1.SchemaTypeAvro:
		return fmt.Errorf("type %v is not supported (only avro): %w", req.Type, cpluginv1.ErrInvalidSchema)
	case !json.Valid(req.Bytes):
		return fmt.Errorf("an Avro schema must be JSON text: %w", cpluginv1.ErrInvalidSchema)
	}
	return nil
}

func clone(s cpluginv1.Schema) cpluginv1.Schema {
	s.Bytes = slices.Clone(s.Bytes)
	return s
}
