"""A generator source: records numbered 1, 2, 3, ... with resumable positions.

A record's position is its number as a decimal string, so a Start (v1) or
Open (v2) with position "7" continues with record 8, without gaps or
duplicates.

One class, GeneratorSource, holds the logic; SourceV1 and SourceV2 serve it
as connector.v1.SourcePlugin and connector.v2.SourcePlugin. On v1 every
Run.Response carries one record and every Run.Request one ack; on v2 a
Run.Response carries a batch of the records that are ready (at least one,
at most BATCH_RECORDS or about BATCH_BYTES) and a Run.Request any number of
acks, each checked in order as on v1.
"""

import asyncio
import collections
import json
import logging
import re
import time

import grpc

from connector.v1 import connector_pb2, connector_pb2_grpc
from connector.v2 import source_pb2, source_pb2_grpc
from opencdc.v1 import opencdc_pb2

from . import states

log = logging.getLogger("connector.source")

_FILE_OPTIONS = opencdc_pb2.DESCRIPTOR.GetOptions()
# The standard metadata keys, read from the contract instead of hard-coded.
METADATA_READ_AT = _FILE_OPTIONS.Extensions[opencdc_pb2.metadata_read_at]
METADATA_COLLECTION = _FILE_OPTIONS.Extensions[opencdc_pb2.metadata_collection]

# A v2 batch ends after this many records, or once it holds this many bytes
# (far below any host's receive limit; the Conduit server accepts 2 GiB).
BATCH_RECORDS = 64
BATCH_BYTES = 1024 * 1024

# The parameters, as protocol v1 describes them; specifier.py translates
# them to config.v1.Parameter for protocol v2.
PARAMETERS = {
    "records": connector_pb2.Specifier.Parameter(
        default="0",
        description="How many records the source holds (positions 1 to records). 0 means no limit.",
        type=connector_pb2.Specifier.Parameter.TYPE_INT,
        validations=[
            connector_pb2.Specifier.Parameter.Validation(
                type=connector_pb2.Specifier.Parameter.Validation.TYPE_GREATER_THAN, value="-1"
            )
        ],
    ),
    "payload.format": connector_pb2.Specifier.Parameter(
        default="raw",
        description="The payload's format: raw (JSON as bytes) or structured (an object).",
        type=connector_pb2.Specifier.Parameter.TYPE_STRING,
        validations=[
            connector_pb2.Specifier.Parameter.Validation(
                type=connector_pb2.Specifier.Parameter.Validation.TYPE_INCLUSION, value="raw,structured"
            )
        ],
    ),
}


class _Stream:
    """What one Run call shares between its ack reader and its producer."""

    def __init__(self):
        # Positions sent and not acked yet, oldest first: acks must match it.
        self.unacked = collections.deque()
        self.host_closed = asyncio.Event()
        self.failed = asyncio.Event()
        self.error = None  # (grpc.StatusCode, str) once failed is set

    def fail(self, code, message):
        if self.error is None:
            self.error = (code, message)
        self.failed.set()


async def _first(*events):
    """Wait until one of the events is set."""
    waiters = [asyncio.ensure_future(e.wait()) for e in events]
    try:
        await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for w in waiters:
            w.cancel()


