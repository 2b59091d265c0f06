/**
 * A container's environment, built as the kubelet builds it: envFrom sources first (with their
 * prefix), then env in order, each value expanding $(VAR) references to variables defined before
 * it and to the service variables; then the service variables not already set. Missing sources
 * raise upstream's errors, which the pod reports as CreateContainerConfigError.
 */
import type { Client } from "../../client/index.ts";
import type { ConfigMap, Container, Pod, Secret } from "../runtime/index.ts";
import { fieldValue, resourceValue, type NodeAllocatable, type RuntimeIPs } from "../volumes/index.ts";
import { expand, mappingFor } from "./expand.ts";
import type { ServiceEnv } from "./service-env.ts";

const CONFIGMAPS = { group: "", version: "v1", resource: "configmaps" };
const SECRETS = { group: "", version: "v1", resource: "secrets" };

/** A container configuration problem: the CreateContainerConfigError message. */
export class ConfigError extends Error {}

export interface EnvContext {
  client: Client;
  pod: Pod;
  ips: RuntimeIPs;
  node: NodeAllocatable;
  services: ServiceEnv;
}

async function lookup<T>(client: Client, ref: typeof CONFIGMAPS, ns: string, name: string, optional: boolean): Promise<T | undefined> {
  try {
    return (await client.get(ref, ns, name)) as unknown as T;
  } catch (err) {
    if ((err as { code?: number }).code === 404) {
      if (optional) return undefined;
      throw new ConfigError(`${ref === CONFIGMAPS ? "configmap" : "secret"} "${name}" not found`);
    }
    throw err;
  }
}

const decode = (b64: string) => Buffer.from(b64, "base64").toString();

/** The environment as ordered name → value pairs. */
export async function containerEnv(ctx: EnvContext, container: Container): Promise<Map<string, string>> {
  const ns = ctx.pod.metadata?.namespace ?? "";
  const configMaps = new Map<string, ConfigMap | undefined>();
  const secrets = new Map<string, Secret | undefined>();
  const cm = async (name: string, optional: boolean) => {
    if (!configMaps.has(name)) configMaps.set(name, await lookup<ConfigMap>(ctx.client, CONFIGMAPS, ns, name, optional));
    return configMaps.get(name);
  };
  const sec = async (name: string, optional: boolean) => {
    if (!secrets.has(name)) secrets.set(name, await lookup<Secret>(ctx.client, SECRETS, ns, name, optional));
    return secrets.get(name);
  };
  const env = new Map<string, string>();
  for (const from of container.envFrom ?? []) {
    const prefix = from.prefix ?? "";
    if (from.configMapRef) {
      const obj = await cm(from.configMapRef.name ?? "", from.configMapRef.optional === true);
      for (const [k, v] of Object.entries(obj?.data ?? {})) env.set(prefix + k, v);
    } else if (from.secretRef) {
      const obj = await sec(from.secretRef.name ?? "", from.secretRef.optional === true);
      for (const [k, v] of Object.entries(obj?.data ?? {})) env.set(prefix + k, decode(v));
    }
  }
  const serviceEnv = await ctx.services.forPod(ctx.pod);
  const mapping = mappingFor(env, serviceEnv);
  for (const e of container.env ?? []) {
    let value = e.value ?? "";
    const from = e.valueFrom;
    if (value !== "") value = expand(value, mapping);
    else if (from?.fieldRef) {
      try {
        value = fieldValue(ctx.pod, from.fieldRef.fieldPath, ctx.ips);
      } catch (err) {
        throw new ConfigError((err as Error).message);
      }
    } else if (from?.resourceFieldRef) {
      try {
        value = resourceValue(ctx.pod, container, from.resourceFieldRef as Parameters<typeof resourceValue>[2], ctx.node);
      } catch (err) {
        throw new ConfigError((err as Error).message);
      }
    } else if (from?.configMapKeyRef) {
      const ref = from.configMapKeyRef;
      const obj = await cm(ref.name ?? "", ref.optional === true);
      const v = obj?.data?.[ref.key];
      if (v === undefined) {
        if (ref.optional) continue;
        throw new ConfigError(`couldn't find key ${ref.key} in ConfigMap ${ns}/${ref.name}`);
      }
      value = v;
    } else if (from?.secretKeyRef) {
      const ref = from.secretKeyRef;
      const obj = await sec(ref.name ?? "", ref.optional === true);
      const v = obj?.data?.[ref.key];
      if (v === undefined) {
        if (ref.optional) continue;
        throw new ConfigError(`couldn't find key ${ref.key} in Secret ${ns}/${ref.name}`);
      }
      value = decode(v);
    }
    env.delete(e.name);
    env.set(e.name, value);
  }
  for (const [k, v] of serviceEnv) if (!env.has(k)) env.set(k, v);
  return env;
}

/** Command and args with $(VAR) references expanded against the container's environment. */
export function expandCommand(container: Container, env: Map<string, string>): { command?: string[]; args?: string[] } {
  const mapping = mappingFor(env);
  return {
    command: container.command?.map((c) => expand(c, mapping)),
    args: container.args?.map((a) => expand(a, mapping)),
  };
}
