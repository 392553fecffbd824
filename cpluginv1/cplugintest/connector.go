package cplugintest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
)

// Plugins are the three plugins of one connector instance.
type Plugins struct {
	// Specifier describes the connector.
	Specifier cpluginv1.SpecifierPlugin
	// Source reads records.
	Source cpluginv1.SourcePlugin
	// Destination writes records.
	Destination cpluginv1.DestinationPlugin
}

// Connector returns a new instance of the test connector the suite drives.
// Its source and destination are independent of each other; each behaves as
// the configuration given to its Configure says (see the package
// documentation for the keys). A harness serves the instance through the
// transport under test; cpluginv1/cplugintest/testconnector serves one in a
// standalone process.
func Connector() Plugins {
	shared := &shared{}
	return Plugins{
		Specifier:   specifier{shared: shared},
		Source:      &source{lifecycle: lifecycle{side: "source", shared: shared}},
		Destination: &destination{lifecycle: lifecycle{side: "destination", shared: shared}},
	}
}

// shared is the state of one connector instance that its plugins share.
type shared struct {
	// invalidSpecification makes Specify answer with a specification that
	// is not valid UTF-8 (see keySpecification).
	invalidSpecification atomic.Bool
}

// The configuration keys the test connector reads from Configure's config
// map, and the metadata keys it reads from and writes to records.
const (
	// keyFail + a method name ("configure", "start", "run", "stop",
	// "teardown", "lifecycle-on-created", "lifecycle-on-updated",
	// "lifecycle-on-deleted") makes that method fail; the value names how
	// (see failures).
	keyFail = "cplugintest.fail."
	// keyBlock lists, comma-separated, the methods that block until their
	// context ends and then return its error.
	keyBlock = "cplugintest.block"
	// keyOld "true" makes the Lifecycle methods answer ErrUnimplemented, as
	// a connector that predates them does.
	keyOld = "cplugintest.old"
	// keyJournal "true" makes Teardown fail with a message listing every
	// call the plugin got, with its data: "journal: Configure(...); ...".
	keyJournal = "cplugintest.journal"
	// keySourceRun says what the source's Run sends (see sourceRecords).
	keySourceRun = "cplugintest.source.run"
	// keyRequireAcks "true" makes the source's Run fail when the host closes
	// the stream before it acked every record sent.
	keyRequireAcks = "cplugintest.source.require-acks"
	// keySourceStop makes the source's Stop break the protocol: "one-more"
	// sends one record after the one at the position Stop returned; "empty"
	// answers an empty position although records were sent.
	keySourceStop = "cplugintest.source.stop"
	// keyDestinationRun "batch" makes the destination hold its acks until
	// Stop, as a connector that writes in batches does; by default it acks
	// each record at once. The other values break the protocol's rules for
	// acks (see misbehave).
	keyDestinationRun = "cplugintest.destination.run"
	// keySpecification "invalid-utf8", given to either plugin's Configure,
	// makes Specify answer from then on with a specification whose source
	// parameter "url" has a description that is not valid UTF-8.
	keySpecification = "cplugintest.specification"

	// metaNack on a record makes the destination nack it with the value as
	// the error.
	metaNack = "cplugintest.nack"
	// metaSendError is set by the source's "unsupported" and "invalid-utf8"
	// Runs on the record they send after Send rejected records: the
	// rejections' messages, one per line.
	metaSendError = "cplugintest.send.error"
	// metaNackInvalidUTF8 on a record makes the destination nack it with
	// an error text that is not valid UTF-8 (see invalidUTF8NackError).
	metaNackInvalidUTF8 = "cplugintest.nack.invalid-utf8"
)

// The ways a method can be told to fail (the values of keyFail keys), with
// the sentinel the error wraps.
var failures = map[string]error{
	"unimplemented":       cpluginv1.ErrUnimplemented,
	"invalid-argument":    cpluginv1.ErrInvalidArgument,
	"failed-precondition": cpluginv1.ErrFailedPrecondition,
	"message-too-large":   cpluginv1.ErrMessageTooLarge,
	"canceled":            context.Canceled,
	"deadline-exceeded":   context.DeadlineExceeded,
	"plain":               nil, // an error wrapping none of the above
	"panic":               nil, // not an error: the method panics
}

// failure returns the error a method of side fails with when told to fail
// as kind, and panics when kind is "panic", with panicValue's value.
func failure(side, method, kind string) error {
	if kind == "panic" {
		panic(panicValue(side, method))
	}
	if kind == invalidUTF8 {
		return invalidUTF8Failure(side, method)
	}
	sentinel, ok := failures[kind]
	switch {
	case !ok:
		return fmt.Errorf("cplugintest %s %s: unknown failure kind %q: %w", side, method, kind, cpluginv1.ErrInvalidArgument)
	case sentinel == nil:
		return fmt.Errorf("cplugintest %s %s: failing as configured", side, method)
	default:
		return fmt.Errorf("cplugintest %s %s: failing as configured: %w", side, method, sentinel)
	}
}

// invalidUTF8 is the failure kind (not in failures, so that testErrors
// does not expect its message to cross unchanged) of an error whose message
// is not valid UTF-8, the source mode that sends records holding such
// strings, and the value of keySpecification that makes the specification
// hold one.
const invalidUTF8 = "invalid-utf8"

// invalidUTF8Failure is the error of a method told to fail as invalidUTF8:
// its message holds two bytes that are not valid UTF-8, and it wraps
// ErrInvalidArgument.
func invalidUTF8Failure(side, method string) error {
	return fmt.Errorf("cplugintest %s %s: failing with \xff\xfe in the message: %w", side, method, cpluginv1.ErrInvalidArgument)
}

