/** The Client contract over HTTPS: client certificates, bearer or basic credentials, JSON, streamed watches. */
export { HttpClient, type HttpClientOptions } from "./client.ts";
export { apiErrorFromReply, apiErrorFromStatus } from "./errors.ts";
