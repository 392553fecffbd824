package checker

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/connectorkit/conduit-connector-protocol/cmd/cplugin/internal/connector"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/client"
)

// Defaults of [Config].
const (
	DefaultTimeout = 5 * time.Second
	DefaultRecords = 20
)

// Launcher opens a fresh instance of the connector under test (a new
// process, for a standalone connector) and reports every message the
// connector sends to observe.
type Launcher func(ctx context.Context, observe connector.Observer) (*connector.Instance, error)

// Config configures a conformance run.
type Config struct {
	// Connector names the connector in the report.
	Connector string
	// Launch opens the connector. Required.
	Launch Launcher
	// SourceConfig and DestinationConfig are passed to Configure.
	SourceConfig      map[string]string
	DestinationConfig map[string]string
	// Timeout bounds every call to the connector, and every wait for a
	// message on a stream; zero means DefaultTimeout.
	Timeout time.Duration
	// Records is how many records the checker reads from a source and sends
	// to a destination; zero means DefaultRecords. At least 2.
	Records int
	// Protocol is the connector protocol version Launch opens the connector
	// with (1 or 2), for the report; 0 if it is not known.
	Protocol int
}

// Report is the outcome of a conformance run.
type Report struct {
	// Connector is Config.Connector.
	Connector string `json:"connector"`
	// Offers lists the plugins the connector offers: "source",
	// "destination".
	Offers []string `json:"offers"`
	// Protocols lists the connector protocol versions the checks ran over,
	// in order; each result names its own (Result.Protocol).
	Protocols []int `json:"protocols,omitempty"`
	// Unserved lists the protocol versions the connector was found not to
	// serve, and why: nothing was checked over them.
	Unserved []Unserved `json:"unserved,omitempty"`
	// Results holds one result per check, in a fixed order.
	Results []Result `json:"results"`
	// Summary counts the results by status.
	Summary Summary `json:"summary"`
	// OK is true if no check failed. Warnings do not fail a run.
	OK bool `json:"ok"`
}

// Unserved is a protocol version a connector does not serve.
type Unserved struct {
	Protocol int `json:"protocol"`
	// Reason is why the connector did not start when offered only this
	// version.
	Reason string `json:"reason"`
}

// Summary counts results by status.
type Summary struct {
	Passed   int `json:"passed"`
	Failed   int `json:"failed"`
	Warnings int `json:"warnings"`
	Skipped  int `json:"skipped"`
}

// Run runs every check against the connector cfg.Launch opens. It returns
// when every check has run and every connector it opened is closed, or
// earlier if ctx ends (the remaining checks are then skipped).
func Run(ctx context.Context, cfg Config) Report {
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Records < 2 {
		cfg.Records = DefaultRecords
	}
	c := &checker{cfg: cfg, res: newResults(), wire: &wire{}}
	c.res.declare(checkConnect)
	for _, chk := range specChecks {
		c.res.declare(chk)
	}
	if c.runSpec(ctx) {
		c.runRole(ctx, c.sourceRole())
		c.runRole(ctx, c.destinationRole())
	}
	c.closing.Wait()
	c.wire.report(c.res)

	report := Report{Connector: cfg.Connector, Offers: c.offers, Results: c.res.list(), OK: true}
	if cfg.Protocol != 0 {
		report.Protocols = []int{cfg.Protocol}
	}
	for i := range report.Results {
		report.Results[i].Protocol = cfg.Protocol
	}
	report.count()
	return report
}

// count sets Summary and OK from Results.
func (report *Report) count() {
	report.Summary = Summary{}
	report.OK = true
	for _, r := range report.Results {
		switch r.Status {
		case Pass:
			report.Summary.Passed++
		case Fail:
			report.Summary.Failed++
			report.OK = false
		case Warn:
			report.Summary.Warnings++
		case Skip:
			report.Summary.Skipped++
		}
	}
}

// Merge joins the reports of runs over different protocol versions of one
// connector into one: their results in order (each names its version), the
// versions, the plugins any run found offered, and the counts of all.
func Merge(reports ...Report) Report {
	var out Report
	for _, r := range reports {
		if out.Connector == "" {
			out.Connector = r.Connector
		}
		for _, o := range r.Offers {
			if !slices.Contains(out.Offers, o) {
				out.Offers = append(out.Offers, o)
			}
		}
		out.Protocols = append(out.Protocols, r.Protocols...)
		out.Unserved = append(out.Unserved, r.Unserved...)
		out.Results = append(out.Results, r.Results...)
	}
	out.count()
	return out
}

type checker struct {
	cfg     Config
	res     *results
	wire    *wire
	offers  []string
	spec    cpluginv1.Specification // as Specify answered, for hints
	closing sync.WaitGroup
	opened  int
}

// launch opens a fresh connector instance. The first launch is the connect
// check; a later failure is a problem of the check that needed it.
func (c *checker) launch(ctx context.Context, forCheck check) (*connector.Instance, bool) {
	inst, err := c.cfg.Launch(ctx, c.wire.observe)
	c.opened++
	if err != nil {
		if c.opened == 1 {
			c.res.problem(checkConnect, "the connector did not start: "+err.Error(), "")
		} else {
			c.res.problem(forCheck, "the connector did not start again for this check: "+err.Error(), "")
		}
		return nil, false
	}
	if c.opened == 1 {
		c.res.pass(checkConnect, "")
	}
	return inst, true
}

// release closes inst in the background: closing a connector that hangs
// takes the client's grace period, which need not hold up the next check.
func (c *checker) release(inst *connector.Instance) {
	c.closing.Go(inst.Close)
}

// errTimeout is the error of a call that did not answer in time.
type errTimeout struct{ after time.Duration }

