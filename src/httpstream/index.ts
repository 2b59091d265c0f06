/**
 * Protocols that take over an HTTP/1.1 connection: reading the request head off a raw socket,
 * WebSocket (RFC 6455) for both roles, and the server side of SPDY/3.1. Used by the API server's
 * streaming endpoints and by the agent's tunnel.
 */
export { type RequestHead, type ResponseHead, MAX_HEAD_BYTES, headEnd, isUpgrade, parseRequestHead, parseResponseHead, readHead, responseBytes, statusText, writeResponse } from "./http-head.ts";
export {
  CLOSE_ABNORMAL,
  CLOSE_GOING_AWAY,
  CLOSE_INTERNAL,
  CLOSE_NORMAL,
  CLOSE_PROTOCOL_ERROR,
  type ClientHandshakeOptions,
  UpgradeRefusedError,
  WebSocket,
  acceptKey,
  acceptWebSocket,
  connectWebSocket,
  isWebSocketRequest,
  offeredProtocols,
} from "./websocket.ts";