// invalidUTF8NackError is the error of the destination's negative ack for
// a record with metaNackInvalidUTF8: it is not valid UTF-8.
const invalidUTF8NackError = "cplugintest: not written: \xff\xfe"

func panicValue(side, method string) string {
	return fmt.Sprintf("cplugintest %s %s: panicking as configured", side, method)
}

func precondition(side, method, why string) error {
	return fmt.Errorf("cplugintest %s %s: %s: %w", side, method, why, cpluginv1.ErrFailedPrecondition)
}

// Specification returns the specification the test connector's Specify
// answers with. It uses every parameter type and validation type.
func Specification() cpluginv1.Specification {
	return cpluginv1.Specification{
		Name:        "cplugintest",
		Summary:     "The connector of the cpluginv1 transport parity suite.",
		Description: "Behaves as its configuration says, so that the same\n*tests* run against every transport. ✓",
		Version:     "v0.0.0-test",
		Author:      "conduit-connector-protocol",
		SourceParams: map[string]cpluginv1.Parameter{
			"url": {
				Description: "Where to read from.",
				Type:        cpluginv1.ParameterTypeString,
				Required:    true, // deprecated, but it still crosses the wire and must survive
				Validations: []cpluginv1.Validation{
					{Type: cpluginv1.ValidationTypeRequired},
					{Type: cpluginv1.ValidationTypeRegex, Value: `^https?://`},
				},
			},
			"batch": {
				Default:     "10",
				Description: "Records per batch.",
				Type:        cpluginv1.ParameterTypeInt,
				Validations: []cpluginv1.Validation{
					{Type: cpluginv1.ValidationTypeGreaterThan, Value: "0"},
					{Type: cpluginv1.ValidationTypeLessThan, Value: "1e4"},
				},
			},
			"ratio":    {Default: "0.5", Type: cpluginv1.ParameterTypeFloat},
			"enabled":  {Default: "true", Type: cpluginv1.ParameterTypeBool},
			"interval": {Default: "1m30s", Type: cpluginv1.ParameterTypeDuration},
			"untyped":  {Validations: []cpluginv1.Validation{{Type: cpluginv1.ValidationTypeUnspecified}}},
		},
		DestinationParams: map[string]cpluginv1.Parameter{
			"path": {Description: "Where to write.", Type: cpluginv1.ParameterTypeFile},
			"format": {
				Default: "json",
				Type:    cpluginv1.ParameterTypeString,
				Validations: []cpluginv1.Validation{
					{Type: cpluginv1.ValidationTypeInclusion, Value: "json,avro,raw"},
					{Type: cpluginv1.ValidationTypeExclusion, Value: "xml"},
				},
			},
		},
	}
}

// Records returns the records the test connector's source sends by default,
// in order. Together they hold every kind of data: raw and structured keys
// and payloads, nil and empty data, metadata, every operation, and
// structured values of every supported Go type (which arrive normalised, see
// cpluginv1.StructuredData). The destination checks that a record with one
// of these positions arrives as [Normalized] gives it and nacks it
// otherwise.
func Records() []cpluginv1.Record {
	return []cpluginv1.Record{
		{
			Position:  []byte("fixed-1"),
			Operation: cpluginv1.OperationCreate,
			Metadata: map[string]string{
				cpluginv1.MetadataCollection: "users",
				cpluginv1.MetadataReadAt:     "1700000000000000000",
				"cplugintest.unicode":        "ünïcödé ✓",
			},
			Key: cpluginv1.RawData("user-1"),
			Payload: cpluginv1.Change{After: cpluginv1.StructuredData{
				"int":      1,
				"int8":     int8(-8),
				"int16":    int16(16),
				"int32":    int32(-32),
				"int64":    int64(-(1 << 53)),
				"uint":     uint(1 << 53),
				"uint8":    uint8(255),
				"uint16":   uint16(16),
				"uint32":   uint32(32),
				"uint64":   uint64(64),
				"float32":  float32(1.5),
				"float64":  2.25,
				"bool":     true,
				"string":   "s",
				"nil":      nil,
				"list":     []any{int16(1), "two", map[string]any{"three": uint8(3)}, []any{}},
				"map":      map[string]any{"nested": cpluginv1.StructuredData{"deep": int32(7)}},
				"emptyMap": map[string]any{},
			}},
		},
		{
			Position:  []byte("fixed-2"),
			Operation: cpluginv1.OperationUpdate,
			Metadata:  map[string]string{"empty": ""},
			Key:       cpluginv1.StructuredData{"id": 2},
			Payload: cpluginv1.Change{
				Before: cpluginv1.StructuredData{"name": "old"},
				After:  cpluginv1.StructuredData{"name": "new"},
			},
		},
		{
			Position:  []byte("fixed-3"),
			Operation: cpluginv1.OperationDelete,
			Key:       cpluginv1.RawData("user-3"),
			Payload:   cpluginv1.Change{Before: cpluginv1.RawData(`{"id":3}`)},
		},
		{
			Position:  []byte("fixed-4"),
			Operation: cpluginv1.OperationSnapshot,
			Metadata:  map[string]string{},
			Payload:   cpluginv1.Change{Before: cpluginv1.StructuredData{}, After: cpluginv1.RawData{}},
		},
	}
}

// unsupportedRecord is a record that no transport may carry: its payload
// holds an integer beyond 2^53.
func unsupportedRecord() cpluginv1.Record {
	return cpluginv1.Record{
		Position:  []byte("unsupported"),
		Operation: cpluginv1.OperationCreate,
		Payload: cpluginv1.Change{After: cpluginv1.StructuredData{
			"fine": 1,
			"big":  int64(1<<53 + 1),
		}},
	}
}

