/**
 * The few Docker Engine calls the pod network makes itself (over the unix socket): listing this
 * node's sandboxes (their labels carry their pod IPs and hostPorts), and the Docker bridge network
 * of the earlier design (bridge.ts retires it once unused; `create` makes one, which tests use to
 * play an upgraded node).
 */

export interface DockerNetworkSpec {
  name: string;
  subnet: string;
  gateway: string;
  bridge: string;
  mtu: number;
  labels: Record<string, string>;
}

interface NetworkInfo {
  Id: string;
  Name: string;
  IPAM?: { Config?: Array<{ Subnet?: string; Gateway?: string }> };
  Options?: Record<string, string>;
  Containers?: Record<string, { IPv4Address?: string }>;
}

/** A container as Docker's list reports it (the fields the pod network reads). */
export interface ListedContainer {
  Id: string;
  Created: number;
  State: string;
  Labels?: Record<string, string>;
}

export class DockerNetworkError extends Error {}

function socketPath(): string {
  const host = process.env.DOCKER_HOST;
  return host?.startsWith("unix://") ? host.slice("unix://".length) : "/var/run/docker.sock";
}

export class DockerNetworks {
  constructor(private readonly socket = socketPath()) {}

  private async call(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
    const res = await fetch(`http://docker${path}`, {
      method,
      unix: this.socket,
      headers: body !== undefined ? { "Content-Type": "application/json" } : undefined,
      body: body !== undefined ? JSON.stringify(body) : undefined,
    } as RequestInit);
    const text = await res.text();
    let json: unknown = undefined;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = { message: text };
    }
    return { status: res.status, json };
  }

  /** Containers (all states) carrying every one of the labels ("key=value"). */
  async containers(labels: string[]): Promise<ListedContainer[]> {
    const filters = encodeURIComponent(JSON.stringify({ label: labels }));
    const r = await this.call("GET", `/containers/json?all=1&filters=${filters}`);
    if (r.status !== 200) throw new DockerNetworkError(`listing containers: ${message(r.json)}`);
    return r.json as ListedContainer[];
  }

  async get(name: string): Promise<NetworkInfo | undefined> {
    const r = await this.call("GET", `/networks/${encodeURIComponent(name)}`);
    if (r.status === 404) return undefined;
    if (r.status !== 200) throw new DockerNetworkError(`inspecting Docker network ${name}: ${message(r.json)}`);
    return r.json as NetworkInfo;
  }

  async create(spec: DockerNetworkSpec): Promise<string> {
    const r = await this.call("POST", "/networks/create", {
      Name: spec.name,
      CheckDuplicate: true,
      Driver: "bridge",
      IPAM: { Driver: "default", Config: [{ Subnet: spec.subnet, Gateway: spec.gateway }] },
      Options: {
        "com.docker.network.bridge.name": spec.bridge,
        "com.docker.network.bridge.enable_ip_masquerade": "false",
        "com.docker.network.bridge.enable_icc": "true",
        "com.docker.network.driver.mtu": String(spec.mtu),
      },
      Labels: spec.labels,
    });
    if (r.status !== 201) throw new DockerNetworkError(`creating Docker network ${spec.name} (${spec.subnet}): ${message(r.json)}`);
    return (r.json as { Id: string }).Id;
  }

  async remove(name: string): Promise<boolean> {
    const r = await this.call("DELETE", `/networks/${encodeURIComponent(name)}`);
    if (r.status === 404) return false;
    if (r.status !== 204 && r.status !== 200) throw new DockerNetworkError(`removing Docker network ${name}: ${message(r.json)}`);
    return true;
  }
}

function message(json: unknown): string {
  return (json as { message?: string } | undefined)?.message ?? JSON.stringify(json);
}
