/**
 * Docker's event stream for this node's containers: a container that starts, dies or is removed
 * wakes its pod's worker at once (the kubelet's PLEG, without the polling). The stream is
 * reopened after errors (Docker restarts); `onReconnect` lets the caller resync everything it
 * may have missed meanwhile.
 */
import type { DockerApi } from "./engine.ts";
import type { Logger } from "../../log/index.ts";
import { LABEL_NODE, LABEL_POD_UID } from "./labels.ts";

export interface DockerEventHandlers {
  onContainer(podUid: string, action: string, containerId: string): void;
  onReconnect(): void;
}

interface DockerEvent {
  Type?: string;
  Action?: string;
  id?: string;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
}

export function watchDockerEvents(docker: DockerApi, nodeName: string, handlers: DockerEventHandlers, log: Logger): { stop(): void } {
  let stopped = false;
  let current: NodeJS.ReadableStream | undefined;
  let connectedOnce = false;

  const run = async () => {
    let backoff = 200;
    while (!stopped) {
      try {
        const stream = await docker.getEvents({
          filters: { type: ["container"], label: [`${LABEL_NODE}=${nodeName}`], event: ["start", "die", "oom", "destroy"] },
        });
        current = stream;
        if (connectedOnce) handlers.onReconnect();
        connectedOnce = true;
        backoff = 200;
        await consume(stream, handlers);
      } catch (err) {
        if (stopped) return;
        log.v(2).info("docker event stream failed", { err: String(err) });
      }
      if (stopped) return;
      await Bun.sleep(backoff);
      backoff = Math.min(10_000, backoff * 2);
    }
  };
  void run();
  return {
    stop() {
      stopped = true;
      (current as unknown as { destroy?: () => void } | undefined)?.destroy?.();
    },
  };
}

function consume(stream: NodeJS.ReadableStream, handlers: DockerEventHandlers): Promise<void> {
  return new Promise((resolve) => {
    let buffered = "";
    stream.on("data", (chunk: Buffer | string) => {
      buffered += chunk.toString();
      let nl: number;
      while ((nl = buffered.indexOf("\n")) >= 0) {
        const line = buffered.slice(0, nl).trim();
        buffered = buffered.slice(nl + 1);
        if (!line) continue;
        try {
          const ev = JSON.parse(line) as DockerEvent;
          const uid = ev.Actor?.Attributes?.[LABEL_POD_UID];
          if (uid) handlers.onContainer(uid, ev.Action ?? "", ev.Actor?.ID ?? ev.id ?? "");
        } catch {
          // A partial or foreign line: skip it.
        }
      }
    });
    stream.on("end", () => resolve());
    stream.on("close", () => resolve());
    stream.on("error", () => resolve());
  });
}
