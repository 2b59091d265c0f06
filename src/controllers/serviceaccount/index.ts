export { ServiceAccountsController, type ServiceAccountsOptions } from "./serviceaccounts-controller.ts";
export { ServiceAccountTokensController, SA_NAME_ANNOTATION, SA_TOKEN_TYPE, SA_UID_ANNOTATION, type TokensControllerOptions } from "./tokens-controller.ts";
