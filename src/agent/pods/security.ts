/**
 * Security contexts as Docker options: user and groups, runAsNonRoot verified against the image
 * user (with upstream's messages), read-only root file system, capabilities, privileged,
 * no-new-privileges, seccomp and AppArmor profiles, unmasked /proc. Container settings win over
 * the pod's.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type Docker from "dockerode";
import type { Container, Pod } from "../runtime/index.ts";
import { podDesc } from "../runtime/index.ts";
import { ConfigError } from "./env.ts";

type HostConfig = NonNullable<Docker.ContainerCreateOptions["HostConfig"]>;

interface Profile {
  type?: string;
  localhostProfile?: string;
}

/** The user Docker should run the container as, checked against runAsNonRoot. */
export function containerUser(pod: Pod, c: Container, imageUser: string): string | undefined {
  const psc = pod.spec?.securityContext ?? {};
  const sc = c.securityContext ?? {};
  const runAsUser = sc.runAsUser ?? psc.runAsUser;
  const runAsGroup = sc.runAsGroup ?? psc.runAsGroup;
  if (sc.runAsNonRoot ?? psc.runAsNonRoot) {
    if (runAsUser !== undefined) {
      if (runAsUser === 0) throw new ConfigError(`container's runAsUser breaks non-root policy (pod: "${podDesc(pod)}", container: ${c.name})`);
    } else {
      const user = imageUser.split(":")[0] ?? "";
      if (user === "" || user === "0" || user === "root")
        throw new ConfigError(`container has runAsNonRoot and image will run as root (pod: "${podDesc(pod)}", container: ${c.name})`);
      if (!/^\d+$/.test(user))
        throw new ConfigError(`container has runAsNonRoot and image has non-numeric user (${user}), cannot verify user is non-root (pod: "${podDesc(pod)}", container: ${c.name})`);
    }
  }
  if (runAsUser === undefined && runAsGroup === undefined) return undefined;
  const user = runAsUser !== undefined ? String(runAsUser) : imageUser.split(":")[0] || "0";
  return runAsGroup !== undefined ? `${user}:${runAsGroup}` : user;
}

function profileOpts(kind: "seccomp" | "apparmor", p: Profile | undefined, seccompDir: string): string[] {
  const type = p?.type;
  if (kind === "seccomp") {
    // Unset means Unconfined, the kubelet's default (its --seccomp-default is off).
    if (!type || type === "Unconfined") return ["seccomp=unconfined"];
    if (type === "RuntimeDefault") return [];
    const path = join(seccompDir, p?.localhostProfile ?? "");
    try {
      return [`seccomp=${JSON.stringify(JSON.parse(readFileSync(path, "utf8")))}`];
    } catch (err) {
      throw new ConfigError(`failed to load seccomp profile "${path}": ${(err as Error).message}`);
    }
  }
  if (type === "Unconfined") return ["apparmor=unconfined"];
  if (type === "Localhost") return [`apparmor=${p?.localhostProfile}`];
  return [];
}

/** The security part of a container's HostConfig. */
export function securityHostConfig(pod: Pod, c: Container, seccompDir: string): Partial<HostConfig> {
  const psc = pod.spec?.securityContext ?? {};
  const sc = c.securityContext ?? {};
  const privileged = sc.privileged === true;
  const opts: string[] = [];
  if (!privileged) {
    opts.push(...profileOpts("seccomp", (sc.seccompProfile ?? psc.seccompProfile) as Profile | undefined, seccompDir));
    opts.push(...profileOpts("apparmor", (sc.appArmorProfile ?? psc.appArmorProfile) as Profile | undefined, seccompDir));
  }
  const caps = sc.capabilities ?? {};
  if (sc.allowPrivilegeEscalation === false && !privileged && !(caps.add ?? []).includes("SYS_ADMIN")) opts.push("no-new-privileges");
  if (sc.procMount === "Unmasked") opts.push("systempaths=unconfined");
  const groups = [...(psc.supplementalGroups ?? []), ...(psc.fsGroup !== undefined ? [psc.fsGroup] : [])].map(String);
  return {
    Privileged: privileged,
    ReadonlyRootfs: sc.readOnlyRootFilesystem === true,
    CapAdd: caps.add?.length ? caps.add : undefined,
    CapDrop: caps.drop?.length ? caps.drop : undefined,
    SecurityOpt: opts.length ? opts : undefined,
    GroupAdd: groups.length ? [...new Set(groups)] : undefined,
  };
}
