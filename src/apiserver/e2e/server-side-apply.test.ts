/**
 * Server-side apply and managedFields, driven by real kubectl 1.32 against a real `kts server`:
 * apply create and update, conflicts between managers and --force-conflicts, removal of fields
 * a manager stops applying, the move from client-side to server-side apply, the entries
 * kubectl's other write commands leave, and a custom resource whose CRD schema decides how its
 * fields are tracked.
 */
import { describe, expect, test } from "bun:test";
import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { KubeObject } from "../api/types.ts";
import { API_CONTROLLERS_ONLY } from "../../testing/controllers.ts";
import { applyCrds, crdManifest, serverForFile } from "./fixtures.ts";

const { s, api } = serverForFile(API_CONTROLLERS_ONLY);

interface Entry {
  manager: string;
  operation: "Apply" | "Update";
  apiVersion: string;
  time?: string;
  fieldsType: string;
  fieldsV1: Record<string, unknown>;
  subresource?: string;
}

async function getJson(...args: string[]): Promise<KubeObject> {
  return JSON.parse(await s.k("get", ...args, "-o", "json", "--show-managed-fields")) as KubeObject;
}
const entriesOf = (obj: KubeObject) => (obj.metadata?.managedFields ?? []) as unknown as Entry[];
const managers = (obj: KubeObject) => entriesOf(obj).map((e) => `${e.manager}/${e.operation}${e.subresource ? `/${e.subresource}` : ""}`);
const entry = (obj: KubeObject, manager: string) => entriesOf(obj).find((e) => e.manager === manager);

const deployment = (name: string, replicas: number, labels = "app: web") => `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  labels: {${labels}}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers:
      - name: main
        image: "busybox:1.36"
        ports: [{containerPort: 80}]
`;

const configMap = (name: string, data: Record<string, string>) => JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name }, data });

