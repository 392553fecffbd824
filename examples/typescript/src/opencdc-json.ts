/**
 * OpenCDC records as JSON, the format the destination writes.
 *
 * One record is one JSON object per line, shaped like Conduit's own JSON form
 * of a record: bytes (the position and raw data) are base64 strings,
 * structured data is a JSON object, missing data is null, and empty metadata
 * is left out. This is the format of the Go example (builtin:jsonlines); like Go's
 * encoding/json, the keys of maps are sorted.
 */
import type { JsonObject, JsonValue } from "@bufbuild/protobuf";

import { type Data, Operation, type Record } from "./gen/opencdc/v1/opencdc_pb.js";

const operationNames: Partial<globalThis.Record<Operation, string>> = {
  [Operation.CREATE]: "create",
  [Operation.UPDATE]: "update",
  [Operation.DELETE]: "delete",
  [Operation.SNAPSHOT]: "snapshot",
};

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
}

/** Returns value with the keys of every object in it sorted. */
function sorted(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(sorted);
  if (value !== null && typeof value === "object") {
    // No prototype: a key named "__proto__" stays an ordinary key.
    const out: JsonObject = Object.create(null) as JsonObject;
    for (const key of Object.keys(value).sort()) out[key] = sorted(value[key]);
    return out;
  }
  return value;
}

function data(d: Data | undefined): JsonValue {
  switch (d?.data.case) {
    case "rawData":
      return base64(d.data.value);
    case "structuredData":
      return sorted(d.data.value);
    default:
      return null;
  }
}

/**
 * Encodes a record as one JSON line (with the newline). Throws for a record
 * that has no valid operation: the format has no name for it, so the
 * destination cannot write it.
 */
export function recordToLine(record: Record): string {
  const operation = operationNames[record.operation];
  if (operation === undefined) {
    throw new Error(`record has no valid operation (value ${record.operation})`);
  }
  const line: JsonObject = { position: base64(record.position), operation };
  if (Object.keys(record.metadata).length > 0) line.metadata = sorted(record.metadata);
  line.key = data(record.key);
  line.payload = { before: data(record.payload?.before), after: data(record.payload?.after) };
  return JSON.stringify(line) + "\n";
}
