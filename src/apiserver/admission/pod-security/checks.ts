/**
 * The Pod Security Standards checks (upstream's pod-security-admission policy package) for
 * policy versions up to v1.32, each giving upstream's forbidden reason and detail text. Baseline
 * checks run at baseline and restricted; restricted checks only at restricted, where
 * restrictedVolumes replaces hostPathVolumes. Results keep upstream's order: baseline checks by
 * ID, then restricted checks by ID.
 */
import type { Container, PodSpec } from "../../resources/core/types.ts";

export interface Violation {
  reason: string;
  detail: string;
}

export interface PodView {
  metadata?: { annotations?: Record<string, string> };
  spec?: PodSpec;
}

type CheckFn = (pod: PodView, version: number) => Violation | undefined;

interface Check {
  id: string;
  level: "baseline" | "restricted";
  /** Minor version of v1.x from which the check applies. */
  since: number;
  overrides?: string[];
  check: CheckFn;
}

export const LATEST_MINOR = 32;

function joinQuote(items: string[]): string {
  return items.length === 0 ? "" : `"${items.join('", "')}"`;
}

function plural(singular: string, plural: string, n: number): string {
  return n === 1 ? singular : plural;
}

const containersOf = (spec: PodSpec | undefined): Container[] => [...(spec?.initContainers ?? []), ...(spec?.containers ?? []), ...((spec?.ephemeralContainers ?? []) as Container[])];
const sortedSet = (s: Set<string>) => [...s].sort();
const isWindows = (spec: PodSpec | undefined) => spec?.os?.name === "windows";
const named = (noun: string, names: string[]) => `${plural(noun, `${noun}s`, names.length)} ${joinQuote(names)}`;

const ALLOWED_CAPABILITIES = new Set(["AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"]);
const SELINUX_TYPES = new Set(["", "container_t", "container_init_t", "container_kvm_t"]);
const SELINUX_TYPES_1_31 = new Set([...SELINUX_TYPES, "container_engine_t"]);
const SYSCTLS_1_0 = ["kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_unprivileged_port_start"];
const SYSCTLS_1_27 = [...SYSCTLS_1_0, "net.ipv4.ip_local_reserved_ports"];
const SYSCTLS_1_29 = [...SYSCTLS_1_27, "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes"];
const RESTRICTED_VOLUME_FIELDS = [
  "hostPath", "gcePersistentDisk", "awsElasticBlockStore", "gitRepo", "nfs", "iscsi", "glusterfs", "rbd", "flexVolume", "cinder", "cephfs", "flocker", "fc", "azureFile", "vsphereVolume", "quobyte", "azureDisk", "photonPersistentDisk", "portworxVolume", "scaleIO", "storageos",
];
const ALLOWED_VOLUME_FIELDS = ["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"];

/** "pod and containers "a", "b"" style setter lists. */
function setters(pod: boolean, containers: string[]): string[] {
  const out = pod ? ["pod"] : [];
  if (containers.length) out.push(named("container", containers));
  return out;
}

