/**
 * Wiring a pod sandbox into the bridge (the CNI bridge plugin's ADD): the pause container runs
 * without Docker networking (an empty network namespace of its own), and kts gives it a veth pair:
 * the host end (`veth` + the sandbox id's first 8 hex digits) on the bridge with hairpin mode on,
 * the peer `eth0` created straight inside /proc/<pid>/ns/net, addressed with the pod IP and the
 * CIDR's prefix, a default route via the bridge, the node's MTU on both ends. Two process spawns:
 * one `ip -batch` on the host, one inside the namespace through nsenter. The pair goes away with
 * the namespace when the pod's containers are gone.
 */

export interface VethSpec {
  /** The sandbox (pause) container's id. */
  sandboxId: string;
  /** Its process id (its network namespace is /proc/<pid>/ns/net). */
  pid: number;
  bridge: string;
  ip: string;
  prefix: number;
  gateway: string;
  mtu: number;
}

export class VethError extends Error {}

/** The host end's name: at most 15 characters, unique per sandbox. */
export function hostVethName(sandboxId: string): string {
  return `veth${sandboxId.slice(0, 8)}`;
}

async function run(argv: string[], input: string): Promise<void> {
  const p = Bun.spawn(argv, { stdin: new Blob([input]), stdout: "ignore", stderr: "pipe" });
  const [code, err] = await Promise.all([p.exited, new Response(p.stderr).text()]);
  if (code !== 0) throw new VethError(`${argv.join(" ")} failed (exit ${code}): ${err.trim()}`);
}

export async function attachVeth(spec: VethSpec): Promise<void> {
  const host = hostVethName(spec.sandboxId);
  const mtu = String(spec.mtu);
  await run(
    ["ip", "-batch", "-"],
    [
      `link add ${host} mtu ${mtu} type veth peer name eth0 mtu ${mtu} netns /proc/${spec.pid}/ns/net`,
      `link set ${host} master ${spec.bridge}`,
      `link set ${host} type bridge_slave hairpin on`,
      `link set ${host} up`,
      "",
    ].join("\n"),
  );
  try {
    await run(
      ["nsenter", "-t", String(spec.pid), "-n", "ip", "-batch", "-"],
      ["link set lo up", `addr add ${spec.ip}/${spec.prefix} dev eth0`, "link set eth0 up", `route add default via ${spec.gateway} dev eth0`, ""].join("\n"),
    );
  } catch (err) {
    // Deleting one end takes the pair.
    Bun.spawnSync(["ip", "link", "del", host]);
    throw err;
  }
}
