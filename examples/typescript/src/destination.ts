/**
 * A destination that writes records as JSON Lines to a file, or discards them.
 *
 * Every record gets exactly one ack, in the order the records arrived. A
 * record the destination cannot write (one whose line is longer than
 * max.line.size, one without a valid operation, or one whose write fails)
 * gets a negative ack, and the stream goes on.
 */
import * as fs from "node:fs";

import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, type ServiceImpl } from "@connectrpc/connect";

import {
  Destination_Configure_ResponseSchema,
  Destination_Lifecycle_OnCreated_ResponseSchema,
  Destination_Lifecycle_OnDeleted_ResponseSchema,
  Destination_Lifecycle_OnUpdated_ResponseSchema,
  type Destination_Run_Request,
  type Destination_Run_Response,
  Destination_Run_ResponseSchema,
  Destination_Start_ResponseSchema,
  Destination_Stop_ResponseSchema,
  Destination_Teardown_ResponseSchema,
  type DestinationPlugin,
  type Specifier_Parameter,
  Specifier_Parameter_Type,
  Specifier_Parameter_Validation_Type,
  Specifier_ParameterSchema,
} from "./gen/connector/v1/connector_pb.js";
import type { Record } from "./gen/opencdc/v1/opencdc_pb.js";
import { Condition, Latch } from "./latch.js";
import { log } from "./log.js";
import { recordToLine } from "./opencdc-json.js";
import { lifecycleEvent, requireState, type State } from "./states.js";

export const destinationParameters: { [name: string]: Specifier_Parameter } = {
  path: create(Specifier_ParameterSchema, {
    description: "The file to append records to as JSON Lines, created if missing. Empty: discard the records.",
    type: Specifier_Parameter_Type.FILE,
  }),
  "max.line.size": create(Specifier_ParameterSchema, {
    default: "0",
    description: "The largest line in bytes; a longer record gets a negative ack. 0 means no limit.",
    type: Specifier_Parameter_Type.INT,
    validations: [{ type: Specifier_Parameter_Validation_Type.GREATER_THAN, value: "-1" }],
  }),
};

/** DestinationPlugin: writes JSON Lines and acks in order. */
export class FileDestination {
  private state: State = "new";
  private path = "";
  private maxLineSize = 0; // 0: no limit
  private file: number | undefined; // file descriptor, while started
  private running = false;
  private lastReceived: Uint8Array = new Uint8Array();
  private receivedCount = 0;
  private ackedCount = 0;
  /** Notified whenever a record arrived or an ack was sent, for Stop. */
  private readonly progress = new Condition();
  private readonly tornDown = new Latch();

  /** The implementation handed to the router. */
  service(): ServiceImpl<typeof DestinationPlugin> {
    return {
      configure: (req) => {
        requireState(this.state, ["new", "configured"], "Configure");
        // Unknown parameters are refused, so that a typo does not silently
        // fall back to a default.
        const unknown = Object.keys(req.config).filter((name) => !(name in destinationParameters));
        if (unknown.length > 0) {
          throw new ConnectError(`unknown parameters: ${unknown.sort().join(", ")}`, Code.InvalidArgument);
        }
        const path = req.config.path ?? "";
        if (path !== "" && fs.statSync(path, { throwIfNoEntry: false })?.isDirectory()) {
          throw new ConnectError(`path: "${path}" is a directory`, Code.InvalidArgument);
        }
        const maxLineSize = req.config["max.line.size"] ?? "0";
        if (!/^[0-9]+$/.test(maxLineSize) || !Number.isSafeInteger(Number(maxLineSize))) {
          throw new ConnectError(`max.line.size must be a whole number of 0 or more, got "${maxLineSize}"`, Code.InvalidArgument);
        }
        this.path = path;
        this.maxLineSize = Number(maxLineSize);
        this.state = "configured";
        return create(Destination_Configure_ResponseSchema);
      },
      start: () => {
        requireState(this.state, ["configured"], "Start");
        if (this.path !== "") {
          try {
            this.file = fs.openSync(this.path, "a");
          } catch (err) {
            throw new ConnectError(`open ${this.path}: ${String(err)}`, Code.Internal);
          }
        }
        this.state = "started";
        return create(Destination_Start_ResponseSchema);
      },
      run: (records) => this.run(records),
      stop: async (req) => {
        requireState(this.state, ["started"], "Stop");
        // The host may call Stop before the Run stream delivered its last
        // records; answer only when the last one is written and acked.
        if (req.lastPosition.length > 0) {
          await this.progress.waitFor(
            () =>
              (Buffer.from(this.lastReceived).equals(req.lastPosition) && this.ackedCount === this.receivedCount) ||
              this.tornDown.isSet,
          );
        }
        this.state = "stopped";
        return create(Destination_Stop_ResponseSchema);
      },
      teardown: () => {
        this.state = "torn down";
        this.tornDown.set();
        this.progress.notify();
        if (this.file !== undefined) {
          fs.closeSync(this.file);
          this.file = undefined;
        }
        return create(Destination_Teardown_ResponseSchema);
      },
      // The lifecycle events: this destination has nothing to do when it is
      // created, updated or deleted, so it answers each with success (see
      // lifecycleEvent). LifecycleOnDeleted may be the first call.
      lifecycleOnCreated: () =>
        lifecycleEvent(this.state, "LifecycleOnCreated", create(Destination_Lifecycle_OnCreated_ResponseSchema)),
      lifecycleOnUpdated: () =>
        lifecycleEvent(this.state, "LifecycleOnUpdated", create(Destination_Lifecycle_OnUpdated_ResponseSchema)),
      lifecycleOnDeleted: () =>
        lifecycleEvent(this.state, "LifecycleOnDeleted", create(Destination_Lifecycle_OnDeleted_ResponseSchema)),
    };
  }

  private async *run(records: AsyncIterable<Destination_Run_Request>): AsyncGenerator<Destination_Run_Response> {
    requireState(this.state, ["started"], "Run");
    if (this.running) {
      throw new ConnectError("Run is already active", Code.FailedPrecondition);
    }
    this.running = true;
    const iterator = records[Symbol.asyncIterator]();
    try {
      for (;;) {
        // Run ends when the host closes its side of the stream, or at
        // Teardown, which may come while the stream is still open.
        const next = await Promise.race([iterator.next(), this.tornDown.promise.then(() => undefined)]);
        if (next === undefined || next.done) return;
        const record = next.value.record;
        if (record === undefined || record.position.length === 0) {
          // Acks name records by position: one without can't be acked.
          throw new ConnectError("received a record without a position", Code.InvalidArgument);
        }
        this.lastReceived = record.position;
        this.receivedCount++;
        const error = this.write(record);
        yield create(Destination_Run_ResponseSchema, { ackPosition: record.position, error });
        this.ackedCount++;
        this.progress.notify();
      }
    } finally {
      this.running = false;
    }
  }

  /** Writes one record; returns "" or why it could not be written. */
  private write(record: Record): string {
    try {
      const line = Buffer.from(recordToLine(record), "utf8");
      if (this.maxLineSize > 0 && line.length > this.maxLineSize) {
        throw new Error(`the line has ${line.length} bytes, more than max.line.size=${this.maxLineSize}`);
      }
      // A synchronous write: the line is with the operating system before
      // the ack promises the host that the record is written.
      if (this.file !== undefined) fs.writeSync(this.file, line);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      log.warn(`negative ack for position "${Buffer.from(record.position).toString("latin1")}": ${message}`);
      return `cannot write the record: ${message}`;
    }
    return "";
  }
}