const CHECKS: Check[] = [
  {
    id: "appArmorProfile",
    level: "baseline",
    since: 0,
    check: (pod) => {
      const ok = (t: string | undefined) => t === "RuntimeDefault" || t === "Localhost";
      const bad = new Set<string>();
      const spec = pod.spec;
      const podBad = spec?.securityContext?.appArmorProfile != null && !ok(spec.securityContext.appArmorProfile.type);
      if (podBad) bad.add(spec!.securityContext!.appArmorProfile!.type ?? "");
      const containers: string[] = [];
      for (const c of containersOf(spec)) {
        const p = c.securityContext?.appArmorProfile;
        if (p && !ok(p.type)) {
          containers.push(c.name);
          bad.add(p.type ?? "");
        }
      }
      const who = setters(podBad, containers);
      const annotations = Object.entries(pod.metadata?.annotations ?? {})
        .filter(([k, v]) => k.startsWith("container.apparmor.security.beta.kubernetes.io/") && !(v === "" || v === "runtime/default" || v.startsWith("localhost/")))
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .sort();
      const values = [...sortedSet(bad), ...annotations];
      if (annotations.length) who.push(plural("annotation", "annotations", annotations.length));
      if (!who.length) return undefined;
      return { reason: plural("forbidden AppArmor profile", "forbidden AppArmor profiles", values.length), detail: `${who.join(" and ")} must not set AppArmor profile type to ${joinQuote(values)}` };
    },
  },
  {
    id: "capabilities_baseline",
    level: "baseline",
    since: 0,
    check: (pod) => {
      const names: string[] = [];
      const caps = new Set<string>();
      for (const c of containersOf(pod.spec)) {
        const added = (c.securityContext?.capabilities?.add ?? []).filter((cap) => !ALLOWED_CAPABILITIES.has(cap));
        if (!added.length) continue;
        names.push(c.name);
        for (const cap of added) caps.add(cap);
      }
      if (!names.length) return undefined;
      return { reason: "non-default capabilities", detail: `${named("container", names)} must not include ${joinQuote(sortedSet(caps))} in securityContext.capabilities.add` };
    },
  },
  {
    id: "hostNamespaces",
    level: "baseline",
    since: 0,
    check: (pod) => {
      const s = pod.spec;
      const set = [s?.hostNetwork && "hostNetwork=true", s?.hostPID && "hostPID=true", s?.hostIPC && "hostIPC=true"].filter((x): x is string => Boolean(x));
      return set.length ? { reason: "host namespaces", detail: set.join(", ") } : undefined;
    },
  },
  {
    id: "hostPathVolumes",
    level: "baseline",
    since: 0,
    check: (pod) => {
      const names = (pod.spec?.volumes ?? []).filter((v) => v.hostPath).map((v) => v.name);
      return names.length ? { reason: "hostPath volumes", detail: named("volume", names) } : undefined;
    },
  },
  {
    id: "hostPorts",
    level: "baseline",
    since: 0,
    check: (pod) => {
      const names: string[] = [];
      const ports = new Set<string>();
      for (const c of containersOf(pod.spec)) {
        const used = (c.ports ?? []).filter((p) => p.hostPort);
        if (!used.length) continue;
        names.push(c.name);
        for (const p of used) ports.add(String(p.hostPort));
      }
      if (!names.length) return undefined;
      const list = sortedSet(ports);
      return { reason: "hostPort", detail: `${named("container", names)} ${plural("uses", "use", names.length)} ${plural("hostPort", "hostPorts", list.length)} ${list.join(", ")}` };
    },
  },
  {
    id: "privileged",
    level: "baseline",
    since: 0,
    check: (pod) => {
      const names = containersOf(pod.spec)
        .filter((c) => c.securityContext?.privileged)
        .map((c) => c.name);
      return names.length ? { reason: "privileged", detail: `${named("container", names)} must not set securityContext.privileged=true` } : undefined;
    },
  },
  {
    id: "procMount",
    level: "baseline",
    since: 0,
    check: (pod) => {
      const names: string[] = [];
      const values = new Set<string>();
      for (const c of containersOf(pod.spec)) {
        const m = c.securityContext?.procMount;
        if (m === undefined || m === "" || m === "Default") continue;
        names.push(c.name);
        values.add(m);
      }
      return names.length ? { reason: "procMount", detail: `${named("container", names)} must not set securityContext.procMount to ${joinQuote(sortedSet(values))}` } : undefined;
    },
  },
  {
    id: "seLinuxOptions",
    level: "baseline",
    since: 0,
    check: (pod, version) => {
      const allowed = version >= 31 ? SELINUX_TYPES_1_31 : SELINUX_TYPES;
      const badTypes = new Set<string>();
      let user = false;
      let role = false;
      const valid = (o: { type?: string; user?: string; role?: string }) => {
        let ok = true;
        if (!allowed.has(o.type ?? "")) {
          ok = false;
          badTypes.add(o.type ?? "");
        }
        if (o.user) [ok, user] = [false, true];
        if (o.role) [ok, role] = [false, true];
        return ok;
      };
      const podOpts = pod.spec?.securityContext?.seLinuxOptions;
      const podBad = podOpts ? !valid(podOpts) : false;
      const containers = containersOf(pod.spec)
        .filter((c) => c.securityContext?.seLinuxOptions && !valid(c.securityContext.seLinuxOptions))
        .map((c) => c.name);
      const who = setters(podBad, containers);
      if (!who.length) return undefined;
      const data: string[] = [];
      if (badTypes.size) data.push(`${plural("type", "types", badTypes.size)} ${joinQuote(sortedSet(badTypes))}`);
      if (user) data.push("user may not be set");
      if (role) data.push("role may not be set");
      return { reason: "seLinuxOptions", detail: `${who.join(" and ")} set forbidden securityContext.seLinuxOptions: ${data.join("; ")}` };
    },
  },
  {
    id: "seccompProfile_baseline",
    level: "baseline",
    since: 19,
    check: (pod) => {
      const podBad = pod.spec?.securityContext?.seccompProfile?.type === "Unconfined";
      const containers = containersOf(pod.spec)
        .filter((c) => c.securityContext?.seccompProfile?.type === "Unconfined")
        .map((c) => c.name);
      const who = setters(podBad, containers);
      return who.length ? { reason: "seccompProfile", detail: `${who.join(" and ")} must not set securityContext.seccompProfile.type to "Unconfined"` } : undefined;
    },
  },
  {
    id: "sysctls",
    level: "baseline",
    since: 0,
    check: (pod, version) => {
      const allowed = new Set(version >= 29 ? SYSCTLS_1_29 : version >= 27 ? SYSCTLS_1_27 : SYSCTLS_1_0);
      const bad = (pod.spec?.securityContext?.sysctls ?? []).map((s) => s.name).filter((n) => !allowed.has(n));
      return bad.length ? { reason: "forbidden sysctls", detail: bad.join(", ") } : undefined;
    },
  },
  {
    id: "windowsHostProcess",
    level: "baseline",
    since: 0,
    check: (pod) => {
      const podBad = pod.spec?.securityContext?.windowsOptions?.hostProcess === true;
      const containers = containersOf(pod.spec)
        .filter((c) => c.securityContext?.windowsOptions?.hostProcess === true)
        .map((c) => c.name);
      const who = setters(podBad, containers);
      return who.length ? { reason: "hostProcess", detail: `${who.join(" and ")} must not set securityContext.windowsOptions.hostProcess=true` } : undefined;
    },
  },
  {
    id: "allowPrivilegeEscalation",
    level: "restricted",
    since: 8,
    check: (pod, version) => {
      if (version >= 25 && isWindows(pod.spec)) return undefined;
      const names = containersOf(pod.spec)
        .filter((c) => c.securityContext?.allowPrivilegeEscalation !== false)
        .map((c) => c.name);
      return names.length ? { reason: "allowPrivilegeEscalation != false", detail: `${named("container", names)} must set securityContext.allowPrivilegeEscalation=false` } : undefined;
    },
  },
  {
    id: "capabilities_restricted",
    level: "restricted",
    since: 22,
    check: (pod, version) => {
      if (version >= 25 && isWindows(pod.spec)) return undefined;
      const missingDrop: string[] = [];
      const adding: string[] = [];
      const caps = new Set<string>();
      for (const c of containersOf(pod.spec)) {
        const capabilities = c.securityContext?.capabilities;
        if (!capabilities) {
          missingDrop.push(c.name);
          continue;
        }
        if (!(capabilities.drop ?? []).includes("ALL")) missingDrop.push(c.name);
        const bad = (capabilities.add ?? []).filter((cap) => cap !== "NET_BIND_SERVICE");
        if (bad.length) {
          adding.push(c.name);
          for (const cap of bad) caps.add(cap);
        }
      }
      const details: string[] = [];
      if (missingDrop.length) details.push(`${named("container", missingDrop)} must set securityContext.capabilities.drop=["ALL"]`);
      if (adding.length) details.push(`${named("container", adding)} must not include ${joinQuote(sortedSet(caps))} in securityContext.capabilities.add`);
      return details.length ? { reason: "unrestricted capabilities", detail: details.join("; ") } : undefined;
    },
  },
  {
    id: "restrictedVolumes",
    level: "restricted",
    since: 0,
    overrides: ["hostPathVolumes"],
    check: (pod) => {
      const names: string[] = [];
      const types = new Set<string>();
      for (const v of pod.spec?.volumes ?? []) {
        const fields = v as unknown as Record<string, unknown>;
        if (ALLOWED_VOLUME_FIELDS.some((f) => fields[f] != null)) continue;
        names.push(v.name);
        types.add(RESTRICTED_VOLUME_FIELDS.find((f) => fields[f] != null) ?? "unknown");
      }
      if (!names.length) return undefined;
      return {
        reason: "restricted volume types",
        detail: `${named("volume", names)} ${plural("uses", "use", names.length)} ${plural("restricted volume type", "restricted volume types", types.size)} ${joinQuote(sortedSet(types))}`,
      };
    },
  },
  {
    id: "runAsNonRoot",
    level: "restricted",
    since: 0,
    check: (pod) => {
      const podValue = pod.spec?.securityContext?.runAsNonRoot;
      const explicit: string[] = [];
      const implicit: string[] = [];
      for (const c of containersOf(pod.spec)) {
        const v = c.securityContext?.runAsNonRoot;
        if (v != null) {
          if (!v) explicit.push(c.name);
        } else if (podValue !== true) implicit.push(c.name);
      }
      const bad = setters(podValue === false, explicit);
      if (bad.length) return { reason: "runAsNonRoot != true", detail: `${bad.join(" and ")} must not set securityContext.runAsNonRoot=false` };
      if (implicit.length) return { reason: "runAsNonRoot != true", detail: `pod or ${named("container", implicit)} must set securityContext.runAsNonRoot=true` };
      return undefined;
    },
  },
  {
    id: "runAsUser",
    level: "restricted",
    since: 23,
    check: (pod) => {
      const podBad = pod.spec?.securityContext?.runAsUser === 0;
      const containers = containersOf(pod.spec)
        .filter((c) => c.securityContext?.runAsUser === 0)
        .map((c) => c.name);
      const who = setters(podBad, containers);
      return who.length ? { reason: "runAsUser=0", detail: `${who.join(" and ")} must not set runAsUser=0` } : undefined;
    },
  },
  {
    id: "seccompProfile_restricted",
    level: "restricted",
    since: 19,
    check: (pod, version) => {
      if (version >= 25 && isWindows(pod.spec)) return undefined;
      const ok = (t: string | undefined) => t === "RuntimeDefault" || t === "Localhost";
      const values = new Set<string>();
      const podProfile = pod.spec?.securityContext?.seccompProfile;
      const podBad = podProfile != null && !ok(podProfile.type);
      if (podBad) values.add(podProfile!.type ?? "");
      const podSet = podProfile != null && !podBad;
      const explicit: string[] = [];
      const implicit: string[] = [];
      for (const c of containersOf(pod.spec)) {
        const p = c.securityContext?.seccompProfile;
        if (p != null) {
          if (!ok(p.type)) {
            explicit.push(c.name);
            values.add(p.type ?? "");
          }
        } else if (!podSet) implicit.push(c.name);
      }
      const bad = setters(podBad, explicit);
      if (bad.length) return { reason: "seccompProfile", detail: `${bad.join(" and ")} must not set securityContext.seccompProfile.type to ${joinQuote(sortedSet(values))}` };
      if (implicit.length) return { reason: "seccompProfile", detail: `pod or ${named("container", implicit)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"` };
      return undefined;
    },
  },
];

export type Level = "privileged" | "baseline" | "restricted";

/** The violations of a pod at a level and policy minor version (latest: LATEST_MINOR). */
export function evaluatePod(pod: PodView, level: Level, minor: number): Violation[] {
  if (level === "privileged") return [];
  const version = Math.min(minor, LATEST_MINOR);
  const active = CHECKS.filter((c) => c.since <= version && (c.level === "baseline" || level === "restricted"));
  const overridden = new Set(level === "restricted" ? active.flatMap((c) => c.overrides ?? []) : []);
  const out: Violation[] = [];
  for (const c of active) {
    if (overridden.has(c.id)) continue;
    const v = c.check(pod, version);
    if (v) out.push(v);
  }
  return out;
}

/** upstream's ForbiddenDetail: "reason (detail), reason (detail)". */
export function describe(violations: Violation[]): string {
  return violations.map((v) => (v.detail ? `${v.reason} (${v.detail})` : v.reason)).join(", ");
}
