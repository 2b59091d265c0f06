/**
 * certificates.k8s.io/v1 CertificateSigningRequest (upstream pkg/registry/certificates/
 * certificates): the requester's identity is recorded from the request's user and, like the rest
 * of the spec, cannot change; /approval adds Approved or Denied, /status carries the issued
 * certificate (signing is a controller's job). Printed as `kubectl get csr` prints it.
 */
import type { KubeObject } from "../../api/types.ts";
import type { ExtraSubresource, PrinterColumn, RequestContext, ResourceDefinition, Strategy } from "../../registry/definition.ts";
import { errors } from "../../api/errors.ts";
import { rfc3339 } from "../../registry/object-meta.ts";
import { column } from "../core/columns.ts";
import { age, humanDuration, nameColumn } from "../printing.ts";
import { asCsr, type Csr, type CsrCondition } from "./types.ts";
import { validateCsr, validateCsrUpdate, validationOptions } from "./validation.ts";

const TARGET = { group: "certificates.k8s.io", resource: "certificatesigningrequests", kind: "CertificateSigningRequest" };

/** Objects seen by prepareForUpdate: their checks are validateUpdate's, with the stored object at hand. */
const updating = new WeakSet<KubeObject>();

/** The requester, as upstream's PrepareForCreate records it; whatever the client sent is replaced. */
function recordRequester(csr: Csr, ctx: RequestContext): void {
  const spec = (csr.spec ??= {});
  delete spec.username;
  delete spec.uid;
  delete spec.groups;
  delete spec.extra;
  const user = ctx.user;
  spec.username = user.username;
  if (user.uid) spec.uid = user.uid;
  if (user.groups.length > 0) spec.groups = [...user.groups];
  if (user.extra && Object.keys(user.extra).length > 0) spec.extra = structuredClone(user.extra);
}

/** upstream's populateConditionTimestamps: missing times are now, or the old transition time when the status did not change. */
export function populateConditionTimestamps(next: Csr, old: Csr, now: string): void {
  for (const c of next.status?.conditions ?? []) {
    if (!c.lastUpdateTime) c.lastUpdateTime = now;
    if (!c.lastTransitionTime) {
      const same = (old.status?.conditions ?? []).find((o) => o.type === c.type && o.status === c.status);
      c.lastTransitionTime = same?.lastTransitionTime ?? now;
    }
  }
}

/**
 * upstream's preserveConditionInstances: /status may not touch Approved or Denied, so their stored
 * instances replace whatever was sent, unless some were added or removed (validation reports that).
 */
function preserveConditions(next: Csr, old: Csr, type: string): void {
  const oldOnes = (old.status?.conditions ?? []).filter((c) => c.type === type);
  const conditions = next.status?.conditions ?? [];
  const indexes = conditions.flatMap((c, i) => (c.type === type ? [i] : []));
  if (indexes.length !== oldOnes.length) return;
  indexes.forEach((at, i) => (conditions[at] = structuredClone(oldOnes[i]!)));
}

const strategy: Strategy = {
  prepareForCreate(obj, ctx) {
    const csr = asCsr(obj);
    recordRequester(csr, ctx);
    // Requests cannot be created approved (or with a certificate).
    csr.status = {};
  },
  prepareForUpdate(obj, old) {
    updating.add(obj);
    const csr = asCsr(obj);
    csr.spec = structuredClone(asCsr(old).spec);
    csr.status = structuredClone(asCsr(old).status);
  },
  validate: (obj) => (updating.has(obj) ? [] : validateCsr(asCsr(obj), validationOptions(asCsr(obj)))),
  validateUpdate: (obj, old) => validateCsrUpdate(asCsr(obj), asCsr(old), "update"),
  prepareForStatusUpdate(obj, old, ctx) {
    const csr = asCsr(obj);
    preserveConditions(csr, asCsr(old), "Approved");
    preserveConditions(csr, asCsr(old), "Denied");
    populateConditionTimestamps(csr, asCsr(old), rfc3339(ctx.now));
  },
  validateStatusUpdate: (obj, old) => validateCsrUpdate(asCsr(obj), asCsr(old), "status"),
};

/**
 * PUT .../approval: only the conditions change. Written straight to storage like upstream's
 * approval strategy would write it, with its own validation.
 */
const approval: ExtraSubresource = {
  name: "approval",
  kind: "CertificateSigningRequest",
  group: "certificates.k8s.io",
  version: "v1",
  verbs: ["get", "update"],
  get: (req) => req.store.get("", req.name),
  async update(req, body) {
    const incoming = asCsr(body);
    if (body.kind && body.kind !== "CertificateSigningRequest") throw errors.badRequest(`the kind in the data (${body.kind}) does not match the expected kind (CertificateSigningRequest)`);
    const bodyName = incoming.metadata?.name ?? "";
    if (bodyName !== req.name) throw errors.badRequest(`the name of the object (${bodyName}) does not match the name on the URL (${req.name})`);
    return req.store.guaranteedUpdate(
      "",
      req.name,
      (current) => {
        const wanted = incoming.metadata?.resourceVersion;
        if (wanted && wanted !== current.metadata?.resourceVersion) throw errors.staleResourceVersion(req.store.target(req.name));
        const old = asCsr(structuredClone(current));
        const next = asCsr(current);
        const conditions: CsrCondition[] = structuredClone(incoming.status?.conditions ?? []);
        next.status = { ...next.status, conditions };
        if (conditions.length === 0) delete next.status.conditions;
        populateConditionTimestamps(next, old, rfc3339(req.ctx.now));
        const problems = validateCsrUpdate(next, old, "approval");
        if (problems.length > 0) throw errors.invalid({ ...TARGET, name: req.name }, problems);
        return current;
      },
      { dryRun: req.dryRun },
    );
  },
};

