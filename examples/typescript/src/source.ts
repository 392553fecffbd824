/**
 * A generator source: records numbered 1, 2, 3, ... with resumable positions.
 *
 * A record's position is its number as a decimal string, so a Start with
 * position "7" continues with record 8, without gaps or duplicates.
 */
import { create, getOption } from "@bufbuild/protobuf";
import { Code, ConnectError, type ServiceImpl } from "@connectrpc/connect";

import {
  type Source_Run_Request,
  type Source_Run_Response,
  Source_Run_ResponseSchema,
  Source_Configure_ResponseSchema,
  Source_Lifecycle_OnCreated_ResponseSchema,
  Source_Lifecycle_OnDeleted_ResponseSchema,
  Source_Lifecycle_OnUpdated_ResponseSchema,
  Source_Start_ResponseSchema,
  Source_Stop_ResponseSchema,
  Source_Teardown_ResponseSchema,
  type SourcePlugin,
  Specifier_ParameterSchema,
  Specifier_Parameter_Type,
  Specifier_Parameter_Validation_Type,
  type Specifier_Parameter,
} from "./gen/connector/v1/connector_pb.js";
import {
  file_opencdc_v1_opencdc,
  metadata_collection,
  metadata_read_at,
  Operation,
  type Record,
  RecordSchema,
} from "./gen/opencdc/v1/opencdc_pb.js";
import { Latch } from "./latch.js";
import { lifecycleEvent, requireState, type State } from "./states.js";
import { log } from "./log.js";

// The standard metadata keys, read from the contract instead of hard-coded.
const METADATA_READ_AT = getOption(file_opencdc_v1_opencdc, metadata_read_at);
const METADATA_COLLECTION = getOption(file_opencdc_v1_opencdc, metadata_collection);

export const sourceParameters: { [name: string]: Specifier_Parameter } = {
  records: create(Specifier_ParameterSchema, {
    default: "0",
    description: "How many records the source holds (positions 1 to records). 0 means no limit.",
    type: Specifier_Parameter_Type.INT,
    validations: [{ type: Specifier_Parameter_Validation_Type.GREATER_THAN, value: "-1" }],
  }),
  "payload.format": create(Specifier_ParameterSchema, {
    default: "raw",
    description: "The payload's format: raw (JSON as bytes) or structured (an object).",
    type: Specifier_Parameter_Type.STRING,
    validations: [{ type: Specifier_Parameter_Validation_Type.INCLUSION, value: "raw,structured" }],
  }),
};

/**
 * The deliberately broken variant (see README.md): with this fault Stop
 * answers a position one past the last record sent, which the stream then
 * never reaches. The protocol forbids it and a checker must notice.
 */
export const FAULT_STOP_POSITION = "stop-position";

const encoder = new TextEncoder();
const decoder = new TextDecoder("ascii", { fatal: true });

/** What one Run call shares between its ack reader and its producer. */
class RunStream {
  /** Positions sent and not acked yet, oldest first: acks must match it. */
  readonly unacked: string[] = [];
  /** Set when the host closed its side, or the stream failed. */
  readonly ended = new Latch();
  error: ConnectError | undefined;

  fail(error: ConnectError): void {
    this.error ??= error;
    this.ended.set();
  }
}

/** SourcePlugin: generates records and honours Stop and ack order. */
export class GeneratorSource {
  private state: State = "new";
  private records = 0;
  private format = "raw";
  private next = 1; // the number of the next record to produce
  private lastSent = "";
  private running = false;
  private readonly stopped = new Latch();
  private readonly tornDown = new Latch();

  constructor(private readonly fault: string) {}

