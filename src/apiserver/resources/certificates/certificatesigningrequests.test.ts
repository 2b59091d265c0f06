import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { KubeObject } from "../../api/types.ts";
import type { RequestContext, SubresourceRequest } from "../../registry/definition.ts";
import type { GenericStore } from "../../registry/store.ts";
import { Registry } from "../../registry/registry.ts";
import { tempStore } from "../../../store/sqlite/testing.ts";
import { cells, create } from "../workloads/testing.ts";
import { certificateSigningRequestDefinition as def, csrCondition } from "./certificatesigningrequests.ts";
import { TEST_CERT_BASE64, TEST_CSR_BASE64, TEST_CSR_PEM } from "./testdata.ts";
import type { Csr } from "./types.ts";
import { apiFailure as failure } from "../../api/testing.ts";

const csr = (spec: Record<string, unknown> = {}, name = "alice"): KubeObject => ({
  apiVersion: "certificates.k8s.io/v1",
  kind: "CertificateSigningRequest",
  metadata: { name },
  spec: { request: TEST_CSR_BASE64, signerName: "kubernetes.io/kube-apiserver-client", usages: ["client auth"], ...spec },
});

describe("certificatesigningrequests: create", () => {
  test("the requester is recorded from the request's user, whatever the body said; the status starts empty", () => {
    const { obj, errors } = create(def, { ...csr({ username: "mallory", groups: ["system:masters"], uid: "x" }), status: { conditions: [{ type: "Approved", status: "True" }] } });
    expect(errors).toEqual([]);
    expect(obj.spec).toMatchObject({ username: "admin", groups: ["system:masters"] });
    expect((obj.spec as Record<string, unknown>).uid).toBeUndefined();
    expect(obj.status).toEqual({});
  });

  test("the request must be a PEM CERTIFICATE REQUEST signed by its key; the bytes are quoted as Go prints them", () => {
    expect(create(def, csr({ request: Buffer.from("no").toString("base64") })).errors).toEqual(["spec.request: Invalid value: []byte{0x6e, 0x6f}: PEM block type must be CERTIFICATE REQUEST"]);
    const tampered = TEST_CSR_PEM.replace("MIHYMIGAAgEAMB4xDjAMBgNVBAMMBWFsaWNl", "MIHYMIGAAgEAMB4xDjAMBgNVBAMMBWFsaWNm");
    const [err] = create(def, csr({ request: Buffer.from(tampered).toString("base64") })).errors;
    expect(err).toStartWith("spec.request: Invalid value: []byte{0x2d, 0x2d, 0x2d");
    expect(err).toEndWith("certificate request signature is invalid");
    expect(create(def, csr({ request: undefined })).errors).toEqual(["spec.request: Invalid value: []byte(nil): PEM block type must be CERTIFICATE REQUEST"]);
  });

  test("usages, signerName and expirationSeconds", () => {
    expect(create(def, csr({ usages: [], signerName: "" })).errors).toEqual(["spec.usages: Required value", "spec.signerName: Required value"]);
    const { errors } = create(def, csr({ usages: ["client auth", "flying", "client auth"], signerName: "kubernetes.io/legacy-unknown", expirationSeconds: 60 }));
    expect(errors[0]).toStartWith('spec.usages[1]: Unsupported value: "flying": supported values: "any", "cert sign", "client auth"');
    expect(errors.slice(1)).toEqual([
      'spec.usages[2]: Duplicate value: "client auth"',
      'spec.signerName: Invalid value: "kubernetes.io/legacy-unknown": the legacy signerName is not allowed via this API version',
      "spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 600 seconds (10 minutes)",
    ]);
    expect(create(def, csr({ signerName: "signer" })).errors).toEqual(["spec.signerName: Invalid value: \"signer\": must be a fully qualified domain and path of the form 'example.com/signer-name'"]);
    expect(create(def, csr({ signerName: "example/Signer" })).errors).toEqual([
      'spec.signerName: Invalid value: "example": should be a domain with at least two segments separated by dots',
      expect.stringContaining('spec.signerName: Invalid value: "Signer": validating component "Signer": a lowercase RFC 1123 subdomain'),
    ]);
  });
});

describe("certificatesigningrequests: Table", () => {
  test("NAME AGE SIGNERNAME REQUESTOR REQUESTEDDURATION CONDITION", () => {
    expect(def.printerColumns!.map((c) => c.name)).toEqual(["Name", "Age", "SignerName", "Requestor", "RequestedDuration", "Condition"]);
    const obj = create(def, csr({ expirationSeconds: 86400 })).obj;
    expect(cells(def, obj)).toEqual({ Name: "alice", Age: "0s", SignerName: "kubernetes.io/kube-apiserver-client", Requestor: "admin", RequestedDuration: "24h", Condition: "Pending" });
    const status = (conditions: string[], certificate?: string): Csr => ({ status: { conditions: conditions.map((type) => ({ type, status: "True" })), certificate } });
    expect(csrCondition(status(["Approved"], "x"))).toBe("Approved,Issued");
    expect(csrCondition(status(["Approved", "Denied", "Failed"]))).toBe("Denied,Failed");
  });
});

