/**
 * The PATCH engines: RFC 6902 JSON patch, RFC 7386 merge patch and Kubernetes' strategic merge
 * patch, with kube-apiserver's semantics and error statuses.
 */
export { applyPatch, resolvePatchSchema, supportedPatchTypes, type PatchSchemaSource, type PatchTarget } from "./apply.ts";
export { PATCH_TYPES } from "./patch-errors.ts";
export { MAX_JSON_PATCH_OPERATIONS } from "./json-patch-decode.ts";
export { MAX_COPY_BYTES } from "./json-patch.ts";
export { MAX_NESTING_DEPTH } from "./json-syntax.ts";
export { builtinPatchSchema, builtinPatchTable, isBuiltinKind } from "./strategic/builtin-types.ts";
export { schemaFromTable, type FieldPatchMeta, type PatchMetaTable, type PatchSchema, type PatchStrategy } from "./strategic/schema.ts";
export type { JsonObject, JsonValue } from "./json-value.ts";
