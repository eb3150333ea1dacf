/**
 * Undo/redo of timeline edits. Each edit is recorded as the timeline before and after it (segment ids and
 * source times); undo asks the server to restore `before` while the timeline still equals `after`
 * (POST /api/project/{id}/timeline/restore), redo the reverse. Pure: the page does the requests.
 */

export interface Snapshot {
  id: string;
  start_ts: number;
  end_ts: number;
}

export interface EditRecord {
  label: string;
  before: Snapshot[];
  after: Snapshot[];
}

export const snapshotOf = (segments: readonly Snapshot[]): Snapshot[] =>
  segments.map(({ id, start_ts, end_ts }) => ({ id, start_ts, end_ts }));

export class UndoStack {
  private done: EditRecord[] = [];
  private undone: EditRecord[] = [];

  constructor(private readonly limit = 100) {}

  /** A new edit: it can be undone; whatever was undone before can no longer be redone. */
  push(record: EditRecord): void {
    if (sameSnapshot(record.before, record.after)) return;
    this.done.push(record);
    if (this.done.length > this.limit) this.done.shift();
    this.undone = [];
  }

  get canUndo(): boolean {
    return this.done.length > 0;
  }
  get canRedo(): boolean {
    return this.undone.length > 0;
  }
  /** Labels for the buttons' titles. */
  get nextUndo(): string | null {
    return this.done[this.done.length - 1]?.label ?? null;
  }
  get nextRedo(): string | null {
    return this.undone[this.undone.length - 1]?.label ?? null;
  }

  /** The restore to perform for an undo, or null. Call `commitUndo` when the server accepted it. */
  peekUndo(): { segments: Snapshot[]; expected: Snapshot[]; label: string } | null {
    const r = this.done[this.done.length - 1];
    return r ? { segments: r.before, expected: r.after, label: r.label } : null;
  }
  peekRedo(): { segments: Snapshot[]; expected: Snapshot[]; label: string } | null {
    const r = this.undone[this.undone.length - 1];
    return r ? { segments: r.after, expected: r.before, label: r.label } : null;
  }
  commitUndo(): void {
    const r = this.done.pop();
    if (r) this.undone.push(r);
  }
  commitRedo(): void {
    const r = this.undone.pop();
    if (r) this.done.push(r);
  }
  /** The timeline changed elsewhere (a 409): the recorded snapshots no longer apply. */
  clear(): void {
    this.done = [];
    this.undone = [];
  }
}

export function sameSnapshot(a: readonly Snapshot[], b: readonly Snapshot[]): boolean {
  return (
    a.length === b.length &&
    a.every(
      (s, i) =>
        s.id === b[i]?.id &&
        Math.abs(s.start_ts - (b[i]?.start_ts ?? Number.NaN)) < 1e-6 &&
        Math.abs(s.end_ts - (b[i]?.end_ts ?? Number.NaN)) < 1e-6,
    )
  );
}
