/**
 * The machinery the two CSR controllers share: an informer on CertificateSigningRequests feeding
 * a work queue, workers that read the object from the cache and hand it to `handle`.
 */
import type { KubeObject } from "../../apiserver/api/types.ts";
import type { Client, Informer, InformerHandlers } from "../../client/index.ts";
import type { Logger } from "../../log/index.ts";
import type { ControllerContext } from "../context.ts";
import type { Controller } from "../runner.ts";
import { runWorkers, WorkQueue } from "../../client/index.ts";
import { asCsr, type Csr } from "../../apiserver/resources/certificates/types.ts";

export const CSRS = { group: "certificates.k8s.io", version: "v1", resource: "certificatesigningrequests" };

export abstract class CsrController implements Controller {
  abstract readonly name: string;
  private readonly queue = new WorkQueue();
  private readonly informer: Informer;
  private readonly handlers: InformerHandlers;
  private workers: Promise<void> | undefined;
  protected readonly client: Client;
  protected readonly log: Logger;

  constructor(
    ctx: ControllerContext,
    private readonly workerCount = 5,
  ) {
    this.client = ctx.client;
    this.log = ctx.log;
    const enqueue = (obj: KubeObject) => this.queue.add(obj.metadata?.name ?? "");
    this.handlers = { add: enqueue, update: (_, obj) => enqueue(obj) };
    this.informer = ctx.informers.informer(CSRS).on(this.handlers);
  }

  /** Acts on one request (a copy: free to change). Throwing retries it with backoff. */
  protected abstract handle(csr: Csr): Promise<void>;

  async start(): Promise<void> {
    await this.informer.start();
    this.workers = runWorkers(
      this.queue,
      this.workerCount,
      async (name) => {
        const cached = this.informer.get(name);
        if (cached) await this.handle(asCsr(structuredClone(cached)));
      },
      (name, err) => this.log.warn("CSR sync failed; retrying", { csr: name, err }),
    );
  }

  async stop(): Promise<void> {
    // The informer is shared: leave it, the factory stops it.
    this.informer.off(this.handlers);
    this.queue.shutdown();
    await this.workers;
  }
}
