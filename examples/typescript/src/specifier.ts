/** SpecifierPlugin: describes the connector and its parameters. */
import { create } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";

import { Specifier_Specify_ResponseSchema, type SpecifierPlugin } from "./gen/connector/v1/connector_pb.js";
import { destinationParameters } from "./destination.js";
import { sourceParameters } from "./source.js";

export const NAME = "typescript-example";
export const VERSION = "v0.1.0";

/** Answers Specify with a fixed specification; it has no side effects. */
export function specifier(): ServiceImpl<typeof SpecifierPlugin> {
  return {
    specify: () =>
      create(Specifier_Specify_ResponseSchema, {
        name: NAME,
        summary: "Example connector written in TypeScript: a record generator and a JSON Lines file writer.",
        description:
          "The source generates records numbered from 1 (`records` of them, or without end), " +
          "with the record's number as its position, so a restart continues without gaps or " +
          "duplicates. The destination appends records to the file `path` as JSON Lines, or " +
          "discards them when `path` is empty; a record whose line is longer than " +
          "`max.line.size` gets a negative ack.",
        version: VERSION,
        author: "conduit-connector-protocol examples",
        sourceParams: sourceParameters,
        destinationParams: destinationParameters,
      }),
  };
}
