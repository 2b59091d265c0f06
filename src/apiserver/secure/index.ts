/**
 * The API server's secure port: TLS termination with client-certificate identity (front.ts) and
 * request authentication over certificates and static tokens (authenticate.ts).
 */
export { type FrontConnection, type TlsFront, type TlsFrontOptions, type TlsSettings, type UpgradeRequest, STRONG_CIPHERS, startTlsFront, tlsSettingsFromFlags } from "./front.ts";
export { type PeerCertificateIdentity, peerIdentity } from "./peer.ts";
export { type AuthenticateOptions, type Authentication, type Credential, ANONYMOUS_USER, AUTHENTICATED_GROUP, UNAUTHENTICATED_GROUP, authenticate } from "./authenticate.ts";
export { type StaticToken, StaticTokens, k3sTokenUsers, tokenSecret } from "./tokens.ts";
