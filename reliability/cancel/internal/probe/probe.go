// Package probe is the connector of the cancellation tests: a source that
// sends records until its stream fails and a destination that acks every
// record it receives, each of which can end its own Run mid-stream, and
// both of which report how their Run ended. The same plugins run built-in
// (the tests wrap them with package builtin) and standalone (cmd/probe
// serves them and writes each report as a line on stderr, which reaches the
// host's logger).
package probe

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
)

// The configuration keys both plugins read.
const (
	// KeyEndAfter is the number of records after which Run ends on its own
	// (the source after sending them, the destination after acking them);
	// absent, Run goes on until its stream fails.
	KeyEndAfter = "probe.end.after"
	// KeyEndHow says how Run ends after KeyEndAfter records: "error" (an
	// error of the connector's own, [ErrEnded]) or "cancel" (the error of a
	// context the connector cancelled itself, which wraps context.Canceled).
	KeyEndHow = "probe.end.how"
)

// ErrEnded is the error a Run configured to end with "error" returns.
var ErrEnded = errors.New("probe: Run ended with an error as configured")

// ContextGrace bounds how long a Run whose stream failed with
// context.Canceled waits for its own context to end before it reports.
const ContextGrace = 5 * time.Second

// ReportPrefix starts the stderr line that carries a [Report] as JSON.
const ReportPrefix = "probe-report "

// Report is how a Run ended, as the connector saw it.
type Report struct {
	// Plugin is "source" or "destination".
	Plugin string `json:"plugin"`
	// Records counts the records the source sent or the destination
	// received.
	Records int `json:"records"`
	// Err is the message of the error Run returned; empty for nil.
	Err string `json:"err"`
	// Canceled reports errors.Is(err, context.Canceled).
	Canceled bool `json:"canceled"`
	// ContextDone reports whether Run's context had ended when Run
	// returned. After a stream failure matching context.Canceled, Run first
	// waits up to [ContextGrace] for its context to end: in built-in mode
	// the context ends a moment after the stream fails.
	ContextDone bool `json:"contextDone"`
}

// Line returns the report as the stderr line cmd/probe writes.
func (r Report) Line() string {
	b, _ := json.Marshal(r) // cannot fail: strings, ints and bools
	return ReportPrefix + string(b)
}

// ParseReport returns the report in a line written by Line; ok is false for
// any other line.
func ParseReport(line string) (r Report, ok bool) {
	text, found := strings.CutPrefix(line, ReportPrefix)
	if !found {
		return Report{}, false
	}
	if err := json.Unmarshal([]byte(text), &r); err != nil {
		return Report{}, false
	}
	return r, true
}

// settings are the parsed configuration.
type settings struct {
	endAfter int // -1: never
	endHow   string
}

func parse(config map[string]string) (settings, error) {
	s := settings{endAfter: -1, endHow: config[KeyEndHow]}
	if v, ok := config[KeyEndAfter]; ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return settings{}, fmt.Errorf("probe: %s=%q is not a number of records: %w", KeyEndAfter, v, cpluginv1.ErrInvalidArgument)
		}
		s.endAfter = n
	}
	switch s.endHow {
	case "", "error", "cancel":
	default:
		return settings{}, fmt.Errorf("probe: %s=%q is neither error nor cancel: %w", KeyEndHow, s.endHow, cpluginv1.ErrInvalidArgument)
	}
	return s, nil
}

// end is the error Run returns when it ends on its own.
func (s settings) end(ctx context.Context) error {
	if s.endHow == "cancel" {
		own, cancel := context.WithCancel(ctx)
		cancel()
		return fmt.Errorf("probe: Run cancelled its own context: %w", own.Err())
	}
	return ErrEnded
}

// plugin holds what both plugins share: the configuration and the report.
type plugin struct {
	report func(Report)
	mu     sync.Mutex
	cfg    settings
}

func (p *plugin) configure(config map[string]string) error {
	cfg, err := parse(config)
	if err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cfg = cfg
	return nil
}

func (p *plugin) settings() settings {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cfg
}

