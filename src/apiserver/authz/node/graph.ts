/**
 * Which objects each node may reach (upstream's node authorizer graph): a pod bound to a node
 * makes its Secrets, ConfigMaps, claims and ServiceAccount reachable from that node; a
 * PersistentVolume bound to a reachable claim is reachable, and so are the Secrets it names; a
 * VolumeAttachment is reachable from its node. Kept from informers, answered from memory.
 */
import type { KubeObject } from "../../api/types.ts";
import type { PersistentVolume, Pod } from "../../resources/core/types.ts";
import { podReferences, pvSecrets } from "./references.ts";

export type VertexType = "secret" | "configmap" | "pvc" | "pv" | "serviceaccount" | "volumeattachment";

const key = (type: VertexType, namespace: string, name: string) => `${type}/${namespace}/${name}`;

/** Reference counts: object key → node → how many pods (or volumes) make it reachable. */
class Reach {
  private readonly byKey = new Map<string, Map<string, number>>();

  add(k: string, node: string): void {
    let nodes = this.byKey.get(k);
    if (!nodes) this.byKey.set(k, (nodes = new Map()));
    nodes.set(node, (nodes.get(node) ?? 0) + 1);
  }

  remove(k: string, node: string): void {
    const nodes = this.byKey.get(k);
    if (!nodes) return;
    const n = (nodes.get(node) ?? 0) - 1;
    if (n > 0) nodes.set(node, n);
    else nodes.delete(node);
    if (nodes.size === 0) this.byKey.delete(k);
  }

  has(k: string, node: string): boolean {
    return this.byKey.get(k)?.has(node) ?? false;
  }
}

interface PodEntry {
  node: string;
  keys: string[];
}

interface PvEntry {
  claim?: string;
  secrets: string[];
}

export class NodeGraph {
  private readonly reach = new Reach();
  private readonly pods = new Map<string, PodEntry>();
  private readonly pvs = new Map<string, PvEntry>();
  /** secret key → PVs naming it */
  private readonly pvsBySecret = new Map<string, Set<string>>();
  private readonly attachments = new Map<string, string>();

  setPod(obj: KubeObject): void {
    const pod = obj as Pod;
    const id = `${pod.metadata?.namespace}/${pod.metadata?.name}`;
    this.deletePod(obj);
    const node = pod.spec?.nodeName;
    if (!node) return;
    const ns = pod.metadata?.namespace ?? "";
    const refs = podReferences(pod);
    const keys = [
      ...refs.secrets.map((n) => key("secret", ns, n)),
      ...refs.configMaps.map((n) => key("configmap", ns, n)),
      ...refs.claims.map((n) => key("pvc", ns, n)),
      ...(refs.serviceAccount ? [key("serviceaccount", ns, refs.serviceAccount)] : []),
    ];
    for (const k of keys) this.reach.add(k, node);
    this.pods.set(id, { node, keys });
  }

  deletePod(obj: KubeObject): void {
    const id = `${obj.metadata?.namespace}/${obj.metadata?.name}`;
    const entry = this.pods.get(id);
    if (!entry) return;
    for (const k of entry.keys) this.reach.remove(k, entry.node);
    this.pods.delete(id);
  }

  setPv(obj: KubeObject): void {
    const pv = obj as PersistentVolume;
    const name = pv.metadata?.name ?? "";
    this.deletePv(obj);
    const ref = pv.spec?.claimRef;
    const entry: PvEntry = { claim: ref?.name ? key("pvc", ref.namespace ?? "", ref.name) : undefined, secrets: pvSecrets(pv).map((s) => key("secret", s.namespace, s.name)) };
    this.pvs.set(name, entry);
    for (const s of entry.secrets) multiAdd(this.pvsBySecret, s, name);
  }

  deletePv(obj: KubeObject): void {
    const name = obj.metadata?.name ?? "";
    const entry = this.pvs.get(name);
    if (!entry) return;
    for (const s of entry.secrets) multiDelete(this.pvsBySecret, s, name);
    this.pvs.delete(name);
  }

  setAttachment(obj: KubeObject): void {
    const node = (obj as { spec?: { nodeName?: string } }).spec?.nodeName;
    if (node) this.attachments.set(obj.metadata?.name ?? "", node);
    else this.attachments.delete(obj.metadata?.name ?? "");
  }

  deleteAttachment(obj: KubeObject): void {
    this.attachments.delete(obj.metadata?.name ?? "");
  }

  private pvReachable(pvName: string, node: string): boolean {
    const claim = this.pvs.get(pvName)?.claim;
    return claim !== undefined && this.reach.has(claim, node);
  }

  /** Whether `node` has a path to the object (upstream's hasPathFrom). */
  hasPath(node: string, type: VertexType, namespace: string, name: string): boolean {
    switch (type) {
      case "pv":
        return this.pvReachable(name, node);
      case "volumeattachment":
        return this.attachments.get(name) === node;
      case "secret": {
        const k = key("secret", namespace, name);
        if (this.reach.has(k, node)) return true;
        for (const pv of this.pvsBySecret.get(k) ?? []) if (this.pvReachable(pv, node)) return true;
        return false;
      }
      default:
        return this.reach.has(key(type, namespace, name), node);
    }
  }
}

function multiAdd(m: Map<string, Set<string>>, k: string, v: string): void {
  let set = m.get(k);
  if (!set) m.set(k, (set = new Set()));
  set.add(v);
}

function multiDelete(m: Map<string, Set<string>>, k: string, v: string): void {
  const set = m.get(k);
  set?.delete(v);
  if (set?.size === 0) m.delete(k);
}
