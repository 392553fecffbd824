"""OpenCDC records as JSON, the format the destination writes.

One record is one JSON object per line, shaped like Conduit's own JSON form
of a record: bytes (the position and raw data) are base64 strings,
structured data is a JSON object, missing data is null, and empty metadata
is left out. This is the format of the Go example (builtin:jsonlines); like Go's
encoding/json, the keys of maps are sorted and whole numbers are written
without a fraction.
"""

import base64
import json

from google.protobuf import json_format

from opencdc.v1 import opencdc_pb2

OPERATION_NAMES = {
    opencdc_pb2.OPERATION_CREATE: "create",
    opencdc_pb2.OPERATION_UPDATE: "update",
    opencdc_pb2.OPERATION_DELETE: "delete",
    opencdc_pb2.OPERATION_SNAPSHOT: "snapshot",
}


def _data(message, field: str):
    if not message.HasField(field):
        return None
    data = getattr(message, field)
    kind = data.WhichOneof("data")
    if kind == "raw_data":
        return base64.b64encode(data.raw_data).decode("ascii")
    if kind == "structured_data":
        return _whole_numbers(json_format.MessageToDict(data.structured_data))
    return None


def _whole_numbers(value):
    """Sort objects by key and turn whole-number floats into ints, recursively.

    google.protobuf.Struct carries every number as a double, which Python
    prints as 1.0 where Go and JavaScript print 1.
    """
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if isinstance(value, dict):
        return {k: _whole_numbers(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [_whole_numbers(v) for v in value]
    return value


def record_to_line(record) -> str:
    """Encode a record as one JSON line (with the newline).

    Raises ValueError for a record that has no valid operation: the format
    has no name for it, so the destination cannot write it.
    """
    operation = OPERATION_NAMES.get(record.operation)
    if operation is None:
        raise ValueError(f"record has no valid operation (value {record.operation})")
    payload = {
        "before": _data(record.payload, "before") if record.HasField("payload") else None,
        "after": _data(record.payload, "after") if record.HasField("payload") else None,
    }
    obj = {
        "position": base64.b64encode(record.position).decode("ascii"),
        "operation": operation,
    }
    if record.metadata:
        obj["metadata"] = {k: record.metadata[k] for k in sorted(record.metadata)}
    obj["key"] = _data(record, "key")
    obj["payload"] = payload
    # ensure_ascii=False: Go writes non-ASCII characters as they are.
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False) + "\n"
