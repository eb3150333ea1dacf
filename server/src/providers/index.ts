/** The providers' public surface: interfaces, errors, the env table and the lookup. */
export { createClaudeProvider } from "./claude.js";
export {
  type CreateProvidersOptions,
  createProviders,
  type ExtraProviders,
  PROVIDER_ENV,
  type ProviderSettings,
  type Providers,
  UnknownProviderError,
} from "./config.js";
export { createGeminiProvider } from "./gemini.js";
export type { FetchLike, RetryOptions } from "./http.js";
export { createOpenAiProvider } from "./openai.js";
export { createReplicateProvider } from "./replicate.js";
export * from "./types.js";
