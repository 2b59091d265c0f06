/**
 * CustomResourceDefinitions against a real `kts server` and a real kubectl 1.32: a CRD is
 * served right after its creation, custom objects are pruned, defaulted and validated by its
 * schema, printed with its columns, scaled, read through two versions, explained, cleaned up
 * with the CRD, and still served after a restart.
 */
import { expect, setDefaultTimeout, test } from "bun:test";
import type { Reply } from "../../testing/api-client.ts";
import { ANY_OBJECT_V1, applyCrds, crdManifest, serverForFile, singleVersion, until } from "./fixtures.ts";

setDefaultTimeout(60_000);

const { s, api, restart } = serverForFile();

/** The schema of v1: the structural features the schema engine handles. */
const v1Schema = `
        type: object
        required: [spec]
        properties:
          spec:
            type: object
            description: What the widget should be.
            required: [image]
            x-kubernetes-validations:
            - {rule: "self.color != 'blue' || self.replicas <= 5", message: blue widgets run at most 5 replicas}
            - {rule: "!has(oldSelf.image) || self.image == oldSelf.image || self.replicas == 0", message: the image changes only at zero replicas}
            properties:
              image: {type: string, minLength: 1, description: The image to run.}
              color: {type: string, enum: [red, green, blue], default: red}
              replicas: {type: integer, format: int32, minimum: 0, maximum: 10, default: 1}
              ratio: {type: number, maximum: 1, exclusiveMaximum: true}
              port: {x-kubernetes-int-or-string: true}
              schedule: {type: string, pattern: '^(@hourly|@daily|\\S+ \\S+ \\S+ \\S+ \\S+)$'}
              labels: {type: object, maxProperties: 4, additionalProperties: {type: string}}
              tags: {type: array, maxItems: 3, items: {type: string}, x-kubernetes-list-type: set}
              ports:
                type: array
                x-kubernetes-list-type: map
                x-kubernetes-list-map-keys: [name]
                items:
                  type: object
                  required: [name]
                  properties:
                    name: {type: string}
                    number: {type: integer}
                    protocol: {type: string, default: TCP}
              note: {type: string, nullable: true}
              startAt: {type: string, format: date-time}
              enabled: {type: boolean}
              priority: {type: integer, minimum: 1, maximum: 100}
              aliases: {type: array, minItems: 1, items: {type: string}}
              id: {type: string, format: uuid}
              extra: {type: object, x-kubernetes-preserve-unknown-fields: true}
              template: {type: object, x-kubernetes-embedded-resource: true, x-kubernetes-preserve-unknown-fields: true}
          status:
            type: object
            properties:
              replicas: {type: integer, minimum: 0}
              selector: {type: string}
              phase: {type: string}`;

const widgetsCrd = crdManifest(
  { group: "example.com", plural: "widgets", kind: "Widget", names: "singular: widget, shortNames: [wd], categories: [all]" },
  `
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:${v1Schema}
    selectableFields:
    - jsonPath: .spec.color
    subresources:
      status: {}
      scale: {specReplicasPath: .spec.replicas, statusReplicasPath: .status.replicas, labelSelectorPath: .status.selector}
    additionalPrinterColumns:
    - {name: Color, type: string, jsonPath: .spec.color}
    - {name: Replicas, type: integer, jsonPath: .spec.replicas}
    - {name: Phase, type: string, jsonPath: .status.phase, description: Where the widget is.}
    - {name: Image, type: string, jsonPath: .spec.image, priority: 1}
    - {name: Age, type: date, jsonPath: .metadata.creationTimestamp}
  - name: v1beta1
    served: true
    storage: false
    deprecated: true
    schema:
      openAPIV3Schema:
        type: object
        x-kubernetes-preserve-unknown-fields: true
    subresources:
      status: {}
`,
);

const widget = (name: string, spec: string, apiVersion = "example.com/v1") => `
apiVersion: ${apiVersion}
kind: Widget
metadata: {name: ${name}}
spec: ${spec}
`;

