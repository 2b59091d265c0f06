import { expect, test } from "bun:test";
import { podTemplateDefinition as def } from "./podtemplate.ts";
import { create, headers, row } from "./testing.ts";

test("podtemplates: template defaults, validation at template paths, Table without AGE", () => {
  const { obj, errors } = create(def, { metadata: { name: "t" }, template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "c", image: "nginx:1.27" }] } } });
  expect(errors).toEqual([]);
  expect((obj.template as { metadata: object }).metadata).toEqual({ creationTimestamp: null, labels: { app: "web" } });
  expect((obj.template as { spec: { restartPolicy: string } }).spec.restartPolicy).toBe("Always");
  expect(create(def, { metadata: { name: "t" }, template: { spec: { containers: [] } } }).errors).toEqual(["template.spec.containers: Required value"]);
  expect(headers(def)).toEqual(["Name", "Containers", "Images", "Pod Labels"]);
  expect(row(def, obj)).toEqual({ Name: "t", Containers: "c", Images: "nginx:1.27", "Pod Labels": "app=web" });
});
