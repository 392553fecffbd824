package client

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log"
	"log/slog"
	"strings"
	"sync"

	"github.com/hashicorp/go-hclog"
)

// levelTrace is the slog level of hclog's (and Conduit's) trace level.
const levelTrace = slog.LevelDebug - 4

// hclogAdapter is the hclog.Logger go-plugin logs to. It forwards go-plugin's
// own messages and, through the sub-logger go-plugin names after the
// executable, the connector's stderr lines to a slog.Logger, each at its
// level.
type hclogAdapter struct {
	logger    *slog.Logger
	name      string
	implied   []any
	connector string // the executable's base name; see Named
	fromProc  bool   // this logger receives the connector's stderr lines
	tail      *outputTail
}

var _ hclog.Logger = (*hclogAdapter)(nil)

func newHCLogAdapter(logger *slog.Logger, executable string) *hclogAdapter {
	return &hclogAdapter{logger: logger, connector: executable, tail: &outputTail{}}
}

func toSlogLevel(level hclog.Level) slog.Level {
	switch level {
	case hclog.Trace:
		return levelTrace
	case hclog.Debug:
		return slog.LevelDebug
	case hclog.Warn:
		return slog.LevelWarn
	case hclog.Error:
		return slog.LevelError
	default:
		return slog.LevelInfo
	}
}

func (a *hclogAdapter) Log(level hclog.Level, msg string, args ...any) {
	slevel := toSlogLevel(level)
	if a.fromProc {
		a.tail.add(msg)
		if level == hclog.Debug && len(args) == 0 {
			// go-plugin logs a connector's stderr line that is not in
			// hclog's JSON format verbatim at debug level. Connectors built
			// with the Go connector SDK (zerolog) and many others write
			// JSON lines with a "level" and a "message": give those their
			// level back. A plain line (say, the error a main prints before
			// exiting) is not debug output: log it at info.
			if l, m, attrs, ok := parseJSONLogLine(msg); ok {
				slevel, msg, args = l, m, attrs
			} else if !strings.HasPrefix(msg, "[DEBUG]") {
				slevel = slog.LevelInfo
			}
		}
	}
	ctx := context.Background()
	if !a.logger.Enabled(ctx, slevel) {
		return
	}
	a.logger.Log(ctx, slevel, msg, args...)
}

func (a *hclogAdapter) Trace(msg string, args ...any) { a.Log(hclog.Trace, msg, args...) }
func (a *hclogAdapter) Debug(msg string, args ...any) { a.Log(hclog.Debug, msg, args...) }
func (a *hclogAdapter) Info(msg string, args ...any)  { a.Log(hclog.Info, msg, args...) }
func (a *hclogAdapter) Warn(msg string, args ...any)  { a.Log(hclog.Warn, msg, args...) }
func (a *hclogAdapter) Error(msg string, args ...any) { a.Log(hclog.Error, msg, args...) }

func (a *hclogAdapter) enabled(level hclog.Level) bool {
	return a.logger.Enabled(context.Background(), toSlogLevel(level))
}

func (a *hclogAdapter) IsTrace() bool { return a.enabled(hclog.Trace) }
func (a *hclogAdapter) IsDebug() bool { return a.enabled(hclog.Debug) }
func (a *hclogAdapter) IsInfo() bool  { return a.enabled(hclog.Info) }
func (a *hclogAdapter) IsWarn() bool  { return a.enabled(hclog.Warn) }
func (a *hclogAdapter) IsError() bool { return a.enabled(hclog.Error) }

func (a *hclogAdapter) ImpliedArgs() []any { return a.implied }

func (a *hclogAdapter) With(args ...any) hclog.Logger {
	c := *a
	c.implied = append(append([]any(nil), a.implied...), args...)
	c.logger = a.logger.With(args...)
	return &c
}

func (a *hclogAdapter) Name() string { return a.name }

// Named returns a sub-logger. go-plugin names the one that receives the
// connector's stderr after the executable's base name.
func (a *hclogAdapter) Named(name string) hclog.Logger {
	full := name
	if a.name != "" {
		full = a.name + "." + name
	}
	return a.ResetNamed(full)
}

func (a *hclogAdapter) ResetNamed(name string) hclog.Logger {
	c := *a
	c.name = name
	c.fromProc = a.connector != "" && name == a.connector
	c.logger = a.logger.With("logger", name)
	return &c
}

// SetLevel does nothing: the slog handler decides what is logged.
func (a *hclogAdapter) SetLevel(hclog.Level) {}

