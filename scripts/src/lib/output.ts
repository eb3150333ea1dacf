import type { Io } from "./command.js";

export interface Column<T> {
  header: string;
  value: (row: T) => unknown;
  /** Cut longer cells to this many characters (default 60). */
  max?: number;
}

export interface Progress {
  /** `done` and `total` in the bar's unit (bytes, or a 0–1 fraction with total 1). */
  update(done: number, total?: number, note?: string): void;
  /** Clears the bar's line. */
  stop(): void;
}

const NO_PROGRESS: Progress = { update() {}, stop() {} };

/**
 * Everything the CLI prints goes through here: `--json` prints only JSON on stdout; otherwise human text.
 * Notes and progress bars go to stderr, so stdout stays clean for pipes; bars only when stdout is a terminal.
 */
export class Output {
  constructor(
    private readonly io: Pick<Io, "stdout" | "stderr">,
    readonly json: boolean,
  ) {}

  /** Prints `value` as JSON with --json, otherwise runs `human`. */
  result(value: unknown, human: () => void): void {
    if (this.json) this.printJson(value);
    else human();
  }

  printJson(value: unknown): void {
    this.io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  /** A line of human output on stdout. */
  line(text = ""): void {
    this.io.stdout.write(`${text}\n`);
  }

  /** A message for the person at the terminal (stderr; left out with --json). */
  note(text: string): void {
    if (!this.json) this.io.stderr.write(`${text}\n`);
  }

  /** A warning on stderr, also with --json. */
  warn(text: string): void {
    this.io.stderr.write(`warning: ${text}\n`);
  }

  error(text: string): void {
    this.io.stderr.write(`${text}\n`);
  }

  /** Key/value lines: "name:     The Awakening". */
  fields(pairs: [string, unknown][]): void {
    const width = Math.max(0, ...pairs.map(([k]) => k.length)) + 1;
    for (const [key, value] of pairs) this.line(`${`${key}:`.padEnd(width)}  ${cell(value)}`);
  }

  table<T>(rows: T[], columns: Column<T>[], empty = "(none)"): void {
    if (rows.length === 0) {
      this.line(empty);
      return;
    }
    const cells = rows.map((row) => columns.map((c) => truncate(cell(c.value(row)), c.max ?? 60)));
    const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((r) => (r[i] ?? "").length)));
    const render = (parts: string[]) =>
      parts
        .map((p, i) => (i === parts.length - 1 ? p : p.padEnd(widths[i] ?? 0)))
        .join("  ")
        .trimEnd();
    this.line(render(columns.map((c) => c.header)));
    for (const row of cells) this.line(render(row));
  }

  /** True when progress bars are drawn: stdout and stderr are terminals. */
  get interactive(): boolean {
    return Boolean(this.io.stdout.isTTY && this.io.stderr.isTTY);
  }

  /** A progress bar on stderr; does nothing unless stdout is a terminal. */
  progress(label: string, unit: "bytes" | "fraction" = "fraction"): Progress {
    if (!this.interactive) return NO_PROGRESS;
    const stderr = this.io.stderr;
    let last = 0;
    let drawn = false;
    return {
      update(done, total, note) {
        const now = Date.now();
        const finished = total !== undefined && done >= total;
        if (!finished && now - last < 100) return;
        last = now;
        const width = Math.max(10, Math.min(30, (stderr.columns || 80) - label.length - 40));
        const ratio = total ? Math.min(1, Math.max(0, done / total)) : 0;
        const filled = Math.round(ratio * width);
        const bar = total ? `[${"#".repeat(filled)}${"-".repeat(width - filled)}]` : "[…]";
        const pct = total ? `${(ratio * 100).toFixed(0).padStart(3)}%` : "";
        const amount = unit === "bytes" ? ` ${formatBytes(done)}${total ? ` / ${formatBytes(total)}` : ""}` : "";
        stderr.write(`\r\x1b[2K${label} ${bar} ${pct}${amount}${note ? `  ${note}` : ""}`);
        drawn = true;
      },
      stop() {
        if (drawn) stderr.write("\r\x1b[2K");
        drawn = false;
      },
    };
  }
}

export function cell(value: unknown): string {
  if (value === null || value === undefined || value === "") return "-";
  if (typeof value === "string") return value.replace(/\s*\n\s*/g, " ");
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ["KB", "MB", "GB", "TB"];
  let value = n / 1024;
  let i = 0;
  while (value >= 1024 && i < units.length - 1) {
    value /= 1024;
    i++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[i]}`;
}
