"""A destination that writes records as JSON Lines to a file, or discards them.

Every record gets exactly one ack, in the order the records arrived. A record
the destination cannot write (one whose line is longer than max.line.size,
one without a valid operation, or one whose write fails) gets a negative ack,
and the stream goes on.

One class, FileDestination, holds the logic; DestinationV1 and DestinationV2
serve it as connector.v1.DestinationPlugin and connector.v2.DestinationPlugin.
On v1 every Run.Request carries one record and every Run.Response one ack;
on v2 a Run.Request carries a batch of records, and the destination answers
each batch with one Run.Response holding the batch's acks, in order.
"""

import asyncio
import logging
import os
import re

import grpc

from connector.v1 import connector_pb2, connector_pb2_grpc
from connector.v2 import destination_pb2, destination_pb2_grpc

from . import opencdc_json, states

log = logging.getLogger("connector.destination")

# The parameters, as protocol v1 describes them; specifier.py translates
# them to config.v1.Parameter for protocol v2.
PARAMETERS = {
    "path": connector_pb2.Specifier.Parameter(
        description="The file to append records to as JSON Lines, created if missing. Empty: discard the records.",
        type=connector_pb2.Specifier.Parameter.TYPE_FILE,
    ),
    "max.line.size": connector_pb2.Specifier.Parameter(
        default="0",
        description="The largest line in bytes; a longer record gets a negative ack. 0 means no limit.",
        type=connector_pb2.Specifier.Parameter.TYPE_INT,
        validations=[
            connector_pb2.Specifier.Parameter.Validation(
                type=connector_pb2.Specifier.Parameter.Validation.TYPE_GREATER_THAN, value="-1"
            )
        ],
    ),
}

# The deliberately broken variant (see README.md): with this fault the
# destination swaps the acks of every two records, which the protocol
# forbids and a checker must notice.
FAULT_ACK_ORDER = "ack-order"