class GeneratorSource:
    """SourcePlugin: generates records and honours Stop and ack order.

    pb is the generated module of the protocol version served (its Source
    messages are named alike in v1 and v2); batched says whether Run
    messages carry lists (v2) or single records and acks (v1).
    """

    def __init__(self, pb, batched: bool):
        self._pb = pb
        self._batched = batched
        self._state = states.NEW
        self._records = 0
        self._format = "raw"
        self._next = 1  # the number of the next record to produce
        self._last_sent = b""
        self._running = False
        self._stop = asyncio.Event()
        self._torn_down = asyncio.Event()

    async def Configure(self, request, context):
        await states.require(context, self._state, (states.NEW, states.CONFIGURED), "Configure")
        config = dict(request.config)
        # Unknown parameters are refused, so that a typo does not silently
        # fall back to a default.
        unknown = sorted(config.keys() - PARAMETERS.keys())
        if unknown:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, f"unknown parameters: {', '.join(unknown)}")
        text = config.get("records", "0")
        if not re.fullmatch("[0-9]+", text):
            await context.abort(
                grpc.StatusCode.INVALID_ARGUMENT, f'records must be a whole number of 0 or more, got "{text}"'
            )
        fmt = config.get("payload.format", "raw")
        if fmt not in ("raw", "structured"):
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, f'payload.format must be raw or structured, got "{fmt}"')
        self._records, self._format = int(text), fmt
        self._state = states.CONFIGURED
        return self._pb.Source.Configure.Response()

    async def _open(self, request, context, call: str):
        """Start (v1) or Open (v2): position the source after request.position."""
        await states.require(context, self._state, (states.CONFIGURED,), call)
        if request.position:
            # Our positions are record numbers from 1, in decimal.
            if not re.fullmatch(b"[1-9][0-9]*", request.position):
                await context.abort(
                    grpc.StatusCode.INVALID_ARGUMENT,
                    f"start position {request.position!r} is not ours: want a record number (1, 2, ...)",
                )
            self._next = int(request.position) + 1
        self._state = states.STARTED
        log.info("started at record %d", self._next)
        return getattr(self._pb.Source, call).Response()

    async def Run(self, request_iterator, context):
        await states.require(context, self._state, (states.STARTED, states.STOPPED), "Run")
        if self._running:
            await context.abort(grpc.StatusCode.FAILED_PRECONDITION, "Run is already active")
        self._running = True
        stream = _Stream()
        acks = asyncio.ensure_future(self._read_acks(request_iterator, stream))
        producer = asyncio.ensure_future(self._produce(context, stream))
        try:
            # The host ends the stream by closing its side, after it got the
            # record Stop named and sent its ack. Teardown ends it at once.
            await _first(stream.host_closed, stream.failed, self._torn_down)
        finally:
            producer.cancel()
            acks.cancel()
            await asyncio.gather(producer, acks, return_exceptions=True)
            self._running = False
        if stream.error is not None:
            await context.abort(*stream.error)
        # Records still in stream.unacked were not acknowledged: the host
        # starts us from its last acked position next time, so they are sent
        # again then. Nothing to do here.

    def _exhausted(self) -> bool:
        return bool(self._records) and self._next > self._records

    async def _produce(self, context, stream):
        limit = BATCH_RECORDS if self._batched else 1
        try:
            while not self._stop.is_set():
                if self._exhausted():
                    # Nothing left to read: a real source would wait for new
                    # data; we wait for Stop (or the end of the stream).
                    await self._stop.wait()
                    break
                # The records that are ready, at least one. A generator
                # always has the next one ready, so a batch is full unless
                # the source runs out.
                batch, size = [], 0
                while len(batch) < limit and size < BATCH_BYTES and not self._exhausted():
                    number = self._next
                    self._next += 1
                    record = self._record(number, str(number).encode("ascii"))
                    batch.append(record)
                    size += record.ByteSize()
                # Set before the write: Stop may come while the write waits
                # for flow control, and this batch is still sent then, so
                # its last record is the last one sent.
                self._last_sent = batch[-1].position
                stream.unacked.extend(record.position for record in batch)
                if self._batched:
                    response = self._pb.Source.Run.Response(records=batch)
                else:
                    response = self._pb.Source.Run.Response(record=batch[0])
                await context.write(response)
        except asyncio.CancelledError:
            raise
        except Exception as err:  # the stream broke: end Run with the reason
            stream.fail(grpc.StatusCode.INTERNAL, f"send record: {err}")

    async def _read_acks(self, request_iterator, stream):
        try:
            async for request in request_iterator:
                # v2 acks come in batches (possibly empty, which means
                # nothing) whose boundaries need not match the record
                # batches; each ack is checked in order as on v1.
                positions = request.ack_positions if self._batched else [request.ack_position]
                for position in positions:
                    expected = stream.unacked[0] if stream.unacked else None
                    if position != expected:
                        stream.fail(
                            grpc.StatusCode.INVALID_ARGUMENT,
                            f"ack for position {position!r}, but the oldest unacked record is {expected!r}",
                        )
                        return
                    stream.unacked.popleft()
        except asyncio.CancelledError:
            raise
        except Exception as err:
            stream.fail(grpc.StatusCode.INTERNAL, f"receive ack: {err}")
            return
        stream.host_closed.set()

    def _record(self, number: int, position: bytes):
        content = {"id": number, "message": f"record {number} from the Python example"}
        if self._format == "raw":
            after = opencdc_pb2.Data(raw_data=json.dumps(content).encode())
        else:
            after = opencdc_pb2.Data()
            after.structured_data.update(content)
        return opencdc_pb2.Record(
            position=position,
            operation=opencdc_pb2.OPERATION_CREATE,
            metadata={
                METADATA_READ_AT: str(time.time_ns()),
                METADATA_COLLECTION: "python-example",
            },
            key=opencdc_pb2.Data(raw_data=str(number).encode()),
            payload=opencdc_pb2.Change(after=after),
        )

    async def Stop(self, request, context):
        await states.require(context, self._state, (states.STARTED, states.STOPPED), "Stop")
        # The event loop runs one handler at a time, so the producer is
        # suspended in a write or a wait right now: _last_sent is the last
        # record it sends, and it checks _stop before producing another.
        self._stop.set()
        self._state = states.STOPPED
        log.info("stopping after position %r", self._last_sent)
        return self._pb.Source.Stop.Response(last_position=self._last_sent)

    async def Teardown(self, request, context):
        self._state = states.TORN_DOWN
        self._torn_down.set()
        self._stop.set()
        return self._pb.Source.Teardown.Response()

    # The lifecycle events: this source has nothing to do when it is
    # created, updated or deleted, so it answers each with success (see
    # states.lifecycle_event). LifecycleOnDeleted may be the first call.
    async def LifecycleOnCreated(self, request, context):
        return await states.lifecycle_event(
            context, self._state, "LifecycleOnCreated", self._pb.Source.Lifecycle.OnCreated.Response()
        )

    async def LifecycleOnUpdated(self, request, context):
        return await states.lifecycle_event(
            context, self._state, "LifecycleOnUpdated", self._pb.Source.Lifecycle.OnUpdated.Response()
        )

    async def LifecycleOnDeleted(self, request, context):
        return await states.lifecycle_event(
            context, self._state, "LifecycleOnDeleted", self._pb.Source.Lifecycle.OnDeleted.Response()
        )


class SourceV1(GeneratorSource, connector_pb2_grpc.SourcePluginServicer):
    """connector.v1.SourcePlugin: one record per Run.Response, one ack per Run.Request."""

    def __init__(self):
        super().__init__(connector_pb2, batched=False)

    async def Start(self, request, context):
        return await self._open(request, context, "Start")


class SourceV2(GeneratorSource, source_pb2_grpc.SourcePluginServicer):
    """connector.v2.SourcePlugin: batches of records and acks on Run; Open is v1's Start."""

    def __init__(self):
        super().__init__(source_pb2, batched=True)

    async def Open(self, request, context):
        return await self._open(request, context, "Open")
