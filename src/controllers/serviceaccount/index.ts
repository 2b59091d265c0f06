export { ServiceAccountsController, type ServiceAccountsOptions } from "./serviceaccounts-controller.ts";
