import { describe, expect, test } from "bun:test";
import { resourceQuotaDefinition as def } from "./resourcequota.ts";
import { ago, create, headers, row, update } from "./testing.ts";

const rq = (spec: object, extra: object = {}) => ({ apiVersion: "v1", kind: "ResourceQuota", metadata: { name: "q", namespace: "default" }, spec, ...extra });

describe("resourcequotas", () => {
  test("a new quota has an empty status and canonical quantities", () => {
    const { obj, errors } = create(def, rq({ hard: { "requests.memory": "1024Mi", pods: "10", "count/deployments.apps": "2" } }));
    expect(errors).toEqual([]);
    expect(obj.spec).toEqual({ hard: { "requests.memory": "1Gi", pods: "10", "count/deployments.apps": "2" } });
    expect(obj.status).toEqual({});
  });

  test.each<[string, object, string[]]>([
    ["unknown resource", { hard: { gpus: "1" } }, ['spec.hard[gpus]: Invalid value: "gpus": must be a standard resource type or fully qualified', 'spec.hard[gpus]: Invalid value: "gpus": must be a standard resource for quota']],
    ["non-integer count", { hard: { pods: "1.5" } }, ['spec.hard[pods]: Invalid value: "1500m": must be an integer']],
    ["negative", { hard: { cpu: "-1" } }, ['spec.hard[cpu]: Invalid value: "-1": must be greater than or equal to 0']],
    ["scope not fitting a resource", { hard: { secrets: "1" }, scopes: ["BestEffort"] }, ['spec.scopes: Invalid value: ["BestEffort"]: unsupported scope applied to resource']],
    ["conflicting scopes", { hard: { pods: "1" }, scopes: ["Terminating", "NotTerminating"] }, ['spec.scopes: Invalid value: ["Terminating","NotTerminating"]: conflicting scopes']],
  ])("%s", (_n, spec, want) => {
    expect(create(def, rq(spec)).errors).toEqual(want);
  });

  test("scopes are immutable", () => {
    const stored = create(def, rq({ hard: { pods: "5" }, scopes: ["NotTerminating"] })).obj;
    expect(update(def, rq({ hard: { pods: "5" }, scopes: ["Terminating"] }), stored).errors).toEqual(['spec.scopes: Invalid value: ["Terminating"]: field is immutable']);
    expect(update(def, rq({ hard: { pods: "6" }, scopes: ["NotTerminating"] }), stored).errors).toEqual([]);
  });

  test("REQUEST and LIMIT columns", () => {
    expect(headers(def)).toEqual(["Name", "Age", "Request", "Limit"]);
    const q = rq(
      {},
      {
        metadata: { name: "compute", creationTimestamp: ago(90_000) },
        status: { hard: { pods: "10", "requests.cpu": "1", "limits.cpu": "2", "limits.memory": "2Gi" }, used: { pods: "3", "requests.cpu": "500m", "limits.cpu": "1" } },
      },
    );
    expect(row(def, q)).toEqual({ Name: "compute", Age: "90s", Request: "pods: 3/10, requests.cpu: 500m/1", Limit: "limits.cpu: 1/2, limits.memory: 0/2Gi" });
  });
});
