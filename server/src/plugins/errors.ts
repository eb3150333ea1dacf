import { type FieldErrors, toFieldErrors } from "@dailies/shared";
import type { FastifyError, FastifyInstance } from "fastify";
import type { ZodType } from "zod";
import { HttpError, providerHttpError } from "../errors.js";
import { ProviderError, ProviderNotConfiguredError } from "../providers/types.js";

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
      return reply
        .code(err.statusCode)
        .send(err.details ? { error: err.message, details: err.details } : { error: err.message });
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