class FileDestination:
    """DestinationPlugin: writes JSON Lines and acks in order.

    pb is the generated module of the protocol version served (its
    Destination messages are named alike in v1 and v2); batched says
    whether Run messages carry lists (v2) or single records and acks (v1).
    """

    def __init__(self, pb, batched: bool, fault: str = ""):
        self._pb = pb
        self._batched = batched
        self._fault = fault
        self._state = states.NEW
        self._path = ""
        self._max_line_size = 0  # 0: no limit
        self._file = None
        self._running = False
        self._run_context = None  # the active Run call, for Stop in FAULT_ACK_ORDER
        self._held = None  # FAULT_ACK_ORDER only: an ack (position, error) kept back to send late
        self._last_received = b""
        self._received_count = 0
        self._acked_count = 0
        # Notified whenever a record arrived or an ack was sent, so Stop can
        # wait for the last one.
        self._acked = asyncio.Condition()
        self._torn_down = asyncio.Event()

    async def Configure(self, request, context):
        await states.require(context, self._state, (states.NEW, states.CONFIGURED), "Configure")
        config = dict(request.config)
        # Unknown parameters are refused, so that a typo does not silently
        # fall back to a default.
        unknown = sorted(config.keys() - PARAMETERS.keys())
        if unknown:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, f"unknown parameters: {', '.join(unknown)}")
        path = config.get("path", "")
        if path and os.path.isdir(path):
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, f'path: "{path}" is a directory')
        max_line_size = config.get("max.line.size", "0")
        if not re.fullmatch("[0-9]+", max_line_size):
            await context.abort(
                grpc.StatusCode.INVALID_ARGUMENT,
                f'max.line.size must be a whole number of 0 or more, got "{max_line_size}"',
            )
        self._path = path
        self._max_line_size = int(max_line_size)
        self._state = states.CONFIGURED
        return self._pb.Destination.Configure.Response()

    async def _open(self, request, context, call: str):
        """Start (v1) or Open (v2): open the file."""
        await states.require(context, self._state, (states.CONFIGURED,), call)
        if self._path:
            try:
                self._file = open(self._path, "ab")
            except OSError as err:
                await context.abort(grpc.StatusCode.INTERNAL, f"open {self._path}: {err}")
        self._state = states.STARTED
        return getattr(self._pb.Destination, call).Response()

    async def Run(self, request_iterator, context):
        await states.require(context, self._state, (states.STARTED,), "Run")
        if self._running:
            await context.abort(grpc.StatusCode.FAILED_PRECONDITION, "Run is already active")
        self._running = True
        self._run_context = context
        work = asyncio.ensure_future(self._write_all(request_iterator, context))
        teardown = asyncio.ensure_future(self._torn_down.wait())
        try:
            # Run ends when the host closes its side of the stream, or at
            # Teardown, which may come while the stream is still open.
            await asyncio.wait([work, teardown], return_when=asyncio.FIRST_COMPLETED)
        finally:
            teardown.cancel()
            if not work.done():
                work.cancel()
            self._running = False
            self._run_context = None
        if work.done() and not work.cancelled() and work.result() is not None:
            await context.abort(*work.result())

    async def _write_all(self, request_iterator, context):
        """Write and ack every record; return (code, message) on failure."""
        async for request in request_iterator:
            # A v2 batch may be empty, which means nothing.
            records = request.records if self._batched else [request.record]
            if not records:
                continue
            acks = []
            for record in records:
                if not record.position:
                    # Acks name records by position: one without can't be acked.
                    return grpc.StatusCode.INVALID_ARGUMENT, "received a record without a position"
                acks.append((record.position, self._write(record)))
            await self._send(context, self._reorder(acks))
            await self._received(records[-1].position, len(records))
        await self._release_held()
        return None

    def _reorder(self, acks):
        """The acks to send now: all of them, in order, unless FAULT_ACK_ORDER.

        With the fault, the acks of every two records are swapped (across
        batches too): an odd one is held back until the next arrives, or
        until Stop or the end of the stream.
        """
        if self._fault != FAULT_ACK_ORDER:
            return acks
        out = []
        for ack in acks:
            if self._held is None:
                self._held = ack
                continue
            out += [ack, self._held]
            self._held = None
        return out

    async def _received(self, position, count):
        async with self._acked:
            self._last_received = position
            self._received_count += count
            self._acked.notify_all()

    async def _release_held(self):
        if self._held is not None and self._run_context is not None:
            ack, self._held = self._held, None
            await self._send(self._run_context, [ack])

    def _write(self, record) -> str:
        """Write one record; return "" or why it could not be written."""
        try:
            line = opencdc_json.record_to_line(record).encode("utf-8")
            if self._max_line_size and len(line) > self._max_line_size:
                raise ValueError(f"the line has {len(line)} bytes, more than max.line.size={self._max_line_size}")
            if self._file is not None:
                self._file.write(line)
                # Flushed before the ack: an ack promises the record is
                # written, so the host may forget it.
                self._file.flush()
        except (ValueError, OSError) as err:
            log.warning("negative ack for position %r: %s", record.position, err)
            return f"cannot write the record: {err}"
        return ""

    async def _send(self, context, acks):
        """Send acks, a list of (position, error), in order: one Run.Response
        for all of them on v2, one Run.Response each on v1."""
        if not acks:
            return
        response = self._pb.Destination.Run.Response
        if self._batched:
            batch = [response.Ack(position=position, error=error) for position, error in acks]
            await self._write_acks(context, response(acks=batch), len(acks))
        else:
            for position, error in acks:
                await self._write_acks(context, response(ack_position=position, error=error), 1)

    async def _write_acks(self, context, message, count):
        await context.write(message)
        async with self._acked:
            self._acked_count += count
            self._acked.notify_all()

    async def Stop(self, request, context):
        await states.require(context, self._state, (states.STARTED,), "Stop")
        # The host may call Stop before the Run stream delivered its last
        # records; answer only when the last one is written and acked.
        if request.last_position:
            async with self._acked:
                await self._acked.wait_for(
                    lambda: self._last_received == request.last_position or self._torn_down.is_set()
                )
            await self._release_held()
            async with self._acked:
                await self._acked.wait_for(
                    lambda: self._acked_count == self._received_count or self._torn_down.is_set()
                )
        if self._file is not None:
            self._file.flush()
        self._state = states.STOPPED
        return self._pb.Destination.Stop.Response()

    async def Teardown(self, request, context):
        self._state = states.TORN_DOWN
        self._torn_down.set()
        async with self._acked:
            self._acked.notify_all()
        if self._file is not None:
            self._file.close()
            self._file = None
        return self._pb.Destination.Teardown.Response()

    # The lifecycle events: this destination has nothing to do when it is
    # created, updated or deleted, so it answers each with success (see
    # states.lifecycle_event). LifecycleOnDeleted may be the first call.
    async def LifecycleOnCreated(self, request, context):
        return await states.lifecycle_event(
            context, self._state, "LifecycleOnCreated", self._pb.Destination.Lifecycle.OnCreated.Response()
        )

    async def LifecycleOnUpdated(self, request, context):
        return await states.lifecycle_event(
            context, self._state, "LifecycleOnUpdated", self._pb.Destination.Lifecycle.OnUpdated.Response()
        )

    async def LifecycleOnDeleted(self, request, context):
        return await states.lifecycle_event(
            context, self._state, "LifecycleOnDeleted", self._pb.Destination.Lifecycle.OnDeleted.Response()
        )


class DestinationV1(FileDestination, connector_pb2_grpc.DestinationPluginServicer):
    """connector.v1.DestinationPlugin: one record per Run.Request, one ack per Run.Response."""

    def __init__(self, fault: str = ""):
        super().__init__(connector_pb2, batched=False, fault=fault)

    async def Start(self, request, context):
        return await self._open(request, context, "Start")


class DestinationV2(FileDestination, destination_pb2_grpc.DestinationPluginServicer):
    """connector.v2.DestinationPlugin: batches of records and acks on Run; Open is v1's Start."""

    def __init__(self, fault: str = ""):
        super().__init__(destination_pb2, batched=True, fault=fault)

    async def Open(self, request, context):
        return await self._open(request, context, "Open")