test("a CRD applied and an object applied right after it, in one go", async () => {
  const started = performance.now();
  expect(await s.kubectl(["apply", "-f", "-"], { stdin: widgetsCrd })).toMatchObject({ code: 0, stdout: "customresourcedefinition.apiextensions.k8s.io/widgets.example.com created\n" });
  // --validate=false: kubectl's default is the Strict field validation, which refuses unknown fields.
  const created = await s.kubectl(["apply", "--validate=false", "-f", "-"], {
    stdin: widget("w1", "{image: nginx, replicas: 2, port: http, unknownField: dropped, template: {apiVersion: v1, kind: ConfigMap, metadata: {name: t, bogus: x}, data: {k: v}}}"),
  });
  const ms = performance.now() - started;
  expect(created).toMatchObject({ code: 0, stdout: "widget.example.com/w1 created\n" });
  console.log(`CRD apply -> object created (two kubectl runs): ${ms.toFixed(0)} ms`);
  expect(await s.k("wait", "--for=condition=Established", "crd/widgets.example.com", "--timeout=10s")).toBe("customresourcedefinition.apiextensions.k8s.io/widgets.example.com condition met\n");
});

test("the CRD's status: accepted names, conditions, stored versions; its table", async () => {
  const crd = JSON.parse(await s.k("get", "crd", "widgets.example.com", "-o", "json"));
  expect(crd.spec.conversion).toEqual({ strategy: "None" });
  expect(crd.spec.names.listKind).toBe("WidgetList");
  expect(crd.status.acceptedNames).toEqual({ plural: "widgets", singular: "widget", kind: "Widget", listKind: "WidgetList", shortNames: ["wd"], categories: ["all"] });
  expect(crd.status.storedVersions).toEqual(["v1"]);
  const conditions = Object.fromEntries(crd.status.conditions.map((c: { type: string; status: string; reason: string }) => [c.type, [c.status, c.reason]]));
  expect(conditions).toEqual({ NamesAccepted: ["True", "NoConflicts"], Established: ["True", "InitialNamesAccepted"] });
  expect(await s.k("get", "crds")).toMatch(/^NAME\s+CREATED AT\nwidgets\.example\.com\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\n$/);
});

test("objects are pruned and defaulted by the schema", async () => {
  const w1 = JSON.parse(await s.k("get", "widget", "w1", "-o", "json"));
  // Unknown fields go, defaults come; an embedded resource keeps its fields but only ObjectMeta's metadata.
  expect(w1.spec).toEqual({ image: "nginx", replicas: 2, port: "http", color: "red", template: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "t" }, data: { k: "v" } } });
  expect(w1.metadata.generation).toBe(1);
  expect(w1.status).toBeUndefined();
});

test("a valid object using every feature of the schema: stored pruned and defaulted, nulls as the schema allows", async () => {
  const full = {
    apiVersion: "example.com/v1",
    kind: "Widget",
    metadata: { name: "full" },
    spec: {
      image: "nginx",
      color: null, // not nullable, with a default: defaulted
      schedule: null, // not nullable, no default: dropped
      note: null, // nullable: kept
      replicas: 3,
      ratio: 0.5,
      port: 8080,
      labels: { a: "1" },
      tags: ["x", "y"],
      ports: [{ name: "http", number: 80, unknown: 1 }],
      startAt: "2024-05-01T10:00:00Z",
      enabled: false,
      priority: 100,
      aliases: ["w"],
      id: "0b9e2d1c-4c8a-4b8e-9d8f-1a2b3c4d5e6f",
      extra: { anything: { nested: [1, { deep: true }] } },
      template: { apiVersion: "v1", kind: "Pod", metadata: { name: "p", labels: { a: "b" }, unknown: "x" }, spec: { containers: [] } },
    },
    status: { phase: "ignored on create" },
  };
  const created = await fetchApi("POST", "/apis/example.com/v1/namespaces/default/widgets", full);
  expect(created.status).toBe(201);
  const { color: _c, schedule: _s, ports: _p, template: _t, ...rest } = full.spec;
  const stored = created.json<{ spec: Record<string, unknown>; status?: unknown }>();
  expect(stored.spec).toEqual({
    ...rest,
    color: "red",
    // Unknown fields go, also inside list items; the item's default comes.
    ports: [{ name: "http", number: 80, protocol: "TCP" }],
    // An embedded object keeps its fields, but its metadata only what ObjectMeta has.
    template: { apiVersion: "v1", kind: "Pod", metadata: { name: "p", labels: { a: "b" } }, spec: { containers: [] } },
  });
  // With a status subresource, a create's status is dropped.
  expect(stored.status).toBeUndefined();
  expect(JSON.parse(await s.k("get", "widget", "full", "-o", "json")).spec).toEqual(stored.spec);
  await s.k("delete", "widget", "full");
});