func (e errTimeout) Error() string { return fmt.Sprintf("did not answer within %v", e.after) }

// call runs fn with a context that ends after the timeout, and stops
// waiting for it then: a connector that ignores its context cannot hang the
// checker. The result of an abandoned call is dropped.
func call[T any](ctx context.Context, timeout time.Duration, fn func(context.Context) (T, error)) (T, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := fn(ctx)
		done <- result{v, err}
	}()
	deadline, _ := ctx.Deadline()
	select {
	case r := <-done:
		// gRPC enforces the deadline with its own timer, which may fire a
		// moment before ctx's: a DeadlineExceeded at the deadline is ours.
		if errors.Is(r.err, context.DeadlineExceeded) && time.Until(deadline) < 100*time.Millisecond {
			var zero T
			return zero, errTimeout{timeout}
		}
		return r.v, r.err
	case <-ctx.Done():
		var zero T
		return zero, errTimeout{timeout}
	}
}

// describe says what a call's error means for the protocol, starting with
// a verb: "answered Unimplemented (...)", "did not answer within 5s".
func describe(err error) string {
	var timeout errTimeout
	switch {
	case err == nil:
		return "succeeded"
	case errors.As(err, &timeout):
		return timeout.Error()
	case errors.Is(err, client.ErrConnectorUnavailable):
		return fmt.Sprintf("could not reach the connector (%v)", err)
	}
	return fmt.Sprintf("answered %s (%q)", codeName(err), err.Error())
}

// codeName is the gRPC status code an error crossed the boundary with.
func codeName(err error) string {
	switch {
	case errors.Is(err, cpluginv1.ErrUnimplemented):
		return "UNIMPLEMENTED"
	case errors.Is(err, cpluginv1.ErrInvalidArgument):
		return "INVALID_ARGUMENT"
	case errors.Is(err, cpluginv1.ErrFailedPrecondition):
		return "FAILED_PRECONDITION"
	case errors.Is(err, cpluginv1.ErrMessageTooLarge):
		return "RESOURCE_EXHAUSTED"
	case errors.Is(err, context.Canceled):
		return "CANCELED"
	case errors.Is(err, context.DeadlineExceeded):
		return "DEADLINE_EXCEEDED"
	default:
		return "INTERNAL"
	}
}

// lifecycle records the answer to a lifecycle event: only success is
// right. The Conduit server fails the pipeline on any error, Unimplemented
// included (hosts built with this module accept Unimplemented, but a
// connector cannot know which host runs it).
func (c *checker) lifecycle(chk check, method string, err error) {
	if err == nil {
		c.res.pass(chk, "")
		return
	}
	c.res.problem(chk, lifecycleProblem(method, err), "")
}

// lifecycleProblem says what is wrong with the answer err to the lifecycle
// event method.
func lifecycleProblem(method string, err error) string {
	if errors.Is(err, cpluginv1.ErrUnimplemented) {
		return fmt.Sprintf("answered %s with Unimplemented (%q): the Conduit server fails the pipeline when a connector does this; answer success when there is nothing to do", method, err.Error())
	}
	return fmt.Sprintf("%s %s: the Conduit server treats it as a failure (of the pipeline, or of deleting the connector); a connector with nothing to do for this event answers success", method, describe(err))
}

func (c *checker) skipAll(checks []check, why string) {
	for _, chk := range checks {
		c.res.skip(chk, why)
	}
}

func cloneConfig(cfg map[string]string) map[string]string {
	if cfg == nil {
		return map[string]string{}
	}
	return maps.Clone(cfg)
}

// configHint adds advice to a Configure failure: the required parameters
// (by the specification) that the configuration lacks, or a general hint if
// the error says the configuration is not valid.
func configHint(err error, given map[string]string, declared map[string]cpluginv1.Parameter, flag string) string {
	var missing []string
	for _, name := range slices.Sorted(maps.Keys(declared)) {
		p := declared[name]
		required := p.Required //nolint:staticcheck // the deprecated flag still means "required" to hosts
		for _, v := range p.Validations {
			required = required || v.Type == cpluginv1.ValidationTypeRequired
		}
		if _, set := given[name]; required && !set && p.Default == "" {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return fmt.Sprintf("; the specification marks %s as required: pass %s %s=VALUE", strings.Join(missing, ", "), flag, missing[0])
	}
	if errors.Is(err, cpluginv1.ErrInvalidArgument) && len(given) == 0 {
		return fmt.Sprintf("; if it needs configuration, pass it with %s KEY=VALUE", flag)
	}
	return ""
}

// do is call for calls without a result, with the timeout of the run.
func (c *checker) do(ctx context.Context, fn func(context.Context) error) error {
	_, err := call(ctx, c.cfg.Timeout, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, fn(ctx)
	})
	return err
}

// describeEnd says how a Run stream ended, as the end of a sentence that
// starts with "Run".
func describeEnd(err error) string {
	if errors.Is(err, io.EOF) {
		return "ended without an error"
	}
	if errors.Is(err, client.ErrConnectorUnavailable) {
		return fmt.Sprintf("ended because the connector could not be reached (%v)", err)
	}
	return fmt.Sprintf("ended with %s (%q)", codeName(err), err.Error())
}

// callOrder records the answer to a call made out of the protocol's order.
func (c *checker) callOrder(chk check, what string, err error) {
	switch {
	case errors.Is(err, cpluginv1.ErrFailedPrecondition):
	case err == nil:
		c.res.problem(chk, what+" succeeded; a call out of order answers FAILED_PRECONDITION", "")
	default:
		c.res.problem(chk, fmt.Sprintf("%s %s; a call out of order answers FAILED_PRECONDITION", what, describe(err)), "")
	}
}
