"""The standalone process handshake (hashicorp/go-plugin conventions).

A host starts the connector's executable with a magic cookie in the
environment, the connector listens on a Unix socket, serves the gRPC health
service and go-plugin's controller and stdio services next to the connector
services, and prints one handshake line on stdout. This module does all of
that; it knows nothing about sources or destinations.

It deliberately imports neither grpc nor the generated code at module level,
so that check_cookie() can tell a human what to do even when the bindings or
the grpc package are missing.
"""

import asyncio
import json
import logging
import os
import secrets
import shutil
import signal
import sys
import tempfile

MAGIC_COOKIE_KEY = "CONDUIT_PLUGIN_MAGIC_COOKIE"
MAGIC_COOKIE_VALUE = "204e8e812c3a1bb73b838928c575b42a105dd2e9aa449be481bc4590486df53f"

# The protocol versions this connector serves (connector.v1 and
# connector.v2); go-plugin calls them application protocol versions.
PROTOCOL_VERSIONS = (1, 2)
# go-plugin's own handshake format version, the first field of the line.
CORE_PROTOCOL_VERSION = 1

DEFAULT_MAX_RECEIVE_SIZE = 4 * 1024 * 1024

log = logging.getLogger("connector")


def check_cookie() -> None:
    """Exit with a message for humans unless a host started the process."""
    if os.environ.get(MAGIC_COOKIE_KEY) == MAGIC_COOKIE_VALUE:
        return
    sys.stderr.write(
        "This program is a Conduit connector (protocol v1 and v2).\n"
        "It is not meant to be run by hand: a host such as Conduit starts it,\n"
        "and `cplugin check PATH` tests it.\n"
    )
    sys.exit(1)


def negotiate_version(served=PROTOCOL_VERSIONS) -> int:
    """Pick the protocol version from the host's PLUGIN_PROTOCOL_VERSIONS.

    Hosts list every version they speak, comma-separated, in any order; the
    connector speaks the highest version that the host lists and it serves.
    A host that lists nothing is an older host, and it speaks version 1.
    Without a common version the connector cannot talk to the host: it
    exits with a message that names both sides' versions and prints no
    handshake line.
    """
    offered = os.environ.get("PLUGIN_PROTOCOL_VERSIONS", "").strip()
    if not offered:
        listed = {1}
    else:
        listed = {int(v) for v in (v.strip() for v in offered.split(",")) if v.isdigit()}
    common = listed.intersection(served)
    if not common:
        sys.stderr.write(
            f"This connector serves protocol versions {', '.join(map(str, served))}; "
            f"the host offers only {offered} (PLUGIN_PROTOCOL_VERSIONS).\n"
        )
        sys.exit(1)
    return max(common)


def max_receive_size() -> int:
    """The largest message the connector accepts, as the host configured it."""
    value = os.environ.get("CONDUIT_CONNECTOR_MAX_RECEIVE_RECORD_SIZE", "")
    try:
        size = int(value)
    except ValueError:
        return DEFAULT_MAX_RECEIVE_SIZE
    return size if size > 0 else DEFAULT_MAX_RECEIVE_SIZE


class _HCLogFormatter(logging.Formatter):
    """Formats records as the JSON lines go-plugin hosts parse (hclog).

    A host reads the connector's stderr and logs each JSON line at the level
    it names; any other line is logged at debug level, so plain text would
    lose the level.
    """

    _LEVELS = {"DEBUG": "debug", "INFO": "info", "WARNING": "warn", "ERROR": "error", "CRITICAL": "error"}

    def format(self, record):
        entry = {
            "@level": self._LEVELS.get(record.levelname, "info"),
            "@message": record.getMessage(),
            "@module": record.name,
        }
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry)


