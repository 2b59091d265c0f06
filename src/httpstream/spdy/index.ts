/**
 * SPDY/3.1, the server side Kubernetes clients speak for exec, attach and port-forward
 * (kubectl before 1.30, and inside kubectl 1.30+'s WebSocket port-forward tunnel).
 */
export { type ByteTransport, SpdyServerSession, SpdyStream } from "./session.ts";
export { SPDY3_DICTIONARY } from "./dictionary.ts";
export { HeaderDecoder, HeaderEncoder, decodeNameValues, encodeNameValues, type HeaderBlock } from "./headers.ts";
export * as frames from "./frames.ts";
