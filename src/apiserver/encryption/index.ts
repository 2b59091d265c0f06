/** Encryption at rest: EncryptionConfiguration, its providers, and kts's key management. */
export { compileRules, parseEncryptionConfiguration, resourceMatches, type EncryptionConfiguration } from "./config.ts";
export { aescbc, aesgcm, makeKeyProvider, secretbox, type KeyProvider, type ProviderType } from "./providers.ts";
export { EncryptionTransformers } from "./transformer.ts";
export { EncryptionManager, providerLabel, type EncryptAction, type EncryptionManagerOptions, type EncryptionStatus, type RotationStage } from "./manager.ts";
export { encryptionRoutes } from "./routes.ts";