describe("certificatesigningrequests: updates, /approval and /status", () => {
  let backend: ReturnType<typeof tempStore>;
  let store: GenericStore;
  beforeAll(() => {
    backend = tempStore();
    store = new Registry(backend).add(def);
  });
  afterAll(() => backend.dispose());

  const ctx = (username = "admin"): RequestContext => ({ user: { username, groups: ["system:authenticated"] }, namespace: "", dryRun: false, now: Date.parse("2025-01-01T00:00:00Z") });
  const approval = def.extraSubresources!.find((s) => s.name === "approval")!;
  const req = (name: string): SubresourceRequest => ({ store, namespace: "", name, ctx: ctx(), dryRun: false, resources: { lookup: () => undefined } });
  const withConditions = (obj: KubeObject, types: string[]): KubeObject => ({ ...obj, status: { ...(obj.status as object), conditions: types.map((type) => ({ type, status: "True", reason: "Test", message: "m" })) } });


  test("the spec (requester included) cannot change through an update", async () => {
    const created = await store.create("", csr({}, "immutable"), ctx("bob"));
    const changed = structuredClone(created);
    (changed.spec as Record<string, unknown>).username = "root";
    (changed.spec as Record<string, unknown>).usages = ["server auth"];
    const { object } = await store.update("", "immutable", changed, ctx("root"));
    expect(object.spec).toEqual(created.spec);
    expect((object.spec as Record<string, unknown>).username).toBe("bob");
  });

  test("approval adds Approved with timestamps; Approved and Denied together are invalid; conditions cannot be removed", async () => {
    const created = await store.create("", csr({}, "approve-me"), ctx());
    const approved = await approval.update!(req("approve-me"), withConditions(created, ["Approved"]));
    expect((approved.status as Record<string, unknown>).conditions).toEqual([
      { type: "Approved", status: "True", reason: "Test", message: "m", lastUpdateTime: "2025-01-01T00:00:00Z", lastTransitionTime: "2025-01-01T00:00:00Z" },
    ]);
    expect(cells(def, approved).Condition).toBe("Approved");
    const both = await failure(approval.update!(req("approve-me"), withConditions(approved, ["Approved", "Denied"])));
    expect(both.code).toBe(422);
    expect(both.message).toBe(
      'CertificateSigningRequest.certificates.k8s.io "approve-me" is invalid: status.conditions: Invalid value: [{"type":"Approved","status":"True","reason":"Test","message":"m","lastUpdateTime":"2025-01-01T00:00:00Z","lastTransitionTime":"2025-01-01T00:00:00Z"},{"type":"Denied","status":"True","reason":"Test","message":"m","lastUpdateTime":"2025-01-01T00:00:00Z","lastTransitionTime":"2025-01-01T00:00:00Z"}]: Approved and Denied conditions are mutually exclusive',
    );
    const removed = await failure(approval.update!(req("approve-me"), withConditions(approved, [])));
    expect(removed.message).toContain('status.conditions: Forbidden: updates may not remove a condition of type "Approved"');
    expect((await failure(approval.update!(req("approve-me"), { ...withConditions(approved, ["Approved"]), metadata: { name: "other" } }))).code).toBe(400);
  });

  test("/status sets the certificate once, and cannot approve", async () => {
    const created = await store.create("", csr({}, "issue-me"), ctx());
    const approved = await approval.update!(req("issue-me"), withConditions(created, ["Approved"]));
    const issued = await store.update("", "issue-me", { ...approved, status: { ...(approved.status as object), certificate: TEST_CERT_BASE64 } }, ctx(), { subresource: "status" });
    expect(cells(def, issued.object).Condition).toBe("Approved,Issued");
    const again = await failure(store.update("", "issue-me", { ...issued.object, status: { ...(issued.object.status as object), certificate: Buffer.from("x").toString("base64") } }, ctx(), { subresource: "status" }));
    expect(again.message).toContain("status.certificate: Forbidden: updates may not modify existing certificate content");
    expect(again.message).toContain('status.certificate: Invalid value: "<certificate data>": must contain at least one CERTIFICATE PEM block');
    const other = await store.create("", csr({}, "not-approved"), ctx());
    const sneaky = await failure(store.update("", "not-approved", withConditions(other, ["Approved"]), ctx(), { subresource: "status" }));
    expect(sneaky.message).toContain('status.conditions: Forbidden: updates may not add a condition of type "Approved"');
  });

  test("the main endpoint cannot set a certificate either: the stored status is kept", async () => {
    const created = await store.create("", csr({}, "main"), ctx());
    const { object } = await store.update("", "main", { ...created, status: { certificate: TEST_CERT_BASE64 } }, ctx());
    expect(object.status).toEqual({});
  });
});
