/**
 * RFC 4180 CSV: fields separated by commas, records by LF or CRLF; a field in double quotes may hold commas,
 * line breaks and doubled quotes (""). A leading byte-order mark is dropped; blank lines are skipped.
 */
export function parseCsv(text: string): string[][] {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let i = 0;
  let quoted = false; // the current field started with a quote
  let line = 1;

  const endField = () => {
    row.push(field);
    field = "";
    quoted = false;
  };
  const endRow = () => {
    endField();
    if (!(row.length === 1 && row[0] === "")) rows.push(row);
    row = [];
  };

  while (i < src.length) {
    const ch = src[i];
    if (ch === '"' && field === "" && !quoted) {
      // A quoted field: read to the closing quote.
      quoted = true;
      const startLine = line;
      i++;
      for (;;) {
        if (i >= src.length) throw new CsvError(`unterminated quoted field starting on line ${startLine}`, startLine);
        const c = src[i];
        if (c === '"') {
          if (src[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (c === "\n") line++;
        field += c;
        i++;
      }
      // After the closing quote only a separator or a line end may follow.
      const next = src[i];
      if (next !== undefined && next !== "," && next !== "\n" && next !== "\r") {
        throw new CsvError(`unexpected character after a closing quote on line ${line}`, line);
      }
      continue;
    }
    if (ch === ",") {
      endField();
      i++;
    } else if (ch === "\r" && src[i + 1] === "\n") {
      endRow();
      line++;
      i += 2;
    } else if (ch === "\n" || ch === "\r") {
      endRow();
      line++;
      i++;
    } else {
      field += ch;
      i++;
    }
  }
  if (field !== "" || quoted || row.length > 0) endRow();
  return rows;
}

export class CsvError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
  }
}

/** Records as objects keyed by the header row. */
export function csvRecords(text: string): { headers: string[]; records: Record<string, string>[] } {
  const [headers = [], ...rows] = parseCsv(text);
  const names = headers.map((h) => h.trim());
  const records = rows.map((r) => {
    const rec: Record<string, string> = {};
    names.forEach((name, i) => {
      if (name && r[i] !== undefined) rec[name] = r[i] as string;
    });
    return rec;
  });
  return { headers: names, records };
}
