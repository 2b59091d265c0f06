/**
 * Making a container's image present, as the kubelet's image manager does: the pull policy
 * decides (Never uses what is there, IfNotPresent pulls when missing, Always pulls), failed pulls
 * back off per pod and image (ErrImagePull, then ImagePullBackOff), and each step is reported as
 * upstream's events (Pulling, Pulled, Failed, BackOff, ErrImageNeverPull).
 */
import type { DockerApi } from "../runtime/engine.ts";
import type { Secret } from "../runtime/index.ts";
import { Backoff } from "../runtime/index.ts";

export type PullPolicy = "Always" | "IfNotPresent" | "Never";

/** Why an image is not there: the container's waiting reason and message. */
export class ImageError extends Error {
  constructor(
    readonly reason: "ErrImagePull" | "ImagePullBackOff" | "ErrImageNeverPull" | "InvalidImageName",
    message: string,
  ) {
    super(message);
  }
}

export interface ImageEvent {
  type: "Normal" | "Warning";
  reason: string;
  message: string;
}

export interface ImageInfo {
  id: string;
  /** The image's configured user ("" for root). */
  user: string;
  /** docker-pullable://repo@sha256:… when the image came from a registry, else docker://sha256:…. */
  imageID: string;
}

export interface PullerOptions {
  backoffInitialMs?: number;
  backoffMaxMs?: number;
  /** A pull that takes longer fails (an unreachable registry can hang for minutes). */
  pullTimeoutMs?: number;
  /**
   * Makes a missing image the agent produces itself (the kts image, built on first use when kts
   * runs from sources) instead of pulling it; resolves true when it made it.
   */
  makeLocal?(image: string): Promise<boolean>;
}

export class ImagePuller {
  private readonly backoff: Backoff;
  private readonly lastError = new Map<string, string>();
  /** When each image was last used to start a container (image garbage collection reads it). */
  readonly lastUsed = new Map<string, number>();

  constructor(
    private readonly docker: DockerApi,
    private readonly opts: PullerOptions = {},
  ) {
    this.backoff = new Backoff(opts.backoffInitialMs ?? 10_000, opts.backoffMaxMs ?? 300_000);
  }

  /** Milliseconds until a pod may try pulling an image again. */
  backoffRemaining(key: string, image: string): number {
    return this.backoff.remaining(`${key}_${image}`);
  }

  async inspect(image: string): Promise<ImageInfo | undefined> {
    try {
      const info = await this.docker.getImage(image).inspect();
      const digest = info.RepoDigests?.[0];
      return { id: info.Id, user: info.Config?.User ?? "", imageID: digest ? `docker-pullable://${digest}` : `docker://${info.Id}` };
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return undefined;
      throw err;
    }
  }

