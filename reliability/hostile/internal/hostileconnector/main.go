// Command hostileconnector is a connector that is not built with this
// repository: it performs hashicorp/go-plugin's handshake itself, serves
// gRPC with hand-made bytes (package raw) and misbehaves as the
// environment variable HOSTILE says, for the tests of package
// reliability/hostile. Without HOSTILE it answers the health check, an
// empty Specify and the request to shut down, and nothing else.
//
//   - metadata-record: a source whose Run sends one record of HOSTILE_SIZE
//     bytes (default: 4 MiB less 1 KiB) made of empty metadata entries.
//   - stdio-flood: go-plugin's stdio stream sends HOSTILE_SIZE bytes of
//     stdout without a newline; Specify answers once they are sent.
//   - stdout-long-line: Specify first writes a line of HOSTILE_SIZE bytes
//     to the process's real stdout (as connectors in other languages log).
//   - huge-error: Specify fails with an error text of HOSTILE_SIZE bytes
//     that is not valid UTF-8.
//   - huge-spec: Specify answers with a response of HOSTILE_SIZE bytes.
//   - health-unimplemented, health-not-serving: the gRPC health check fails
//     with UNIMPLEMENTED, or reports NOT_SERVING.
//   - silent: the socket accepts connections and never speaks gRPC.
//   - no-accept: the socket listens and never accepts a connection.
//   - long-handshake: the handshake line is about 60 KB long and ends in
//     "|grpc".
//   - helper, helper-setsid: starts a helper process (sleep) that inherits
//     stdout and stderr, in the connector's process group or in a session
//     of its own, and writes its pid to HOSTILE_PIDFILE.
//   - swap-socket: the socket's path in the handshake line changes back and
//     forth, as fast as it can, between the socket and a symbolic link to
//     the file HOSTILE_VICTIM.
//   - ack-flood: a destination whose Run sends HOSTILE_SIZE acks (default
//     500,000) as fast as the host takes them, whether or not it sent
//     records, then creates the file HOSTILE_DONEFILE.
package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/connectorkit/conduit-connector-protocol/reliability/hostile/internal/raw"
)

// hangLimit bounds a hang, so that a process a broken test failed to kill
// does not stay around forever.
const hangLimit = 5 * time.Minute

func main() {
	if err := run(os.Getenv("HOSTILE")); err != nil {
		fmt.Fprintln(os.Stderr, "hostileconnector:", err)
		os.Exit(1)
	}
}

func run(mode string) error {
	dir := os.Getenv("PLUGIN_UNIX_SOCKET_DIR")
	if dir == "" {
		dir = os.TempDir()
	}
	socket := filepath.Join(dir, "hostile.sock")
	listener, err := net.Listen("unix", socket)
	if err != nil {
		return err
	}
	switch mode {
	case "helper", "helper-setsid":
		if err := startHelper(mode == "helper-setsid"); err != nil {
			return err
		}
	case "swap-socket":
		if socket, err = swapSocket(dir, socket); err != nil {
			return err
		}
	}

	line := "1|1|unix|" + socket + "|grpc"
	if mode == "long-handshake" {
		line = "1|1|unix|" + socket + strings.Repeat("/x", 30_000) + "|grpc"
	}
	if _, err := fmt.Println(line); err != nil {
		return err
	}

	switch mode {
	case "no-accept":
		time.Sleep(hangLimit)
		return nil
	case "silent":
		deadline := time.Now().Add(hangLimit)
		for time.Now().Before(deadline) {
			conn, err := listener.Accept()
			if err != nil {
				return err
			}
			heldConns = append(heldConns, conn) // never read, never written, never closed
		}
		return nil
	}

	c := &connector{mode: mode, flooded: make(chan struct{})}
	c.server = grpc.NewServer(grpc.ForceServerCodecV2(raw.Codec{}), grpc.UnknownServiceHandler(c.handle))
	return c.server.Serve(listener)
}

// heldConns are the connections the silent connector accepted.
var heldConns []net.Conn

// size returns HOSTILE_SIZE, or def.
func size(def int) int {
	if n, err := strconv.Atoi(os.Getenv("HOSTILE_SIZE")); err == nil {
		return n
	}
	return def
}

type connector struct {
	mode    string
	server  *grpc.Server
	flooded chan struct{} // closed once the stdio flood was sent
}

