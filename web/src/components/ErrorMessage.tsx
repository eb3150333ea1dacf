import { errorText } from "../api";

/** Every failure as a sentence and a way out; never a blank page. */
export function ErrorMessage({ error, retry, title }: { error: unknown; retry?: () => void; title?: string }) {
  return (
    <div class="error-box" role="alert">
      <strong>{title ?? "Something went wrong"}</strong>
      <p>{errorText(error)}</p>
      {retry && (
        <button type="button" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}
