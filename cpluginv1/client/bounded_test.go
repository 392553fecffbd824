package client

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	connectorv1 "github.com/connectorkit/conduit-connector-protocol/gen/go/connector/v1"
)

// TestLineWriterCapsLines: a line longer than maxLogLine is logged once,
// cut at a character boundary and marked, the rest of it up to the newline
// is dropped, and the writer never holds more than maxLogLine bytes,
// however much comes without a newline.
func TestLineWriterCapsLines(t *testing.T) {
	h := &recordingHandler{}
	w := &lineWriter{logger: slog.New(h), level: slog.LevelInfo}
	// "ü" is two bytes: the cut falls in the middle of one.
	long := "a" + strings.Repeat("ü", maxLogLine)
	for i := 0; i < len(long); i += 1000 {
		_, _ = w.Write([]byte(long[i:min(i+1000, len(long))]))
		if cap(w.buf) > maxLogLine {
			t.Fatalf("the writer holds a buffer of %d bytes, more than %d", cap(w.buf), maxLogLine)
		}
	}
	_, _ = w.Write([]byte(" still the long line\nnext\n"))
	_, _ = w.Write([]byte(strings.Repeat("b", 3*maxLogLine))) // no newline ever
	w.Flush()

	var got []string
	for _, r := range h.records {
		got = append(got, r.Message)
	}
	if len(got) != 3 {
		t.Fatalf("logged %d lines, want 3 (the cut line, the next, the cut unterminated one)", len(got))
	}
	first := strings.TrimSuffix(got[0], cutMarker)
	if first == got[0] || !strings.HasPrefix(first, "aü") || len(first) > maxLogLine || !utf8.ValidString(first) {
		t.Errorf("the cut line (%d bytes, valid UTF-8: %v) is not the beginning of the line cut at a character boundary and marked", len(first), utf8.ValidString(first))
	}
	if got[1] != "next" {
		t.Errorf("the line after the cut one = %.40q, want \"next\"", got[1])
	}
	if !strings.HasSuffix(got[2], cutMarker) || len(got[2]) != maxLogLine+len(cutMarker) {
		t.Errorf("the unterminated line: %d bytes, want %d and the marker", len(got[2]), maxLogLine)
	}
}

// A writer without a logger that logs anything holds nothing.
func TestLineWriterWithoutLogger(t *testing.T) {
	w := &lineWriter{logger: slog.New(slog.DiscardHandler), level: slog.LevelInfo}
	_, _ = w.Write(bytes.Repeat([]byte("x"), 3*maxLogLine))
	if cap(w.buf) != 0 {
		t.Errorf("the writer holds %d bytes with nothing to log to", cap(w.buf))
	}
}

// TestFirstLineReader: go-plugin reads the first line of the connector's
// stdout, then the end; the rest goes to the runner's sink. A first line
// longer than firstLineLimit is an error to go-plugin, and the rest of it
// is dropped.
func TestFirstLineReader(t *testing.T) {
	tests := []struct {
		name        string
		chunks      []string
		wantRead    string
		wantErr     error
		wantRest    string
		wantLine    string
		wantPrinted bool
		wantCut     bool
	}{
		{"handshake line and more", []string{"1|1|unix|/s|gr", "pc\nlog 1\nlog", " 2\n"}, "1|1|unix|/s|grpc\n", nil, "log 1\nlog 2\n", "1|1|unix|/s|grpc", true, false},
		{"no newline", []string{"partial"}, "partial", nil, "", "partial", true, false},
		{"nothing", nil, "", nil, "", "", false, false},
		{"too long", []string{strings.Repeat("x", firstLineLimit), "yyy", "y\nafter\n"}, "", errFirstLineTooLong, "after\n", strings.Repeat("x", firstLineLimit), true, true},
		{"too long, newline in the same chunk", []string{strings.Repeat("x", firstLineLimit+5) + "\nafter\n"}, "", errFirstLineTooLong, "after\n", strings.Repeat("x", firstLineLimit), true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFirstLineReader()
			var rest bytes.Buffer
			for _, c := range tt.chunks {
				rest.Write(f.record([]byte(c)))
			}
			f.end()
			read, err := io.ReadAll(f)
			if string(read) != tt.wantRead || !errors.Is(err, tt.wantErr) {
				t.Errorf("go-plugin reads %q, %v; want %q, %v", read, err, tt.wantRead, tt.wantErr)
			}
			if rest.String() != tt.wantRest {
				t.Errorf("the rest is %q, want %q", rest.String(), tt.wantRest)
			}
			line, printed, cut := f.firstLine()
			if line != tt.wantLine || printed != tt.wantPrinted || cut != tt.wantCut {
				t.Errorf("firstLine = %.30q, %v, %v; want %.30q, %v, %v", line, printed, cut, tt.wantLine, tt.wantPrinted, tt.wantCut)
			}
		})
	}
}

