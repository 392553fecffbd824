package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/connectorkit/conduit-connector-protocol/cmd/cplugin/internal/connector"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/client"
)

// Exit codes.
const (
	exitOK      = 0
	exitFailed  = 1 // a check failed, records were lost, a connector failed
	exitUsage   = 2 // bad flags or arguments
	exitStopped = 130
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// command is one subcommand.
type command struct {
	name    string
	args    string // the positional arguments, for the usage line
	short   string // one line, for the list of commands
	summary string // a paragraph, for the command's help
	example string
	run     func(ctx context.Context, env *environment, args []string) int
	flags   func(fs *flag.FlagSet, opts *options)
	// graceful commands stop gracefully on the first Ctrl-C (their context
	// ends on the second); the context of the others ends on the first.
	graceful bool
}

// options are the flags of every command; each command registers the ones
// it uses.
type options struct {
	json              bool
	verbose           bool
	env               keyValues
	sourceConfig      keyValues
	destinationConfig keyValues
	timeout           time.Duration
	startTimeout      time.Duration
	records           int64
	protocol          protocolFlag
}

// environment is what a command writes to and how it opens connectors.
type environment struct {
	stdout, stderr io.Writer
	opts           options
	// interrupt is closed on the first SIGINT; the context given to a
	// command ends on the second.
	interrupt <-chan struct{}
}

func commands() []command {
	return []command{specCommand(), checkCommand(), pipeCommand(), demoCommand()}
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" && len(args) == 1 {
		usage(stdout)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	if args[0] == "--version" || args[0] == "-version" || args[0] == "version" {
		_, _ = fmt.Fprintf(stdout, "cplugin %s (module %s, %s)\n", version(), modulePath, runtime.Version())
		return exitOK
	}
	name, rest := args[0], args[1:]
	if name == "help" {
		name, rest = rest[0], []string{"--help"}
	}
	var names []string
	for _, c := range commands() {
		names = append(names, c.name)
	}
	i := slices.Index(names, name)
	if i < 0 {
		hint := ""
		if s := suggest(name, names); s != "" {
			hint = fmt.Sprintf("; did you mean %s?", s)
		}
		_, _ = fmt.Fprintf(stderr, "cplugin: unknown command %q%s\nThe commands are %s; run 'cplugin help' for more.\n", name, hint, strings.Join(names, ", "))
		return exitUsage
	}
	cmd := commands()[i]

	env := &environment{stdout: stdout, stderr: stderr}
	fs := flag.NewFlagSet("cplugin "+cmd.name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.BoolVar(&env.opts.verbose, "v", false, "show the connectors' log output on stderr")
	cmd.flags(fs, &env.opts)
	// The flag package prints the usage on every parse error; a short hint
	// is kinder after a typo, and --help prints the usage to stdout.
	fs.Usage = func() {}
	positional, err := parseInterspersed(fs, rest)
	if errors.Is(err, flag.ErrHelp) {
		fs.SetOutput(stdout)
		commandUsage(stdout, cmd, fs)
		return exitOK
	}
	if err != nil {
		if s := suggestFlag(fs, err); s != "" {
			_, _ = fmt.Fprintf(stderr, "did you mean --%s? ", s)
		}
		_, _ = fmt.Fprintf(stderr, "run 'cplugin help %s' for the flags\n", cmd.name)
		return exitUsage
	}

	ctx, interrupt, stop := interruptible()
	defer stop()
	env.interrupt = interrupt
	if !cmd.graceful {
		var cancel context.CancelFunc
		ctx, cancel = context.WithCancel(ctx)
		defer cancel()
		stopWatch := onClose(interrupt, cancel)
		defer stopWatch()
	}
	code := cmd.run(ctx, env, positional)
	if ctx.Err() != nil && code != exitUsage {
		env.errorf("interrupted")
		return exitStopped
	}
	return code
}

// onClose calls fn once ch is closed, unless the returned function was
// called before; that function may be called more than once.
func onClose(ch <-chan struct{}, fn func()) func() {
	done := make(chan struct{})
	go func() {
		select {
		case <-ch:
			fn()
		case <-done:
		}
	}()
	var once sync.Once
	return func() { once.Do(func() { close(done) }) }
}

// suggestFlag returns the flag closest to the undefined one err names, if
// err is the flag package's "flag provided but not defined: -name".
func suggestFlag(fs *flag.FlagSet, err error) string {
	_, name, ok := strings.Cut(err.Error(), "flag provided but not defined: ")
	if !ok {
		return ""
	}
	var names []string
	fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
	return suggest(strings.TrimLeft(name, "-"), names)
}

// interruptible returns a context that ends on the second SIGINT and a
// channel closed on the first, so that a command can stop gracefully first.
func interruptible() (context.Context, <-chan struct{}, func()) {
	ctx, cancel := context.WithCancel(context.Background())
	first := make(chan struct{})
	signals := make(chan os.Signal, 2)
	signal.Notify(signals, os.Interrupt)
	done := make(chan struct{})
	go func() {
		count := 0
		for {
			select {
			case <-signals:
				count++
				if count == 1 {
					close(first)
				} else {
					cancel()
				}
			case <-done:
				return
			}
		}
	}()
	return ctx, first, func() {
		signal.Stop(signals)
		close(done)
		cancel()
	}
}

// parseInterspersed parses flags that may come before, between and after
// the positional arguments, as users write them:
// `cplugin check ./conn --source-config k=v`.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, nil
		}
		if args[0] == "--" {
			return append(positional, args[1:]...), nil
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}

func usage(w io.Writer) {
	_, _ = fmt.Fprint(w, `cplugin inspects, checks and runs connectors of the Conduit connector protocol.

Usage:
  cplugin COMMAND [flags] [arguments]

Commands:
`)
	for _, c := range commands() {
		_, _ = fmt.Fprintf(w, "  %-7s %s\n", c.name, c.short)
	}
	_, _ = fmt.Fprintf(w, `
A connector is the path of a standalone connector executable (in any
language), or one of the built-in examples: %s.

Run 'cplugin help COMMAND' for a command's flags and an example, and
'cplugin --version' for the version. Start with:  cplugin demo
`, strings.Join(connector.Builtins(), ", "))
}

func commandUsage(w io.Writer, c command, fs *flag.FlagSet) {
	_, _ = fmt.Fprintf(w, "Usage: cplugin %s [flags] %s\n\n%s\n\nExample:\n%s\n", c.name, c.args, wrap(c.summary, 78), c.example)
	var hasFlags bool
	fs.VisitAll(func(*flag.Flag) { hasFlags = true })
	if hasFlags {
		_, _ = fmt.Fprint(w, "\nFlags:\n")
		fs.PrintDefaults()
	}
}

// keyValues is a repeatable KEY=VALUE flag.
type keyValues map[string]string

func (kv *keyValues) String() string {
	if kv == nil || *kv == nil {
		return ""
	}
	keys := make([]string, 0, len(*kv))
	for k := range *kv {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + (*kv)[k]
	}
	return strings.Join(parts, ",")
}

func (kv *keyValues) Set(s string) error {
	key, value, ok := strings.Cut(s, "=")
	if !ok || key == "" {
		return fmt.Errorf("want KEY=VALUE, got %q", s)
	}
	if *kv == nil {
		*kv = keyValues{}
	}
	(*kv)[key] = value
	return nil
}

// list returns the pairs as "KEY=VALUE" strings, for an environment.
func (kv keyValues) list() []string {
	out := make([]string, 0, len(kv))
	for k, v := range kv {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}

func addEnvFlag(fs *flag.FlagSet, o *options) {
	fs.Var(&o.env, "env", "set an environment variable of a standalone connector, `KEY=VALUE` (repeatable); "+
		"cplugin sets CONDUIT_CONNECTOR_ID (the executable's name) and serves the connector utilities (a schema registry) "+
		"through CONDUIT_CONNECTOR_TOKEN and CONDUIT_CONNECTOR_UTILITIES_GRPC_TARGET itself")
}

func addConfigFlags(fs *flag.FlagSet, o *options) {
	fs.Var(&o.sourceConfig, "source-config", "a source configuration parameter, `KEY=VALUE` (repeatable)")
	fs.Var(&o.destinationConfig, "destination-config", "a destination configuration parameter, `KEY=VALUE` (repeatable)")
}

// addStartTimeoutFlag adds --start-timeout, for commands that start
// connectors.
func addStartTimeoutFlag(fs *flag.FlagSet, o *options) {
	fs.DurationVar(&o.startTimeout, "start-timeout", client.DefaultStartTimeout,
		"bound the start of a standalone connector, up to the end of its plugin handshake")
}

// protocolFlag is the value of --protocol: a connector protocol version, or
// 0 if the flag is not given.
type protocolFlag int

func (p *protocolFlag) String() string {
	if p == nil || *p == 0 {
		return ""
	}
	return strconv.Itoa(int(*p))
}

func (p *protocolFlag) Set(s string) error {
	switch strings.TrimPrefix(s, "v") {
	case "1":
		*p = client.ProtocolVersion1
	case "2":
		*p = client.ProtocolVersion2
	default:
		return fmt.Errorf("want 1 or 2, the connector protocol versions cplugin speaks")
	}
	return nil
}

// versions are the protocol versions to offer a standalone connector: the
// one given with --protocol, or nil for both.
func (p protocolFlag) versions() []int {
	if p == 0 {
		return nil
	}
	return []int{int(p)}
}

// addProtocolFlag adds --protocol, with what the default does for the
// command.
func addProtocolFlag(fs *flag.FlagSet, o *options, byDefault string) {
	fs.Var(&o.protocol, "protocol", "offer a standalone connector only this connector protocol `version`, 1 or 2 (default: "+byDefault+")")
}

// protocolName says which protocol version an opened connector speaks: "v2",
// or "built-in" for a built-in connector called directly.
func protocolName(inst *connector.Instance) string {
	if inst.ProtocolVersion == 0 {
		return "built-in"
	}
	return fmt.Sprintf("v%d", inst.ProtocolVersion)
}

// connectorOptions are the options to open the connector ref with, for a
// command: a start that takes more than a moment says what it waits for;
// --protocol chooses the version offered.
func (e *environment) connectorOptions(ref string) connector.Options {
	opts := connector.Options{
		Env:              e.opts.env.list(),
		StartTimeout:     e.opts.startTimeout,
		ProtocolVersions: e.opts.protocol.versions(),
		OnSlowStart: func(timeout time.Duration) {
			e.errorf("waiting up to %v for %s to complete the plugin handshake (--start-timeout)...", timeout, ref)
		},
	}
	if e.opts.verbose {
		opts.Logger = slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return opts
}

// startHint is advice to add to the error of a connector that did not
// start, or "".
func startHint(err error) string {
	var start *connector.StartError
	if errors.As(err, &start) && start.TimedOut {
		return "; if it is only slow to start, raise --start-timeout; -v shows its log output"
	}
	return ""
}

func (e *environment) errorf(format string, args ...any) {
	_, _ = fmt.Fprintln(e.stderr, "cplugin: "+dedupe(fmt.Sprintf(format, args...)))
}

// wantArgs reports a usage error unless there are exactly n arguments.
func (e *environment) wantArgs(args []string, n int, what string) bool {
	if len(args) == n {
		return true
	}
	e.errorf("want %s, got %d argument(s): %s (see 'cplugin help')", what, len(args), strings.Join(args, " "))
	return false
}

// wrap breaks text into lines of at most width characters, between words.
func wrap(text string, width int) string {
	var b strings.Builder
	line := 0
	for _, word := range strings.Fields(text) {
		switch {
		case line == 0:
		case line+1+len(word) > width:
			b.WriteByte('\n')
			line = 0
		default:
			b.WriteByte(' ')
			line++
		}
		b.WriteString(word)
		line += len(word)
	}
	return b.String()
}