def configure_logging() -> None:
    """Log to stderr, which go-plugin hosts forward to their own log.

    stdout carries the handshake line and must hold nothing before it.
    """
    levels = {
        "trace": logging.DEBUG,
        "debug": logging.DEBUG,
        "info": logging.INFO,
        "warn": logging.WARNING,
        "error": logging.ERROR,
    }
    level = levels.get(os.environ.get("CONDUIT_CONNECTOR_LOG_LEVEL", "").lower(), logging.INFO)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_HCLogFormatter())
    logging.basicConfig(level=logging.INFO, handlers=[handler])
    log.setLevel(level)


async def serve(register) -> None:
    """Serve the connector until the host shuts it down.

    register(server, version) adds the services of the negotiated protocol
    version (and only those) to the grpc.aio server.
    """
    import grpc
    from grpc import aio

    from goplugin import (
        grpc_controller_pb2,
        grpc_controller_pb2_grpc,
        grpc_stdio_pb2_grpc,
        health_pb2,
        health_pb2_grpc,
    )

    version = negotiate_version()
    shutdown = asyncio.Event()

    class Health(health_pb2_grpc.HealthServicer):
        async def Check(self, request, context):
            # go-plugin hosts ask for "plugin"; "" is the whole server.
            if request.service not in ("", "plugin"):
                await context.abort(grpc.StatusCode.NOT_FOUND, f"unknown service {request.service!r}")
            return health_pb2.HealthCheckResponse(status=health_pb2.HealthCheckResponse.SERVING)

        async def Watch(self, request, context):
            await context.abort(grpc.StatusCode.UNIMPLEMENTED, "Watch is not implemented")

    class Controller(grpc_controller_pb2_grpc.GRPCControllerServicer):
        async def Shutdown(self, request, context):
            # Answer first: the server stops (with a grace period for this
            # response) once the main task sees the event.
            shutdown.set()
            return grpc_controller_pb2.Empty()

    class Stdio(grpc_stdio_pb2_grpc.GRPCStdioServicer):
        async def StreamStdio(self, request, context):
            # Our logs go to the real stderr, which the host reads as well,
            # so the stream carries nothing. It stays open until shutdown,
            # because go-plugin hosts treat its end as the plugin going away.
            await shutdown.wait()
            return
            yield  # makes this an async generator (a server stream)

    size = max_receive_size()
    server = aio.server(
        options=[
            ("grpc.max_receive_message_length", size),
            # No send limit (gRPC's default): the limit above is what the
            # host lets the connector receive, not what the connector may
            # send. The host decides what it accepts.
            ("grpc.max_send_message_length", -1),
        ]
    )
    health_pb2_grpc.add_HealthServicer_to_server(Health(), server)
    grpc_controller_pb2_grpc.add_GRPCControllerServicer_to_server(Controller(), server)
    grpc_stdio_pb2_grpc.add_GRPCStdioServicer_to_server(Stdio(), server)
    register(server, version)

    # Hosts that follow go-plugin pass a directory they clean up; otherwise
    # we make (and remove) our own.
    socket_dir = os.environ.get("PLUGIN_UNIX_SOCKET_DIR", "")
    own_dir = not socket_dir
    if own_dir:
        socket_dir = tempfile.mkdtemp(prefix="connector-")
    socket_path = os.path.join(socket_dir, f"plugin{secrets.token_hex(4)}")
    server.add_insecure_port(f"unix:{socket_path}")
    await server.start()

    loop = asyncio.get_running_loop()
    # The host stops us through the controller or SIGTERM. It also forwards
    # the user's Ctrl-C to the whole process group; like go-plugin's own
    # servers we ignore SIGINT and let the host decide when we stop.
    loop.add_signal_handler(signal.SIGTERM, shutdown.set)
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    sys.stdout.write(f"{CORE_PROTOCOL_VERSION}|{version}|unix|{socket_path}|grpc\n")
    sys.stdout.flush()
    log.info("serving on %s", socket_path)

    await shutdown.wait()
    log.info("shutting down")
    await server.stop(grace=2)
    try:
        os.remove(socket_path)
    except FileNotFoundError:
        pass
    if own_dir:
        shutil.rmtree(socket_dir, ignore_errors=True)
