package server

import (
	"math"
	"strings"
	"testing"
)

func TestResolveOptions(t *testing.T) {
	tests := []struct {
		name        string
		opts        []Option
		env         map[string]string
		wantReceive int
		wantSend    int
		wantErr     string
	}{
		// The connector does not limit what it sends unless told to: the
		// host's receive limit decides, as for SDK connectors.
		{name: "defaults", wantReceive: DefaultMaxMessageSize, wantSend: math.MaxInt32},
		{
			name: "receive limit from the host, send unlimited",
			env:  map[string]string{EnvMaxReceiveRecordSize: "1048576"}, wantReceive: 1 << 20, wantSend: math.MaxInt32,
		},
		{
			name: "options win over the environment",
			opts: []Option{WithMaxReceiveSize(100), WithMaxSendSize(200)},
			env:  map[string]string{EnvMaxReceiveRecordSize: "1048576"}, wantReceive: 100, wantSend: 200,
		},
		{
			name: "an explicit receive limit needs no valid environment",
			opts: []Option{WithMaxReceiveSize(100)},
			env:  map[string]string{EnvMaxReceiveRecordSize: "junk"}, wantReceive: 100, wantSend: math.MaxInt32,
		},
		{name: "not a number", env: map[string]string{EnvMaxReceiveRecordSize: "4MiB"}, wantErr: `CONDUIT_CONNECTOR_MAX_RECEIVE_RECORD_SIZE="4MiB" is not a positive number of bytes`},
		{name: "zero", env: map[string]string{EnvMaxReceiveRecordSize: "0"}, wantErr: "is not a positive number of bytes"},
		{name: "negative option", opts: []Option{WithMaxSendSize(-1)}, wantErr: "max send size must be a positive number of bytes, got -1"},
		{name: "zero option", opts: []Option{WithMaxReceiveSize(0)}, wantErr: "max receive size must be a positive number of bytes, got 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := resolveOptions(tt.opts, func(k string) string { return tt.env[k] })
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("resolveOptions: %v", err)
			}
			if o.maxReceiveSize != tt.wantReceive || o.maxSendSize != tt.wantSend {
				t.Errorf("limits = receive %d, send %d; want %d, %d", o.maxReceiveSize, o.maxSendSize, tt.wantReceive, tt.wantSend)
			}
		})
	}
}