test("an invalid object is refused with one 422 naming every violated field", async () => {
  const bad = widget(
    "bad",
    "{color: purple, replicas: 20, ratio: 1, schedule: 'every day', tags: [a, a, b, c], ports: [{name: x}, {name: x}], labels: {a: '1', b: '2', c: '3', d: '4', e: '5'}, template: {kind: ConfigMap}, " +
      "enabled: 'yes', priority: 0, aliases: [], id: not-a-uuid, startAt: yesterday, port: [80], note: 5}",
  );
  const r = await s.kubectl(["apply", "-f", "-"], { stdin: bad });
  expect(r.code).toBe(1);
  expect(r.stderr).toStartWith('The Widget "bad" is invalid: \n');
  // One message for the whole object, a line per violation, each as upstream words it.
  const expected = [
    "spec.image: Required value",
    'spec.color: Unsupported value: "purple": supported values: "red", "green", "blue"',
    "spec.replicas: Invalid value: 20: spec.replicas in body should be less than or equal to 10",
    "spec.ratio: Invalid value: 1: spec.ratio in body should be less than 1",
    'spec.schedule: Invalid value: "every day": spec.schedule in body should match \'^(@hourly|@daily|\\S+ \\S+ \\S+ \\S+ \\S+)$\'',
    "spec.tags: Too many: 4: must have at most 3 items",
    'spec.tags[1]: Duplicate value: "a"',
    'spec.ports[1]: Duplicate value: map[string]interface {}{"name":"x"}',
    "spec.labels: Too many: 5: must have at most 4 items",
    "spec.template.apiVersion: Required value: must not be empty",
    'spec.enabled: Invalid value: "string": spec.enabled in body must be of type boolean: "string"',
    "spec.priority: Invalid value: 0: spec.priority in body should be greater than or equal to 1",
    "spec.aliases: Invalid value: 0: spec.aliases in body should have at least 1 items",
    'spec.id: Invalid value: "not-a-uuid": spec.id in body must be of type uuid: "not-a-uuid"',
    'spec.startAt: Invalid value: "yesterday": spec.startAt in body must be of type date-time: "yesterday"',
    'spec.port: Invalid value: "array": spec.port in body must be of type integer,string: "array"',
    'spec.note: Invalid value: "integer": spec.note in body must be of type string: "integer"',
  ];
  const lines = r.stderr.trimEnd().split("\n").slice(1);
  for (const line of expected) expect(lines).toContain(`* ${line}`);
  // With errors like these, the CEL rules are not run (upstream's hasBlockingErr).
  expect(r.stderr).toContain("some validation rules were not checked because the object was invalid");

  const raw = await fetchApi("POST", "/apis/example.com/v1/namespaces/default/widgets", { apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "bad" }, spec: { image: 5 } });
  expect(raw.status).toBe(422);
  const status = raw.json<{ details: { causes: unknown[] } }>();
  expect(status).toMatchObject({ kind: "Status", reason: "Invalid", code: 422, details: { name: "bad", group: "example.com", kind: "Widget" } });
  expect(status.details.causes).toContainEqual(expect.objectContaining({ message: 'Invalid value: "integer": spec.image in body must be of type string: "integer"', field: "spec.image" }));
});