// GetLevel returns the lowest level the slog handler logs, so that
// go-plugin does not drop lines the handler wants. The logger of the
// connector's stderr wants every line, for the tail kept for errors.
func (a *hclogAdapter) GetLevel() hclog.Level {
	if a.fromProc {
		return hclog.Trace
	}
	for _, l := range []hclog.Level{hclog.Trace, hclog.Debug, hclog.Info, hclog.Warn, hclog.Error} {
		if a.enabled(l) {
			return l
		}
	}
	return hclog.Off
}

func (a *hclogAdapter) StandardLogger(opts *hclog.StandardLoggerOptions) *log.Logger {
	level := slog.LevelInfo
	if opts != nil && opts.ForceLevel != hclog.NoLevel {
		level = toSlogLevel(opts.ForceLevel)
	}
	return slog.NewLogLogger(a.logger.Handler(), level)
}

func (a *hclogAdapter) StandardWriter(opts *hclog.StandardLoggerOptions) io.Writer {
	return a.StandardLogger(opts).Writer()
}

// parseJSONLogLine reads a JSON log line with a level ("level" or
// "@level") and a message ("message", "msg" or "@message"), as zerolog,
// slog's JSON handler and hclog write them. The other fields become
// attributes, except the timestamp, which the host's handler adds anew.
func parseJSONLogLine(line string) (slog.Level, string, []any, bool) {
	line = strings.TrimSpace(line)
	if !strings.HasPrefix(line, "{") {
		return 0, "", nil, false
	}
	var fields map[string]any
	dec := json.NewDecoder(strings.NewReader(line))
	dec.UseNumber()
	if err := dec.Decode(&fields); err != nil {
		return 0, "", nil, false
	}
	level, ok := jsonLevel(fields)
	if !ok {
		return 0, "", nil, false
	}
	var msg string
	for _, k := range []string{"message", "msg", "@message"} {
		if s, ok := fields[k].(string); ok {
			msg = s
			delete(fields, k)
			break
		}
	}
	for _, k := range []string{"level", "@level", "time", "timestamp", "@timestamp"} {
		delete(fields, k)
	}
	attrs := make([]any, 0, 2*len(fields))
	for k, v := range fields {
		attrs = append(attrs, slog.Any(k, v))
	}
	return level, msg, attrs, true
}

func jsonLevel(fields map[string]any) (slog.Level, bool) {
	for _, k := range []string{"level", "@level"} {
		s, ok := fields[k].(string)
		if !ok {
			continue
		}
		switch strings.ToLower(s) {
		case "trace":
			return levelTrace, true
		case "debug":
			return slog.LevelDebug, true
		case "info":
			return slog.LevelInfo, true
		case "warn", "warning":
			return slog.LevelWarn, true
		case "error", "fatal", "panic":
			return slog.LevelError, true
		}
	}
	return 0, false
}

// lineWriter logs every line written to it, for the connector's stdout and
// stderr once go-plugin forwards them over its stdio service.
type lineWriter struct {
	logger *slog.Logger
	level  slog.Level
	mu     sync.Mutex
	buf    []byte
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, p...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			break
		}
		w.emit(w.buf[:i])
		w.buf = w.buf[i+1:]
	}
	return len(p), nil
}

// Flush logs what remains after the last newline.
func (w *lineWriter) Flush() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.buf) > 0 {
		w.emit(w.buf)
		w.buf = nil
	}
}

func (w *lineWriter) emit(line []byte) {
	s := strings.TrimRight(string(line), "\r")
	if s == "" {
		return
	}
	if l, m, attrs, ok := parseJSONLogLine(s); ok {
		w.logger.Log(context.Background(), l, m, attrs...)
		return
	}
	w.logger.Log(context.Background(), w.level, s)
}

// outputTail keeps the connector's last stderr lines, so that an error
// about a connector that failed to start can say what it printed.
type outputTail struct {
	mu    sync.Mutex
	lines []string
}

const (
	tailLines    = 5
	tailLineSize = 500
)

func (t *outputTail) add(line string) {
	line = strings.TrimSpace(line)
	if line == "" {
		return
	}
	if len(line) > tailLineSize {
		line = line[:tailLineSize] + "..."
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.lines = append(t.lines, line)
	if len(t.lines) > tailLines {
		t.lines = t.lines[len(t.lines)-tailLines:]
	}
}

// String returns the kept lines joined by " | ", or "".
func (t *outputTail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.Join(t.lines, " | ")
}
