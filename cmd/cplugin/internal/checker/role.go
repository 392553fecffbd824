package checker

import (
	"context"
	"maps"
	"time"

	"github.com/connectorkit/conduit-connector-protocol/cmd/cplugin/internal/connector"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
)

// role is what the scenarios a source and a destination share (shared.go)
// need to know of one of them: its name, its checks, its configuration and
// how to reach its plugin on a connector instance. The checker builds one
// per role and run (sourceRole, destinationRole) and runs it with runRole;
// source.go and destination.go keep what differs, what flows on the Run
// stream and how it is judged.
type role struct {
	// name is "source" or "destination": in reasons and in Report.Offers.
	name string
	// config is Config.SourceConfig or Config.DestinationConfig, and params
	// the parameters the specification declares for the role.
	config map[string]string
	params map[string]cpluginv1.Parameter
	// plugin is the role's plugin on a connector instance.
	plugin func(*connector.Instance) plugin
	// own runs the role's own scenarios (its full run, a source's restart)
	// on inst, a connector whose plugin is configured; it closes inst.
	own func(ctx context.Context, r *role, inst *connector.Instance)

	// checks are the role's checks after unimplemented, declared once the
	// connector is found to offer the role.
	checks []check
	// The checks the shared scenarios report under.
	unimplemented, configure, lifecycle, deleted, start, teardown, teardownRun, callOrder check

	// deletedEvents are the lifecycle events the deleted scenario sends
	// after Configure. (A source gets LifecycleOnUpdated before its restart
	// instead, see sourceResume.)
	deletedEvents []string

	// absentRun and earlyRun say what Run did instead of failing at once: in
	// a plugin the connector does not offer, and before Start.
	absentRun, earlyRun runSpeech
}

// runSpeech says, in a reason, what a Run stream that should have failed
// at once did instead.
type runSpeech struct {
	// silent ends "Run ... within 5s": it neither failed nor sent anything.
	silent string
	// sent names what the connector sent: "a record".
	sent string
}

func (c *checker) sourceRole() *role {
	return &role{
		name:          "source",
		config:        c.cfg.SourceConfig,
		params:        c.spec.SourceParams,
		plugin:        func(inst *connector.Instance) plugin { return newSourcePlugin(inst.Source) },
		own:           c.sourceScenarios,
		checks:        sourceChecks,
		unimplemented: checkSourceUnimplemented,
		configure:     checkSourceConfigure,
		lifecycle:     checkSourceLifecycle,
		deleted:       checkSourceDeleted,
		start:         checkSourceStart,
		teardown:      checkSourceTeardown,
		teardownRun:   checkSourceTeardownRun,
		callOrder:     checkSourceCallOrder,
		deletedEvents: []string{onDeleted},
		absentRun:     runSpeech{silent: "neither failed nor sent anything", sent: "a record"},
		earlyRun:      runSpeech{silent: "neither failed nor sent a record", sent: "a record"},
	}
}

func (c *checker) destinationRole() *role {
	return &role{
		name:          "destination",
		config:        c.cfg.DestinationConfig,
		params:        c.spec.DestinationParams,
		plugin:        func(inst *connector.Instance) plugin { return newDestinationPlugin(inst.Destination) },
		own:           c.destinationScenarios,
		checks:        destinationChecks,
		unimplemented: checkDestinationUnimplemented,
		configure:     checkDestinationConfigure,
		lifecycle:     checkDestinationLifecycle,
		deleted:       checkDestinationDeleted,
		start:         checkDestinationStart,
		teardown:      checkDestinationTeardown,
		teardownRun:   checkDestinationTeardownRun,
		callOrder:     checkDestinationCallOrder,
		deletedEvents: []string{onUpdated, onDeleted},
		absentRun:     runSpeech{silent: "did not fail", sent: "an ack"},
		earlyRun:      runSpeech{silent: "did not fail", sent: "an ack although no record was sent"},
	}
}

// The lifecycle events, by the names of their calls.
const (
	onCreated = "LifecycleOnCreated"
	onUpdated = "LifecycleOnUpdated"
	onDeleted = "LifecycleOnDeleted"
)

var lifecycleEvents = []string{onCreated, onUpdated, onDeleted}

// plugin is a source or a destination, by the calls the shared scenarios
// make. Every request is empty but for the configuration (cfg, passed as
// it is).
type plugin interface {
	configure(ctx context.Context, cfg map[string]string) error
	// start starts a source from the beginning (an empty position).
	start(ctx context.Context) error
	stop(ctx context.Context) error
	teardown(ctx context.Context) error
	// lifecycle sends the lifecycle event; LifecycleOnUpdated gets cfg as
	// the configuration before and after.
	lifecycle(ctx context.Context, event string, cfg map[string]string) error
	// probeRun opens a Run stream, waits up to timeout for the first event
	// on it (a message as formatRecord or formatAck renders it, or the end
	// of the stream), and ends the stream.
	probeRun(ctx context.Context, timeout time.Duration) (event[string], bool)
	// busyRun opens a Run stream and shows, within timeout, that Run is
	// running: a source sends one record (acked), a destination acks one
	// test record. The stream stays open.
	busyRun(ctx context.Context, timeout time.Duration) openRun
}

