/**
 * OpenAPI for the API server: /openapi/v2 and /openapi/v3 documents of the served resources with
 * the real schemas of the built-in types (generated from @kubernetes/client-node by
 * scripts/gen-openapi.ts), custom resource schemas, the unknown/duplicate field checks
 * behind fieldValidation=Strict|Warn, and the JSON type checks that stand in for decoding into
 * Go structs (type-check.ts, unstructured-type-check.ts).
 *
 * Wiring: `const openapi = createOpenApi(() => registry.definitions(), { version })`, then
 * `createApp({ ..., openapi: openApiRoute(openapi) })`; for each served CRD version,
 * `openapi.registerCustomSchema(gvk, version.schema.openAPIV3Schema)`.
 */
export { createOpenApi, hashOf, type OpenApi, type OpenApiOptions, type Rendered, type V3Index } from "./service.ts";
export { handleOpenApiRequest, openApiRoute } from "./handler.ts";
export { builtinDefinitions, builtinDefinitionFor, builtinDocumentDefinitions, type BuiltinDefinitions } from "./definitions.ts";
export { customDefinitionName } from "./custom-schemas.ts";
export { groupVersionPath } from "./operations.ts";
export { type FieldExtensions } from "./render-common.ts";
export { builtinPatchExtensions } from "./patch-extensions.ts";
export { unknownFields, unknownFieldError, duplicateFieldError, strictDecodingError, type SchemaTree } from "./unknown-fields.ts";
export { duplicateFields } from "./duplicate-fields.ts";
export { typeErrors, typeMetaError, type TypeCheckOptions } from "./type-check.ts";
export { unstructuredTypeError } from "./unstructured-type-check.ts";
export { numberLiterals } from "./number-literals.ts";
export type { Schema } from "./schema.ts";
export type { SwaggerDocument } from "./v2.ts";
export type { OpenApiV3Document } from "./v3.ts";
