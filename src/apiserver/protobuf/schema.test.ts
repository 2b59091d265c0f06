/**
 * Schema tables against an independent source: @kubernetes/client-node's generated models (from
 * upstream OpenAPI, not from the .proto files the tables follow). Every JSON name we encode must
 * exist there with a compatible type; the models may have newer fields than 1.32.
 */
import { describe, expect, test } from "bun:test";
import * as k8s from "@kubernetes/client-node";
import { schemaRegistry, T_BOOL, T_BYTES, T_INT32, T_INT64, T_MESSAGE, T_SPECIAL, T_STRING, MAP, REPEATED, type FieldDesc, type MessageDesc } from "./registry.ts";
import { SCHEMAS } from "./schema/index.ts";

interface Attr {
  baseName: string;
  type: string;
  format: string;
}
type Model = { getAttributeTypeMap?: () => Attr[] };
const models = k8s as unknown as Record<string, Model | undefined>;

function modelFor(alias: string, name: string): Attr[] | undefined {
  const group = alias.charAt(0).toUpperCase() + alias.slice(1);
  const m = models[`${group}V1${name}`] ?? models[`V1${name}`];
  return m?.getAttributeTypeMap?.();
}

/** The client-node type string a field's element should have. */
function expectedElement(f: FieldDesc): (a: string, format: string) => boolean {
  switch (f.type) {
    case T_STRING:
      return (t) => t === "string";
    case T_BOOL:
      return (t) => t === "boolean";
    case T_INT32:
      return (t, fmt) => t === "number" && fmt === "int32";
    case T_INT64:
      return (t, fmt) => t === "number" && fmt === "int64";
    case T_BYTES:
      return (t, fmt) => t === "string" && fmt === "byte";
    case T_SPECIAL: {
      const want: Record<string, [string, string | null]> = {
        Time: ["Date", "date-time"],
        MicroTime: ["V1MicroTime", "date-time-micro"],
        Quantity: ["string", null],
        IntOrString: ["IntOrString", "int-or-string"],
        Duration: ["string", null],
        FieldsV1: ["any", null],
        RawExtension: ["any", null],
      };
      const [type, format] = want[f.special!.name]!;
      return (t, fmt) => t === type && (format === null || fmt === format);
    }
    case T_MESSAGE:
      // Models are named V1<Go type> or <Group>V1<Go type>.
      return (t) => (f.msg!.listOf ? t === "Array<string>" : t.endsWith(`V1${f.msg!.name.slice(f.msg!.name.indexOf(".") + 1)}`));
    default:
      return () => false;
  }
}

function compatible(f: FieldDesc, a: Attr): boolean {
  const elem = expectedElement(f);
  if (f.shape === REPEATED) {
    const m = /^Array<(.+)>$/.exec(a.type);
    return m !== null && elem(m[1]!, a.format);
  }
  if (f.shape === MAP) {
    const m = /^\{ \[key: string\]: (.+); \}$/.exec(a.type);
    return m !== null && elem(m[1]!, a.format);
  }
  return elem(a.type, a.format);
}

