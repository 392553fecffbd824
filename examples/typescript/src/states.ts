/**
 * Call order bookkeeping shared by the source and the destination.
 *
 * The protocol fixes the order of calls (Configure, Start, Run, Stop,
 * Teardown) and asks a connector to answer a call that comes out of order
 * with FAILED_PRECONDITION, so both plugins keep the same small state machine.
 */
import { Code, ConnectError } from "@connectrpc/connect";

export type State = "new" | "configured" | "started" | "stopped" | "torn down";

/** Throws FAILED_PRECONDITION unless state is one of allowed. */
export function requireState(state: State, allowed: State[], call: string): void {
  if (!allowed.includes(state)) {
    throw new ConnectError(`${call} is not allowed when the connector is ${state}`, Code.FailedPrecondition);
  }
}

/**
 * Answers a lifecycle event the connector has nothing to do for.
 * UNIMPLEMENTED is what the protocol asks for (hosts treat it as success);
 * any other code would be an error for the host.
 */
export function lifecycleUnimplemented(call: string): never {
  throw new ConnectError(`${call} is not implemented: nothing to do`, Code.Unimplemented);
}
