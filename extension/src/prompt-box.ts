/**
 * "Reuse prompt": writes a prompt into the site's own prompt box, the way typing would, so the site's
 * framework (React, Vue, Slate) sees the change.
 */

function setNativeValue(el: HTMLTextAreaElement | HTMLInputElement, value: string): void {
  // The prototype's setter, not the element's own: React tracks `value` on the instance and would
  // otherwise swallow the change.
  const setter = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(el), "value")?.set;
  if (setter) setter.call(el, value);
  else el.value = value;
}

function isEditable(el: Element): boolean {
  const attr = el.getAttribute("contenteditable");
  return attr === "" || attr === "true" || attr === "plaintext-only";
}

function fire(el: Element, text: string): void {
  const win = el.ownerDocument.defaultView;
  const InputEv = win?.InputEvent ?? InputEvent;
  el.dispatchEvent(new InputEv("input", { bubbles: true, inputType: "insertText", data: text }));
  el.dispatchEvent(new (win?.Event ?? Event)("change", { bubbles: true }));
}

/** Fills the first matching prompt box; returns the selector that matched, or null when none did. */
export function fillPromptBox(doc: Document, selectors: readonly string[], prompt: string): string | null {
  for (const selector of selectors) {
    let el: Element | null = null;
    try {
      el = doc.querySelector(selector);
    } catch {
      continue; // An invalid selector must not stop the others.
    }
    if (!el) continue;
    if (el.tagName === "TEXTAREA" || el.tagName === "INPUT") {
      const field = el as HTMLTextAreaElement;
      field.focus();
      setNativeValue(field, prompt);
      fire(field, prompt);
      return selector;
    }
    // The editable root may be the element or one inside it.
    const editable = isEditable(el) ? el : el.querySelector('[contenteditable="true"], [contenteditable=""]');
    if (!editable) continue;
    (editable as HTMLElement).focus();
    const selection = doc.getSelection();
    if (selection) {
      const range = doc.createRange();
      range.selectNodeContents(editable);
      selection.removeAllRanges();
      selection.addRange(range);
    }
    // execCommand goes through beforeinput/input like typing, which editors such as Slate and
    // ProseMirror listen to; where it does nothing, set the text and announce it.
    let inserted = false;
    try {
      inserted = typeof doc.execCommand === "function" && doc.execCommand("insertText", false, prompt);
    } catch {
      inserted = false;
    }
    if (!inserted || editable.textContent !== prompt) {
      editable.textContent = prompt;
      fire(editable, prompt);
    }
    return selector;
  }
  return null;
}
