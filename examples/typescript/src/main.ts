/** Entry point of the TypeScript example connector; run through ./connector. */
import { checkCookie } from "./handshake.js";

// First, before anything can fail for another reason: a human who runs the
// program by hand gets told what it is.
checkCookie();

const { serve } = await import("./server.js");
const { GeneratorSource, FAULT_STOP_POSITION } = await import("./source.js");
const { FileDestination } = await import("./destination.js");
const { specifier } = await import("./specifier.js");
const { SourcePlugin, DestinationPlugin, SpecifierPlugin } = await import("./gen/connector/v1/connector_pb.js");

const fault = process.env.CONNECTOR_EXAMPLE_FAULT ?? "";
if (fault !== "" && fault !== FAULT_STOP_POSITION) {
  process.stderr.write(`CONNECTOR_EXAMPLE_FAULT="${fault}" is not known; the only fault is "${FAULT_STOP_POSITION}".\n`);
  process.exit(1);
}

serve((router) => {
  router.service(SpecifierPlugin, specifier());
  router.service(SourcePlugin, new GeneratorSource(fault).service());
  router.service(DestinationPlugin, new FileDestination().service());
});
