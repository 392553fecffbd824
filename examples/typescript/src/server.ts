/**
 * Serves the connector's services and go-plugin's services on a Unix socket
 * and prints the handshake line. gRPC runs over HTTP/2 without TLS, which is
 * what go-plugin hosts dial; @connectrpc/connect-node speaks the gRPC protocol
 * on Node's own http2 server.
 */
import * as fs from "node:fs";
import * as http2 from "node:http2";
import * as os from "node:os";
import * as path from "node:path";
import { randomBytes } from "node:crypto";

import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, type ConnectRouter } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";

import { EmptySchema, GRPCController } from "./gen/goplugin/grpc_controller_pb.js";
import { GRPCStdio, type StdioData } from "./gen/goplugin/grpc_stdio_pb.js";
import { Health, HealthCheckResponse_ServingStatus, HealthCheckResponseSchema } from "./gen/goplugin/health_pb.js";
import { CORE_PROTOCOL_VERSION, maxReceiveSize, negotiateVersion } from "./handshake.js";
import { Latch } from "./latch.js";
import { log } from "./log.js";

/** How long in-flight calls get to finish after the host asked us to exit. */
const SHUTDOWN_GRACE_MS = 2000;

/**
 * Serves until the host shuts the connector down, then exits the process.
 * routes adds the connector's services.
 */
export function serve(routes: (router: ConnectRouter) => void): void {
  const version = negotiateVersion();
  const shutdown = new Latch();

  const handler = connectNodeAdapter({
    // Only the gRPC protocol: that is what hosts speak.
    connect: false,
    grpcWeb: false,
    readMaxBytes: maxReceiveSize(),
    routes: (router) => {
      router.service(Health, {
        check: (req) => {
          // go-plugin hosts ask for "plugin"; "" is the whole server.
          if (req.service !== "" && req.service !== "plugin") {
            throw new ConnectError(`unknown service "${req.service}"`, Code.NotFound);
          }
          return create(HealthCheckResponseSchema, { status: HealthCheckResponse_ServingStatus.SERVING });
        },
      });
      router.service(GRPCController, {
        shutdown: () => {
          // Answer first; the server closes once the response is out.
          setImmediate(() => shutdown.set());
          return create(EmptySchema);
        },
      });
      router.service(GRPCStdio, {
        // Our logs go to the real stderr, which the host reads as well, so
        // the stream carries nothing. It stays open until shutdown, because
        // go-plugin hosts treat its end as the plugin going away.
        async *streamStdio(): AsyncGenerator<StdioData> {
          await shutdown.promise;
        },
      });
      routes(router);
    },
  });

  // Hosts that follow go-plugin pass a directory they clean up; otherwise we
  // make (and remove) our own.
  let socketDir = process.env.PLUGIN_UNIX_SOCKET_DIR ?? "";
  const ownDir = socketDir === "";
  if (ownDir) socketDir = fs.mkdtempSync(path.join(os.tmpdir(), "connector-"));
  const socketPath = path.join(socketDir, `plugin${randomBytes(4).toString("hex")}`);

  const sessions = new Set<http2.Http2Session>();
  const server = http2.createServer({}, handler);
  server.on("session", (session) => {
    sessions.add(session);
    session.on("close", () => sessions.delete(session));
  });
  server.listen(socketPath, () => {
    process.stdout.write(`${CORE_PROTOCOL_VERSION}|${version}|unix|${socketPath}|grpc\n`);
    log.info(`serving on ${socketPath}`);
  });

  // The host stops us through the controller or SIGTERM. It also forwards
  // the user's Ctrl-C to the whole process group; like go-plugin's own
  // servers we ignore SIGINT and let the host decide when we stop.
  process.on("SIGINT", () => {});
  process.on("SIGTERM", () => shutdown.set());

  void shutdown.promise.then(() => {
    log.info("shutting down");
    const exit = () => {
      if (ownDir) fs.rmSync(socketDir, { recursive: true, force: true });
      else fs.rmSync(socketPath, { force: true });
      process.exit(0);
    };
    server.close(exit);
    // Closing sessions lets in-flight calls finish; a stream the host keeps
    // open must not keep us alive for ever.
    for (const session of sessions) session.close();
    setTimeout(exit, SHUTDOWN_GRACE_MS).unref();
  });
}