describe("schema tables", () => {
  const registry = schemaRegistry();

  test("every field's JSON name and type match client-node's model", () => {
    const problems: string[] = [];
    let checked = 0;
    for (const [alias, schema] of Object.entries(SCHEMAS)) {
      for (const name of Object.keys(schema.messages)) {
        const desc = registry.message(`${alias}.${name}`)!;
        if (desc.listOf) continue;
        const attrs = modelFor(alias, name);
        // Inline-only helper structs and meta internals have no model of their own.
        if (!attrs) continue;
        const byName = new Map(attrs.map((a) => [a.baseName, a]));
        const fields: FieldDesc[] = [];
        const flatten = (m: MessageDesc) => m.fields.forEach((f) => (f.inline ? flatten(f.msg!) : fields.push(f)));
        flatten(desc);
        for (const f of fields) {
          checked++;
          const a = byName.get(f.json);
          if (!a) problems.push(`${alias}.${name}.${f.json}: not in client-node`);
          else if (!compatible(f, a)) problems.push(`${alias}.${name}.${f.json}: ${a.type}/${a.format} vs ours`);
        }
      }
    }
    expect(problems).toEqual([]);
    expect(checked).toBeGreaterThan(1300);
  });

  test("only inline-only and meta-internal messages lack a model", () => {
    const without: string[] = [];
    for (const [alias, schema] of Object.entries(SCHEMAS)) {
      for (const [name, table] of Object.entries(schema.messages)) if (typeof table !== "string" && !modelFor(alias, name)) without.push(`${alias}.${name}`);
    }
    expect(without.sort()).toEqual([
      "core.EphemeralContainerCommon",
      "core.PersistentVolumeSource",
      "core.ProbeHandler",
      "core.VolumeSource",
      "meta.PartialObjectMetadata",
      "meta.PartialObjectMetadataList",
      "meta.TypeMeta",
      "networking.IngressRuleValue",
    ]);
  });

  test("message graph is acyclic, so decoding depth is bounded by the schema", () => {
    const state = new Map<MessageDesc, "visiting" | "done">();
    const visit = (m: MessageDesc, path: string[]): void => {
      if (state.get(m) === "done") return;
      if (state.get(m) === "visiting") throw new Error(`cycle: ${[...path, m.name].join(" -> ")}`);
      state.set(m, "visiting");
      for (const f of m.fields) if (f.msg) visit(f.msg, [...path, m.name]);
      state.set(m, "done");
    };
    for (const m of registry.allMessages()) visit(m, []);
    expect(state.size).toBe([...registry.allMessages()].length);
  });

  test("kinds the brief requires are all resolvable", () => {
    const need: Array<[string, string[]]> = [
      ["v1", ["Pod", "Service", "ConfigMap", "Secret", "Namespace", "Node", "Endpoints", "Event", "ServiceAccount", "PersistentVolume", "PersistentVolumeClaim", "LimitRange", "ResourceQuota", "PodTemplate", "ReplicationController"]],
      ["apps/v1", ["Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "ControllerRevision"]],
      ["batch/v1", ["Job", "CronJob"]],
    ];
    for (const [gv, kinds] of need) {
      for (const kind of kinds) {
        expect(registry.resolve(gv, kind)).toBeDefined();
        expect(registry.resolve(gv, `${kind}List`)).toBeDefined();
      }
    }
    const singles: Array<[string, string]> = [
      ["autoscaling/v1", "Scale"],
      ["coordination.k8s.io/v1", "Lease"],
      ["events.k8s.io/v1", "Event"],
      ["authentication.k8s.io/v1", "TokenReview"],
      ["authentication.k8s.io/v1", "SelfSubjectReview"],
      ["authorization.k8s.io/v1", "SubjectAccessReview"],
      ["authorization.k8s.io/v1", "SelfSubjectAccessReview"],
      ["authorization.k8s.io/v1", "LocalSubjectAccessReview"],
      ["authorization.k8s.io/v1", "SelfSubjectRulesReview"],
      ["certificates.k8s.io/v1", "CertificateSigningRequest"],
      ["policy/v1", "Eviction"],
      ["policy/v1", "PodDisruptionBudget"],
      ["v1", "Status"],
      ["apps/v1", "Status"],
      ["meta.k8s.io/v1", "Status"],
      ["v1", "DeleteOptions"],
      ["meta.k8s.io/v1", "WatchEvent"],
      ["meta.k8s.io/v1", "PartialObjectMetadataList"],
    ];
    for (const [gv, kind] of singles) expect(registry.resolve(gv, kind)?.name ?? `${gv} ${kind} missing`).toEndWith(`.${kind}`);
  });

  test("a few field numbers spot-checked against upstream's generated.proto", () => {
    const no = (msg: string, json: string) => registry.message(msg)!.fields.find((f) => f.json === json)!.no;
    expect(no("meta.ObjectMeta", "managedFields")).toBe(17);
    expect(no("meta.ObjectMeta", "creationTimestamp")).toBe(8);
    expect(no("core.PodSpec", "containers")).toBe(2);
    expect(no("core.PodSpec", "hostUsers")).toBe(37);
    expect(no("core.Container", "envFrom")).toBe(19);
    expect(no("apps.DeploymentSpec", "progressDeadlineSeconds")).toBe(9);
    expect(no("core.Secret", "stringData")).toBe(4);
    expect(no("core.Secret", "type")).toBe(3);
  });
});
