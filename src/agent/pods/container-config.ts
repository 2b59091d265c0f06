/**
 * A pod container as a Docker container: Kubernetes' command/args over the image's
 * Entrypoint/Cmd, the environment, volume mounts (subPath, subPathExpr, propagation, read-only
 * API volumes), the termination-message file, the pod's /etc/hosts, resources and security; it
 * joins the sandbox's network and IPC namespaces (and its PID namespace when the pod shares one).
 */
import type Docker from "dockerode";
import { existsSync, mkdirSync, realpathSync, writeFileSync, chmodSync } from "node:fs";
import { join } from "node:path";
import type { Container, Pod } from "../runtime/index.ts";
import { LABEL_GRACE, LABEL_HASH, LABEL_KIND, LABEL_SANDBOX, containerLabels, dockerName, type ContainerKind } from "../runtime/index.ts";
import type { MountedVolume } from "../volumes/index.ts";
import { podDir, type AgentContext } from "./context.ts";
import { ConfigError, expandCommand } from "./env.ts";
import { expand, mappingFor } from "./expand.ts";
import { podRef, specHash } from "./pod-info.ts";
import { resourceHostConfig } from "./resources.ts";
import { containerUser, securityHostConfig } from "./security.ts";

type Mount = NonNullable<NonNullable<Docker.ContainerCreateOptions["HostConfig"]>["Mounts"]>[number];

export interface ContainerPlan {
  pod: Pod;
  spec: Container;
  kind: ContainerKind;
  attempt: number;
  sandboxId: string;
  imageUser: string;
  env: Map<string, string>;
  volumes: Map<string, MountedVolume>;
  hostsFile: string;
  /** The pod's resolv.conf (per dnsPolicy), mounted at /etc/resolv.conf. */
  resolvFile?: string;
  /** An ephemeral container's target: it joins that container's process namespace. */
  pidTargetId?: string;
}

const PROPAGATION: Record<string, "rprivate" | "rslave" | "rshared"> = { None: "rprivate", HostToContainer: "rslave", Bidirectional: "rshared" };

/** Joins a subPath under a volume, refusing paths that leave it (also through symlinks). */
function subPathOf(volume: string, sub: string, mountName: string, containerName: string): string {
  if (sub.startsWith("/")) throw new ConfigError(`error SubPath \`${sub}\` must not be an absolute path`);
  if (sub.split("/").includes("..")) throw new ConfigError(`unable to provision SubPath \`${sub}\`: must not contain '..'`);
  const path = join(volume, sub);
  if (!existsSync(path)) {
    try {
      mkdirSync(path, { recursive: true, mode: 0o755 });
    } catch {
      throw new ConfigError(`failed to create subPath directory for volumeMount "${mountName}" of container "${containerName}"`);
    }
  }
  const real = realpathSync(path);
  const base = realpathSync(volume);
  if (real !== base && !real.startsWith(`${base}/`)) throw new ConfigError(`failed to prepare subPath for volumeMount "${mountName}" of container "${containerName}"`);
  return real;
}

function volumeMounts(plan: ContainerPlan): Mount[] {
  const mounts: Mount[] = [];
  const c = plan.spec;
  for (const m of c.volumeMounts ?? []) {
    const vol = plan.volumes.get(m.name);
    if (!vol) throw new ConfigError(`cannot find volume "${m.name}" to mount into container "${c.name}"`);
    let sub = m.subPath ?? "";
    if (m.subPathExpr) sub = expand(m.subPathExpr, mappingFor(plan.env));
    const source = sub ? subPathOf(vol.hostPath, sub, m.name, c.name) : vol.hostPath;
    mounts.push({
      Type: "bind",
      Source: source,
      Target: m.mountPath,
      ReadOnly: m.readOnly === true || vol.readOnly,
      BindOptions: { Propagation: PROPAGATION[m.mountPropagation ?? "None"] ?? "rprivate" },
    });
  }
  return mounts;
}

/** A fresh termination-message file for this container instance (mode 0666, as upstream). */
function terminationLog(ctx: AgentContext, plan: ContainerPlan): Mount | undefined {
  const path = plan.spec.terminationMessagePath ?? "/dev/termination-log";
  if (!path) return undefined;
  const dir = join(podDir(ctx, plan.pod.metadata?.uid ?? ""), "containers", plan.spec.name);
  mkdirSync(dir, { recursive: true, mode: 0o750 });
  const file = join(dir, Math.floor(Math.random() * 0xffffffff).toString(16).padStart(8, "0"));
  writeFileSync(file, "");
  chmodSync(file, 0o666);
  return { Type: "bind", Source: file, Target: path, ReadOnly: false };
}

/** Kubernetes' command/args rules over the image's Entrypoint and Cmd. */
function entrypoint(command: string[] | undefined, args: string[] | undefined): Pick<Docker.ContainerCreateOptions, "Entrypoint" | "Cmd"> {
  if (command?.length) return { Entrypoint: command, Cmd: args ?? [] };
  if (args?.length) return { Cmd: args };
  return {};
}

export function containerOptions(ctx: AgentContext, plan: ContainerPlan): Docker.ContainerCreateOptions {
  const { pod, spec: c } = plan;
  const ref = podRef(pod);
  const sandbox = `container:${plan.sandboxId}`;
  const { command, args } = expandCommand(c, plan.env);
  const mounts = volumeMounts(plan);
  if (!mounts.some((m) => m.Target === "/etc/hosts")) mounts.push({ Type: "bind", Source: plan.hostsFile, Target: "/etc/hosts", ReadOnly: false });
  if (plan.resolvFile && !mounts.some((m) => m.Target === "/etc/resolv.conf")) mounts.push({ Type: "bind", Source: plan.resolvFile, Target: "/etc/resolv.conf", ReadOnly: false });
  const term = terminationLog(ctx, plan);
  if (term && !mounts.some((m) => m.Target === term.Target)) mounts.push(term);
  const hostPID = pod.spec?.hostPID === true;
  const sharePID = pod.spec?.shareProcessNamespace === true;
  return {
    name: dockerName(ref, c.name, plan.attempt),
    Image: c.image,
    ...entrypoint(command, args),
    Env: [...plan.env].map(([k, v]) => `${k}=${v}`),
    WorkingDir: c.workingDir || undefined,
    User: containerUser(pod, c, plan.imageUser),
    Tty: c.tty === true,
    OpenStdin: c.stdin === true,
    StdinOnce: c.stdinOnce === true,
    AttachStdin: false,
    AttachStdout: false,
    AttachStderr: false,
    Labels: containerLabels(ref, ctx.nodeName, c.name, plan.attempt, ctx.labels, {
      [LABEL_HASH]: specHash(c),
      [LABEL_KIND]: plan.kind,
      [LABEL_GRACE]: String(pod.spec?.terminationGracePeriodSeconds ?? 30),
      [LABEL_SANDBOX]: plan.sandboxId,
    }),
    HostConfig: {
      NetworkMode: sandbox,
      IpcMode: pod.spec?.hostIPC ? "host" : sandbox,
      PidMode: hostPID ? "host" : sharePID ? sandbox : plan.pidTargetId ? `container:${plan.pidTargetId}` : undefined,
      Mounts: mounts,
      RestartPolicy: { Name: "no" },
      // The kubelet's container log rotation defaults (10 MiB, 5 files).
      LogConfig: { Type: "json-file", Config: { "max-size": "10m", "max-file": "5" } },
      ...resourceHostConfig(pod, c, ctx.node.memoryBytes, ctx.negativeOom),
      ...securityHostConfig(pod, c, join(ctx.dataDir, "seccomp")),
    },
  };
}