  /**
   * Returns the image once present; throws ImageError when it cannot be. `key` identifies the pod
   * for the pull backoff; `emit` receives the events to record on the container.
   */
  async ensure(image: string, policy: PullPolicy, key: string, pullSecrets: Secret[], emit: (e: ImageEvent) => void): Promise<ImageInfo> {
    if (!image || /\s/.test(image)) {
      emit({ type: "Warning", reason: "InspectFailed", message: `Failed to apply default image tag "${image}": couldn't parse image name "${image}": invalid reference format` });
      throw new ImageError("InvalidImageName", `Failed to apply default image tag "${image}": couldn't parse image name "${image}": invalid reference format`);
    }
    let present = await this.inspect(image);
    if (!present && policy !== "Always" && (await this.opts.makeLocal?.(image))) present = await this.inspect(image);
    const pull = policy === "Always" || (policy === "IfNotPresent" && !present);
    if (!pull) {
      if (present) {
        emit({ type: "Normal", reason: "Pulled", message: `Container image "${image}" already present on machine` });
        this.lastUsed.set(present.id, Date.now());
        return present;
      }
      const msg = `Container image "${image}" is not present with pull policy of Never`;
      emit({ type: "Warning", reason: "ErrImageNeverPull", message: msg });
      throw new ImageError("ErrImageNeverPull", msg);
    }
    const backoffKey = `${key}_${image}`;
    if (this.backoff.inBackoffSinceUpdate(backoffKey)) {
      const msg = `Back-off pulling image "${image}"`;
      emit({ type: "Normal", reason: "BackOff", message: msg });
      const last = this.lastError.get(backoffKey);
      throw new ImageError("ImagePullBackOff", last ? `${msg}: ErrImagePull: ${last}` : msg);
    }
    emit({ type: "Normal", reason: "Pulling", message: `Pulling image "${image}"` });
    const started = Date.now();
    try {
      await this.pull(image, pullSecrets);
    } catch (err) {
      const text = err instanceof Error ? err.message : String(err);
      this.backoff.next(backoffKey);
      this.lastError.set(backoffKey, text);
      emit({ type: "Warning", reason: "Failed", message: `Failed to pull image "${image}": ${text}` });
      throw new ImageError("ErrImagePull", text);
    }
    this.backoff.reset(backoffKey);
    this.lastError.delete(backoffKey);
    const info = await this.inspect(image);
    if (!info) throw new ImageError("ErrImagePull", `image "${image}" is missing after its pull`);
    const size = await this.docker
      .getImage(image)
      .inspect()
      .then((i) => i.Size)
      .catch(() => 0);
    const secs = ((Date.now() - started) / 1000).toFixed(3);
    emit({ type: "Normal", reason: "Pulled", message: `Successfully pulled image "${image}" in ${secs}s (${secs}s including waiting). Image size: ${size} bytes.` });
    this.lastUsed.set(info.id, Date.now());
    return info;
  }

  private async pull(image: string, pullSecrets: Secret[]): Promise<void> {
    const signal = AbortSignal.timeout(this.opts.pullTimeoutMs ?? 300_000);
    const authconfig = registryAuth(image, pullSecrets);
    const stream = (await this.docker.pull(image, { abortSignal: signal, ...(authconfig ? { authconfig } : {}) })) as NodeJS.ReadableStream;
    await new Promise<void>((resolve, reject) => {
      signal.addEventListener("abort", () => reject(new Error(`pulling image "${image}" timed out`)));
      this.docker.modem.followProgress(
        stream,
        (err) => (err ? reject(err) : resolve()),
        (ev: { error?: string }) => {
          if (ev.error) reject(new Error(ev.error));
        },
      );
    });
  }
}

/** The registry of an image reference, as Docker resolves it (docker.io when none is named). */
export function registryOf(image: string): string {
  const first = image.split("/")[0]!;
  if (!image.includes("/") || !(first.includes(".") || first.includes(":") || first === "localhost")) return "docker.io";
  return first;
}

/** Credentials for the image's registry from the pod's dockerconfigjson / dockercfg pull secrets. */
function registryAuth(image: string, secrets: Secret[]): { username?: string; password?: string; auth?: string; serveraddress: string } | undefined {
  const registry = registryOf(image);
  const candidates = registry === "docker.io" ? ["docker.io", "index.docker.io", "https://index.docker.io/v1/", "registry-1.docker.io"] : [registry, `https://${registry}`, `http://${registry}`];
  for (const s of secrets) {
    const raw = s.data?.[".dockerconfigjson"] ?? s.data?.[".dockercfg"];
    if (!raw) continue;
    try {
      const parsed = JSON.parse(Buffer.from(raw, "base64").toString()) as Record<string, unknown>;
      const auths = (parsed.auths ?? parsed) as Record<string, { username?: string; password?: string; auth?: string }>;
      for (const c of candidates) {
        const a = auths[c];
        if (!a) continue;
        let { username, password } = a;
        if ((!username || !password) && a.auth) [username, password] = Buffer.from(a.auth, "base64").toString().split(/:(.*)/s) as [string, string];
        return { username, password, serveraddress: registry };
      }
    } catch {
      // A malformed secret gives no credentials; the pull reports its own error.
    }
  }
  return undefined;
}