// TestOutputTailIsValidUTF8: the connector's last lines, which end up in an
// error, are valid UTF-8 and cut at a character boundary.
func TestOutputTailIsValidUTF8(t *testing.T) {
	var tail outputTail
	tail.add("bad \xff byte")
	tail.add(strings.Repeat("é", tailLineSize))
	got := tail.String()
	if !utf8.ValidString(got) {
		t.Errorf("tail %q is not valid UTF-8", got)
	}
	if !strings.HasPrefix(got, "bad \uFFFD byte | éé") || !strings.HasSuffix(got, "é...") {
		t.Errorf("tail = %.60q...", got)
	}
}

// TestSizeLimitInterceptor: gRPC's error for a unary call's message over a
// size limit becomes a sentence naming the message, its size, the limit
// and how to raise it, matching ErrMessageTooLarge; the request is the
// message whose size the error names.
func TestSizeLimitInterceptor(t *testing.T) {
	req := &connectorv1.Source_Configure_Request{Config: map[string]string{"k": strings.Repeat("v", 100)}}
	reqSize := proto.Size(req)
	tests := []struct {
		name string
		err  error
		want string
	}{
		{
			"response over the host's limit", status.Errorf(codes.ResourceExhausted, "grpc: received message larger than max (%d vs. %d)", 9000000, 4194304),
			"Configure response of 9000000 bytes is larger than the host's receive limit of 4194304 bytes (raise client.Config.MaxReceiveSize)",
		},
		{
			"request over the host's limit", status.Errorf(codes.ResourceExhausted, "grpc: trying to send message larger than max (%d vs. %d)", reqSize, 100),
			"Configure request of " + strconv.Itoa(reqSize) + " bytes is larger than the host's send limit of 100 bytes",
		},
		{
			"request over the connector's limit", status.Errorf(codes.ResourceExhausted, "grpc: received message larger than max (%d vs. %d)", reqSize, 100),
			"Configure request of " + strconv.Itoa(reqSize) + " bytes is larger than the connector's receive limit of 100 bytes",
		},
		{
			"response over the connector's limit", status.Errorf(codes.ResourceExhausted, "grpc: trying to send message larger than max (%d vs. %d)", 9000000, 4194304),
			"Configure response of 9000000 bytes is larger than the connector's send limit of 4194304 bytes",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			invoker := func(context.Context, string, any, any, *grpc.ClientConn, ...grpc.CallOption) error { return tt.err }
			err := sizeLimitInterceptor(context.Background(), "/connector.v1.SourcePlugin/Configure", req, nil, nil, invoker)
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) || !errors.Is(err, cpluginv1.ErrMessageTooLarge) {
				t.Errorf("error = %v, want %q... matching ErrMessageTooLarge", err, tt.want)
			}
		})
	}
	// A connector's own RESOURCE_EXHAUSTED passes unchanged.
	own := status.Error(codes.ResourceExhausted, "quota of the upstream API used up")
	invoker := func(context.Context, string, any, any, *grpc.ClientConn, ...grpc.CallOption) error { return own }
	if err := sizeLimitInterceptor(context.Background(), "/connector.v1.SourcePlugin/Configure", req, nil, nil, invoker); !errors.Is(err, own) {
		t.Errorf("a connector's own error became %v", err)
	}
}
