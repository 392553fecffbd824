package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"log/slog"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/hashicorp/go-hclog"

	"github.com/connectorkit/conduit-connector-protocol/internal/utf8check"
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

// maxLogLine is the longest line of a connector's output that the host logs
// whole. Of a longer line it logs the first maxLogLine bytes, ending in
// cutMarker, and drops the rest up to the next newline, so that a
// connector cannot make the host hold more than this per stream, newline or
// not.
const maxLogLine = 64 << 10

// cutMarker ends the part of a line longer than maxLogLine that is logged.
var cutMarker = fmt.Sprintf(" … [line cut at %d bytes]", maxLogLine)

// lineWriter logs every line written to it, for the connector's stdout and
// stderr once go-plugin forwards them over its stdio service, and for what
// the connector prints on its stdout after the handshake line. It holds at
// most maxLogLine bytes.
type lineWriter struct {
	logger   *slog.Logger
	level    slog.Level
	mu       sync.Mutex
	buf      []byte
	dropping bool // the rest of a line that was cut
}

func (w *lineWriter) Write(p []byte) (int, error) {
	n := len(p)
	if !w.logger.Enabled(context.Background(), slog.LevelError) {
		return n, nil // nothing would be logged
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		segment := p
		if i >= 0 {
			segment = p[:i]
		}
		switch room := maxLogLine - len(w.buf); {
		case w.dropping:
		case len(segment) > room:
			w.buf = appendCapped(w.buf, segment[:room])
			w.logger.Log(context.Background(), w.level, string(cutUTF8(w.buf))+cutMarker)
			w.buf, w.dropping = w.buf[:0], true
		default:
			w.buf = appendCapped(w.buf, segment)
		}
		if i < 0 {
			break
		}
		if !w.dropping {
			w.emit(w.buf)
		}
		w.buf, w.dropping = w.buf[:0], false
		p = p[i+1:]
	}
	return n, nil
}

// Flush logs what remains after the last newline.
func (w *lineWriter) Flush() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.buf) > 0 && !w.dropping {
		w.emit(w.buf)
	}
	w.buf, w.dropping = nil, false
}

// appendCapped appends p to buf, which with p holds at most maxLogLine
// bytes, growing it to no more than that.
func appendCapped(buf, p []byte) []byte {
	if need := len(buf) + len(p); need > cap(buf) {
		grown := make([]byte, len(buf), min(max(2*cap(buf), need, 256), maxLogLine))
		copy(grown, buf)
		buf = grown
	}
	return append(buf, p...)
}

// cutUTF8 returns b without the incomplete UTF-8 sequence it may end in
// after a cut.
func cutUTF8(b []byte) []byte {
	for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax; i-- {
		if utf8.RuneStart(b[i]) {
			if !utf8.FullRune(b[i:]) {
				return b[:i]
			}
			break
		}
	}
	return b
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
		line = string(cutUTF8([]byte(line[:tailLineSize]))) + "..."
	}
	// It ends up in an error message: valid UTF-8 only.
	line = utf8check.Text(line)
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