test("x-kubernetes-validations rules, transition rules included", async () => {
  const blue = await s.kubectl(["apply", "-f", "-"], { stdin: widget("cel", "{image: nginx, color: blue, replicas: 7}") });
  expect(blue.code).toBe(1);
  expect(blue.stderr).toContain('The Widget "cel" is invalid: spec: Invalid value: "object": blue widgets run at most 5 replicas');
  expect((await s.kubectl(["apply", "-f", "-"], { stdin: widget("cel", "{image: nginx, replicas: 2}") })).code).toBe(0);
  const retag = await s.kubectl(["patch", "widget", "cel", "--type=merge", "-p", '{"spec":{"image":"nginx:2"}}']);
  expect(retag.stderr).toContain('spec: Invalid value: "object": the image changes only at zero replicas');
  expect(await s.k("patch", "widget", "cel", "--type=merge", "-p", '{"spec":{"image":"nginx:2","replicas":0}}')).toBe("widget.example.com/cel patched\n");
  await s.k("delete", "widget", "cel");
});

test("kubectl get <shortname> prints the printer columns; -o wide adds priority ones", async () => {
  expect((await s.kubectl(["apply", "-f", "-"], { stdin: widget("w2", "{image: redis, color: blue}") })).code).toBe(0);
  const table = await s.k("get", "wd");
  expect(table).toMatch(/^NAME\s+COLOR\s+REPLICAS\s+PHASE\s+AGE\n/);
  // A missing value is an empty cell (null in the Table), as upstream's CRD printer leaves it.
  expect(table).toMatch(/\nw1\s+red\s+2\s+\d+s\n/);
  expect(table).toMatch(/\nw2\s+blue\s+1\s+\d+s\n/);
  expect(await s.k("get", "wd", "w2", "-o", "wide")).toMatch(/^NAME\s+COLOR\s+REPLICAS\s+PHASE\s+IMAGE\s+AGE\nw2\s+blue\s+1\s+redis\s+\d+s\n$/);
});

test("selectable fields work as field selectors", async () => {
  expect(await s.k("get", "wd", "--field-selector", "spec.color=blue", "-o", "name")).toBe("widget.example.com/w2\n");
  const unsupported = await s.kubectl(["get", "wd", "--field-selector", "spec.image=redis"]);
  expect(unsupported.code).toBe(1);
  expect(unsupported.stderr).toContain('field label not supported: spec.image');
});

test("re-applying an object patches it with a JSON merge patch (no strategic merge for custom kinds)", async () => {
  expect(await s.kubectl(["apply", "-f", "-"], { stdin: widget("w2", "{image: redis, color: green, tags: [x]}") })).toMatchObject({ code: 0, stdout: "widget.example.com/w2 configured\n" });
  const w2 = JSON.parse(await s.k("get", "widget", "w2", "-o", "json"));
  expect(w2.spec).toMatchObject({ image: "redis", color: "green", tags: ["x"] });
  expect(w2.metadata.generation).toBe(2);
  const strategic = await fetchApi("PATCH", "/apis/example.com/v1/namespaces/default/widgets/w2", undefined, "application/strategic-merge-patch+json", '{"spec":{"color":"blue"}}');
  expect(strategic.status).toBe(415);
  await s.k("patch", "widget", "w2", "--type=merge", "-p", '{"spec":{"color":"blue","tags":null}}');
});

test("discovery lists the resource with its short names and categories", async () => {
  const resources = await s.k("api-resources", "--api-group=example.com");
  expect(resources).toMatch(/\nwidgets\s+wd\s+example\.com\/v1\s+true\s+Widget\n/);
  const group = (await fetchApi("GET", "/apis/example.com")).json<{ versions: Array<{ version: string }>; preferredVersion: { version: string } }>();
  expect(group.versions.map((v) => v.version)).toEqual(["v1", "v1beta1"]);
  expect(group.preferredVersion.version).toBe("v1");
});

test("kubectl get all lists custom resources of the category all", async () => {
  const all = await s.k("get", "all");
  expect(all).toContain("widget.example.com/w1");
  expect(all).toContain("widget.example.com/w2");
});

