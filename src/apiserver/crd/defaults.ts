/**
 * Defaults of apiextensions.k8s.io/v1 CustomResourceDefinition (upstream's v1 SetDefaults_*),
 * plus the shape Go's encoding gives the object: fields without omitempty are always written
 * (`served`, `storage`, `status.acceptedNames`, ...) and `preserveUnknownFields: false` is not.
 */
import type { CustomResourceDefinition } from "./types.ts";

/** Port of a conversion webhook service when none is given. */
const WEBHOOK_SERVICE_PORT = 443;

export function defaultCrd(crd: CustomResourceDefinition): void {
  const spec = (crd.spec ??= {} as CustomResourceDefinition["spec"]);
  const names = (spec.names ??= { plural: "", kind: "" });
  if (!names.singular && names.kind) names.singular = names.kind.toLowerCase();
  if (!names.listKind && names.kind) names.listKind = `${names.kind}List`;
  spec.conversion ??= { strategy: "None" };
  const service = spec.conversion.webhook?.clientConfig?.service;
  if (service && service.port === undefined) service.port = WEBHOOK_SERVICE_PORT;
  // A bool with omitempty: false is the absence of the field.
  if (spec.preserveUnknownFields === false) delete spec.preserveUnknownFields;
  for (const v of spec.versions ?? []) {
    v.served = v.served === true;
    v.storage = v.storage === true;
  }
  const status = (crd.status ??= { acceptedNames: { plural: "", kind: "" }, storedVersions: null });
  status.acceptedNames ??= { plural: "", kind: "" };
  if (!status.storedVersions?.length) {
    const storage = (spec.versions ?? []).find((v) => v.storage);
    if (storage) status.storedVersions = [storage.name];
  }
}
