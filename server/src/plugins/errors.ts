import { type FieldErrors, toFieldErrors } from "@dailies/shared";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { ZodType } from "zod";
import { databaseInputError, HttpError, providerHttpError } from "../errors.js";
import { ProviderError, ProviderNotConfiguredError } from "../providers/types.js";
import { ObjectMissingError, StorageError } from "../storage/objectStore.js";

/** A request that failed its zod schema; carries the reference's fieldErrors map. */
export class ValidationFailure extends Error {
  constructor(readonly fieldErrors: FieldErrors) {
    super("Invalid payload");
  }
}

/**
 * Validation with zod (our messages, our fieldErrors shape) and one error shape for everything that can go
 * wrong before or inside a handler: `{ error, details? }`, never a bare 500 page.
 */
export function installErrorHandling(app: FastifyInstance): void {
  app.setValidatorCompiler(({ schema }) => (data: unknown) => {
    const result = (schema as ZodType).safeParse(data);
    if (result.success) return { value: result.data };
    return { error: new ValidationFailure(toFieldErrors(result.error, data)) };
  });
  // Response schemas document the API; serialising with JSON.stringify keeps the hot path cheap.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));

  app.setErrorHandler((thrown: FastifyError | HttpError | ValidationFailure, request, reply) => {
    // A provider failure inside a synchronous route: 502/503/504 with the provider's reason in words.
    const err =
      thrown instanceof ProviderError || (thrown as unknown) instanceof ProviderNotConfiguredError
        ? providerHttpError(thrown as unknown as ProviderError)
        : thrown;
    if (err instanceof ValidationFailure) {
      return reply.code(400).send({ error: "Invalid payload", details: { fieldErrors: err.fieldErrors } });
    }
    if (err instanceof HttpError) {
      if (err.headers) reply.headers(err.headers);
      // The technical reason (ffmpeg's stderr, paths) is logged, never sent.
      if (err.cause !== undefined) request.log.warn({ cause: err.cause, status: err.statusCode }, err.message);
      return reply
        .code(err.statusCode)
        .send(err.details ? { error: err.message, details: err.details } : { error: err.message });
    }
    // Media storage (the data folder or a bucket): a missing object is 404; anything else is the storage's
    // trouble, 503 — the message (it may name the bucket's host or a key) goes to the log only.
    if ((err as unknown) instanceof ObjectMissingError) return reply.code(404).send({ error: "Stored file not found" });
    if ((err as unknown) instanceof StorageError) {
      request.log.error({ err }, "media storage failed");
      return reply.code(503).send({ error: "Media storage is unavailable, try again later" });
    }
    const fromDatabase = databaseInputError(err);
    if (fromDatabase) {
      // A value the schemas let through and PostgreSQL refused: the request's fault, but a gap to close.
      request.log.warn({ err, status: fromDatabase.statusCode }, "database refused a value from a request");
      return reply.code(fromDatabase.statusCode).send({ error: fromDatabase.message, details: fromDatabase.details });
    }
    const code = (err as FastifyError).code;
    const status = (err as FastifyError).statusCode ?? 500;
    if (code === "FST_ERR_CTP_INVALID_MEDIA_TYPE") {
      return reply.code(415).send({
        error: "Unsupported content type",
        details: { contentType: request.headers["content-type"] ?? null, expected: "application/json" },
      });
    }
    if (code === "FST_ERR_CTP_BODY_TOO_LARGE") {
      drainRejectedBody(request, reply, app.initialConfig.bodyLimit ?? 1024 * 1024);
      return reply
        .code(413)
        .send({ error: "Request body too large", details: { limitBytes: app.initialConfig.bodyLimit } });
    }
    if (code === "FST_ERR_CTP_EMPTY_JSON_BODY") {
      return reply.code(400).send({ error: "Empty JSON body" });
    }
    if (err instanceof SyntaxError || code === "FST_ERR_CTP_INVALID_JSON_BODY") {
      return reply.code(400).send({ error: "Malformed JSON body", details: { reason: err.message } });
    }
    if (status >= 400 && status < 500) {
      // A library's HTTP error keeps its headers (a 416 from file serving says the size in content-range).
      const headers = (err as { headers?: Record<string, string> }).headers;
      if (headers) reply.headers(headers);
      return reply.code(status).send({ error: err.message, details: code ? { code } : undefined });
    }
    request.log.error({ err }, "unhandled error");
    return reply.code(500).send({ error: "Internal server error" });
  });

  app.setNotFoundHandler((request, reply) => {
    reply
      .code(404)
      .send({ error: "Route not found", details: { method: request.method, url: request.url.split("?")[0] } });
  });
}

/** Bytes of a refused body read and discarded before giving up on the connection. */
const DRAIN_MIN_BYTES = 64 * 1024 * 1024;
const DRAIN_TIMEOUT_MS = 30_000;

/**
 * A client still uploading a too-large body reads the 413 only if the server keeps reading: closing the socket
 * with unread data makes the kernel send a reset, and most HTTP clients then report "connection reset" or
 * EPIPE instead of the response. So the answer goes out on a kept-alive connection and the rest of the body is
 * read and thrown away (Node's own drain after a response), up to a cap and a time limit; past those the
 * socket is destroyed.
 */
function drainRejectedBody(request: FastifyRequest, reply: FastifyReply, limitBytes: number): void {
  const raw = request.raw;
  if (raw.complete || raw.destroyed) return;
  reply.removeHeader("connection");
  const cap = Math.max(DRAIN_MIN_BYTES, limitBytes * 4);
  let seen = 0;
  const giveUp = () => raw.socket?.destroy();
  const timer = setTimeout(giveUp, DRAIN_TIMEOUT_MS);
  timer.unref();
  const onData = (chunk: Buffer) => {
    seen += chunk.length;
    if (seen > cap) giveUp();
  };
  const done = () => {
    clearTimeout(timer);
    raw.off("data", onData);
  };
  raw.on("data", onData);
  raw.once("end", done);
  raw.once("close", done);
  raw.resume();
}