/** upstream's extractCSRStatus: Denied beats Approved, else Pending; then Failed and Issued. */
export function csrCondition(csr: Csr): string {
  const types = new Set((csr.status?.conditions ?? []).map((c) => c.type));
  let status = types.has("Denied") ? "Denied" : types.has("Approved") ? "Approved" : "Pending";
  if (types.has("Failed")) status += ",Failed";
  if (csr.status?.certificate) status += ",Issued";
  return status;
}

const printerColumns: PrinterColumn[] = [
  nameColumn,
  column<Csr>(
    "Age",
    "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata",
    (c, now) => age(c.metadata?.creationTimestamp, now),
  ),
  column<Csr>("SignerName", "signerName indicates the requested signer, and is a qualified name.  List/watch requests for CertificateSigningRequests can filter on this field using a \"spec.signerName=NAME\" fieldSelector.  Well-known Kubernetes signers are:  1. \"kubernetes.io/kube-apiserver-client\": issues client certificates that can be used to authenticate to kube-apiserver.   Requests for this signer are never auto-approved by kube-controller-manager, can be issued by the \"csrsigning\" controller in kube-controller-manager.  2. \"kubernetes.io/kube-apiserver-client-kubelet\": issues client certificates that kubelets use to authenticate to kube-apiserver.   Requests for this signer can be auto-approved by the \"csrapproving\" controller in kube-controller-manager, and can be issued by the \"csrsigning\" controller in kube-controller-manager.  3. \"kubernetes.io/kubelet-serving\" issues serving certificates that kubelets use to serve TLS endpoints, which kube-apiserver can connect to securely.   Requests for this signer are never auto-approved by kube-controller-manager, and can be issued by the \"csrsigning\" controller in kube-controller-manager.  More details are available at https://k8s.io/docs/reference/access-authn-authz/certificate-signing-requests/#kubernetes-signers  Custom signerNames can also be specified. The signer defines:  1. Trust distribution: how trust (CA bundles) are distributed.  2. Permitted subjects: and behavior when a disallowed subject is requested.  3. Required, permitted, or forbidden x509 extensions in the request (including whether subjectAltNames are allowed, which types, restrictions on allowed values) and behavior when a disallowed extension is requested.  4. Required, permitted, or forbidden key usages / extended key usages.  5. Expiration/certificate lifetime: whether it is fixed by the signer, configurable by the admin.  6. Whether or not requests for CA certificates are allowed.", (c) => c.spec?.signerName || "<none>"),
  column<Csr>("Requestor", 'request contains an x509 certificate signing request encoded in a "CERTIFICATE REQUEST" PEM block. When serialized as JSON or YAML, the data is additionally base64-encoded.', (c) => c.spec?.username ?? ""),
  column<Csr>("RequestedDuration", "expirationSeconds is the requested duration of validity of the issued certificate. The certificate signer may issue a certificate with a different validity duration so a client must check the delta between the notBefore and and notAfter fields in the issued certificate to determine the actual duration.  The v1.22+ in-tree implementations of the well-known Kubernetes signers will honor this field as long as the requested duration is not greater than the maximum duration they will honor per the --cluster-signing-duration CLI flag to the Kubernetes controller manager.  Certificate signers may not honor this field for various reasons:    1. Old signer that is unaware of the field (such as the in-tree      implementations prior to v1.22)   2. Signer whose configured maximum is shorter than the requested duration   3. Signer whose configured minimum is longer than the requested duration  The minimum valid value for expirationSeconds is 600, i.e. 10 minutes.", (c) =>
    c.spec?.expirationSeconds == null ? "<none>" : humanDuration(c.spec.expirationSeconds * 1000),
  ),
  column<Csr>("Condition", 'conditions applied to the request. Known conditions are "Approved", "Denied", and "Failed".', csrCondition),
];

export const certificateSigningRequestDefinition: ResourceDefinition = {
  group: "certificates.k8s.io",
  version: "v1",
  kind: "CertificateSigningRequest",
  plural: "certificatesigningrequests",
  singular: "certificatesigningrequest",
  shortNames: ["csr"],
  namespaced: false,
  statusSubresource: true,
  // upstream does not restrict CSR names beyond what a URL path segment can carry.
  nameRule: "path-segment",
  printerColumns,
  fieldSelectors: { "spec.signerName": (o) => asCsr(o).spec?.signerName ?? "" },
  strategy,
  extraSubresources: [approval],
};
