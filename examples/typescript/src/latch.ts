/**
 * A latch is a one-way flag that can be awaited: the TypeScript counterpart
 * of asyncio.Event, used to wake up a waiting stream handler when another
 * call (Stop, Teardown, Shutdown) arrives.
 */
export class Latch {
  private done = false;
  private resolve!: () => void;
  /** Resolves once set() was called. */
  readonly promise: Promise<void> = new Promise((resolve) => {
    this.resolve = resolve;
  });

  /** Sets the latch; waiting code resumes. Setting it twice is harmless. */
  set(): void {
    this.done = true;
    this.resolve();
  }

  /** Reports whether set() was called. */
  get isSet(): boolean {
    return this.done;
  }
}

/**
 * Waits until a value changes, for conditions that more than one call
 * updates (records received, acks sent). Every notify() wakes all waiters,
 * which then check their condition again.
 */
export class Condition {
  private waiters: Array<() => void> = [];

  /** Wakes every waiter. */
  notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /** Resolves once predicate() holds, checked after every notify(). */
  async waitFor(predicate: () => boolean): Promise<void> {
    while (!predicate()) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }
}
