/**
 * A streaming test bed without the pod manager: a real `kts server`, a stream tunnel started in
 * the test process with node credentials signed by the server's client CA, and "pods" made by
 * hand: a Pod object bound to the tunnel's node and Docker containers carrying the labels the
 * pod manager would give them (plus this run's kts.test label), with a Running status written
 * through pods/status. Everything is removed by stop().
 */
import Docker from "dockerode";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { logger } from "../../log/index.ts";
import { issueClientCertificate, loadCertificateAuthority } from "../../pki/index.ts";
import { apiClient, type ApiClient } from "../../testing/api-client.ts";
import { ensureTestImage, removeTestContainers, RUN_ID, TEST_IMAGE, TEST_LABEL } from "../../testing/docker.ts";
import { startTestServer, type TestServer } from "../../testing/server.ts";
import { containerLabels, type PodRef } from "../runtime/index.ts";
import { startStreamTunnel, type StreamTunnel } from "./index.ts";

export interface FakeContainer {
  name: string;
  command: string[];
  stdin?: boolean;
  stdinOnce?: boolean;
  tty?: boolean;
}

export interface FakePod {
  name: string;
  uid: string;
  ip: string;
  /** Docker ids by container name. */
  ids: Record<string, string>;
}

export interface StreamBed {
  server: TestServer;
  api: ApiClient;
  docker: Docker;
  node: string;
  tunnel: StreamTunnel;
  makePod(name: string, containers: FakeContainer[], opts?: { namespace?: string; labels?: Record<string, string> }): Promise<FakePod>;
  stop(): Promise<void>;
}

export function nodeCredentials(dataDir: string, nodeName: string): { caPem: string; certPem: string; keyPem: string } {
  const tls = join(dataDir, "server", "tls");
  const clientCa = loadCertificateAuthority(readFileSync(join(tls, "client-ca.crt"), "utf8"), readFileSync(join(tls, "client-ca.key"), "utf8"));
  const issued = issueClientCertificate(clientCa, { commonName: `system:node:${nodeName}`, organizations: ["system:nodes"] });
  return { caPem: readFileSync(join(tls, "server-ca.crt"), "utf8"), certPem: issued.chainPem, keyPem: issued.keyPem };
}

export async function startStreamBed(): Promise<StreamBed> {
  const docker = new Docker();
  await ensureTestImage(docker);
  const server = await startTestServer();
  const api = apiClient(server.kubeconfig);
  const node = `stream-${RUN_ID}`.toLowerCase();
  const creds = nodeCredentials(server.dataDir, node);
  const tunnel = await startStreamTunnel({ serverUrl: `https://127.0.0.1:${server.port}`, ...creds, nodeName: node, docker, log: logger("stream-test") });
  await tunnel.whenConnected();
  const extra = { [TEST_LABEL]: RUN_ID };

  async function makePod(name: string, containers: FakeContainer[], opts: { namespace?: string; labels?: Record<string, string> } = {}): Promise<FakePod> {
    const namespace = opts.namespace ?? "default";
    const pod = await api.send<{ metadata: { uid: string } }>("POST", `/api/v1/namespaces/${namespace}/pods`, {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name, labels: opts.labels },
      spec: { nodeName: node, containers: containers.map((c) => ({ name: c.name, image: TEST_IMAGE, command: c.command, stdin: c.stdin, stdinOnce: c.stdinOnce, tty: c.tty })) },
    });
    const ref: PodRef = { uid: pod.metadata.uid, name, namespace };
    const sandbox = await docker.createContainer({ Image: TEST_IMAGE, Cmd: ["sleep", "3600"], Labels: containerLabels(ref, node, "POD", 0, extra) });
    await sandbox.start();
    const ip = Object.values((await sandbox.inspect()).NetworkSettings.Networks).find((n) => n.IPAddress)?.IPAddress ?? "";
    const ids: Record<string, string> = {};
    for (const c of containers) {
      const created = await docker.createContainer({
        Image: TEST_IMAGE,
        Cmd: c.command,
        Labels: containerLabels(ref, node, c.name, 0, extra),
        OpenStdin: c.stdin === true,
        StdinOnce: c.stdinOnce === true,
        Tty: c.tty === true,
        HostConfig: { NetworkMode: `container:${sandbox.id}`, LogConfig: { Type: "json-file", Config: {} } },
      });
      await created.start();
      ids[c.name] = created.id;
    }
    const now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
    const current = await api.get<Record<string, unknown>>(`/api/v1/namespaces/${namespace}/pods/${name}`);
    await api.send("PUT", `/api/v1/namespaces/${namespace}/pods/${name}/status`, {
      ...current,
      status: {
        phase: "Running",
        podIP: ip,
        podIPs: [{ ip }],
        hostIP: "127.0.0.1",
        startTime: now,
        containerStatuses: containers.map((c) => ({
          name: c.name,
          ready: true,
          started: true,
          restartCount: 0,
          image: TEST_IMAGE,
          imageID: "",
          containerID: `docker://${ids[c.name]}`,
          state: { running: { startedAt: now } },
        })),
      },
    });
    return { name, uid: ref.uid, ip, ids };
  }

  return {
    server,
    api,
    docker,
    node,
    tunnel,
    makePod,
    async stop() {
      await tunnel.stop();
      await server.stop();
      await removeTestContainers(docker);
    },
  };
}
