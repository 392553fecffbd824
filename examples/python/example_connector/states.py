"""Call order bookkeeping shared by the source and the destination.

The protocol fixes the order of calls (Configure, then LifecycleOnCreated or
LifecycleOnUpdated, Start (v2: Open), Run, Stop, Teardown) and asks a connector to
answer a call that comes out of order with FAILED_PRECONDITION, so both
plugins keep the same small state machine. Teardown may come at any time.
"""

import grpc

NEW = "new"
CONFIGURED = "configured"
STARTED = "started"
STOPPED = "stopped"
TORN_DOWN = "torn down"


async def require(context, state: str, allowed: tuple, call: str) -> None:
    """Abort the call with FAILED_PRECONDITION unless state is allowed."""
    if state not in allowed:
        await context.abort(
            grpc.StatusCode.FAILED_PRECONDITION,
            f"{call} is not allowed when the connector is {state}",
        )


# The states in which a lifecycle event may arrive. LifecycleOnCreated and
# LifecycleOnUpdated come after Configure and before Start.
# LifecycleOnDeleted comes after Configure too, or as the very first call:
# the Conduit server deletes a connector by sending LifecycleOnDeleted (with
# the last configuration the connector had) and then Teardown, without a
# Configure before it.
LIFECYCLE_STATES = {
    "LifecycleOnCreated": (CONFIGURED,),
    "LifecycleOnUpdated": (CONFIGURED,),
    "LifecycleOnDeleted": (NEW, CONFIGURED),
}


async def lifecycle_event(context, state: str, call: str, response):
    """Answer a lifecycle event the connector has nothing to do for.

    The answer is success, an empty response: the Conduit server fails the
    pipeline when a standalone connector answers a lifecycle event with
    UNIMPLEMENTED (or any other error). A connector with work to do when it
    is created, updated or deleted (make a table, drop a replication slot)
    does it here instead. An event out of order is answered with
    FAILED_PRECONDITION, as every other call.
    """
    await require(context, state, LIFECYCLE_STATES[call], call)
    return response