// openRun is an open Run stream, as the shared scenarios see it.
type openRun interface {
	waitEnd(timeout time.Duration) bool
	abort()
}

// errOf is the error of a call whose response the shared scenarios do not
// need.
func errOf[T any](_ T, err error) error { return err }

// commonPlugin is what a source and a destination take alike: the calls
// whose requests are the same types for both (cpluginv1.ConfigureRequest and
// the like).
type commonPlugin interface {
	Configure(context.Context, cpluginv1.ConfigureRequest) (cpluginv1.ConfigureResponse, error)
	Teardown(context.Context, cpluginv1.TeardownRequest) (cpluginv1.TeardownResponse, error)
	LifecycleOnCreated(context.Context, cpluginv1.LifecycleOnCreatedRequest) (cpluginv1.LifecycleOnCreatedResponse, error)
	LifecycleOnUpdated(context.Context, cpluginv1.LifecycleOnUpdatedRequest) (cpluginv1.LifecycleOnUpdatedResponse, error)
	LifecycleOnDeleted(context.Context, cpluginv1.LifecycleOnDeletedRequest) (cpluginv1.LifecycleOnDeletedResponse, error)
}

// commonCalls are the calls of plugin that a source and a destination
// make alike, as the shared scenarios make them.
type commonCalls struct{ common commonPlugin }

func (c commonCalls) configure(ctx context.Context, cfg map[string]string) error {
	return errOf(c.common.Configure(ctx, cpluginv1.ConfigureRequest{Config: cfg}))
}

func (c commonCalls) teardown(ctx context.Context) error {
	return errOf(c.common.Teardown(ctx, cpluginv1.TeardownRequest{}))
}

func (c commonCalls) lifecycle(ctx context.Context, event string, cfg map[string]string) error {
	switch event {
	case onCreated:
		return errOf(c.common.LifecycleOnCreated(ctx, cpluginv1.LifecycleOnCreatedRequest{Config: cfg}))
	case onUpdated:
		return errOf(c.common.LifecycleOnUpdated(ctx, cpluginv1.LifecycleOnUpdatedRequest{ConfigBefore: cfg, ConfigAfter: maps.Clone(cfg)}))
	case onDeleted:
		return errOf(c.common.LifecycleOnDeleted(ctx, cpluginv1.LifecycleOnDeletedRequest{Config: cfg}))
	}
	panic("checker: no lifecycle event " + event)
}

// sourcePlugin is a source as a plugin; the source's own scenarios call
// its methods directly too.
type sourcePlugin struct {
	cpluginv1.SourcePlugin
	commonCalls
}

func newSourcePlugin(p cpluginv1.SourcePlugin) sourcePlugin { return sourcePlugin{p, commonCalls{p}} }

func (p sourcePlugin) start(ctx context.Context) error {
	return errOf(p.Start(ctx, cpluginv1.SourceStartRequest{}))
}

func (p sourcePlugin) stop(ctx context.Context) error {
	return errOf(p.Stop(ctx, cpluginv1.SourceStopRequest{}))
}

func (p sourcePlugin) probeRun(ctx context.Context, timeout time.Duration) (event[string], bool) {
	return probe(openSourceStream(ctx, p).stream, timeout, formatRecord)
}

func (p sourcePlugin) busyRun(ctx context.Context, timeout time.Duration) openRun {
	s := openSourceStream(ctx, p)
	if ev, ok := s.next(timeout); ok && ev.err == nil {
		s.ack(ev.msg.Position)
	}
	return s
}

// destinationPlugin is a destination as a plugin; the destination's own
// scenarios call its methods directly too.
type destinationPlugin struct {
	cpluginv1.DestinationPlugin
	commonCalls
}

func newDestinationPlugin(p cpluginv1.DestinationPlugin) destinationPlugin {
	return destinationPlugin{p, commonCalls{p}}
}

func (p destinationPlugin) start(ctx context.Context) error {
	return errOf(p.Start(ctx, cpluginv1.DestinationStartRequest{}))
}

func (p destinationPlugin) stop(ctx context.Context) error {
	return errOf(p.Stop(ctx, cpluginv1.DestinationStopRequest{}))
}

func (p destinationPlugin) probeRun(ctx context.Context, timeout time.Duration) (event[string], bool) {
	return probe(openDestinationStream(ctx, p).stream, timeout, formatAck)
}

func (p destinationPlugin) busyRun(ctx context.Context, timeout time.Duration) openRun {
	s := openDestinationStream(ctx, p)
	if err := s.run.Send(cpluginv1.DestinationRunRequest{Record: testRecords(2)[0]}); err == nil {
		s.next(timeout)
	}
	return s
}
