/**
 * Runs a program written with @kubernetes/client-node as a child process against a test server.
 * client-node 2.x needs Node.js 22 (its undici dependency), so the program runs under Bun; Bun's
 * fetch ignores the TLS agent client-node builds, so the child trusts the cluster CA through
 * NODE_EXTRA_CA_CERTS and authenticates with a token kubeconfig (the server must run with
 * `--token <token>`). The program gets that kubeconfig's path as its first argument.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { readKubeconfig, writeKubeconfig } from "../../pki/index.ts";
import type { TestServer } from "../../testing/server.ts";

export type ClientNodeProcess = Subprocess<"ignore", "pipe", "pipe">;

export function spawnClientNode(s: TestServer, token: string, program: string, args: string[] = []): ClientNodeProcess {
  const admin = readKubeconfig(s.kubeconfig);
  const caFile = join(s.dataDir, "client-node-ca.crt");
  const kubeconfig = join(s.dataDir, "client-node-kubeconfig.yaml");
  writeFileSync(caFile, admin.caPem);
  writeKubeconfig(kubeconfig, { server: admin.server, caPem: admin.caPem, token });
  return Bun.spawn([process.execPath, program, kubeconfig, ...args], {
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
    env: { ...process.env, NODE_EXTRA_CA_CERTS: caFile },
  });
}
