import { describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decide, parseAuditPolicy } from "./policy.ts";
import { AuditLogFile } from "./log-file.ts";
import { Auditor, type AuditRecord } from "./auditor.ts";
import { parseRequestInfo } from "../http/request-info.ts";
import { newRequestScope } from "../http/resource-handler.ts";

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

describe("audit stages of long-running requests", () => {
  // Everything at Metadata; alice's requests without their ResponseStarted stage.
  const stagesPolicy = parseAuditPolicy(`
apiVersion: audit.k8s.io/v1
kind: Policy
rules:
  - level: Metadata
    users: ["alice"]
    omitStages: [ResponseStarted]
  - level: Metadata
`);
  const admin = { username: "admin", groups: ["system:masters"] };

  /** Runs `act` on the record of one request and returns the stages the log got, as "Stage code". */
  async function stages(method: string, path: string, act: (r: AuditRecord) => Promise<void>, who = admin): Promise<string[]> {
    const dir = mkdtempSync(join(tmpdir(), "kts-audit-"));
    try {
      const file = new AuditLogFile({ path: join(dir, "audit.log"), maxSizeMB: 1, maxBackups: 1, flushMs: 5 });
      const auditor = new Auditor(stagesPolicy, file);
      const url = new URL(path, "https://127.0.0.1");
      const request = new Request(url.toString(), { method });
      const record = auditor.begin({ request, url, user: who, info: parseRequestInfo(method, url), sourceIPs: ["127.0.0.1"], scope: newRequestScope(request), auditID: "0a0b", receivedAt: Date.now() })!;
      record.received();
      await act(record);
      await auditor.close();
      const events = readFileSync(join(dir, "audit.log"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as { stage: string; responseStatus?: { code: number } });
      return events.map((e) => `${e.stage} ${e.responseStatus?.code ?? ""}`.trim());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  const streamed = (text: string, status = 200) => new Response(new Blob([text]).stream(), { status, headers: { "content-type": "text/plain" } });

  test("a streamed answer is ResponseStarted when it begins and ResponseComplete when its body ends", async () => {
    const seen = await stages("GET", "/api/v1/namespaces/default/pods?watch=true", async (r) => {
      const res = await r.respond(streamed('{"type":"ADDED"}\n'), true);
      await res.text();
    });
    expect(seen).toEqual(["RequestReceived", "ResponseStarted 200", "ResponseComplete 200"]);
  });

  test("a long-running request answered at once still has its ResponseStarted; a short one has not", async () => {
    const refusal = () => Response.json({ kind: "Status", status: "Failure", reason: "Forbidden", code: 403 }, { status: 403 });
    expect(await stages("GET", "/api/v1/namespaces/default/pods/p/log", async (r) => void (await r.respond(new Response(null, { status: 200 }), true)))).toEqual(["RequestReceived", "ResponseStarted 200", "ResponseComplete 200"]);
    expect(await stages("GET", "/api/v1/namespaces/default/pods/p", async (r) => void (await r.respond(refusal(), false)))).toEqual(["RequestReceived", "ResponseComplete 403"]);
  });

  test("a switched connection: ResponseStarted with the 101, ResponseComplete when it closes, once", async () => {
    const seen = await stages("POST", "/api/v1/namespaces/default/pods/p/exec?command=true", async (r) => {
      r.answered(101);
      r.closed(101);
      r.closed(101);
    });
    expect(seen).toEqual(["RequestReceived", "ResponseStarted 101", "ResponseComplete 101"]);
  });

  test("refused upgrades, before or by the handler, have both stages with the refusal's code", async () => {
    const notFound = Response.json({ kind: "Status", status: "Failure", reason: "NotFound", message: 'pods "p" not found', code: 404 }, { status: 404 });
    expect(
      await stages("GET", "/api/v1/namespaces/default/pods/p/exec?command=true", async (r) => {
        await r.refused(notFound);
        r.answered(404); // the refusal's own bytes on the socket
        r.closed(404);
      }),
    ).toEqual(["RequestReceived", "ResponseStarted 404", "ResponseComplete 404"]);
    expect(await stages("GET", "/api/v1/namespaces/default/pods/p/attach", async (r) => r.answered(400))).toEqual(["RequestReceived", "ResponseStarted 400", "ResponseComplete 400"]);
  });

  test("a failed authentication is one ResponseStarted event with the 401 and its Status; nothing follows", async () => {
    const unauthorized = Response.json({ kind: "Status", status: "Failure", message: "Unauthorized", reason: "Unauthorized", code: 401 }, { status: 401 });
    const seen = await stages("GET", "/api/v1/namespaces/default/pods", async (r) => {
      await r.unauthenticated(unauthorized.clone() as Response);
      await r.respond(unauthorized, false);
    });
    // stages() called received() first, as a request that did authenticate would; app.ts skips it for these.
    expect(seen).toEqual(["RequestReceived", "ResponseStarted 401"]);
  });

  test("omitStages leaves out ResponseStarted", async () => {
    const alice = { username: "alice", groups: [] };
    expect(await stages("GET", "/api/v1/namespaces/default/pods/p/exec?command=true", async (r) => {
      r.answered(101);
      r.closed(101);
    }, alice)).toEqual(["RequestReceived", "ResponseComplete 101"]);
  });
});
