package benchmarks

import (
	"bufio"
	"context"
	"io"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/connectorkit/conduit-connector-protocol/benchmarks/internal/benchplugin"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/client"
)

// startTimeout bounds starting a connector process.
const startTimeout = 30 * time.Second

// startConnector starts the benchmark connector as a standalone process
// over go-plugin's default unix socket, with the given arguments (none:
// the plugins of protocol v1's Go API; benchplugin.ArgV2: those of v2's),
// speaking the given protocol version, with the timer stopped, and closes
// it when the round ends.
func startConnector(b *testing.B, version int, args ...string) *client.Client {
	b.Helper()
	b.StopTimer()
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	c, err := client.New(ctx, client.Config{Path: connectorPath, Args: args, StartTimeout: startTimeout, ProtocolVersions: []int{version}})
	if err != nil {
		b.Fatalf("start the benchmark connector: %v", err)
	}
	if got := c.ProtocolVersion(); got != version {
		b.Fatalf("the benchmark connector speaks protocol version %d, want %d", got, version)
	}
	b.Cleanup(func() {
		if err := c.Close(); err != nil {
			b.Errorf("close the benchmark connector: %v", err)
		}
	})
	return c
}

// startBaseline starts the benchmark connector's bare gRPC server as its
// own process, with the timer stopped, and returns a connection to it over
// its unix socket. Both end when the round ends.
func startBaseline(b *testing.B) *grpc.ClientConn {
	b.Helper()
	b.StopTimer()
	cmd := exec.Command(connectorPath, "baseline")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatalf("start the baseline server: %v", err)
	}
	b.Cleanup(func() {
		_ = stdin.Close() // the server stops when its stdin closes
		if err := cmd.Wait(); err != nil {
			b.Errorf("baseline server: %v", err)
		}
	})

	line := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(stdout).ReadString('\n')
		line <- strings.TrimSpace(s)
		_, _ = io.Copy(io.Discard, stdout)
	}()
	var socket string
	select {
	case socket = <-line:
	case <-time.After(startTimeout):
		b.Fatalf("the baseline server printed no socket path within %s", startTimeout)
	}
	if socket == "" {
		b.Fatal("the baseline server exited without printing its socket path")
	}
	conn, err := grpc.NewClient("unix://"+socket,
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.ForceCodecV2(benchplugin.RawCodec{})),
	)
	if err != nil {
		b.Fatalf("connect to the baseline server: %v", err)
	}
	b.Cleanup(func() { _ = conn.Close() })
	return conn
}

// connectorConfig is the configuration of the benchmark source or
// destination for a round of b.N records.
func connectorConfig(b *testing.B, statsPath string) map[string]string {
	cfg := map[string]string{benchplugin.ConfigRecords: strconv.Itoa(b.N)}
	if statsPath != "" {
		cfg[benchplugin.ConfigStats] = statsPath
	}
	return cfg
}

// batchConfig is connectorConfig for the plugins of protocol v2's Go API,
// with the source's batch size.
func batchConfig(b *testing.B, batch int, statsPath string) map[string]string {
	cfg := connectorConfig(b, statsPath)
	cfg[benchplugin.ConfigBatch] = strconv.Itoa(batch)
	return cfg
}

// statsFile returns the path of a file in which a connector process writes
// its allocation counters.
func statsFile(b *testing.B) string {
	return filepath.Join(b.TempDir(), "allocs.json")
}

// readStats reads what the connector process wrote to path.
func readStats(b *testing.B, path string) benchplugin.Usage {
	b.Helper()
	if path == "" {
		return benchplugin.Usage{}
	}
	a, err := benchplugin.ReadUsageFile(path)
	if err != nil {
		b.Fatal(err)
	}
	return a
}