describe("kubectl apply --server-side", () => {
  test("creates, then updates; the object records one Apply entry for kubectl", async () => {
    expect(await s.kubectl(["apply", "--server-side", "-f", "-"], { stdin: deployment("web", 1) })).toMatchObject({ code: 0, stdout: "deployment.apps/web serverside-applied\n" });
    expect(await s.kubectl(["apply", "--server-side", "-f", "-"], { stdin: deployment("web", 3) })).toMatchObject({ code: 0, stdout: "deployment.apps/web serverside-applied\n" });
    const web = await getJson("deploy", "web");
    expect((web.spec as { replicas: number }).replicas).toBe(3);
    expect(managers(web)).toEqual(["kubectl/Apply"]);
    expect(entry(web, "kubectl")).toMatchObject({
      apiVersion: "apps/v1",
      fieldsType: "FieldsV1",
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      fieldsV1: {
        "f:metadata": { "f:labels": { "f:app": {} } },
        "f:spec": {
          "f:replicas": {},
          "f:selector": {},
          "f:template": {
            "f:metadata": { "f:labels": { "f:app": {} } },
            "f:spec": {
              "f:containers": {
                'k:{"name":"main"}': { ".": {}, "f:image": {}, "f:name": {}, "f:ports": { 'k:{"containerPort":80,"protocol":"TCP"}': { ".": {}, "f:containerPort": {} } } },
              },
            },
          },
        },
      },
    });
    // Defaults the server filled in belong to no one.
    expect(web.spec).toMatchObject({ revisionHistoryLimit: 10, progressDeadlineSeconds: 600 });
  });

  test("re-applying the same configuration is no change: same resourceVersion", async () => {
    const before = await getJson("deploy", "web");
    expect((await s.kubectl(["apply", "--server-side", "-f", "-"], { stdin: deployment("web", 3) })).code).toBe(0);
    const after = await getJson("deploy", "web");
    expect(after.metadata!.resourceVersion).toBe(before.metadata!.resourceVersion);
  });

  test("another manager changing an owned field gets kubectl's conflict message; --force-conflicts takes the field", async () => {
    const r = await s.kubectl(["apply", "--server-side", "--field-manager=other", "-f", "-"], { stdin: deployment("web", 5) });
    expect(r.code).toBe(1);
    expect(r.stderr).toStartWith('error: Apply failed with 1 conflict: conflict with "kubectl": .spec.replicas\nPlease review the fields above--they currently have other managers.');
    expect((await s.kubectl(["apply", "--server-side", "--field-manager=other", "--force-conflicts", "-f", "-"], { stdin: deployment("web", 5) })).code).toBe(0);
    const web = await getJson("deploy", "web");
    expect((web.spec as { replicas: number }).replicas).toBe(5);
    expect((entry(web, "other")!.fieldsV1["f:spec"] as Record<string, unknown>)["f:replicas"]).toEqual({});
    expect((entry(web, "kubectl")!.fieldsV1["f:spec"] as Record<string, unknown>)["f:replicas"]).toBeUndefined();
  });

  test("a conflict with an Update manager names its subresource and API version", async () => {
    // kubectl scale sends no fieldManager: the manager comes from its User-Agent.
    expect(await s.k("scale", "deploy", "web", "--replicas=2")).toBe("deployment.apps/web scaled\n");
    const r = await s.kubectl(["apply", "--server-side", "--field-manager=other", "-f", "-"], { stdin: deployment("web", 5) });
    expect(r.stderr).toStartWith('error: Apply failed with 1 conflict: conflict with "kubectl" with subresource "scale" using apps/v1: .spec.replicas\n');
  });

  test("a field a manager stops applying is removed, unless another manager still owns it", async () => {
    expect((await s.kubectl(["apply", "--server-side", "-f", "-"], { stdin: configMap("shared", { a: "1", b: "1", c: "1" }) })).code).toBe(0);
    expect((await s.kubectl(["apply", "--server-side", "--field-manager=other", "-f", "-"], { stdin: configMap("shared", { c: "1" }) })).code).toBe(0);
    expect((await s.kubectl(["apply", "--server-side", "-f", "-"], { stdin: configMap("shared", { a: "1" }) })).code).toBe(0);
    const cm = await getJson("cm", "shared");
    expect(cm.data).toEqual({ a: "1", c: "1" });
    expect(entry(cm, "kubectl")!.fieldsV1).toEqual({ "f:data": { "f:a": {} } });
    expect(entry(cm, "other")!.fieldsV1).toEqual({ "f:data": { "f:c": {} } });
  });

  test("--dry-run=server answers the applied object and changes nothing", async () => {
    const r = await s.kubectl(["apply", "--server-side", "--dry-run=server", "-o", "json", "-f", "-"], { stdin: configMap("shared", { a: "dry" }) });
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as KubeObject).data).toEqual({ a: "dry", c: "1" });
    expect((await getJson("cm", "shared")).data).toEqual({ a: "1", c: "1" });
  });
});

describe("from client-side to server-side apply", () => {
  test("kubectl apply --server-side after kubectl apply takes over what the client-side apply set, without conflicts", async () => {
    expect(await s.kubectl(["apply", "-f", "-"], { stdin: deployment("moved", 1, "app: moved, tier: web") })).toMatchObject({ code: 0, stdout: "deployment.apps/moved created\n" });
    const csa = await getJson("deploy", "moved");
    expect(managers(csa)).toEqual(["kubectl-client-side-apply/Update"]);
    expect(entry(csa, "kubectl-client-side-apply")!.fieldsV1["f:metadata"]).toEqual({
      "f:annotations": { ".": {}, "f:kubectl.kubernetes.io/last-applied-configuration": {} },
      "f:labels": { ".": {}, "f:app": {}, "f:tier": {} },
    });

    // replicas changes and the tier label goes: both were set by the client-side apply.
    const r = await s.kubectl(["apply", "--server-side", "-f", "-"], { stdin: deployment("moved", 2, "app: moved") });
    expect(r).toMatchObject({ code: 0, stdout: "deployment.apps/moved serverside-applied\n", stderr: "" });
    const moved = await getJson("deploy", "moved");
    expect((moved.spec as { replicas: number }).replicas).toBe(2);
    expect(moved.metadata!.labels).toEqual({ app: "moved" });
    // kubectl migrated the client-side manager into its own and keeps the annotation under kubectl-last-applied.
    expect(managers(moved).sort()).toEqual(["kubectl-last-applied/Apply", "kubectl/Apply"]);
    expect(entry(moved, "kubectl-last-applied")!.fieldsV1).toEqual({ "f:metadata": { "f:annotations": { "f:kubectl.kubernetes.io/last-applied-configuration": {} } } });
    const lastApplied = JSON.parse(moved.metadata!.annotations!["kubectl.kubernetes.io/last-applied-configuration"]!) as KubeObject;
    expect(lastApplied).toMatchObject({ kind: "Deployment", spec: { replicas: 2 }, metadata: { labels: { app: "moved" } } });
  });

  test("going back to client-side apply works from the kept annotation", async () => {
    const r = await s.kubectl(["apply", "-f", "-"], { stdin: deployment("moved", 4, "app: moved") });
    expect(r.code).toBe(0);
    expect((await getJson("deploy", "moved")).spec).toMatchObject({ replicas: 4 });
  });
});