// invalidUTF8Record is a record that no transport may carry because a
// string in it is not valid UTF-8, with the message of the error every
// transport must refuse it with. The messages are spelled out, rather than
// computed, so that the suite pins them.
type invalidUTF8Record struct {
	record  cpluginv1.Record
	message string
}

// invalidUTF8Records returns one record per place a string that is not
// valid UTF-8 can hide in: a metadata value and key, a structured string and
// key (nested, to check the path in the message). Each is otherwise valid.
func invalidUTF8Records() []invalidUTF8Record {
	record := func(position string, metadata map[string]string, key cpluginv1.Data, after cpluginv1.Data) cpluginv1.Record {
		return cpluginv1.Record{
			Position:  []byte(position),
			Operation: cpluginv1.OperationCreate,
			Metadata:  metadata,
			Key:       key,
			Payload:   cpluginv1.Change{After: after},
		}
	}
	return []invalidUTF8Record{
		{
			record(invalidUTF8+"-metadata-value", map[string]string{"fine": "ok", "cplugintest.bad": "\xffbad"}, nil, cpluginv1.RawData("x")),
			`metadata["cplugintest.bad"]: value is not valid UTF-8 (protobuf strings must be UTF-8)`,
		},
		{
			record(invalidUTF8+"-metadata-key", map[string]string{"bad\xfe": "ok"}, nil, nil),
			`metadata: key "bad\xfe" is not valid UTF-8 (protobuf strings must be UTF-8)`,
		},
		{
			record(invalidUTF8+"-structured-string", nil, cpluginv1.RawData("k"), cpluginv1.StructuredData{
				"fine": "ok",
				"list": []any{"ok", map[string]any{"name": "caf\xe9"}},
			}),
			`unsupported structured data value: field "payload.after.list[1].name" holds a string that is not valid UTF-8 (protobuf strings must be UTF-8); send bytes as RawData or encode them, for example as base64`,
		},
		{
			record(invalidUTF8+"-structured-key", nil, cpluginv1.StructuredData{"id": map[string]any{"\xc3": 1}}, nil),
			`unsupported structured data value: field "key.id" holds the key "\xc3", which is not valid UTF-8 (protobuf strings must be UTF-8)`,
		},
	}
}

// Normalized returns r as a receiver sees it after any transport: its
// structured data normalised (see cpluginv1.StructuredData.Normalize). It
// panics if r holds an unsupported value. Compare with [EquateEmpty]:
// transports do not keep the difference between an empty and a nil map or
// slice.
func Normalized(r cpluginv1.Record) cpluginv1.Record {
	r = r.Clone()
	r.Key = normalizedData(r.Key)
	r.Payload.Before = normalizedData(r.Payload.Before)
	r.Payload.After = normalizedData(r.Payload.After)
	return r
}

func normalizedData(d cpluginv1.Data) cpluginv1.Data {
	s, ok := d.(cpluginv1.StructuredData)
	if !ok {
		return d
	}
	n, err := s.Normalize()
	if err != nil {
		panic(err)
	}
	if n == nil {
		return cpluginv1.StructuredData{}
	}
	return n
}

// EquateEmpty is the go-cmp option that compares records the way the
// protocol can tell them apart: an empty map or slice equals a nil one, but
// a nil Data ("no data") differs from empty raw or structured data.
func EquateEmpty() cmp.Option { return cmpopts.EquateEmpty() }

type specifier struct {
	shared *shared
}

func (s specifier) Specify(context.Context, cpluginv1.SpecifierSpecifyRequest) (cpluginv1.SpecifierSpecifyResponse, error) {
	spec := Specification()
	if s.shared.invalidSpecification.Load() {
		url := spec.SourceParams["url"]
		url.Description = "Where to read from: \xff"
		spec.SourceParams["url"] = url
	}
	return cpluginv1.SpecifierSpecifyResponse{Specification: spec}, nil
}

// lifecycle is the state both plugins share: the configuration, where in
// the call order the plugin is, and the journal of calls.
type lifecycle struct {
	side   string  // "source" or "destination", for messages
	shared *shared // the state the connector's plugins share

	mu         sync.Mutex
	config     map[string]string
	configured bool
	started    bool
	running    bool
	tornDown   bool
	journal    []string
	endRun     context.CancelFunc // ends the active Run (Teardown calls it)
	runEnded   chan struct{}      // made by Start, closed when Run returns
}

// begin records a call in the journal, answers FAILED_PRECONDITION if it
// comes after Teardown or check says it is out of order, and then fails,
// panics or blocks if the configuration says so. config is the
// configuration that decides (Configure's own request for Configure); nil
// means the stored one.
func (l *lifecycle) begin(ctx context.Context, method, entry string, config map[string]string, check func() error) error {
	l.mu.Lock()
	l.journal = append(l.journal, entry)
	var err error
	switch {
	case l.tornDown:
		err = precondition(l.side, method, "called after Teardown")
	case check != nil:
		err = check()
	}
	if config == nil {
		config = l.config
	}
	l.mu.Unlock()
	if err != nil {
		return err
	}

	if kind, ok := config[keyFail+method]; ok {
		return failure(l.side, method, kind)
	}
	if slices.Contains(strings.Split(config[keyBlock], ","), method) {
		<-ctx.Done()
		return fmt.Errorf("cplugintest %s %s: blocked until the context ended: %w", l.side, method, ctx.Err())
	}
	return nil
}

