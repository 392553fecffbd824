/**
 * The standalone process handshake (hashicorp/go-plugin conventions).
 *
 * A host starts the connector's executable with a magic cookie in the
 * environment, the connector listens on a Unix socket, serves the gRPC health
 * service and go-plugin's controller and stdio services next to the connector
 * services, and prints one handshake line on stdout. This module does all of
 * that; it knows nothing about sources or destinations.
 *
 * It imports no dependency at module level, so that checkCookie() can tell a
 * human what to do even when node_modules or the build is missing.
 */
export const MAGIC_COOKIE_KEY = "CONDUIT_PLUGIN_MAGIC_COOKIE";
export const MAGIC_COOKIE_VALUE = "204e8e812c3a1bb73b838928c575b42a105dd2e9aa449be481bc4590486df53f";

/** The protocol this connector speaks (connector.v1); go-plugin calls it the application protocol version. */
export const PROTOCOL_VERSION = 1;
/** go-plugin's own handshake format version, the first field of the line. */
export const CORE_PROTOCOL_VERSION = 1;

const DEFAULT_MAX_RECEIVE_SIZE = 4 * 1024 * 1024;

/** Exits with a message for humans unless a host started the process. */
export function checkCookie(): void {
  if (process.env[MAGIC_COOKIE_KEY] === MAGIC_COOKIE_VALUE) return;
  process.stderr.write(
    "This program is a Conduit connector (protocol v1).\n" +
      "It is not meant to be run by hand: a host such as Conduit starts it,\n" +
      "and `cplugin check PATH` tests it.\n",
  );
  process.exit(1);
}

/**
 * Picks the protocol version from the host's PLUGIN_PROTOCOL_VERSIONS, or
 * exits. Hosts list every version they speak; a host that sends nothing is an
 * older host, and it speaks version 1.
 */
export function negotiateVersion(): number {
  const offered = (process.env.PLUGIN_PROTOCOL_VERSIONS ?? "").trim();
  if (offered === "") return PROTOCOL_VERSION;
  const versions = offered.split(",").map((v) => v.trim());
  if (!versions.includes(String(PROTOCOL_VERSION))) {
    process.stderr.write(`This connector speaks protocol version ${PROTOCOL_VERSION}; the host offers only ${offered}.\n`);
    process.exit(1);
  }
  return PROTOCOL_VERSION;
}

/** The largest message the connector accepts, as the host configured it. */
export function maxReceiveSize(): number {
  const size = Number(process.env.CONDUIT_CONNECTOR_MAX_RECEIVE_RECORD_SIZE ?? "");
  return Number.isSafeInteger(size) && size > 0 ? size : DEFAULT_MAX_RECEIVE_SIZE;
}
