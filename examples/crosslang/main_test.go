package crosslang

import (
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
)

// setupHint says how to install what the tests need.
const setupHint = "run make crosslang or bash examples/ci-setup.sh"

// TestMain runs the tests and then prints one line that says what they
// covered: how many connectors were tested and in how many tests, or why
// they were skipped. Without it, a run in which every test skipped because
// a prerequisite is missing would look like any other "ok".
//
// go test shows that line when it runs one package in its directory (`go
// test` without arguments, as `make crosslang` does), with -v, and when a
// test fails. With package arguments (`go test ./...`, `make test`) it
// shows only "ok" for a package that passed; so when no test reached a
// connector, TestMain also prints go test's own "no tests to run" warning,
// which go test turns into "ok ... [no tests to run]" there.
func TestMain(m *testing.M) {
	code := m.Run()
	fmt.Println(tally.summary())
	if code == 0 && tally.none() {
		fmt.Println("testing: warning: no tests to run")
	}
	if binDir != "" {
		_ = os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// tally counts, per language, the tests that ran against its example
// connector and records why the others could not.
var tally = &coverage{
	runs:    map[string]map[string]bool{},
	missing: map[string]string{},
	broken:  map[string]string{},
}

// coverage is what the tests of each language came to.
type coverage struct {
	mu      sync.Mutex
	runs    map[string]map[string]bool // language -> names of the tests that used its connector
	missing map[string]string          // language -> the missing prerequisite that skipped its tests
	broken  map[string]string          // language -> why its connector could not be prepared (a failure)
}

// tested records that the test named test runs against the language's
// connector.
func (c *coverage) tested(lang, test string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.runs[lang] == nil {
		c.runs[lang] = map[string]bool{}
	}
	c.runs[lang][test] = true
}

// skipped records that the language's tests skip because of err.
func (c *coverage) skipped(lang string, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	msg, _, _ := strings.Cut(err.Error(), "\n")
	c.missing[lang] = msg
}

// failed records that the language's connector could not be prepared.
func (c *coverage) failed(lang string, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	// The first line only: a failed build carries the build's output.
	msg, _, _ := strings.Cut(err.Error(), "\n")
	c.broken[lang] = msg
}

// summary is the line TestMain prints, for example
//
//	crosslang: 2 connectors tested (python: 27 tests, typescript: 21 tests)
//	crosslang: skipped: python: python3-grpcio not installed: ... (run make crosslang or bash examples/ci-setup.sh)
func (c *coverage) summary() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var tested, skipped, broken []string
	for _, lang := range languages {
		if n := len(c.runs[lang.name]); n > 0 {
			tested = append(tested, fmt.Sprintf("%s: %d %s", lang.name, n, plural(n, "test")))
		}
		if why, ok := c.missing[lang.name]; ok {
			skipped = append(skipped, lang.name+": "+why)
		}
		if why, ok := c.broken[lang.name]; ok {
			broken = append(broken, lang.name+": "+why)
		}
	}
	var parts []string
	if len(tested) > 0 || len(skipped)+len(broken) == 0 {
		part := fmt.Sprintf("%d %s tested", len(tested), plural(len(tested), "connector"))
		if len(tested) > 0 {
			part += " (" + strings.Join(tested, ", ") + ")"
		}
		parts = append(parts, part)
	}
	if len(skipped) > 0 {
		parts = append(parts, "skipped: "+strings.Join(skipped, "; ")+" ("+setupHint+")")
	}
	if len(broken) > 0 {
		parts = append(parts, "FAILED: "+strings.Join(broken, "; "))
	}
	return "crosslang: " + strings.Join(parts, "; ")
}

// none reports whether no test ran against a connector.
func (c *coverage) none() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.runs) == 0
}

// plural returns word, with an s unless n is 1.
func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
