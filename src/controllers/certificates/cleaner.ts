/**
 * The CSR cleaner (upstream's csrcleaner): requests are records of a moment, not state, so they are
 * deleted once done with: issued or denied or failed an hour after that happened, still pending a
 * day after creation, and any whose certificate has expired. Every agent (re)join leaves one, so
 * without this they pile up.
 */
import type { Informer } from "../../client/index.ts";
import type { Logger } from "../../log/index.ts";
import type { Client } from "../../client/index.ts";
import type { ControllerContext } from "../context.ts";
import type { Controller } from "../runner.ts";
import { ApiError } from "../../apiserver/api/errors.ts";
import { asCsr, type Csr } from "../../apiserver/resources/certificates/types.ts";
import { fromPem, parseCertificate } from "../../pki/index.ts";
import { CSRS } from "./csr-controller.ts";
import { conditionOf } from "./kubelet-client.ts";

const HOUR_MS = 3_600_000;

export interface CsrCleanerOptions {
  /** How often to look (upstream: one hour). */
  pollIntervalMs?: number;
  /** After approval+issue, denial or failure (upstream: one hour). */
  finishedTtlMs?: number;
  /** After creation, for requests nobody answered (upstream: one day). */
  pendingTtlMs?: number;
  now?: () => number;
}

/** Why the request may go, or undefined while it should stay. */
export function expiredBecause(csr: Csr, now: number, opts: Required<Pick<CsrCleanerOptions, "finishedTtlMs" | "pendingTtlMs">>): string | undefined {
  const since = (t: string | undefined) => (t ? now - Date.parse(t) : 0);
  const certificate = csr.status?.certificate;
  if (certificate) {
    const block = fromPem(Buffer.from(certificate, "base64").toString("utf8")).find((b) => b.label === "CERTIFICATE");
    try {
      if (block && parseCertificate(block.der).notAfter.getTime() < now) return "its certificate has expired";
    } catch {
      // An unreadable certificate is judged by its conditions alone.
    }
  }
  for (const type of ["Denied", "Failed"]) {
    const c = conditionOf(csr, type);
    if (c && since(c.lastUpdateTime) > opts.finishedTtlMs) return `${type.toLowerCase()} more than ${opts.finishedTtlMs / 60_000} minutes ago`;
  }
  const approved = conditionOf(csr, "Approved");
  if (certificate && approved && since(approved.lastUpdateTime) > opts.finishedTtlMs) return `issued more than ${opts.finishedTtlMs / 60_000} minutes ago`;
  if (!approved && !conditionOf(csr, "Denied") && !conditionOf(csr, "Failed") && since(csr.metadata?.creationTimestamp) > opts.pendingTtlMs) {
    return `pending for more than ${opts.pendingTtlMs / 3_600_000} hours`;
  }
  return undefined;
}

export class CsrCleaner implements Controller {
  readonly name = "certificatesigningrequest-cleaner-controller";
  private readonly informer: Informer;
  private readonly client: Client;
  private readonly log: Logger;
  private timer: ReturnType<typeof setInterval> | undefined;
  private pass: Promise<void> | undefined;

  constructor(
    ctx: ControllerContext,
    private readonly opts: CsrCleanerOptions = {},
  ) {
    this.client = ctx.client;
    this.log = ctx.log;
    this.informer = ctx.informers.informer(CSRS);
  }

  async start(): Promise<void> {
    await this.informer.start();
    const run = () => {
      this.pass ??= this.clean().finally(() => (this.pass = undefined));
    };
    run();
    this.timer = setInterval(run, this.opts.pollIntervalMs ?? HOUR_MS);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.pass;
  }

  private async clean(): Promise<void> {
    const now = this.opts.now?.() ?? Date.now();
    const ttls = { finishedTtlMs: this.opts.finishedTtlMs ?? HOUR_MS, pendingTtlMs: this.opts.pendingTtlMs ?? 24 * HOUR_MS };
    for (const obj of this.informer.list()) {
      const why = expiredBecause(asCsr(obj), now, ttls);
      if (!why) continue;
      const name = obj.metadata?.name ?? "";
      try {
        await this.client.delete(CSRS, "", name, { preconditions: { uid: obj.metadata?.uid } });
        this.log.info("deleted certificate signing request", { csr: name, reason: why });
      } catch (err) {
        if (!(err instanceof ApiError && (err.code === 404 || err.code === 409))) this.log.warn("cannot delete certificate signing request", { csr: name, err });
      }
    }
  }
}