func (l *lifecycle) configure(ctx context.Context, config map[string]string) error {
	err := l.begin(ctx, "configure", fmt.Sprintf("Configure(%q)", config), config, func() error {
		if l.started {
			return precondition(l.side, "configure", "called after Start")
		}
		return nil
	})
	if err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	// Deliberately not copied: a transport must give the connector a map
	// of its own.
	l.config = config
	l.configured = true
	if config[keySpecification] == invalidUTF8 {
		l.shared.invalidSpecification.Store(true)
	}
	if config[keySchemas] == "true" {
		l.mu.Unlock()
		entry := useSchemaService(ctx)
		l.mu.Lock()
		l.journal = append(l.journal, entry)
	}
	return nil
}

// lifecycleEvent handles the three Lifecycle calls: they come after
// Configure and before Start, except LifecycleOnDeleted, which may also come
// alone, with the configuration the connector had (eventConfig).
func (l *lifecycle) lifecycleEvent(ctx context.Context, method, entry string, eventConfig map[string]string) (old bool, err error) {
	err = l.begin(ctx, method, entry, nil, func() error {
		// A deleted connector gets LifecycleOnDeleted alone: the Conduit
		// server sends no Configure before it.
		if method == "lifecycle-on-deleted" && !l.configured && !l.started {
			l.config = eventConfig
			return nil
		}
		if !l.configured || l.started {
			return precondition(l.side, method, "must come after Configure and before Start")
		}
		return nil
	})
	if err != nil {
		return false, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.config[keyOld] == "true", nil
}

func (l *lifecycle) start(ctx context.Context, entry string) error {
	err := l.begin(ctx, "start", entry, nil, func() error {
		if !l.configured || l.started {
			return precondition(l.side, "start", "must come once, after Configure")
		}
		return nil
	})
	if err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.started = true
	l.runEnded = make(chan struct{})
	return nil
}

// beginRun checks and records the start of a Run and returns the context
// Run works in: it ends when ctx ends or Teardown is called.
func (l *lifecycle) beginRun(ctx context.Context) (context.Context, map[string]string, error) {
	err := l.begin(ctx, "run", "Run", nil, func() error {
		if !l.started || l.running {
			return precondition(l.side, "run", "must come once, after Start")
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	runCtx, endRun := context.WithCancel(ctx)
	l.mu.Lock()
	defer l.mu.Unlock()
	l.running = true
	l.endRun = endRun
	return runCtx, l.config, nil
}

// endOfRun records the end of Run with its result and wakes up what waits
// for it.
func (l *lifecycle) endOfRun(entry string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.journal = append(l.journal, entry)
	l.endRun()
	close(l.runEnded)
}

func (l *lifecycle) teardown(ctx context.Context) error {
	if err := l.begin(ctx, "teardown", "Teardown", nil, nil); err != nil {
		return err
	}
	l.mu.Lock()
	l.tornDown = true
	endRun, runEnded := l.endRun, l.runEnded
	l.mu.Unlock()
	if endRun != nil {
		// Teardown may come during Run: end it, and wait until it has
		// returned, so that the journal holds how it ended. (Over gRPC the
		// host may see the end of the stream before the connector's Run
		// has returned.)
		endRun()
		select {
		case <-runEnded:
		case <-ctx.Done():
			return fmt.Errorf("cplugintest %s teardown: waiting for Run to return: %w", l.side, ctx.Err())
		}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.config[keyJournal] == "true" {
		return errors.New("journal: " + strings.Join(l.journal, "; "))
	}
	return nil
}

// runResult returns what Run returns once its context ended: ctx's error if
// the host cancelled the call, nil if Teardown ended the Run.
func runResult(ctx context.Context) error {
	return ctx.Err()
}

// scribble overwrites a record the connector has handed to a transport, as
// a connector that reuses its buffers does. If the transport kept sharing
// the record's memory, the receiver would see the change (or the race
// detector would report it).
func scribble(r cpluginv1.Record) {
	for i := range r.Position {
		r.Position[i] = 'X'
	}
	for k := range r.Metadata {
		r.Metadata[k] = "scribbled"
	}
	for _, d := range []cpluginv1.Data{r.Key, r.Payload.Before, r.Payload.After} {
		switch d := d.(type) {
		case cpluginv1.RawData:
			for i := range d {
				d[i] = 'X'
			}
		case cpluginv1.StructuredData:
			for k := range d {
				d[k] = "scribbled"
			}
		}
	}
}

type source struct {
	lifecycle

	// Guarded by lifecycle.mu.
	stopped  bool     // Stop was called, or Run ended: send nothing more
	extra    int      // records to send after Stop anyway (keySourceStop "one-more")
	sent     [][]byte // positions of the records handed to Send, in order
	acked    int      // how many of sent the host acked
	lastSent []byte   // the last position handed to Send (Stop's answer)
}

func (s *source) Configure(ctx context.Context, req cpluginv1.SourceConfigureRequest) (cpluginv1.SourceConfigureResponse, error) {
	return cpluginv1.SourceConfigureResponse{}, s.configure(ctx, req.Config)
}

func (s *source) LifecycleOnCreated(ctx context.Context, req cpluginv1.SourceLifecycleOnCreatedRequest) (cpluginv1.SourceLifecycleOnCreatedResponse, error) {
	old, err := s.lifecycleEvent(ctx, "lifecycle-on-created", fmt.Sprintf("LifecycleOnCreated(%q)", req.Config), nil)
	if err == nil && old {
		return cpluginv1.SourceLifecycleOnCreatedResponse{}, oldLifecycleError("source lifecycle on created")
	}
	return cpluginv1.SourceLifecycleOnCreatedResponse{}, err
}

func (s *source) LifecycleOnUpdated(ctx context.Context, req cpluginv1.SourceLifecycleOnUpdatedRequest) (cpluginv1.SourceLifecycleOnUpdatedResponse, error) {
	old, err := s.lifecycleEvent(ctx, "lifecycle-on-updated", fmt.Sprintf("LifecycleOnUpdated(%q, %q)", req.ConfigBefore, req.ConfigAfter), nil)
	if err == nil && old {
		return cpluginv1.SourceLifecycleOnUpdatedResponse{}, oldLifecycleError("source lifecycle on updated")
	}
	return cpluginv1.SourceLifecycleOnUpdatedResponse{}, err
}

func (s *source) LifecycleOnDeleted(ctx context.Context, req cpluginv1.SourceLifecycleOnDeletedRequest) (cpluginv1.SourceLifecycleOnDeletedResponse, error) {
	old, err := s.lifecycleEvent(ctx, "lifecycle-on-deleted", fmt.Sprintf("LifecycleOnDeleted(%q)", req.Config), req.Config)
	if err == nil && old {
		return cpluginv1.SourceLifecycleOnDeletedResponse{}, oldLifecycleError("source lifecycle on deleted")
	}
	return cpluginv1.SourceLifecycleOnDeletedResponse{}, err
}

func (s *source) Start(ctx context.Context, req cpluginv1.SourceStartRequest) (cpluginv1.SourceStartResponse, error) {
	return cpluginv1.SourceStartResponse{}, s.start(ctx, fmt.Sprintf("Start(%q)", req.Position))
}

func (s *source) Stop(ctx context.Context, _ cpluginv1.SourceStopRequest) (cpluginv1.SourceStopResponse, error) {
	err := s.begin(ctx, "stop", "Stop", nil, func() error {
		if !s.started {
			return precondition(s.side, "stop", "called before Start")
		}
		return nil
	})
	if err != nil {
		return cpluginv1.SourceStopResponse{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stopped = true
	switch s.config[keySourceStop] {
	case "one-more":
		s.extra = 1
	case "empty":
		return cpluginv1.SourceStopResponse{}, nil
	}
	// The producer picks a record and sets lastSent under the lock before
	// it sends it, and picks nothing after stopped is set: lastSent is the
	// last record it has sent or will still send.
	return cpluginv1.SourceStopResponse{LastPosition: bytes.Clone(s.lastSent)}, nil
}

func (s *source) Teardown(ctx context.Context, _ cpluginv1.SourceTeardownRequest) (cpluginv1.SourceTeardownResponse, error) {
	return cpluginv1.SourceTeardownResponse{}, s.teardown(ctx)
}

// Run sends records (what keySourceRun says) from one goroutine and reads
// acks in another, checking that they come in order. It returns nil when
// the host closes its side or Teardown ends it, and the error otherwise.
//
// It does not wait for the two goroutines: one of them may be blocked on
// the stream, which only the end of Run unblocks (as on a gRPC stream).
func (s *source) Run(ctx context.Context, stream cpluginv1.SourceRunStream) error {
	runCtx, config, err := s.beginRun(ctx)
	if err != nil {
		return err
	}
	produce, err := sourceRecords(config[keySourceRun])
	if err != nil {
		s.endOfRun("Run ended: " + err.Error())
		return err
	}

	sendResult := make(chan error, 1)
	go func() { sendResult <- s.send(stream, produce) }()
	ackResult := make(chan error, 1)
	go func() { ackResult <- s.receiveAcks(stream) }()

	for {
		select {
		case err := <-sendResult:
			if err != nil {
				return s.finishRun(err)
			}
			sendResult = nil // all sent: keep receiving acks
		case err := <-ackResult:
			if err == nil && config[keyRequireAcks] == "true" {
				err = s.checkAllAcked()
			}
			return s.finishRun(err)
		case <-runCtx.Done():
			return s.finishRun(runResult(ctx))
		}
	}
}

func (s *source) finishRun(err error) error {
	s.mu.Lock()
	s.stopped = true
	s.extra = 0
	entry := fmt.Sprintf("Run ended: %d records sent, %d acked", len(s.sent), s.acked)
	s.mu.Unlock()
	if err != nil {
		entry += ", error: " + err.Error()
	}
	s.endOfRun(entry)
	return err
}

// send sends the records produce gives until it gives none or Stop.
func (s *source) send(stream cpluginv1.SourceRunStream, produce func() (cpluginv1.Record, bool, bool)) error {
	var rejections []string
	produce = reportRejections(produce, &rejections)
	for {
		s.mu.Lock()
		if s.stopped {
			if s.extra == 0 {
				s.mu.Unlock()
				return nil
			}
			s.extra-- // breaking the protocol on purpose (keySourceStop)
		}
		record, expectUnsupported, ok := produce()
		if !ok {
			s.mu.Unlock()
			return nil
		}
		if !expectUnsupported {
			s.sent = append(s.sent, bytes.Clone(record.Position))
			s.lastSent = bytes.Clone(record.Position)
		}
		s.mu.Unlock()

		err := stream.Send(cpluginv1.SourceRunResponse{Record: record})
		if expectUnsupported {
			if !errors.Is(err, cpluginv1.ErrUnsupportedValue) {
				return fmt.Errorf("cplugintest source run: Send of record %q, which no transport can carry, returned %w, want an error wrapping ErrUnsupportedValue", record.Position, err)
			}
			// Reported to the host on a record once the others are sent:
			// that also shows that the stream still works.
			rejections = append(rejections, err.Error())
			continue
		}
		if err != nil {
			return fmt.Errorf("cplugintest source run: send record %q: %w", record.Position, err)
		}
		scribble(record)
	}
}

// reportRejections returns a producer that gives what produce gives and,
// once produce has no more, a record with position "report" whose metadata
// holds the messages of the rejections (metaSendError), if there were any.
func reportRejections(produce func() (cpluginv1.Record, bool, bool), rejections *[]string) func() (cpluginv1.Record, bool, bool) {
	reported := false
	return func() (cpluginv1.Record, bool, bool) {
		if record, expectUnsupported, ok := produce(); ok {
			return record, expectUnsupported, ok
		}
		if reported || len(*rejections) == 0 {
			return cpluginv1.Record{}, false, false
		}
		reported = true
		return cpluginv1.Record{
			Position:  []byte("report"),
			Operation: cpluginv1.OperationCreate,
			Metadata:  map[string]string{metaSendError: strings.Join(*rejections, "\n")},
		}, false, true
	}
}

// receiveAcks receives acks until the host closes its side (nil) and checks
// that each is for the oldest record not acked yet.
func (s *source) receiveAcks(stream cpluginv1.SourceRunStream) error {
	for {
		ack, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("cplugintest source run: receive ack: %w", err)
		}
		s.mu.Lock()
		n := s.acked
		var want []byte
		if n < len(s.sent) {
			want = s.sent[n]
		}
		if want == nil || !bytes.Equal(ack.AckPosition, want) {
			s.mu.Unlock()
			return fmt.Errorf("cplugintest source run: ack %d is for position %q, want %q: acks must come in the order of the records", n+1, ack.AckPosition, want)
		}
		s.acked++
		s.mu.Unlock()
	}
}

func (s *source) checkAllAcked() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.acked != len(s.sent) {
		return fmt.Errorf("cplugintest source run: the host closed the stream with %d of %d records not acked", len(s.sent)-s.acked, len(s.sent))
	}
	return nil
}

// sourceRecords returns what the source's Run sends for the value of
// keySourceRun. The returned function gives the next record, whether Send
// must reject it, and false when there are no more; it is called with the
// source's lock held.
//
//   - "" or "records": Records(), then nothing.
//   - "endless": records pos-1, pos-2, ... until Stop.
//   - "unsupported": a record holding an integer beyond 2^53, which Send
//     must reject, then one with position "report" whose metadata holds the
//     rejection's message, then nothing.
//   - "invalid-utf8": the records of InvalidUTF8Records, which Send must
//     all reject, then one with position "report" whose metadata holds the
//     rejections' messages, one per line, then nothing.
//   - "sizes:N,M,...": records size-1, size-2, ... whose raw payloads are
//     N, M, ... bytes long.
//   - "none": nothing.
//   - "no-position": record pos-1, then pos-2 without its position, then
//     nothing.
//   - "undefined-operation:N": record pos-1, then pos-2 with operation N,
//     then nothing.
func sourceRecords(mode string) (func() (cpluginv1.Record, bool, bool), error) {
	switch {
	case mode == "" || mode == "records":
		records := Records()
		return func() (cpluginv1.Record, bool, bool) {
			if len(records) == 0 {
				return cpluginv1.Record{}, false, false
			}
			r := records[0]
			records = records[1:]
			return r, false, true
		}, nil
	case mode == "endless":
		n := 0
		return func() (cpluginv1.Record, bool, bool) {
			n++
			return endlessRecord(n), false, true
		}, nil
	case mode == invalidUTF8:
		records := invalidUTF8Records()
		return func() (cpluginv1.Record, bool, bool) {
			if len(records) == 0 {
				return cpluginv1.Record{}, false, false
			}
			r := records[0].record
			records = records[1:]
			return r, true, true
		}, nil
	case mode == "unsupported":
		done := false
		return func() (cpluginv1.Record, bool, bool) {
			if done {
				return cpluginv1.Record{}, false, false
			}
			done = true
			return unsupportedRecord(), true, true
		}, nil
	case strings.HasPrefix(mode, "sizes:"):
		var sizes []int
		for field := range strings.SplitSeq(strings.TrimPrefix(mode, "sizes:"), ",") {
			size, err := strconv.Atoi(field)
			if err != nil || size < 0 {
				return nil, fmt.Errorf("cplugintest source run: bad size %q in %q: %w", field, mode, cpluginv1.ErrInvalidArgument)
			}
			sizes = append(sizes, size)
		}
		n := 0
		return func() (cpluginv1.Record, bool, bool) {
			if n == len(sizes) {
				return cpluginv1.Record{}, false, false
			}
			n++
			return sizedRecord(n, sizes[n-1]), false, true
		}, nil
	case mode == "none":
		return func() (cpluginv1.Record, bool, bool) { return cpluginv1.Record{}, false, false }, nil
	case mode == "no-position":
		second := endlessRecord(2)
		second.Position = nil
		return fixedRecords(endlessRecord(1), second), nil
	case strings.HasPrefix(mode, "undefined-operation:"):
		op, err := strconv.ParseInt(strings.TrimPrefix(mode, "undefined-operation:"), 10, 32)
		if err != nil {
			return nil, fmt.Errorf("cplugintest source run: bad operation in %q: %w", mode, cpluginv1.ErrInvalidArgument)
		}
		second := endlessRecord(2)
		second.Operation = cpluginv1.Operation(op)
		return fixedRecords(endlessRecord(1), second), nil
	default:
		return nil, fmt.Errorf("cplugintest source run: unknown %s %q: %w", keySourceRun, mode, cpluginv1.ErrInvalidArgument)
	}
}

// fixedRecords returns a producer (see sourceRecords) of records, in order.
func fixedRecords(records ...cpluginv1.Record) func() (cpluginv1.Record, bool, bool) {
	return func() (cpluginv1.Record, bool, bool) {
		if len(records) == 0 {
			return cpluginv1.Record{}, false, false
		}
		r := records[0]
		records = records[1:]
		return r, false, true
	}
}

func endlessRecord(n int) cpluginv1.Record {
	return cpluginv1.Record{
		Position:  fmt.Appendf(nil, "pos-%d", n),
		Operation: cpluginv1.OperationCreate,
		Key:       cpluginv1.RawData(fmt.Sprintf("key-%d", n)),
		Payload:   cpluginv1.Change{After: cpluginv1.StructuredData{"n": n}},
	}
}

func sizedRecord(n, size int) cpluginv1.Record {
	return cpluginv1.Record{
		Position:  fmt.Appendf(nil, "size-%d", n),
		Operation: cpluginv1.OperationCreate,
		Payload:   cpluginv1.Change{After: cpluginv1.RawData(bytes.Repeat([]byte{'a'}, size))},
	}
}

type destination struct {
	lifecycle

	// flush carries Stop's requests to Run. Start makes it, so that a
	// Stop that overtakes the start of Run still reaches it. Guarded by mu.
	flush chan flushRequest
}

// flushRequest asks Run to send every ack it holds once the record at
// position last has arrived, then close done.
type flushRequest struct {
	last []byte
	done chan struct{}
}

func (d *destination) Configure(ctx context.Context, req cpluginv1.DestinationConfigureRequest) (cpluginv1.DestinationConfigureResponse, error) {
	return cpluginv1.DestinationConfigureResponse{}, d.configure(ctx, req.Config)
}

func (d *destination) LifecycleOnCreated(ctx context.Context, req cpluginv1.DestinationLifecycleOnCreatedRequest) (cpluginv1.DestinationLifecycleOnCreatedResponse, error) {
	old, err := d.lifecycleEvent(ctx, "lifecycle-on-created", fmt.Sprintf("LifecycleOnCreated(%q)", req.Config), nil)
	if err == nil && old {
		return cpluginv1.DestinationLifecycleOnCreatedResponse{}, oldLifecycleError("destination lifecycle on created")
	}
	return cpluginv1.DestinationLifecycleOnCreatedResponse{}, err
}

func (d *destination) LifecycleOnUpdated(ctx context.Context, req cpluginv1.DestinationLifecycleOnUpdatedRequest) (cpluginv1.DestinationLifecycleOnUpdatedResponse, error) {
	old, err := d.lifecycleEvent(ctx, "lifecycle-on-updated", fmt.Sprintf("LifecycleOnUpdated(%q, %q)", req.ConfigBefore, req.ConfigAfter), nil)
	if err == nil && old {
		return cpluginv1.DestinationLifecycleOnUpdatedResponse{}, oldLifecycleError("destination lifecycle on updated")
	}
	return cpluginv1.DestinationLifecycleOnUpdatedResponse{}, err
}

func (d *destination) LifecycleOnDeleted(ctx context.Context, req cpluginv1.DestinationLifecycleOnDeletedRequest) (cpluginv1.DestinationLifecycleOnDeletedResponse, error) {
	old, err := d.lifecycleEvent(ctx, "lifecycle-on-deleted", fmt.Sprintf("LifecycleOnDeleted(%q)", req.Config), req.Config)
	if err == nil && old {
		return cpluginv1.DestinationLifecycleOnDeletedResponse{}, oldLifecycleError("destination lifecycle on deleted")
	}
	return cpluginv1.DestinationLifecycleOnDeletedResponse{}, err
}

func (d *destination) Start(ctx context.Context, _ cpluginv1.DestinationStartRequest) (cpluginv1.DestinationStartResponse, error) {
	if err := d.start(ctx, "Start"); err != nil {
		return cpluginv1.DestinationStartResponse{}, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.flush = make(chan flushRequest)
	return cpluginv1.DestinationStartResponse{}, nil
}

// Stop waits until Run has received the record at req.LastPosition and has
// sent every ack it held, or until Run ends. With an empty LastPosition
// (the host sent nothing) it returns at once.
func (d *destination) Stop(ctx context.Context, req cpluginv1.DestinationStopRequest) (cpluginv1.DestinationStopResponse, error) {
	err := d.begin(ctx, "stop", fmt.Sprintf("Stop(%q)", req.LastPosition), nil, func() error {
		if !d.started {
			return precondition(d.side, "stop", "called before Start")
		}
		return nil
	})
	if err != nil {
		return cpluginv1.DestinationStopResponse{}, err
	}
	if len(req.LastPosition) == 0 {
		return cpluginv1.DestinationStopResponse{}, nil
	}
	d.mu.Lock()
	flush, runEnded := d.flush, d.runEnded
	d.mu.Unlock()
	request := flushRequest{last: req.LastPosition, done: make(chan struct{})}
	select {
	case flush <- request:
	case <-runEnded:
		return cpluginv1.DestinationStopResponse{}, nil
	case <-ctx.Done():
		return cpluginv1.DestinationStopResponse{}, fmt.Errorf("cplugintest destination stop: %w", ctx.Err())
	}
	select {
	case <-request.done:
	case <-runEnded:
	case <-ctx.Done():
		return cpluginv1.DestinationStopResponse{}, fmt.Errorf("cplugintest destination stop: %w", ctx.Err())
	}
	return cpluginv1.DestinationStopResponse{}, nil
}

func (d *destination) Teardown(ctx context.Context, _ cpluginv1.DestinationTeardownRequest) (cpluginv1.DestinationTeardownResponse, error) {
	return cpluginv1.DestinationTeardownResponse{}, d.teardown(ctx)
}

// Run receives records in one goroutine and acks them, in order, from
// Run's own goroutine, the only one that sends. It returns nil when the
// host closes its side or Teardown ends it, and the error otherwise.
func (d *destination) Run(ctx context.Context, stream cpluginv1.DestinationRunStream) error {
	runCtx, config, err := d.beginRun(ctx)
	if err != nil {
		return err
	}
	d.mu.Lock()
	flush := d.flush
	d.mu.Unlock()
	batch := config[keyDestinationRun] == "batch"
	misbehave, err := ackMisbehaviour(config[keyDestinationRun])
	if err != nil {
		d.endOfRun("Run ended: " + err.Error())
		return err
	}

	records := make(chan cpluginv1.Record)
	recvErr := make(chan error, 1)
	go func() {
		for {
			req, err := stream.Recv()
			if err != nil {
				recvErr <- err
				return
			}
			select {
			case records <- req.Record:
			case <-runCtx.Done():
				return
			}
		}
	}()

	var (
		held     []cpluginv1.DestinationRunResponse // acks not sent yet (batch)
		received = map[string]bool{}                // positions received
		waiting  *flushRequest                      // a Stop waiting for its last record
		count    int
	)
	sendHeld := func() error {
		for _, ack := range held {
			if err := stream.Send(ack); err != nil {
				return fmt.Errorf("cplugintest destination run: send ack: %w", err)
			}
		}
		held = nil
		return nil
	}
	finish := func(err error) error {
		entry := fmt.Sprintf("Run ended: %d records received", count)
		if err != nil {
			entry += ", error: " + err.Error()
		}
		d.endOfRun(entry)
		return err
	}

	for {
		select {
		case record := <-records:
			count++
			received[string(record.Position)] = true
			held = append(held, misbehave(ackFor(record))...)
			scribble(record)
			if batch && (waiting == nil || !received[string(waiting.last)]) {
				continue
			}
			if err := sendHeld(); err != nil {
				return finish(err)
			}
			if waiting != nil && received[string(waiting.last)] {
				close(waiting.done)
				waiting = nil
			}
		case request := <-flush:
			if !received[string(request.last)] {
				waiting = &request // the record is still on its way
				continue
			}
			if err := sendHeld(); err != nil {
				return finish(err)
			}
			close(request.done)
		case err := <-recvErr:
			if errors.Is(err, io.EOF) {
				return finish(nil)
			}
			return finish(fmt.Errorf("cplugintest destination run: receive record: %w", err))
		case <-runCtx.Done():
			return finish(runResult(ctx))
		}
	}
}

// ackMisbehaviour returns what the destination sends instead of each ack,
// for the value of keyDestinationRun: the ack itself by default and for
// "batch", and otherwise acks that break the protocol's rules:
//
//   - "swap": the acks of each pair of records in the wrong order (2, 1, 4,
//     3, ...).
//   - "unknown": an ack for position "never-sent" instead.
//   - "duplicate": every ack twice.
//   - "empty-ack": the ack without its position.
func ackMisbehaviour(mode string) (func(cpluginv1.DestinationRunResponse) []cpluginv1.DestinationRunResponse, error) {
	switch mode {
	case "", "batch":
		return func(ack cpluginv1.DestinationRunResponse) []cpluginv1.DestinationRunResponse {
			return []cpluginv1.DestinationRunResponse{ack}
		}, nil
	case "swap":
		var held *cpluginv1.DestinationRunResponse
		return func(ack cpluginv1.DestinationRunResponse) []cpluginv1.DestinationRunResponse {
			if held == nil {
				held = &ack
				return nil
			}
			first := *held
			held = nil
			return []cpluginv1.DestinationRunResponse{ack, first}
		}, nil
	case "unknown":
		return func(ack cpluginv1.DestinationRunResponse) []cpluginv1.DestinationRunResponse {
			ack.AckPosition = []byte("never-sent")
			return []cpluginv1.DestinationRunResponse{ack}
		}, nil
	case "duplicate":
		return func(ack cpluginv1.DestinationRunResponse) []cpluginv1.DestinationRunResponse {
			return []cpluginv1.DestinationRunResponse{ack, {AckPosition: bytes.Clone(ack.AckPosition), Error: ack.Error}}
		}, nil
	case "empty-ack":
		return func(ack cpluginv1.DestinationRunResponse) []cpluginv1.DestinationRunResponse {
			ack.AckPosition = nil
			return []cpluginv1.DestinationRunResponse{ack}
		}, nil
	default:
		return nil, fmt.Errorf("cplugintest destination run: unknown %s %q: %w", keyDestinationRun, mode, cpluginv1.ErrInvalidArgument)
	}
}

// ackFor returns the ack for a received record: a negative ack if its
// metadata asks for one, or if it is one of Records() and did not arrive
// as Normalized gives it; a positive ack otherwise.
func ackFor(record cpluginv1.Record) cpluginv1.DestinationRunResponse {
	ack := cpluginv1.DestinationRunResponse{AckPosition: bytes.Clone(record.Position)}
	if _, ok := record.Metadata[metaNackInvalidUTF8]; ok {
		ack.Error = invalidUTF8NackError
		return ack
	}
	if reason, ok := record.Metadata[metaNack]; ok {
		ack.Error = reason
		return ack
	}
	for _, sent := range Records() {
		if bytes.Equal(sent.Position, record.Position) {
			if diff := cmp.Diff(Normalized(sent), record, EquateEmpty()); diff != "" {
				ack.Error = fmt.Sprintf("cplugintest destination: record %q is not what was sent (-sent +received):\n%s", record.Position, diff)
			}
		}
	}
	return ack
}

// oldLifecycleError is how a connector that predates the lifecycle events
// answers one: Unimplemented. Connectors built with cpluginv1 no longer do
// (the Unimplemented* helpers succeed), but hosts must still accept it.
func oldLifecycleError(method string) error {
	return fmt.Errorf("%s: %w", method, cpluginv1.ErrUnimplemented)
}
