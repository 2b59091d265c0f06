/**
 * Protobuf codec speed against JSON for Pods, and against protobufjs on the same schema.
 *
 *   - decode: protobuf bytes -> JSON-shaped object  vs  JSON bytes -> JSON.parse
 *   - encode: object -> protobuf bytes              vs  JSON.stringify -> bytes
 *   - protobufjs: its generated decoder/encoder over types built from our tables (to protobufjs
 *     message objects only, without the conversion to upstream's JSON shape that kts includes)
 *
 *   bun scripts/bench/protobuf.ts [--seconds 1]
 */
import { parseArgs } from "node:util";
import protobuf from "protobufjs";
import { decodeObject, encodeObject } from "../../src/apiserver/protobuf/index.ts";
import { schemaRegistry, MAP, REPEATED, T_BOOL, T_BYTES, T_INT32, T_INT64, T_MESSAGE, T_STRING, type MessageDesc } from "../../src/apiserver/protobuf/registry.ts";
import { OBJECTS } from "../../src/apiserver/protobuf/testdata/objects.ts";
import type { KubeObject } from "../../src/apiserver/api/types.ts";

const { values } = parseArgs({ options: { seconds: { type: "string", default: "1" } } });
const seconds = Number(values.seconds);

/** µs per call: median of 5 timed runs after a warm-up, which keeps JIT tiers and GC noise out. */
function measure(fn: () => unknown): number {
  const run = (ms: number) => {
    let n = 0;
    const start = performance.now();
    let now = start;
    while (now - start < ms) {
      for (let i = 0; i < 100; i++) fn();
      n += 100;
      now = performance.now();
    }
    return ((now - start) * 1000) / n;
  };
  run(300);
  const runs = Array.from({ length: 5 }, () => run((seconds * 1000) / 5)).sort((a, b) => a - b);
  return runs[2]!;
}

/** protobufjs types equivalent to our tables (specials as their wire messages). */
function protobufjsRoot(): protobuf.Root {
  const root = new protobuf.Root();
  const ns = root.define("k");
  const specials: Record<string, Array<[string, number, string]>> = {
    Time: [["seconds", 1, "int64"], ["nanos", 2, "int32"]],
    MicroTime: [["seconds", 1, "int64"], ["nanos", 2, "int32"]],
    Duration: [["duration", 1, "int64"]],
    Quantity: [["string", 1, "string"]],
    IntOrString: [["type", 1, "int64"], ["intVal", 2, "int32"], ["strVal", 3, "string"]],
    FieldsV1: [["Raw", 1, "bytes"]],
    RawExtension: [["raw", 1, "bytes"]],
  };
  for (const [name, fields] of Object.entries(specials)) {
    const t = new protobuf.Type(`S_${name}`);
    for (const [f, no, type] of fields) t.add(new protobuf.Field(f, no, type));
    ns.add(t);
  }
  const typeName = (m: MessageDesc) => m.name.replace(".", "_");
  const scalar: Record<number, string> = { [T_STRING]: "string", [T_BOOL]: "bool", [T_INT32]: "int32", [T_INT64]: "int64", [T_BYTES]: "bytes" };
  for (const m of schemaRegistry().allMessages()) {
    const t = new protobuf.Type(typeName(m));
    for (const f of m.fields) {
      const type = f.type === T_MESSAGE ? typeName(f.msg!) : f.special ? `S_${f.special.name}` : scalar[f.type]!;
      if (f.shape === MAP) t.add(new protobuf.MapField(f.json, f.no, "string", type));
      else t.add(new protobuf.Field(f.json, f.no, type, f.shape === REPEATED ? "repeated" : undefined, undefined, undefined));
    }
    ns.add(t);
  }
  return root;
}

const us = (n: number) => `${n.toFixed(2).padStart(6)} µs`;

const full = OBJECTS[0]!;
const small: KubeObject = {
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "web-7d4b9c-x2v8q", namespace: "default", uid: "6b1f6a9e-8c1a-4c2e-9d55-1f2e3d4c5b6a", resourceVersion: "12345", creationTimestamp: "2024-05-06T07:08:09Z", labels: { app: "web", "pod-template-hash": "7d4b9c" } },
  spec: { containers: [{ name: "nginx", image: "nginx:1.27", ports: [{ containerPort: 80, protocol: "TCP" }], resources: {}, terminationMessagePath: "/dev/termination-log", terminationMessagePolicy: "File", imagePullPolicy: "IfNotPresent" }], restartPolicy: "Always", terminationGracePeriodSeconds: 30, dnsPolicy: "ClusterFirst", serviceAccountName: "default", nodeName: "node-1", schedulerName: "default-scheduler", enableServiceLinks: true },
  status: { phase: "Running", hostIP: "10.0.0.1", podIP: "10.42.0.9", startTime: "2024-05-06T07:08:10Z", qosClass: "BestEffort", conditions: [{ type: "Ready", status: "True", lastProbeTime: null, lastTransitionTime: "2024-05-06T07:08:12Z" }] },
};

const root = protobufjsRoot();
const PodType = root.lookupType("k.core_Pod");
const enc = new TextEncoder();
const dec = new TextDecoder();

console.log(`Bun ${Bun.version}, ${seconds}s per measurement\n`);
for (const [label, pod] of [["typical Pod", small], ["full Pod (every common field)", full]] as const) {
  const pb = encodeObject(pod);
  const decoded = decodeObject(pb);
  const jsonText = JSON.stringify(decoded);
  const jsonBytes = enc.encode(jsonText);
  // The Pod message inside the envelope: after magic (4) and typeMeta (2 + its length), field 2's payload.
  const unknownRaw = (() => {
    let p = 4 + 2 + pb[5]! + 1;
    let len = 0;
    for (let shift = 0; ; shift += 7) {
      const b = pb[p++]!;
      len |= (b & 0x7f) << shift;
      if (b < 0x80) break;
    }
    return pb.subarray(p, p + len);
  })();
  const pjsMsg = PodType.decode(unknownRaw);
  console.log(`${label}: protobuf ${pb.length} bytes, JSON ${jsonBytes.length} bytes`);
  const d = [measure(() => decodeObject(pb)), measure(() => JSON.parse(dec.decode(jsonBytes))), measure(() => JSON.parse(jsonText)), measure(() => PodType.decode(unknownRaw))];
  const e = [measure(() => encodeObject(decoded)), measure(() => enc.encode(JSON.stringify(decoded))), measure(() => JSON.stringify(decoded)), measure(() => PodType.encode(pjsMsg).finish())];
  console.log(`  decode  kts ${us(d[0]!)}   JSON.parse(bytes) ${us(d[1]!)}   JSON.parse(string) ${us(d[2]!)}   protobufjs ${us(d[3]!)}`);
  console.log(`  encode  kts ${us(e[0]!)}   stringify->bytes  ${us(e[1]!)}   JSON.stringify     ${us(e[2]!)}   protobufjs ${us(e[3]!)}`);
  console.log("");
}
