import { describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decide, parseAuditPolicy } from "./policy.ts";
import { AuditLogFile } from "./log-file.ts";

const policy = parseAuditPolicy(`
apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
  - level: None
    users: ["system:kube-proxy"]
    verbs: ["watch"]
  - level: RequestResponse
    resources: [{ group: "", resources: ["pods/log", "*/status"] }]
  - level: Metadata
    resources: [{ group: "", resources: ["secrets", "configmaps"] }]
  - level: Request
    resources: [{ group: "apps", resources: ["deployments/*"], resourceNames: ["web"] }]
    namespaces: ["prod"]
  - level: Metadata
    nonResourceURLs: ["/healthz*", "/version"]
  - level: Request
    userGroups: ["system:masters"]
    omitStages: [ResponseComplete]
    omitManagedFields: true
`);

const user = { username: "alice", groups: ["dev"] };
const res = (group: string, resource: string, subresource = "", namespace = "default", name = "x") => ({ group, resource, subresource, namespace, name });

describe("audit policy", () => {
  test("the first matching rule decides; no match is None", () => {
    expect(decide(policy, { user: { username: "system:kube-proxy", groups: [] }, verb: "watch", path: "/api/v1/endpoints", resource: res("", "endpoints") }).level).toBe("None");
    expect(decide(policy, { user, verb: "get", path: "", resource: res("", "pods", "log") }).level).toBe("RequestResponse");
    expect(decide(policy, { user, verb: "update", path: "", resource: res("apps", "deployments", "status") }).level).toBe("None");
    expect(decide(policy, { user, verb: "update", path: "", resource: res("", "nodes", "status") }).level).toBe("RequestResponse");
    expect(decide(policy, { user, verb: "get", path: "", resource: res("", "pods") }).level).toBe("None");
    expect(decide(policy, { user, verb: "list", path: "", resource: res("", "secrets") })).toEqual({ level: "Metadata", omitStages: new Set(["RequestReceived"]), omitManagedFields: false });
    expect(decide(policy, { user, verb: "update", path: "", resource: res("apps", "deployments", "scale", "prod", "web") }).level).toBe("Request");
    expect(decide(policy, { user, verb: "update", path: "", resource: res("apps", "deployments", "", "prod", "web") }).level).toBe("Request");
    expect(decide(policy, { user, verb: "update", path: "", resource: res("apps", "deployments", "", "prod", "api") }).level).toBe("None");
    expect(decide(policy, { user, verb: "get", path: "/healthz/ready" }).level).toBe("Metadata");
    expect(decide(policy, { user, verb: "get", path: "/metrics" }).level).toBe("None");
    expect(decide(policy, { user: { username: "admin", groups: ["system:masters"] }, verb: "create", path: "", resource: res("", "services") })).toEqual({
      level: "Request",
      omitStages: new Set(["RequestReceived", "ResponseComplete"]),
      omitManagedFields: true,
    });
  });

  test("bad policies are refused", () => {
    expect(() => parseAuditPolicy("apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: [{ level: Everything }]")).toThrow('rules[0].level: Unsupported value: "Everything"');
    expect(() => parseAuditPolicy("apiVersion: audit.k8s.io/v1beta1\nkind: Policy\nrules: []")).toThrow("expected apiVersion audit.k8s.io/v1");
    expect(() => parseAuditPolicy("apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: [{ level: None, nonResourceURLs: ['/x'], resources: [{ group: '' }] }]")).toThrow("cannot apply to both");
  });
});

describe("audit log file", () => {
  test("batched JSON lines, rotated by size, backups limited by count", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kts-audit-"));
    try {
      const log = new AuditLogFile({ path: join(dir, "audit.log"), maxSizeMB: 1, maxBackups: 2, flushMs: 5 });
      const big = "x".repeat(4000);
      for (let round = 0; round < 4; round++) {
        for (let i = 0; i < 300; i++) log.write({ round, i, big });
        await log.flush();
        await Bun.sleep(5);
      }
      await log.close();
      const files = readdirSync(dir).sort();
      expect(files).toContain("audit.log");
      const backups = files.filter((f) => f !== "audit.log");
      expect(backups.length).toBe(2);
      for (const b of backups) expect(b).toMatch(/^audit-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}\.log$/);
      const lines = readFileSync(join(dir, "audit.log"), "utf8").trim().split("\n");
      expect(JSON.parse(lines.at(-1)!)).toMatchObject({ round: 3, i: 299 });
      for (const f of files) expect(readFileSync(join(dir, f)).length).toBeLessThanOrEqual(1024 * 1024);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
