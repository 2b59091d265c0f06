import { describe, expect, test } from "bun:test";
import { replicationControllerDefinition as def } from "./replicationcontroller.ts";
import { ago, create, headers, row, selectable } from "./testing.ts";

const template = { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "nginx", image: "nginx:1.27" }, { name: "log", image: "busybox" }] } };
const rc = (spec: object, extra: object = {}) => ({ apiVersion: "v1", kind: "ReplicationController", metadata: { name: "web", namespace: "default" }, spec, ...extra });

describe("replicationcontrollers", () => {
  test("selector, labels and replicas default from the template", () => {
    const { obj, errors } = create(def, rc({ template }));
    expect(errors).toEqual([]);
    expect(obj.metadata?.labels).toEqual({ app: "web" });
    expect((obj.spec as { selector: object; replicas: number }).selector).toEqual({ app: "web" });
    expect((obj.spec as { replicas: number }).replicas).toBe(1);
    expect(obj.status).toEqual({ replicas: 0 });
  });

  test.each<[string, object, string[]]>([
    ["selector not matching", { selector: { app: "db" }, template }, ['spec.template.metadata.labels: Invalid value: {"app":"web"}: `selector` does not match template `labels`']],
    ["negative replicas", { replicas: -1, template }, ["spec.replicas: Invalid value: -1: must be greater than or equal to 0"]],
    [
      "restart policy",
      { template: { ...template, spec: { ...template.spec, restartPolicy: "OnFailure" } } },
      ['spec.template.spec.restartPolicy: Unsupported value: "OnFailure": supported values: "Always"'],
    ],
    ["no template", { selector: { app: "web" } }, ["spec.template: Required value"]],
  ])("%s", (_n, spec, want) => {
    expect(create(def, rc(spec)).errors).toEqual(want);
  });

  test("table and selector", () => {
    expect(headers(def)).toEqual(["Name", "Desired", "Current", "Ready", "Age", "Containers(wide)", "Images(wide)", "Selector(wide)"]);
    const obj = rc({ replicas: 3, selector: { app: "web" }, template }, { metadata: { name: "web", creationTimestamp: ago(3_600_000 * 30) }, status: { replicas: 3, readyReplicas: 2 } });
    expect(row(def, obj)).toEqual({ Name: "web", Desired: 3, Current: 3, Ready: 2, Age: "30h", Containers: "nginx,log", Images: "nginx:1.27,busybox", Selector: "app=web" });
    expect(selectable(def, obj)).toEqual({ "status.replicas": "3" });
  });
});
