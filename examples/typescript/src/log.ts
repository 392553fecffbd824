/**
 * Logging to stderr, which go-plugin hosts forward to their own log. stdout
 * carries the handshake line and must hold nothing before it.
 */
const levels = { debug: 0, info: 1, warn: 2, error: 3 } as const;
type Level = keyof typeof levels;

function threshold(): number {
  const wanted = (process.env.CONDUIT_CONNECTOR_LOG_LEVEL ?? "").toLowerCase();
  if (wanted === "trace") return levels.debug;
  return wanted in levels ? levels[wanted as Level] : levels.info;
}

const minimum = threshold();

// Each line is a JSON object in the format go-plugin hosts parse (hclog):
// the host logs it at the level it names. Any other line is logged at debug
// level, so plain text would lose the level.
function write(level: Level, message: string): void {
  if (levels[level] >= minimum) {
    process.stderr.write(JSON.stringify({ "@level": level, "@message": message, "@module": "connector" }) + "\n");
  }
}

/** The connector's logger. */
export const log = {
  debug: (message: string) => write("debug", message),
  info: (message: string) => write("info", message),
  warn: (message: string) => write("warn", message),
  error: (message: string) => write("error", message),
};
