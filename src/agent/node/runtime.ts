/** Whether Docker Engine answers, its version and its images: the runtime half of the node status. */
import type { DockerApi } from "../runtime/index.ts";
import { imagesFromDocker, type RuntimeState } from "./status.ts";

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms)));
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

export async function probeRuntime(docker: DockerApi, timeoutMs = 10_000): Promise<RuntimeState> {
  try {
    const version = await withTimeout(docker.version(), timeoutMs, "Docker Engine");
    const images = await withTimeout(docker.listImages(), timeoutMs, "Docker Engine");
    return { up: true, version: `docker://${version.Version}`, images: imagesFromDocker(images) };
  } catch (err) {
    return { up: false, error: err instanceof Error ? err.message : String(err), images: [] };
  }
}
