/** Where an agent keeps its credentials under its data dir (k3s's agent layout), written atomically. */
import { chmodSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export function credentialFiles(dataDir: string) {
  return {
    cert: join(dataDir, "client-kubelet.crt"),
    key: join(dataDir, "client-kubelet.key"),
    serverCa: join(dataDir, "server-ca.crt"),
    kubeconfig: join(dataDir, "kubelet.kubeconfig"),
    kubeProxyCert: join(dataDir, "client-kube-proxy.crt"),
    kubeProxyKey: join(dataDir, "client-kube-proxy.key"),
    kubeProxyKubeconfig: join(dataDir, "kubeproxy.kubeconfig"),
  };
}

/** Through a temporary file and a rename, so a crash never leaves half a key. */
export function writeAtomic(file: string, data: string, mode: number): void {
  mkdirSync(join(file, ".."), { recursive: true, mode: 0o700 });
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, data, { mode });
  chmodSync(tmp, mode);
  renameSync(tmp, file);
}