// handle serves every method by its name, with hand-made bytes.
func (c *connector) handle(_ any, stream grpc.ServerStream) error {
	method, _ := grpc.MethodFromServerStream(stream)
	switch method {
	case "/grpc.health.v1.Health/Check":
		return c.health(stream)
	case "/plugin.GRPCController/Shutdown":
		if err := receive(stream); err != nil {
			return err
		}
		go c.server.Stop()
		return send(stream, nil)
	case "/plugin.GRPCStdio/StreamStdio":
		return c.stdio(stream)
	case "/connector.v1.SpecifierPlugin/Specify":
		if err := receive(stream); err != nil {
			return err
		}
		return c.specify(stream)
	case "/connector.v1.SourcePlugin/Run":
		if c.mode == "metadata-record" {
			if err := send(stream, raw.MetadataRecordMessage(size(4<<20-1<<10))); err != nil {
				return err
			}
		}
		<-stream.Context().Done()
		return nil
	case "/connector.v1.DestinationPlugin/Run":
		if c.mode == "ack-flood" {
			ack := raw.Field(nil, 1, []byte("p"))
			for range size(500_000) {
				if err := send(stream, ack); err != nil {
					return err
				}
			}
			if err := os.WriteFile(os.Getenv("HOSTILE_DONEFILE"), nil, 0o600); err != nil { //nolint:gosec // the test names the file
				return err
			}
		}
		<-stream.Context().Done()
		return nil
	case "/plugin.GRPCBroker/StartStream":
		<-stream.Context().Done()
		return nil
	default:
		return status.Errorf(codes.Unimplemented, "hostileconnector serves no %s", method)
	}
}

func (c *connector) health(stream grpc.ServerStream) error {
	if err := receive(stream); err != nil {
		return err
	}
	switch c.mode {
	case "health-unimplemented":
		return status.Error(codes.Unimplemented, "unknown service grpc.health.v1.Health")
	case "health-not-serving":
		return send(stream, []byte{0x08, 0x02}) // status: NOT_SERVING
	default:
		return send(stream, []byte{0x08, 0x01}) // status: SERVING
	}
}

// stdio is go-plugin's stdio stream: StdioData{channel = 1 (stdout), data}
// messages.
func (c *connector) stdio(stream grpc.ServerStream) error {
	if err := receive(stream); err != nil {
		return err
	}
	if c.mode == "stdio-flood" {
		chunk := bytes.Repeat([]byte("x"), 1<<20)
		msg := raw.Field(protowire.AppendVarint(protowire.AppendTag(nil, 1, protowire.VarintType), 1), 2, chunk)
		for sent := 0; sent < size(64<<20); sent += len(chunk) {
			if err := send(stream, msg); err != nil {
				return err
			}
		}
		close(c.flooded)
	}
	<-stream.Context().Done()
	return nil
}

func (c *connector) specify(stream grpc.ServerStream) error {
	switch c.mode {
	case "stdio-flood":
		select {
		case <-c.flooded:
		case <-stream.Context().Done():
			return stream.Context().Err()
		}
	case "stdout-long-line":
		// A blocking write to the real stdout, as a plain print does.
		line := append(bytes.Repeat([]byte("y"), size(1<<20)), '\n')
		if _, err := os.Stdout.Write(line); err != nil {
			return err
		}
	case "huge-error":
		text := strings.Repeat("caf\xe9 ", size(3_400_000)/5)
		return status.Error(codes.Internal, text)
	case "huge-spec":
		// Specify.Response{specification: Specification{summary: ...}}
		spec := raw.Field(nil, 2, bytes.Repeat([]byte("s"), size(16<<20)))
		return send(stream, raw.Field(nil, 1, spec))
	}
	return send(stream, nil)
}

func receive(stream grpc.ServerStream) error {
	var in []byte
	return stream.RecvMsg(&in)
}

func send(stream grpc.ServerStream, msg []byte) error {
	return stream.SendMsg(&msg)
}

// startHelper starts a process that inherits stdout and stderr and outlives
// the connector unless someone kills it.
func startHelper(ownSession bool) error {
	helper := exec.Command("sleep", strconv.Itoa(int(hangLimit.Seconds())))
	helper.Stdout, helper.Stderr = os.Stdout, os.Stderr
	if ownSession {
		helper.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	}
	if err := helper.Start(); err != nil {
		return err
	}
	return os.WriteFile(os.Getenv("HOSTILE_PIDFILE"), []byte(strconv.Itoa(helper.Process.Pid)), 0o600) //nolint:gosec // the test names the file
}

// swapSocket makes a second name for the socket and swaps it, until the
// process ends, between the socket and a symbolic link to HOSTILE_VICTIM.
// It returns the second name.
func swapSocket(dir, socket string) (string, error) {
	swapped := filepath.Join(dir, "s.sock")
	if err := os.Link(socket, swapped); err != nil {
		return "", err
	}
	victim := os.Getenv("HOSTILE_VICTIM")
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), hangLimit)
		defer cancel()
		for ctx.Err() == nil {
			_ = os.Symlink(victim, swapped+".l")
			_ = os.Rename(swapped+".l", swapped) //nolint:gosec // in the socket directory the host named
			_ = os.Link(socket, swapped+".n")
			_ = os.Rename(swapped+".n", swapped) //nolint:gosec // in the socket directory the host named
		}
	}()
	return swapped, nil
}
