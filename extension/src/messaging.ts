/**
 * Sending the protocol's messages (see messages.ts). Zod-free on purpose: content scripts use it.
 */
import { browser } from "wxt/browser";
import type {
  BackgroundPayload,
  BackgroundRequestType,
  BackgroundResponses,
  ContentRequest,
  ContentRequests,
  ContentResponses,
  Reply,
} from "./messages.js";

/** A failed request: the server's message and HTTP status (0 when the server or the tab did not answer). */
export class MessageError extends Error {
  override name = "MessageError";
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

function unwrap<T>(reply: Reply<T> | undefined): T {
  if (!reply || typeof reply !== "object") throw new MessageError("No answer from the extension's background", 0);
  if (!reply.ok) throw new MessageError(reply.error, reply.status);
  return reply.data;
}

export async function askBackground<T extends BackgroundRequestType>(
  type: T,
  payload: BackgroundPayload<T>,
): Promise<BackgroundResponses[T]> {
  const reply = (await browser.runtime.sendMessage({ type, ...payload })) as Reply<BackgroundResponses[T]> | undefined;
  return unwrap(reply);
}

export async function askTab<T extends keyof ContentRequests>(
  tabId: number,
  type: T,
  payload: ContentRequests[T],
): Promise<ContentResponses[T]> {
  let reply: Reply<ContentResponses[T]> | undefined;
  try {
    reply = (await browser.tabs.sendMessage(tabId, { type, ...payload })) as Reply<ContentResponses[T]> | undefined;
  } catch {
    throw new MessageError("The page is not listening: reload the tab and try again", 0);
  }
  return unwrap(reply);
}

/** Checks a message received by a content script. */
export function parseContentRequest(raw: unknown): ContentRequest | null {
  if (!raw || typeof raw !== "object") return null;
  const msg = raw as Record<string, unknown>;
  if (msg.type === "prompt/fill" && typeof msg.prompt === "string") return { type: "prompt/fill", prompt: msg.prompt };
  return null;
}
