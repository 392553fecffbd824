/**
 * Call order bookkeeping shared by the source and the destination.
 *
 * The protocol fixes the order of calls (Configure, then LifecycleOnCreated
 * or LifecycleOnUpdated, Start, Run, Stop, Teardown) and asks a connector to
 * answer a call that comes out of order with FAILED_PRECONDITION, so both
 * plugins keep the same small state machine. Teardown may come at any time.
 */
import { Code, ConnectError } from "@connectrpc/connect";

export type State = "new" | "configured" | "started" | "stopped" | "torn down";

/** Throws FAILED_PRECONDITION unless state is one of allowed. */
export function requireState(state: State, allowed: State[], call: string): void {
  if (!allowed.includes(state)) {
    throw new ConnectError(`${call} is not allowed when the connector is ${state}`, Code.FailedPrecondition);
  }
}

/** The lifecycle events of the source and the destination. */
export type LifecycleEvent = "LifecycleOnCreated" | "LifecycleOnUpdated" | "LifecycleOnDeleted";

/**
 * The states in which a lifecycle event may arrive. LifecycleOnCreated and
 * LifecycleOnUpdated come after Configure and before Start.
 * LifecycleOnDeleted comes after Configure too, or as the very first call:
 * the Conduit server deletes a connector by sending LifecycleOnDeleted (with
 * the last configuration the connector had) and then Teardown, without a
 * Configure before it.
 */
const lifecycleStates: { [event in LifecycleEvent]: State[] } = {
  LifecycleOnCreated: ["configured"],
  LifecycleOnUpdated: ["configured"],
  LifecycleOnDeleted: ["new", "configured"],
};

/**
 * Answers a lifecycle event the connector has nothing to do for: it returns
 * response, success. The Conduit server fails the pipeline when a standalone
 * connector answers a lifecycle event with UNIMPLEMENTED (or any other
 * error). A connector with work to do when it is created, updated or deleted
 * (make a table, drop a replication slot) does it here instead. An event out
 * of order throws FAILED_PRECONDITION, as every other call.
 */
export function lifecycleEvent<T>(state: State, event: LifecycleEvent, response: T): T {
  requireState(state, lifecycleStates[event], event);
  return response;
}
