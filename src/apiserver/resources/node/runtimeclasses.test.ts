import { describe, expect, test } from "bun:test";
import type { KubeObject } from "../../api/types.ts";
import { cells, create, NOW, update } from "../workloads/testing.ts";
import { runtimeClassDefinition as def } from "./runtimeclasses.ts";

const rc = (extra: Record<string, unknown>): KubeObject => ({ apiVersion: "node.k8s.io/v1", kind: "RuntimeClass", metadata: { name: "gvisor" }, handler: "runsc", ...extra });

const DNS_LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

describe("runtimeclasses", () => {
  test("overhead and scheduling are kept; overhead quantities are canonical", () => {
    const scheduling = { nodeSelector: { "runtime/gvisor": "true" }, tolerations: [{ key: "gvisor", operator: "Exists", effect: "NoSchedule" }] };
    const { obj, errors } = create(def, rc({ overhead: { podFixed: { cpu: "0.25", memory: "120Mi" } }, scheduling }));
    expect(errors).toEqual([]);
    expect(obj.overhead).toEqual({ podFixed: { cpu: "250m", memory: "120Mi" } });
    expect(obj.scheduling).toEqual(scheduling);
  });

  test.each<[string, Record<string, unknown>, string[]]>([
    ["a handler with dots", { handler: "runsc.v1" }, [`handler: Invalid value: "runsc.v1": ${DNS_LABEL_MSG}`]],
    ["no handler", { handler: undefined }, [`handler: Invalid value: "": ${DNS_LABEL_MSG}`]],
    ["a negative overhead", { overhead: { podFixed: { cpu: "-1" } } }, ['overhead.limits[cpu]: Invalid value: "-1": must be greater than or equal to 0']],
    [
      "a bad node selector value",
      { scheduling: { nodeSelector: { zone: "a b" } } },
      [
        `scheduling.nodeSelector: Invalid value: "a b": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
      ],
    ],
    [
      "the same toleration twice",
      { scheduling: { tolerations: [{ key: "k", value: "v", effect: "NoSchedule" }, { key: "k", value: "v", effect: "NoSchedule", tolerationSeconds: 5 }] } },
      [
        `scheduling.tolerations[1].effect: Invalid value: "NoSchedule": effect must be 'NoExecute' when \`tolerationSeconds\` is set`,
        'scheduling.tolerations[1]: Duplicate value: core.Toleration{Key:"k", Operator:"", Value:"v", Effect:"NoSchedule", TolerationSeconds:(*int64)(0xc000010000)}',
      ],
    ],
  ])("rejects %s", (_, extra, messages) => {
    expect(create(def, rc(extra)).errors).toEqual(messages);
  });

  test("the handler is immutable; overhead may change", () => {
    const old = create(def, rc({})).obj;
    expect(update(def, rc({ overhead: { podFixed: { memory: "64Mi" } } }), old).errors).toEqual([]);
    expect(update(def, rc({ handler: "kata" }), old).errors).toEqual(['handler: Invalid value: "kata": field is immutable']);
  });

  test("prints NAME HANDLER AGE", () => {
    const obj = { ...rc({}), metadata: { name: "gvisor", creationTimestamp: new Date(NOW - 60_000).toISOString() } };
    expect(cells(def, obj)).toEqual({ Name: "gvisor", Handler: "runsc", Age: "60s" });
  });

  test("discovery metadata", () => {
    expect(def).toMatchObject({ group: "node.k8s.io", version: "v1", plural: "runtimeclasses", namespaced: false });
    expect(def.shortNames).toBeUndefined();
  });
});
