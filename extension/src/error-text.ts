/** The words the popup and options page use for a failed request. */
export function describeFailure(status: number, error: string): string {
  if (status === 0) return `server unreachable — ${error.replace(/^Server unreachable:\s*/, "")}`;
  if (status === 401) return "token rejected — open settings";
  if (status === 403) return `not allowed — ${error}`;
  return error;
}