test("the status subresource: the main resource ignores status, /status changes only status", async () => {
  expect(await s.k("patch", "widget", "w1", "--subresource=status", "--type=merge", "-p", '{"status":{"replicas":2,"phase":"Running","selector":"app=w1"},"spec":{"image":"ignored"}}')).toBe("widget.example.com/w1 patched\n");
  const w1 = JSON.parse(await s.k("get", "widget", "w1", "-o", "json"));
  expect(w1.status).toEqual({ replicas: 2, phase: "Running", selector: "app=w1" });
  expect(w1.spec.image).toBe("nginx");
  expect(w1.metadata.generation).toBe(1);
  await s.k("patch", "widget", "w1", "--type=merge", "-p", '{"status":{"phase":"Lost"}}');
  expect(await s.k("get", "widget", "w1", "-o", "jsonpath={.status.phase}")).toBe("Running");
  const invalid = await s.kubectl(["patch", "widget", "w1", "--subresource=status", "--type=merge", "-p", '{"status":{"replicas":-1}}']);
  expect(invalid.code).toBe(1);
  // The status schema's error (named relative to status, as upstream's status validator names it) and the scale subresource's.
  expect(invalid.stderr).toBe('The Widget "w1" is invalid: \n* status.replicas: Invalid value: -1: replicas in body should be greater than or equal to 0\n* .status.replicas: Invalid value: -1: should be a non-negative integer\n');
  expect(await s.k("get", "wd", "w1")).toMatch(/\nw1\s+red\s+2\s+Running\s+/);
});

test("kubectl scale drives spec.replicas through the scale subresource", async () => {
  expect(await s.k("scale", "widget", "w1", "--replicas=5")).toBe("widget.example.com/w1 scaled\n");
  const w1 = JSON.parse(await s.k("get", "widget", "w1", "-o", "json"));
  expect(w1.spec.replicas).toBe(5);
  expect(w1.metadata.generation).toBe(2);
  const scale = JSON.parse(await s.k("get", "widget", "w1", "--subresource=scale", "-o", "json"));
  expect(scale).toMatchObject({ kind: "Scale", apiVersion: "autoscaling/v1", spec: { replicas: 5 }, status: { replicas: 2, selector: "app=w1" } });
  const tooMany = await s.kubectl(["scale", "widget", "w1", "--replicas=50"]);
  expect(tooMany.code).toBe(1);
  expect(tooMany.stderr).toContain("spec.replicas: Invalid value: 50: spec.replicas in body should be less than or equal to 10");
});

test("kubectl explain reads the schema", async () => {
  const explained = await s.k("explain", "widget.spec");
  expect(explained).toContain("KIND:       Widget");
  expect(explained).toContain("VERSION:    v1");
  expect(explained).toContain("What the widget should be.");
  expect(explained).toMatch(/image\s+<string> -required-\n\s+The image to run\./);
  // An enum shows in the field's explanation.
  expect(await s.k("explain", "widget.spec.color")).toMatch(/FIELD: color <string>\nENUM:\n\s+red\n\s+green\n\s+blue\n/);
});

test("both versions read and write the same objects; objects are stored in the storage version", async () => {
  const read = await s.kubectl(["get", "widgets.v1beta1.example.com", "w1", "-o", "json"]);
  expect(read.stderr).toBe("Warning: example.com/v1beta1 Widget is deprecated; use example.com/v1 Widget\n");
  const beta = JSON.parse(read.stdout);
  expect(beta.apiVersion).toBe("example.com/v1beta1");
  expect(beta.spec.replicas).toBe(5);
  expect((await s.kubectl(["apply", "-f", "-"], { stdin: widget("w3", "{image: busybox, legacy: kept}", "example.com/v1beta1") })).code).toBe(0);
  const viaV1 = JSON.parse(await s.k("get", "widgets.v1.example.com", "w3", "-o", "json"));
  expect(viaV1.apiVersion).toBe("example.com/v1");
  // Stored as v1, the object is decoded with v1's schema whichever version reads it (upstream's
  // storage codec): v1's defaults appear and the field v1 does not know is pruned.
  expect(viaV1.spec).toEqual({ image: "busybox", color: "red", replicas: 1 });
  const viaBeta = JSON.parse(await s.k("get", "widgets.v1beta1.example.com", "w3", "-o", "json"));
  expect(viaBeta.spec).toEqual({ image: "busybox", color: "red", replicas: 1 });
  expect(JSON.parse(await s.k("get", "crd", "widgets.example.com", "-o", "json")).status.storedVersions).toEqual(["v1"]);
});

