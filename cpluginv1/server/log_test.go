package server

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"testing"
	"time"
)

// TestHCLogHandlerFormat checks that the default log lines are in the
// format go-plugin hosts parse into leveled log entries: "@level",
// "@message" and an "@timestamp" in hclog's layout (a line whose timestamp
// does not parse is logged by the host as an unleveled debug line).
func TestHCLogHandlerFormat(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(newHCLogHandler(&buf, levelTrace))
	logger.Warn("disk almost full", "free", 3)
	logger.Log(t.Context(), levelTrace, "tick")

	dec := json.NewDecoder(&buf)
	for _, want := range []struct{ level, message string }{{"warn", "disk almost full"}, {"trace", "tick"}} {
		var line map[string]any
		if err := dec.Decode(&line); err != nil {
			t.Fatalf("decode log line: %v", err)
		}
		if line["@level"] != want.level || line["@message"] != want.message {
			t.Errorf("line = %v, want @level %q and @message %q", line, want.level, want.message)
		}
		ts, _ := line["@timestamp"].(string)
		if _, err := time.Parse(hclogTimeFormat, ts); err != nil {
			t.Errorf("@timestamp %q does not parse in hclog's layout: %v", ts, err)
		}
		for _, k := range []string{"level", "msg", "time"} {
			if _, ok := line[k]; ok {
				t.Errorf("line has slog's key %q as well: %v", k, line)
			}
		}
	}
}

func TestLogLevel(t *testing.T) {
	tests := map[string]slog.Level{
		"trace": levelTrace, "DEBUG": slog.LevelDebug, "info": slog.LevelInfo, "warn": slog.LevelWarn,
		"error": slog.LevelError, "": slog.LevelInfo, "loud": slog.LevelInfo,
	}
	for in, want := range tests {
		if got := logLevel(in); got != want {
			t.Errorf("logLevel(%q) = %v, want %v", in, got, want)
		}
	}
}
