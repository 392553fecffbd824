package client

import (
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/hashicorp/go-hclog"
)

// levelHandler is a recordingHandler that logs only from a minimum level.
type levelHandler struct {
	recordingHandler
	min slog.Level
}

func (h *levelHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= h.min }

// go-plugin asks the logger for its level and drops what is below it:
// the adapter reports the lowest level the host's handler logs, and
// everything from the connector's stderr, which it needs for the tail
// that New adds to a start error.
func TestHCLogAdapterLevel(t *testing.T) {
	h := &levelHandler{min: slog.LevelWarn}
	a := newHCLogAdapter(slog.New(h), "conn")
	if got := a.GetLevel(); got != hclog.Warn {
		t.Errorf("GetLevel = %v, want warn", got)
	}
	if a.IsTrace() || a.IsDebug() || a.IsInfo() || !a.IsWarn() || !a.IsError() {
		t.Errorf("Is* = %v %v %v %v %v, want only warn and error", a.IsTrace(), a.IsDebug(), a.IsInfo(), a.IsWarn(), a.IsError())
	}
	if got := a.Named("conn").GetLevel(); got != hclog.Trace {
		t.Errorf("GetLevel of the connector's logger = %v, want trace", got)
	}
	a.SetLevel(hclog.Trace) // the handler decides, not go-plugin
	if a.IsDebug() {
		t.Error("SetLevel changed what is logged")
	}
	if got := newHCLogAdapter(slog.New(&levelHandler{min: slog.LevelError + 1}), "conn").GetLevel(); got != hclog.Off {
		t.Errorf("GetLevel with a handler that logs nothing = %v, want off", got)
	}
	a.Info("dropped")
	a.Warn("kept")
	if len(h.records) != 1 || h.records[0].Message != "kept" {
		t.Errorf("records = %v, want only the warning", h.records)
	}
}

// go-plugin names its sub-loggers and adds arguments with With: both end up
// as attributes of the host's records.
func TestHCLogAdapterNamedAndWith(t *testing.T) {
	var out strings.Builder
	a := newHCLogAdapter(slog.New(slog.NewTextHandler(&out, &slog.HandlerOptions{Level: levelTrace})), "conn")
	l := a.Named("stdio").Named("client").With("plugin", "conn", "id", "42")
	if got := l.Name(); got != "stdio.client" {
		t.Errorf("Name = %q, want stdio.client", got)
	}
	if got := l.ImpliedArgs(); len(got) != 4 || got[1] != "conn" || got[3] != "42" {
		t.Errorf("ImpliedArgs = %v, want the With arguments", got)
	}
	l.Trace("waiting")
	l.Error("failed")
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("got %d lines, want 2:\n%s", len(lines), out.String())
	}
	for i, want := range []string{`level=DEBUG-4 msg=waiting`, `level=ERROR msg=failed`} {
		if !strings.Contains(lines[i], want) || !strings.Contains(lines[i], "logger=stdio.client plugin=conn id=42") {
			t.Errorf("line %d = %q, want %q with the logger's name and arguments", i, lines[i], want)
		}
	}
}

func TestHCLogAdapterStandardLogger(t *testing.T) {
	h := &recordingHandler{}
	a := newHCLogAdapter(slog.New(h), "conn")
	a.StandardLogger(nil).Print("from the log package")
	_, _ = a.StandardWriter(&hclog.StandardLoggerOptions{ForceLevel: hclog.Error}).Write([]byte("forced\n"))
	if len(h.records) != 2 {
		t.Fatalf("got %d records, want 2", len(h.records))
	}
	if r := h.records[0]; r.Level != slog.LevelInfo || r.Message != "from the log package" {
		t.Errorf("record = %v %q, want info", r.Level, r.Message)
	}
	if r := h.records[1]; r.Level != slog.LevelError || r.Message != "forced" {
		t.Errorf("record = %v %q, want error", r.Level, r.Message)
	}
}

// The tail that New adds to a start error holds the connector's last lines,
// each cut to a readable length.
func TestOutputTail(t *testing.T) {
	var tail outputTail
	if tail.String() != "" {
		t.Fatalf("empty tail = %q", tail.String())
	}
	for _, line := range []string{"one", "  ", "two", "three", "four", "five", "six " + strings.Repeat("x", 600)} {
		tail.add(line)
	}
	got := tail.String()
	want := "two | three | four | five | six " + strings.Repeat("x", tailLineSize-4) + "..."
	if got != want {
		t.Errorf("tail = %q, want %q", got, want)
	}
}