test("a CRD with a non-structural schema is refused with a clear message", async () => {
  const r = await s.kubectl(["apply", "-f", "-"], {
    stdin: crdManifest(
      { group: "example.com", plural: "sloppies", kind: "Sloppy" },
      singleVersion("v1", "{type: object, properties: {spec: {properties: {size: {type: integer}}}}}"),
    ),
  });
  expect(r.code).toBe(1);
  expect(r.stderr).toContain('The CustomResourceDefinition "sloppies.example.com" is invalid: spec.validation.openAPIV3Schema.properties[spec].type: Required value: must not be empty for specified object fields');

  // Several problems at once, each named; with one schema per version, under the version's path.
  const several = await s.kubectl(["apply", "-f", "-"], {
    stdin: crdManifest(
      { group: "example.com", plural: "messes", kind: "Mess" },
      `
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          metadata: {type: object, properties: {labels: {type: object}}}
          spec:
            type: object
            properties:
              list: {type: array}
              choice: {type: string, anyOf: [{type: string}, {type: integer}]}
  - name: v2
    served: true
    storage: false
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec: {properties: {x: {type: string}}}
`,
    ),
  });
  expect(several.code).toBe(1);
  expect(several.stderr).toBe(
    'The CustomResourceDefinition "messes.example.com" is invalid: \n' +
      "* spec.versions[0].schema.openAPIV3Schema.properties[metadata]: Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified\n" +
      "* spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[choice].anyOf[0].type: Forbidden: must be empty to be structural\n" +
      "* spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[choice].anyOf[1].type: Forbidden: must be empty to be structural\n" +
      "* spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[list].items: Required value: must be specified\n" +
      "* spec.versions[1].schema.openAPIV3Schema.properties[spec].type: Required value: must not be empty for specified object fields\n",
  );
  expect((await fetchApi("GET", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/messes.example.com")).status).toBe(404);
});

test("a name conflict is reported in NamesAccepted and the CRD is not served", async () => {
  const gadgets = crdManifest({ group: "example.com", plural: "gadgets", kind: "Gadget", names: "shortNames: [wd]" }, ANY_OBJECT_V1);
  expect((await s.kubectl(["apply", "-f", "-"], { stdin: gadgets })).code).toBe(0);
  expect(await s.k("wait", "--for=condition=NamesAccepted=False", "crd/gadgets.example.com", "--timeout=10s")).toContain("condition met");
  const crd = JSON.parse(await s.k("get", "crd", "gadgets.example.com", "-o", "json"));
  const names = crd.status.conditions.find((c: { type: string }) => c.type === "NamesAccepted");
  expect(names).toMatchObject({ status: "False", reason: "ShortNamesConflict", message: '"wd" is already in use' });
  const established = crd.status.conditions.find((c: { type: string }) => c.type === "Established");
  expect(established).toMatchObject({ status: "False", reason: "NotAccepted", message: "not all names are accepted" });
  expect(crd.status.acceptedNames).toEqual({ plural: "gadgets", kind: "Gadget", singular: "gadget", listKind: "GadgetList" });
  expect((await fetchApi("GET", "/apis/example.com/v1/namespaces/default/gadgets")).status).toBe(404);
  // Asking for a free short name settles the conflict. (Only removing the short name would not:
  // requested and accepted names are then equal, and upstream's naming controller stops there.)
  await s.k("patch", "crd", "gadgets.example.com", "--type=merge", "-p", '{"spec":{"names":{"shortNames":["gd"]}}}');
  expect(await s.k("wait", "--for=condition=Established", "crd/gadgets.example.com", "--timeout=10s")).toContain("condition met");
  expect((await fetchApi("GET", "/apis/example.com/v1/namespaces/default/gadgets")).status).toBe(200);
});

test("deleting a CRD deletes its objects in every namespace, then the CRD, then the resource", async () => {
  await s.k("create", "namespace", "other");
  expect((await s.kubectl(["apply", "-n", "other", "-f", "-"], { stdin: widget("elsewhere", "{image: nginx}") })).code).toBe(0);
  await s.k("patch", "widget", "w2", "--type=merge", "-p", '{"metadata":{"finalizers":["example.com/hold"]}}');
  const deleting = s.kubectl(["delete", "crd", "widgets.example.com", "--timeout=30s"]);
  // w2's own finalizer holds the cleanup until it is removed; meanwhile no new objects.
  await until("the CRD's instances being deleted", async () => JSON.parse(await s.k("get", "crd", "widgets.example.com", "-o", "json")).status.conditions.some((c: { type: string; reason: string }) => c.type === "Terminating" && c.reason === "InstanceDeletionInProgress"));
  const refused = await fetchApi("POST", "/apis/example.com/v1/namespaces/default/widgets", { apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "late" }, spec: { image: "x" } });
  expect(refused.status).toBe(405);
  expect(refused.json().message).toBe("create not allowed while custom resource definition is terminating");
  expect(await s.k("get", "wd", "-A", "-o", "name")).toBe("widget.example.com/w2\n");
  await s.k("patch", "widget", "w2", "--type=merge", "-p", '{"metadata":{"finalizers":null}}');
  expect(await deleting).toMatchObject({ code: 0, stdout: 'customresourcedefinition.apiextensions.k8s.io "widgets.example.com" deleted\n' });
  expect((await fetchApi("GET", "/apis/example.com/v1/widgets")).status).toBe(404);
  const resources = await s.k("api-resources", "--api-group=example.com", "-o", "name");
  expect(resources).not.toContain("widgets");
  // A CRD of the same name starts empty.
  await applyCrds(s, widgetsCrd);
  await until("widgets served again", async () => (await fetchApi("GET", "/apis/example.com/v1/widgets")).status === 200);
  expect((await fetchApi("GET", "/apis/example.com/v1/widgets")).json().items).toEqual([]);
});

test("a cluster-scoped CRD: objects without namespace, deleted with the CRD", async () => {
  const clusterCrd = crdManifest(
    { group: "geo.example.com", plural: "regions", kind: "Region", scope: "Cluster" },
    singleVersion("v1", "{type: object, properties: {spec: {type: object, properties: {code: {type: string}}}}}"),
  );
  await applyCrds(s, clusterCrd);
  expect((await s.kubectl(["apply", "-f", "-"], { stdin: "apiVersion: geo.example.com/v1\nkind: Region\nmetadata: {name: eu}\nspec: {code: EU}\n" })).stdout).toBe("region.geo.example.com/eu created\n");
  const eu = JSON.parse(await s.k("get", "region", "eu", "-o", "json"));
  expect(eu.metadata.namespace).toBeUndefined();
  expect(await s.k("get", "regions")).toMatch(/^NAME\s+AGE\neu\s+\d+s\n$/);
  expect((await s.kubectl(["delete", "crd", "regions.geo.example.com"])).code).toBe(0);
  expect((await fetchApi("GET", "/apis/geo.example.com/v1/regions/eu")).status).toBe(404);
});

test("CRDs and their objects survive a restart, served as soon as the server is ready", async () => {
  expect((await s.kubectl(["apply", "-f", "-"], { stdin: widget("survivor", "{image: nginx, color: green}") })).code).toBe(0);
  await restart();
  expect(await s.k("get", "wd", "survivor", "-o", "jsonpath={.spec.color}")).toBe("green");
  const crd = JSON.parse(await s.k("get", "crd", "widgets.example.com", "-o", "json"));
  expect(crd.status.conditions.find((c: { type: string }) => c.type === "Established").status).toBe("True");
});

/** A request; a string body is sent as is with `contentType`, anything else as JSON. */
const fetchApi = (method: string, path: string, body?: unknown, contentType?: string, raw?: string): Promise<Reply> =>
  api.request(path, { method, body: raw ?? body, headers: contentType ? { "content-type": contentType } : undefined });