  /** The implementation handed to the router. */
  service(): ServiceImpl<typeof SourcePlugin> {
    return {
      configure: (req) => {
        requireState(this.state, ["new", "configured"], "Configure");
        const config = req.config;
        // Unknown parameters are refused, so that a typo does not silently
        // fall back to a default.
        const unknown = Object.keys(config).filter((name) => !(name in sourceParameters));
        if (unknown.length > 0) {
          throw new ConnectError(`unknown parameters: ${unknown.sort().join(", ")}`, Code.InvalidArgument);
        }
        const records = config.records ?? "0";
        if (!/^[0-9]+$/.test(records) || !Number.isSafeInteger(Number(records))) {
          throw new ConnectError(`records must be a whole number of 0 or more, got "${records}"`, Code.InvalidArgument);
        }
        const format = config["payload.format"] ?? "raw";
        if (format !== "raw" && format !== "structured") {
          throw new ConnectError(`payload.format must be raw or structured, got "${format}"`, Code.InvalidArgument);
        }
        this.records = Number(records);
        this.format = format;
        this.state = "configured";
        return create(Source_Configure_ResponseSchema);
      },
      start: (req) => {
        requireState(this.state, ["configured"], "Start");
        if (req.position.length > 0) {
          let text = "";
          try {
            text = decoder.decode(req.position);
          } catch {
            // not ASCII: rejected below
          }
          if (!/^[1-9]\d*$/.test(text) || !Number.isSafeInteger(Number(text))) {
            throw new ConnectError(`start position "${text}" is not ours: want a record number`, Code.InvalidArgument);
          }
          this.next = Number(text) + 1;
        }
        this.state = "started";
        log.info(`started at record ${this.next}`);
        return create(Source_Start_ResponseSchema);
      },
      run: (acks) => this.run(acks),
      stop: () => {
        requireState(this.state, ["started", "stopped"], "Stop");
        // JavaScript runs one handler at a time, so the producer is paused
        // in a yield or a wait right now: lastSent is the last record it
        // sends, and it checks the latch before producing another.
        this.stopped.set();
        this.state = "stopped";
        let last = this.lastSent;
        if (this.fault === FAULT_STOP_POSITION) {
          last = String(Number(last) + 1);
        }
        log.info(`stopping after position "${last}"`);
        return create(Source_Stop_ResponseSchema, { lastPosition: encoder.encode(last) });
      },
      teardown: () => {
        this.state = "torn down";
        this.tornDown.set();
        this.stopped.set();
        return create(Source_Teardown_ResponseSchema);
      },
      // The lifecycle events: this source has nothing to do when it is
      // created, updated or deleted, so it answers each with success (see
      // lifecycleEvent). LifecycleOnDeleted may be the first call.
      lifecycleOnCreated: () =>
        lifecycleEvent(this.state, "LifecycleOnCreated", create(Source_Lifecycle_OnCreated_ResponseSchema)),
      lifecycleOnUpdated: () =>
        lifecycleEvent(this.state, "LifecycleOnUpdated", create(Source_Lifecycle_OnUpdated_ResponseSchema)),
      lifecycleOnDeleted: () =>
        lifecycleEvent(this.state, "LifecycleOnDeleted", create(Source_Lifecycle_OnDeleted_ResponseSchema)),
    };
  }

  private async *run(acks: AsyncIterable<Source_Run_Request>): AsyncGenerator<Source_Run_Response> {
    requireState(this.state, ["started", "stopped"], "Run");
    if (this.running) {
      throw new ConnectError("Run is already active", Code.FailedPrecondition);
    }
    this.running = true;
    const stream = new RunStream();
    // Acks are read concurrently with producing records; readAcks never
    // rejects, it reports through stream.
    void this.readAcks(acks, stream);
    try {
      while (!this.stopped.isSet && !stream.ended.isSet) {
        if (this.records > 0 && this.next > this.records) {
          // Nothing left to read: a real source would wait for new data; we
          // wait for Stop (or the end of the stream).
          await Promise.race([this.stopped.promise, stream.ended.promise]);
          break;
        }
        const number = this.next++;
        const position = String(number);
        // Set before the yield: Stop may come while the record waits for
        // flow control, and this record is still sent then.
        this.lastSent = position;
        stream.unacked.push(position);
        yield create(Source_Run_ResponseSchema, { record: this.record(number, position) });
      }
      // The host ends the stream by closing its side, after it got the
      // record Stop named and sent its ack. Teardown ends it at once.
      await Promise.race([stream.ended.promise, this.tornDown.promise]);
      if (stream.error !== undefined) throw stream.error;
      // Records still in stream.unacked were not acknowledged: the host
      // starts us from its last acked position next time, so they are sent
      // again then. Nothing to do here.
    } finally {
      this.running = false;
    }
  }

  private async readAcks(acks: AsyncIterable<Source_Run_Request>, stream: RunStream): Promise<void> {
    try {
      for await (const ack of acks) {
        const position = Buffer.from(ack.ackPosition).toString("latin1");
        const expected = stream.unacked[0];
        if (position !== expected) {
          stream.fail(
            new ConnectError(
              `ack for position "${position}", but the oldest unacked record is "${expected ?? "none"}"`,
              Code.InvalidArgument,
            ),
          );
          return;
        }
        stream.unacked.shift();
      }
    } catch (err) {
      stream.fail(ConnectError.from(err, Code.Internal));
      return;
    }
    stream.ended.set();
  }

  private record(number: number, position: string): Record {
    const content = { id: number, message: `record ${number} from the TypeScript example` };
    return create(RecordSchema, {
      position: encoder.encode(position),
      operation: Operation.CREATE,
      metadata: {
        [METADATA_READ_AT]: (BigInt(Date.now()) * 1_000_000n).toString(),
        [METADATA_COLLECTION]: "typescript-example",
      },
      key: { data: { case: "rawData", value: encoder.encode(position) } },
      payload: {
        after:
          this.format === "raw"
            ? { data: { case: "rawData", value: encoder.encode(JSON.stringify(content)) } }
            : { data: { case: "structuredData", value: content } },
      },
    });
  }
}