describe("managedFields of other writes", () => {
  test("-o yaml hides them; --show-managed-fields shows kubectl's create, label, patch and edit entries", async () => {
    expect(await s.k("create", "configmap", "tracked", "--from-literal=a=1")).toBe("configmap/tracked created\n");
    await s.k("label", "cm", "tracked", "env=prod");
    await s.k("patch", "cm", "tracked", "-p", '{"data":{"b":"2"}}');
    const editor = join(s.dataDir, "editor.sh");
    writeFileSync(editor, `#!/bin/sh\nsed -i 's/^  a: "1"$/  a: "edited"/' "$1"\n`);
    chmodSync(editor, 0o755);
    expect(await s.kubectl(["edit", "cm", "tracked"], { env: { KUBE_EDITOR: editor } })).toMatchObject({ code: 0, stdout: "configmap/tracked edited\n" });

    expect(await s.k("get", "cm", "tracked", "-o", "yaml")).not.toContain("managedFields");
    const shown = await s.k("get", "cm", "tracked", "-o", "yaml", "--show-managed-fields");
    expect(shown).toContain("managedFields:");
    const cm = Bun.YAML.parse(shown) as KubeObject;
    expect(cm.data).toEqual({ a: "edited", b: "2" });
    // Sorted by time (in seconds), then by manager.
    expect(managers(cm).sort()).toEqual(["kubectl-create/Update", "kubectl-edit/Update", "kubectl-label/Update", "kubectl-patch/Update"]);
    // kubectl-edit changed .data.a: the creator keeps only the map it created.
    expect(entry(cm, "kubectl-create")!.fieldsV1).toEqual({ "f:data": {} });
    expect(entry(cm, "kubectl-label")!.fieldsV1).toEqual({ "f:metadata": { "f:labels": { ".": {}, "f:env": {} } } });
    expect(entry(cm, "kubectl-patch")!.fieldsV1).toEqual({ "f:data": { "f:b": {} } });
    expect(entry(cm, "kubectl-edit")!.fieldsV1).toEqual({ "f:data": { "f:a": {} } });
    for (const e of entriesOf(cm)) expect(e).toMatchObject({ operation: "Update", apiVersion: "v1", fieldsType: "FieldsV1" });
  });

  test("kubectl scale is recorded with subresource scale, status writes with subresource status", async () => {
    const web = await getJson("deploy", "web");
    expect(entriesOf(web).find((e) => e.subresource === "scale")).toMatchObject({ manager: "kubectl", operation: "Update", apiVersion: "apps/v1", fieldsV1: { "f:spec": { "f:replicas": {} } } });
    await s.k("patch", "deploy", "web", "--subresource=status", "--type=merge", "-p", '{"status":{"observedGeneration":1}}');
    const patched = await getJson("deploy", "web");
    expect(entriesOf(patched).find((e) => e.manager === "kubectl-patch")).toMatchObject({ subresource: "status", fieldsV1: { "f:status": { "f:observedGeneration": {} } } });
  });
});

