package toproto

import (
	"fmt"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	opencdcv1 "github.com/connectorkit/conduit-connector-protocol/gen/go/opencdc/v1"
	"github.com/connectorkit/conduit-connector-protocol/internal/utf8check"
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
	block := &recordBlock{}
	if err := block.fill(in); err != nil {
		return nil, err
	}
	return &block.record, nil
}

// recordBlock holds a record message and the messages it points to, so that
// converting a record of raw data costs one allocation, the hot path's only
// one (structured data allocates its google.protobuf.Struct on its own).
type recordBlock struct {
	record                      opencdcv1.Record
	payload                     opencdcv1.Change
	key, before, after          opencdcv1.Data
	keyRaw, beforeRaw, afterRaw opencdcv1.Data_RawData
}

// fill converts in into b.record.
func (b *recordBlock) fill(in cpluginv1.Record) error {
	if err := utf8check.Metadata(in.Metadata); err != nil {
		return err
	}
	key, err := dataInto(&b.key, &b.keyRaw, in.Key, "key")
	if err != nil {
		return err
	}
	before, err := dataInto(&b.before, &b.beforeRaw, in.Payload.Before, "payload.before")
	if err != nil {
		return err
	}
	after, err := dataInto(&b.after, &b.afterRaw, in.Payload.After, "payload.after")
	if err != nil {
		return err
	}
	b.payload.Before = before
	b.payload.After = after
	b.record.Position = in.Position
	b.record.Operation = Operation(in.Operation)
	b.record.Metadata = in.Metadata
	b.record.Key = key
	b.record.Payload = &b.payload
	return nil
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
	block := &struct {
		data opencdcv1.Data
		raw  opencdcv1.Data_RawData
	}{}
	return dataInto(&block.data, &block.raw, in, path)
}

// dataInto converts in into out, using raw for raw data, and returns out,
// or nil for no data.
func dataInto(out *opencdcv1.Data, raw *opencdcv1.Data_RawData, in cpluginv1.Data, path string) (*opencdcv1.Data, error) {
	switch d := in.(type) {
	case nil:
		return nil, nil
	case cpluginv1.RawData:
		if d == nil {
			// A non-nil Data holding a nil slice is data of length zero.
			d = cpluginv1.RawData{}
		}
		raw.RawData = d
		out.Data = raw
		return out, nil
	case cpluginv1.StructuredData:
		s, err := structuredData(d, path)
		if err != nil {
			return nil, err
		}
		if s == nil {
			// A non-nil Data holding a nil map is data without fields.
			s = &structpb.Struct{}
		}
		out.Data = &opencdcv1.Data_StructuredData{StructuredData: s}
		return out, nil
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
