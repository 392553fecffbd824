/**
 * OpenCDC records as JSON, the format the destination writes.
 *
 * One record is one JSON object per line, shaped like Conduit's own JSON form
 * of a record: bytes (the position and raw data) are base64 strings,
 * structured data is a JSON object, missing data is null.
 */
import type { JsonObject } from "@bufbuild/protobuf";

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

function data(d: Data | undefined): string | JsonObject | null {
  switch (d?.data.case) {
    case "rawData":
      return base64(d.data.value);
    case "structuredData":
      return d.data.value;
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
  const metadata = Object.fromEntries(Object.entries(record.metadata).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return (
    JSON.stringify({
      position: base64(record.position),
      operation,
      metadata,
      key: data(record.key),
      payload: { before: data(record.payload?.before), after: data(record.payload?.after) },
    }) + "\n"
  );
}
