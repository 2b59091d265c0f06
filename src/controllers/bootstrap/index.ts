export { BootstrapTokenCleaner, BOOTSTRAP_TOKEN_TYPE } from "./token-cleaner.ts";