describe("the API directly", () => {
  const apply = (path: string, body: unknown, query = "") =>
    api.request(`${path}${query}`, { method: "PATCH", body: JSON.stringify(body), headers: { "Content-Type": "application/apply-patch+yaml" } });

  test("apply needs a fieldManager", async () => {
    const r = await apply("/api/v1/namespaces/default/configmaps/raw", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "raw" } });
    expect(r.status).toBe(422);
    expect(r.json()).toMatchObject({ reason: "Invalid", message: 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch' });
  });

  test("apply of a missing object creates it (201), YAML bodies included; the name must be the URL's", async () => {
    const r = await api.request("/api/v1/namespaces/default/configmaps/raw?fieldManager=raw", {
      method: "PATCH",
      body: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: raw\ndata:\n  k: v\n",
      headers: { "Content-Type": "application/apply-patch+yaml" },
    });
    expect(r.status).toBe(201);
    expect(r.json()).toMatchObject({ metadata: { name: "raw", namespace: "default" }, data: { k: "v" } });
    const wrong = await apply("/api/v1/namespaces/default/configmaps/other-name", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "raw" } }, "?fieldManager=raw");
    expect(wrong.status).toBe(400);
    expect(wrong.json()).toMatchObject({ message: "the name of the object (raw) does not match the name on the URL (other-name)" });
  });

  test("the conflict Status carries one FieldManagerConflict cause per field", async () => {
    const r = await apply("/api/v1/namespaces/default/configmaps/raw", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "raw" }, data: { k: "changed" } }, "?fieldManager=second");
    expect(r.status).toBe(409);
    expect(r.json()).toEqual({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: 'Apply failed with 1 conflict: conflict with "raw": .data.k',
      reason: "Conflict",
      details: { causes: [{ reason: "FieldManagerConflict", message: 'conflict with "raw"', field: ".data.k" }] },
      code: 409,
    });
  });

  test("force is only for apply", async () => {
    const r = await api.request("/api/v1/namespaces/default/configmaps/raw?force=true", { method: "PATCH", body: "{}", headers: { "Content-Type": "application/merge-patch+json" } });
    expect(r.status).toBe(422);
    expect(r.json()).toMatchObject({ message: 'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch' });
  });
});

