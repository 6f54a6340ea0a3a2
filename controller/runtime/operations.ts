import type { OperationKind, OperationView } from '../ports/controller.js';

// Operations the API submitted (and the automatic switches, so a manual request can see what it conflicts
// with). Kept in memory, newest last, bounded: they are a view of work in progress, the history log is the
// durable record.

const KEEP = 500;

type Status = OperationView['status'];

export class Operations {
  private readonly byId = new Map<string, OperationView>();
  private counter = 0;
  private readonly now: () => number;

  constructor(now: () => number) {
    this.now = now;
  }

  create(kind: OperationKind, target: string, id?: string): OperationView {
    const op: OperationView = {
      id: id ?? `op-${this.now().toString(36)}-${(++this.counter).toString(36)}`,
      kind,
      target,
      submittedAt: new Date(this.now()).toISOString(),
      status: 'queued',
      message: null,
    };
    this.byId.set(op.id, op);
    this.prune();
    return op;
  }

  update(id: string, status: Status, message: string | null = null): OperationView | undefined {
    const op = this.byId.get(id);
    if (op === undefined) return undefined;
    const next: OperationView = { ...op, status, message: message ?? op.message };
    this.byId.set(id, next);
    return next;
  }

  get(id: string): OperationView | undefined {
    return this.byId.get(id);
  }

  /** The oldest queued or running operation of the target, if any. */
  inFlight(target: string): OperationView | null {
    for (const op of this.byId.values()) {
      if (op.target === target && (op.status === 'queued' || op.status === 'running')) return op;
    }
    return null;
  }

  private prune(): void {
    if (this.byId.size <= KEEP) return;
    for (const [id, op] of this.byId) {
      if (this.byId.size <= KEEP) break;
      if (op.status !== 'queued' && op.status !== 'running') this.byId.delete(id);
    }
  }
}
