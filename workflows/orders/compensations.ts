/**
 * The saga's compensation stack: each step that must be undone if the order does not go ahead
 * pushes its undo; unwinding runs them one at a time, newest first. Once the order is paid the
 * stack is discarded (the reservations become sales).
 */
export class Compensations {
  private readonly stack: (() => Promise<unknown>)[] = [];

  push(undo: () => Promise<unknown>): void {
    this.stack.push(undo);
  }

  async unwind(): Promise<void> {
    while (this.stack.length > 0) await this.stack.pop()!();
  }

  discard(): void {
    this.stack.length = 0;
  }
}
