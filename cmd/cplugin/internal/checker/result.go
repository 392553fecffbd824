package checker

import (
	"slices"
	"sync"
)

// Level says how strongly the protocol states a rule.
type Level string

// The levels of a rule.
const (
	// Must: breaking the rule fails the run.
	Must Level = "MUST"
	// Should: breaking the rule is a warning; the run still passes.
	Should Level = "SHOULD"
)

// Status is the outcome of one check.
type Status string

// The outcomes of a check.
const (
	// Pass: the connector keeps the rule.
	Pass Status = "pass"
	// Fail: the connector breaks a MUST rule.
	Fail Status = "fail"
	// Warn: the connector breaks a SHOULD rule.
	Warn Status = "warn"
	// Skip: the check could not run, for example because an earlier step
	// it needs failed, or there was nothing to check.
	Skip Status = "skip"
)

// Result is the outcome of one check.
type Result struct {
	// ID names the check, for example "source.stop-position". IDs are
	// stable: scripts and tests may rely on them.
	ID string `json:"id"`
	// Title says what the check requires of the connector.
	Title string `json:"title"`
	// Level says whether the rule is a MUST or a SHOULD.
	Level Level `json:"level"`
	// Status is the outcome.
	Status Status `json:"status"`
	// Detail says what was seen (pass) or why the check did not run (skip).
	Detail string `json:"detail,omitempty"`
	// Problems lists what broke the rule (fail, warn), first problem first.
	Problems []Problem `json:"problems,omitempty"`
	// MoreProblems counts problems beyond those listed.
	MoreProblems int `json:"more_problems,omitempty"`
	// Protocol is the connector protocol version the check ran over (1 or
	// 2), Config.Protocol; 0 if the run did not say.
	Protocol int `json:"protocol,omitempty"`
}

// Problem is one way a connector broke a rule.
type Problem struct {
	// Reason says what went wrong, for the connector's author.
	Reason string `json:"reason"`
	// Message is the offending message as the connector sent it, if there
	// is one, in protobuf text format.
	Message string `json:"message,omitempty"`
}

// maxProblems is how many problems a result lists; a broken rule usually
// breaks the same way for every record, and the first few say it all.
const maxProblems = 3

// check is the definition of a check.
type check struct {
	id    string
	title string
	level Level
}

// results collects the results of a run, in the order the checks were
// declared. It is safe for concurrent use.
type results struct {
	mu    sync.Mutex
	order []string
	byID  map[string]*Result
}

func newResults() *results {
	return &results{byID: map[string]*Result{}}
}

// declare adds a check that has not run yet; it is reported as skipped
// unless something else happens to it.
func (r *results) declare(c check) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.get(c)
}

// get returns the result of c, declaring it if needed. r.mu must be held.
func (r *results) get(c check) *Result {
	if res, ok := r.byID[c.id]; ok {
		return res
	}
	r.order = append(r.order, c.id)
	res := &Result{ID: c.id, Title: c.title, Level: c.level, Status: Skip, Detail: "not run"}
	r.byID[c.id] = res
	return res
}

// pass records that the check ran and found nothing wrong. A check made of
// several steps passes only if no step reported a problem.
func (r *results) pass(c check, detail string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	res := r.get(c)
	if res.Status == Skip {
		res.Status = Pass
		res.Detail = detail
	}
}

// problem records that the connector broke the rule.
func (r *results) problem(c check, reason, message string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	res := r.get(c)
	if res.Status == Pass || res.Status == Skip {
		res.Status = Fail
		if c.level == Should {
			res.Status = Warn
		}
		res.Detail = ""
	}
	if len(res.Problems) == maxProblems {
		res.MoreProblems++
		return
	}
	res.Problems = append(res.Problems, Problem{Reason: reason, Message: message})
}

// skip records why a check did not run, unless it already ran.
func (r *results) skip(c check, why string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	res := r.get(c)
	if res.Status == Skip {
		res.Detail = why
	}
}

func (r *results) status(c check) Status {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.get(c).Status
}

// list returns a copy of the results in declaration order.
func (r *results) list() []Result {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]Result, 0, len(r.order))
	for _, id := range r.order {
		res := *r.byID[id]
		res.Problems = slices.Clone(res.Problems)
		out = append(out, res)
	}
	return out
}
