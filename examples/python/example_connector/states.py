"""Call order bookkeeping shared by the source and the destination.

The protocol fixes the order of calls (Configure, Start, Run, Stop,
Teardown) and asks a connector to answer a call that comes out of order
with FAILED_PRECONDITION, so both plugins keep the same small state machine.
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


async def lifecycle_unimplemented(context, call: str) -> None:
    """Answer a lifecycle event the connector has nothing to do for.

    UNIMPLEMENTED is what the protocol asks for (hosts treat it as success);
    any other code would be an error for the host.
    """
    await context.abort(grpc.StatusCode.UNIMPLEMENTED, f"{call} is not implemented: nothing to do")