describe("kubectl apply --server-side of a custom resource", () => {
  // The CRD's schema decides how fields are tracked: a list-map keyed by name, a set, an atomic
  // list and an atomic map, a granular map, and a preserve-unknown-fields object.
  const pipelinesCrd = crdManifest(
    { group: "ci.example.com", plural: "pipelines", kind: "Pipeline", names: "singular: pipeline" },
    `
  - name: v1
    served: true
    storage: true
    subresources: {status: {}}
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              replicas: {type: integer, default: 1}
              stages:
                type: array
                x-kubernetes-list-type: map
                x-kubernetes-list-map-keys: [name]
                items:
                  type: object
                  required: [name]
                  properties:
                    name: {type: string}
                    image: {type: string}
                    timeout: {type: integer}
              tags: {type: array, x-kubernetes-list-type: set, items: {type: string}}
              args: {type: array, items: {type: string}}
              selector: {type: object, x-kubernetes-map-type: atomic, additionalProperties: {type: string}}
              env: {type: object, additionalProperties: {type: string}}
              extra: {type: object, x-kubernetes-preserve-unknown-fields: true}
          status:
            type: object
            properties:
              phase: {type: string}
              runs: {type: integer}
`,
  );
  const pipeline = (spec: string, extra = "") => `apiVersion: ci.example.com/v1\nkind: Pipeline\nmetadata: {name: build${extra}}\nspec: ${spec}\n`;
  const first = pipeline(`{stages: [{name: compile, image: "golang:1.23"}, {name: test, image: "golang:1.23", timeout: 60}], tags: [fast, linux], args: [--verbose], selector: {app: web}, env: {CI: "true"}, extra: {anything: {nested: 1}}}`, ", labels: {team: web}");
  const spec = (obj: KubeObject) => obj.spec as Record<string, unknown>;

  test("create: kubectl's Apply entry tracks fields as the schema says (keys, set values, atomic lists and maps)", async () => {
    await applyCrds(s, pipelinesCrd);
    expect(await s.kubectl(["apply", "--server-side", "-f", "-"], { stdin: first })).toMatchObject({ code: 0, stdout: "pipeline.ci.example.com/build serverside-applied\n" });
    const build = await getJson("pipeline", "build");
    expect(managers(build)).toEqual(["kubectl/Apply"]);
    expect(entry(build, "kubectl")).toMatchObject({ apiVersion: "ci.example.com/v1", fieldsType: "FieldsV1" });
    expect(entry(build, "kubectl")!.fieldsV1).toEqual({
      "f:metadata": { "f:labels": { "f:team": {} } },
      "f:spec": {
        "f:args": {},
        "f:env": { "f:CI": {} },
        // Under preserve-unknown-fields every field is tracked, each map of it included.
        "f:extra": { "f:anything": { ".": {}, "f:nested": {} } },
        "f:selector": {},
        "f:stages": {
          'k:{"name":"compile"}': { ".": {}, "f:image": {}, "f:name": {} },
          'k:{"name":"test"}': { ".": {}, "f:image": {}, "f:name": {}, "f:timeout": {} },
        },
        "f:tags": { 'v:"fast"': {}, 'v:"linux"': {} },
      },
    });
    // The schema's default is set and owned by nobody.
    expect(spec(build).replicas).toBe(1);
  });

  test("a second manager adds list items, set values and map keys of its own without conflict", async () => {
    const r = await s.kubectl(["apply", "--server-side", "--field-manager=release-bot", "-f", "-"], { stdin: pipeline(`{stages: [{name: deploy, image: "kubectl:1.32"}], tags: [nightly], env: {DEPLOY: "1"}}`) });
    expect(r).toMatchObject({ code: 0, stdout: "pipeline.ci.example.com/build serverside-applied\n" });
    const build = await getJson("pipeline", "build");
    expect(spec(build)).toMatchObject({
      stages: [{ name: "compile", image: "golang:1.23" }, { name: "test", image: "golang:1.23", timeout: 60 }, { name: "deploy", image: "kubectl:1.32" }],
      tags: ["fast", "linux", "nightly"],
      env: { CI: "true", DEPLOY: "1" },
    });
    expect(managers(build)).toEqual(["kubectl/Apply", "release-bot/Apply"]);
    expect(entry(build, "release-bot")!.fieldsV1).toEqual({
      "f:spec": { "f:env": { "f:DEPLOY": {} }, "f:stages": { 'k:{"name":"deploy"}': { ".": {}, "f:image": {}, "f:name": {} } }, "f:tags": { 'v:"nightly"': {} } },
    });
  });

  test("changing the other manager's fields conflicts: a list item's field, an atomic list, an atomic map; --force-conflicts takes them", async () => {
    const takeover = pipeline(`{stages: [{name: deploy, image: "kubectl:1.32"}, {name: compile, image: "golang:1.24"}], tags: [nightly], env: {DEPLOY: "1"}, selector: {app: web, tier: ci}, args: [--quiet]}`);
    const r = await s.kubectl(["apply", "--server-side", "--field-manager=release-bot", "-f", "-"], { stdin: takeover });
    expect(r.code).toBe(1);
    expect(r.stderr).toStartWith('error: Apply failed with 3 conflicts: conflicts with "kubectl":\n- .spec.args\n- .spec.selector\n- .spec.stages[name="compile"].image\nPlease review the fields above--they currently have other managers.');
    // The raw API: one FieldManagerConflict cause per field.
    const raw = await api.request("/apis/ci.example.com/v1/namespaces/default/pipelines/build?fieldManager=release-bot", {
      method: "PATCH",
      body: JSON.stringify({ apiVersion: "ci.example.com/v1", kind: "Pipeline", metadata: { name: "build" }, spec: { selector: { app: "api" }, stages: [{ name: "test", timeout: 5 }] } }),
      headers: { "Content-Type": "application/apply-patch+yaml" },
    });
    expect(raw.status).toBe(409);
    expect(raw.json()).toMatchObject({
      reason: "Conflict",
      message: 'Apply failed with 2 conflicts: conflicts with "kubectl":\n- .spec.selector\n- .spec.stages[name="test"].timeout',
      details: {
        causes: [
          { reason: "FieldManagerConflict", message: 'conflict with "kubectl"', field: ".spec.selector" },
          { reason: "FieldManagerConflict", message: 'conflict with "kubectl"', field: '.spec.stages[name="test"].timeout' },
        ],
      },
    });

    expect((await s.kubectl(["apply", "--server-side", "--field-manager=release-bot", "--force-conflicts", "-f", "-"], { stdin: takeover })).code).toBe(0);
    const build = await getJson("pipeline", "build");
    expect(spec(build)).toMatchObject({ selector: { app: "web", tier: "ci" }, args: ["--quiet"] });
    // Items keep the order of the configuration that set them: release-bot's deploy, then compile, after the test stage only kubectl has.
    expect(spec(build).stages).toEqual([{ name: "test", image: "golang:1.23", timeout: 60 }, { name: "deploy", image: "kubectl:1.32" }, { name: "compile", image: "golang:1.24" }]);
    // kubectl keeps the item (its key) and what it alone still manages; the forced fields moved.
    const kubectl = entry(build, "kubectl")!.fieldsV1["f:spec"] as Record<string, Record<string, unknown>>;
    expect(kubectl["f:stages"]!['k:{"name":"compile"}']).toEqual({ ".": {}, "f:name": {} });
    expect(kubectl["f:args"]).toBeUndefined();
    expect(kubectl["f:selector"]).toBeUndefined();
    expect((entry(build, "release-bot")!.fieldsV1["f:spec"] as Record<string, unknown>)["f:selector"]).toEqual({});
  });

  test("a manager dropping fields from its configuration removes those only it managed", async () => {
    // kubectl no longer applies the test stage, the linux tag, nor the extra object; compile is shared with release-bot.
    const r = await s.kubectl(["apply", "--server-side", "-f", "-"], { stdin: pipeline(`{stages: [{name: compile}], tags: [fast], env: {CI: "true"}}`, ", labels: {team: web}") });
    expect(r.code).toBe(0);
    const build = await getJson("pipeline", "build");
    expect(spec(build)).toEqual({
      replicas: 1,
      stages: [{ name: "deploy", image: "kubectl:1.32" }, { name: "compile", image: "golang:1.24" }],
      tags: ["fast", "nightly"],
      env: { CI: "true", DEPLOY: "1" },
      selector: { app: "web", tier: "ci" },
      args: ["--quiet"],
    });
  });

  test("status is applied through the status subresource; the main resource ignores status", async () => {
    const status = "apiVersion: ci.example.com/v1\nkind: Pipeline\nmetadata: {name: build}\nstatus: {phase: Running, runs: 3}\n";
    expect(await s.kubectl(["apply", "--server-side", "--subresource=status", "--field-manager=ci-controller", "-f", "-"], { stdin: status })).toMatchObject({ code: 0 });
    expect(await s.kubectl(["apply", "--server-side", "--field-manager=scaler", "-f", "-"], { stdin: pipeline("{replicas: 3}") + "status: {phase: Ignored}\n" })).toMatchObject({ code: 0 });
    const build = await getJson("pipeline", "build");
    expect(build.status).toEqual({ phase: "Running", runs: 3 });
    expect(spec(build).replicas).toBe(3);
    expect(entriesOf(build).find((e) => e.manager === "ci-controller")).toMatchObject({ operation: "Apply", subresource: "status", fieldsV1: { "f:status": { "f:phase": {}, "f:runs": {} } } });
    expect(entry(build, "scaler")!.fieldsV1).toEqual({ "f:spec": { "f:replicas": {} } });
    expect(managers(build).sort()).toEqual(["ci-controller/Apply/status", "kubectl/Apply", "release-bot/Apply", "scaler/Apply"]);
  });
});
