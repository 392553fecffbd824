package client

import (
	"context"
	"log/slog"
	"sync"
	"testing"

	"github.com/hashicorp/go-hclog"
)

type recordingHandler struct {
	mu      sync.Mutex
	records []slog.Record
}

func (h *recordingHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *recordingHandler) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *recordingHandler) WithGroup(string) slog.Handler            { return h }

func (h *recordingHandler) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.records = append(h.records, r.Clone())
	return nil
}

// TestConnectorStderrLevels checks that the connector's stderr lines, as
// go-plugin hands them to the logger named after the executable, reach the
// host's slog logger at the level the connector meant.
func TestConnectorStderrLevels(t *testing.T) {
	tests := []struct {
		name    string
		level   hclog.Level
		line    string
		args    []any
		want    slog.Level
		wantMsg string
	}{
		{"zerolog line (Go connector SDK)", hclog.Debug, `{"level":"warn","message":"slow down","component":"x","time":"2024-01-01T00:00:00Z"}`, nil, slog.LevelWarn, "slow down"},
		{"slog JSON line", hclog.Debug, `{"time":"2024-01-01T00:00:00Z","level":"ERROR","msg":"broken"}`, nil, slog.LevelError, "broken"},
		{"hclog line parsed by go-plugin", hclog.Info, "started", []any{"timestamp", "x"}, slog.LevelInfo, "started"},
		{"plain line", hclog.Debug, "cannot open config file", nil, slog.LevelInfo, "cannot open config file"},
		{"hclog text debug line", hclog.Debug, "[DEBUG] details", nil, slog.LevelDebug, "[DEBUG] details"},
		{"panic", hclog.Error, "panic: boom", nil, slog.LevelError, "panic: boom"},
		{"JSON without a level", hclog.Debug, `{"a":1}`, nil, slog.LevelInfo, `{"a":1}`},
		{"hclog JSON line", hclog.Debug, `{"@level":"warning","@message":"careful"}`, nil, slog.LevelWarn, "careful"},
		{"fatal", hclog.Debug, `{"level":"fatal","message":"giving up"}`, nil, slog.LevelError, "giving up"},
		{"trace", hclog.Debug, `{"level":"TRACE","message":"details"}`, nil, levelTrace, "details"},
		{"unknown level", hclog.Debug, `{"level":"loud","message":"x"}`, nil, slog.LevelInfo, `{"level":"loud","message":"x"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := &recordingHandler{}
			l := newHCLogAdapter(slog.New(h), "myconnector").Named("myconnector")
			l.Log(tt.level, tt.line, tt.args...)
			if len(h.records) != 1 {
				t.Fatalf("got %d records, want 1", len(h.records))
			}
			r := h.records[0]
			if r.Level != tt.want || r.Message != tt.wantMsg {
				t.Errorf("record = %v %q, want %v %q", r.Level, r.Message, tt.want, tt.wantMsg)
			}
		})
	}
}

func TestGoPluginMessagesKeepTheirLevel(t *testing.T) {
	h := &recordingHandler{}
	l := newHCLogAdapter(slog.New(h), "myconnector")
	l.Debug(`{"level":"error","message":"not a connector line"}`)
	if r := h.records[0]; r.Level != slog.LevelDebug {
		t.Errorf("go-plugin's own debug message logged at %v, want debug", r.Level)
	}
}

func TestLineWriter(t *testing.T) {
	h := &recordingHandler{}
	w := &lineWriter{logger: slog.New(h), level: slog.LevelInfo}
	_, _ = w.Write([]byte("one\ntw"))
	_, _ = w.Write([]byte("o\r\n\n{\"level\":\"warn\",\"msg\":\"three\"}\nfour"))
	w.Flush()
	var got []string
	for _, r := range h.records {
		got = append(got, r.Level.String()+" "+r.Message)
	}
	want := []string{"INFO one", "INFO two", "WARN three", "INFO four"}
	if len(got) != len(want) {
		t.Fatalf("lines = %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("line %d = %q, want %q", i, got[i], want[i])
		}
	}
}
