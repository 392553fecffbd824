package toproto

import (
	"fmt"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/internal/utf8check"
	opencdcv1 "github.com/connectorkit/conduit-connector-protocol/gen/go/opencdc/v1"
	"google.golang.org/protobuf/types/known/structpb"
)

// Record converts an OpenCDC record. The payload is always set, also when
// it has neither before nor after. It fails if the metadata holds a key or
// value that is not valid UTF-8, or if the key or payload holds structured
// data with an unsupported value; the error wraps
// cpluginv1.ErrUnsupportedValue and names the field from the record on, for
// example `metadata["source"]` or "payload.after.items[2]". The metadata is
// checked first, then the key, payload.before and payload.after, in the
// order the built-in transport checks them.
func Record(in cpluginv1.Record) (*opencdcv1.Record, error) {
	if err := utf8check.Metadata(in.Metadata); err != nil {
		return nil, err
	}
	key, err := data(in.Key, "key")
	if err != nil {
		return nil, err
	}
	// The record and its payload are allocated together: one allocation
	// less per record on the hot path.
	block := &struct {
		record  opencdcv1.Record
		payload opencdcv1.Change
	}{}
	if err := change(&block.payload, in.Payload, "payload.before", "payload.after"); err != nil {
		return nil, err
	}
	block.record.Position = in.Position
	block.record.Operation = Operation(in.Operation)
	block.record.Metadata = in.Metadata
	block.record.Key = key
	block.record.Payload = &block.payload
	return &block.record, nil
}

// Operation converts an operation; numbers the protocol does not define
// keep their number.
func Operation(in cpluginv1.Operation) opencdcv1.Operation {
	return opencdcv1.Operation(in)
}

// Change converts a change. It fails if before or after holds structured
// data with an unsupported value; the error names the field from the
// change on, for example "after.items[2]".
func Change(in cpluginv1.Change) (*opencdcv1.Change, error) {
	out := &opencdcv1.Change{}
	if err := change(out, in, "before", "after"); err != nil {
		return nil, err
	}
	return out, nil
}

// change fills out. The paths are passed in whole, rather than built from a
// prefix, so that no string is built unless there is an error to report.
func change(out *opencdcv1.Change, in cpluginv1.Change, beforePath, afterPath string) error {
	before, err := data(in.Before, beforePath)
	if err != nil {
		return err
	}
	after, err := data(in.After, afterPath)
	if err != nil {
		return err
	}
	out.Before = before
	out.After = after
	return nil
}

// Data converts the key or payload of a record; see the package
// documentation for how nil and empty data travel. It fails if structured
// data holds an unsupported value, with the error
// [cpluginv1.StructuredData.Normalize] returns.
func Data(in cpluginv1.Data) (*opencdcv1.Data, error) {
	return data(in, "")
}

func data(in cpluginv1.Data, path string) (*opencdcv1.Data, error) {
	switch d := in.(type) {
	case nil:
		return nil, nil
	case cpluginv1.RawData:
		if d == nil {
			// A non-nil Data holding a nil slice is data of length zero.
			d = cpluginv1.RawData{}
		}
		block := &struct {
			data opencdcv1.Data
			raw  opencdcv1.Data_RawData
		}{raw: opencdcv1.Data_RawData{RawData: d}}
		block.data.Data = &block.raw
		return &block.data, nil
	case cpluginv1.StructuredData:
		s, err := structuredData(d, path)
		if err != nil {
			return nil, err
		}
		if s == nil {
			// A non-nil Data holding a nil map is data without fields.
			s = &structpb.Struct{}
		}
		block := &struct {
			data       opencdcv1.Data
			structured opencdcv1.Data_StructuredData
		}{structured: opencdcv1.Data_StructuredData{StructuredData: s}}
		block.data.Data = &block.structured
		return &block.data, nil
	default:
		// Only reachable with a type that embeds RawData or StructuredData
		// and so satisfies the interface without being one of the two kinds
		// the protocol carries.
		return nil, fmt.Errorf("%w: field %q holds data of type %T; use RawData or StructuredData", cpluginv1.ErrUnsupportedValue, displayPath(path), in)
	}
}

func displayPath(path string) string {
	if path == "" {
		return "(root)"
	}
	return path
}
