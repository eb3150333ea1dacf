/**
 * The user's edits of a tab's captures, written to session storage so a closed popup keeps them.
 *
 * Edits come faster than storage answers (a prompt typed, then a note, then the popup closed), so the writer
 * keeps the latest drafts in memory and writes the whole set at once from there: no read before a write (a
 * read-modify-write per keystroke let a slower earlier write overwrite a later edit, and delayed the last
 * write past the popup's close). What storage announces is adopted only while none of our writes is in
 * flight, so the echo of an older write never rolls back a newer edit.
 */
import type { Draft, TabDrafts } from "./messages.js";

export interface DraftStore {
  getValue(): Promise<TabDrafts>;
  setValue(value: TabDrafts): Promise<void>;
}

export class DraftWriter {
  private latest: TabDrafts | null = null;
  private pending = 0;

  constructor(
    private readonly store: DraftStore,
    /** Called with the drafts to show after every change (ours at once, others' when they arrive). */
    private readonly onChange: (drafts: TabDrafts) => void,
  ) {}

  /** What storage holds now (its watch or first read): adopted unless one of our writes is still on its way. */
  adopt(stored: TabDrafts): void {
    if (this.pending > 0) return;
    this.latest = stored;
    this.onChange(stored);
  }

  /** Records one capture's draft now and writes the whole set; resolves when storage has it. */
  async set(key: string, draft: Draft, pageUrl: string | null): Promise<void> {
    // Before the first read arrives, start from storage so drafts of other captures are kept.
    const base = this.latest ?? (await this.store.getValue());
    const next: TabDrafts = { pageUrl: base.pageUrl ?? pageUrl, drafts: { ...base.drafts, [key]: draft } };
    this.latest = next;
    this.onChange(next);
    this.pending++;
    try {
      await this.store.setValue(next);
    } finally {
      this.pending--;
    }
    // Another writer (the background resets drafts when the page changes) may have written meanwhile.
    if (this.pending === 0) this.adopt(await this.store.getValue());
  }
}
