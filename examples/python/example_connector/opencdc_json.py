"""OpenCDC records as JSON, the format the destination writes.

One record is one JSON object per line, shaped like Conduit's own JSON form
of a record: bytes (the position and raw data) are base64 strings,
structured data is a JSON object, missing data is null.
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
        return json_format.MessageToDict(data.structured_data)
    return None


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
        "metadata": dict(sorted(record.metadata.items())),
        "key": _data(record, "key"),
        "payload": payload,
    }
    return json.dumps(obj, separators=(",", ":")) + "\n"
