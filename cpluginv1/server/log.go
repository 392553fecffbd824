package server

import (
	"io"
	"log/slog"
	"strings"

	"github.com/hashicorp/go-hclog"
)

// levelTrace is the slog level of hclog's (and Conduit's) trace level.
const levelTrace = slog.LevelDebug - 4

// hclogTimeFormat is the time format hashicorp/go-plugin hosts accept in the
// "@timestamp" field of a connector's JSON log line.
const hclogTimeFormat = "2006-01-02T15:04:05.000000Z07:00"

// newHCLogHandler returns a slog handler writing JSON lines in the format
// hashicorp/go-plugin hosts parse from a plugin's stderr ("@level",
// "@message", "@timestamp" and the attributes), so that the host logs each
// line at its level with its attributes.
func newHCLogHandler(w io.Writer, level slog.Level) slog.Handler {
	return slog.NewJSONHandler(w, &slog.HandlerOptions{
		Level: level,
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if len(groups) > 0 {
				return a
			}
			switch a.Key {
			case slog.TimeKey:
				return slog.String("@timestamp", a.Value.Time().Format(hclogTimeFormat))
			case slog.LevelKey:
				return slog.String("@level", levelName(a.Value.Any()))
			case slog.MessageKey:
				return slog.Attr{Key: "@message", Value: a.Value}
			}
			return a
		},
	})
}

func levelName(v any) string {
	l, ok := v.(slog.Level)
	if !ok {
		return "info"
	}
	switch {
	case l < slog.LevelDebug:
		return "trace"
	case l < slog.LevelInfo:
		return "debug"
	case l < slog.LevelWarn:
		return "info"
	case l < slog.LevelError:
		return "warn"
	default:
		return "error"
	}
}

// logLevel parses the level a host passes in CONDUIT_CONNECTOR_LOG_LEVEL;
// anything unknown (or nothing) is info.
func logLevel(s string) slog.Level {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "trace":
		return levelTrace
	case "debug":
		return slog.LevelDebug
	case "warn", "warning":
		return slog.LevelWarn
	case "error":
		return slog.LevelError
	default:
		return slog.LevelInfo
	}
}

// hclogLevel returns the hclog level of a slog level, for go-plugin's own
// logger.
func hclogLevel(l slog.Level) hclog.Level {
	switch {
	case l < slog.LevelDebug:
		return hclog.Trace
	case l < slog.LevelInfo:
		return hclog.Debug
	case l < slog.LevelWarn:
		return hclog.Info
	case l < slog.LevelError:
		return hclog.Warn
	default:
		return hclog.Error
	}
}