// finish reports the end of Run and returns err. streamFailed says that
// err came from a Send or Recv, rather than from the plugin's own decision
// to end.
func (p *plugin) finish(ctx context.Context, name string, records int, err error, streamFailed bool) error {
	canceled := errors.Is(err, context.Canceled)
	if streamFailed && canceled {
		timer := time.NewTimer(ContextGrace)
		select {
		case <-ctx.Done():
		case <-timer.C:
		}
		timer.Stop()
	}
	p.report(Report{
		Plugin:      name,
		Records:     records,
		Err:         errText(err),
		Canceled:    canceled,
		ContextDone: ctx.Err() != nil,
	})
	return err
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// Source sends records "1", "2", ... until its stream fails or, if
// configured, it ends its Run on its own. It does not watch its context:
// its Run returns only because a Send or Recv on the stream failed, which
// is what the tests check.
type Source struct {
	cpluginv1.UnimplementedSourcePlugin
	plugin
}

// NewSource returns a probe source that calls report when its Run returns.
func NewSource(report func(Report)) *Source {
	return &Source{plugin: plugin{report: report}}
}

// Configure reads the configuration (see KeyEndAfter and KeyEndHow).
func (s *Source) Configure(_ context.Context, req cpluginv1.SourceConfigureRequest) (cpluginv1.SourceConfigureResponse, error) {
	return cpluginv1.SourceConfigureResponse{}, s.configure(req.Config)
}

// Start accepts any position.
func (s *Source) Start(context.Context, cpluginv1.SourceStartRequest) (cpluginv1.SourceStartResponse, error) {
	return cpluginv1.SourceStartResponse{}, nil
}

// Run sends records and receives (and ignores) acks.
func (s *Source) Run(ctx context.Context, stream cpluginv1.SourceRunStream) error {
	cfg := s.settings()
	acksFailed := make(chan error, 1)
	go func() {
		for {
			if _, err := stream.Recv(); err != nil {
				acksFailed <- err
				return
			}
		}
	}()
	sent := 0
	for {
		if sent == cfg.endAfter {
			return s.finish(ctx, "source", sent, cfg.end(ctx), false)
		}
		select {
		case err := <-acksFailed:
			if errors.Is(err, io.EOF) {
				err = nil // the host closed its side: the normal end
			}
			return s.finish(ctx, "source", sent, err, true)
		default:
		}
		record := cpluginv1.Record{
			Position:  []byte(strconv.Itoa(sent + 1)),
			Operation: cpluginv1.OperationCreate,
			Payload:   cpluginv1.Change{After: cpluginv1.RawData("probe")},
		}
		if err := stream.Send(cpluginv1.SourceRunResponse{Record: record}); err != nil {
			return s.finish(ctx, "source", sent, err, true)
		}
		sent++
	}
}

// Stop answers with no position: the tests do not stop the probe.
func (s *Source) Stop(context.Context, cpluginv1.SourceStopRequest) (cpluginv1.SourceStopResponse, error) {
	return cpluginv1.SourceStopResponse{}, nil
}

// Teardown holds nothing to release.
func (s *Source) Teardown(context.Context, cpluginv1.SourceTeardownRequest) (cpluginv1.SourceTeardownResponse, error) {
	return cpluginv1.SourceTeardownResponse{}, nil
}

// Destination acks every record it receives until its stream fails or, if
// configured, it ends its Run on its own. Like Source, it does not watch its
// context.
type Destination struct {
	cpluginv1.UnimplementedDestinationPlugin
	plugin
}

// NewDestination returns a probe destination that calls report when its Run
// returns.
func NewDestination(report func(Report)) *Destination {
	return &Destination{plugin: plugin{report: report}}
}

// Configure reads the configuration (see KeyEndAfter and KeyEndHow).
func (d *Destination) Configure(_ context.Context, req cpluginv1.DestinationConfigureRequest) (cpluginv1.DestinationConfigureResponse, error) {
	return cpluginv1.DestinationConfigureResponse{}, d.configure(req.Config)
}

// Start has nothing to open.
func (d *Destination) Start(context.Context, cpluginv1.DestinationStartRequest) (cpluginv1.DestinationStartResponse, error) {
	return cpluginv1.DestinationStartResponse{}, nil
}

// Run receives records and acks each one.
func (d *Destination) Run(ctx context.Context, stream cpluginv1.DestinationRunStream) error {
	cfg := d.settings()
	received := 0
	for {
		if received == cfg.endAfter {
			return d.finish(ctx, "destination", received, cfg.end(ctx), false)
		}
		req, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return d.finish(ctx, "destination", received, nil, true)
		}
		if err != nil {
			return d.finish(ctx, "destination", received, err, true)
		}
		received++
		if err := stream.Send(cpluginv1.DestinationRunResponse{AckPosition: req.Record.Position}); err != nil {
			return d.finish(ctx, "destination", received, err, true)
		}
	}
}

// Stop has nothing to flush: every record is acked when it arrives.
func (d *Destination) Stop(context.Context, cpluginv1.DestinationStopRequest) (cpluginv1.DestinationStopResponse, error) {
	return cpluginv1.DestinationStopResponse{}, nil
}

// Teardown holds nothing to release.
func (d *Destination) Teardown(context.Context, cpluginv1.DestinationTeardownRequest) (cpluginv1.DestinationTeardownResponse, error) {
	return cpluginv1.DestinationTeardownResponse{}, nil
}

// Specifier describes the probe.
type Specifier struct{}

// Specify answers with a minimal specification.
func (Specifier) Specify(context.Context, cpluginv1.SpecifierSpecifyRequest) (cpluginv1.SpecifierSpecifyResponse, error) {
	return cpluginv1.SpecifierSpecifyResponse{Specification: cpluginv1.Specification{
		Name:    "probe",
		Summary: "The connector of the cancellation tests.",
		Version: "v0.0.0-test",
	}}, nil
}
