/**
 * A small admission webhook for tests: an HTTPS server on loopback with its own CA, answering
 * AdmissionReviews with a handler per path. `caBundle` is what a webhook configuration's
 * clientConfig.caBundle takes; `reviews` records what arrived.
 */
import type { Server } from "bun";
import { createCertificateAuthority, issueServingCertificate } from "../pki/index.ts";

export interface AdmissionReviewRequest {
  uid: string;
  kind: { group: string; version: string; kind: string };
  resource: { group: string; version: string; resource: string };
  subResource?: string;
  name?: string;
  namespace?: string;
  operation: string;
  userInfo: { username: string; groups?: string[] };
  object: Record<string, unknown> | null;
  oldObject: Record<string, unknown> | null;
  dryRun: boolean;
}

export interface ReviewAnswer {
  allowed: boolean;
  status?: { code?: number; message?: string; reason?: string };
  /** JSON Patch operations; sent base64-encoded as upstream expects. */
  patch?: unknown[];
  warnings?: string[];
  auditAnnotations?: Record<string, string>;
  /** Wait this long before answering (timeouts). */
  delayMs?: number;
}

export type ReviewHandler = (req: AdmissionReviewRequest) => ReviewAnswer | Promise<ReviewAnswer>;

export interface TestWebhookServer {
  url: string;
  port: number;
  caBundle: string;
  reviews: Array<{ path: string; request: AdmissionReviewRequest }>;
  stop(): Promise<void>;
}

export function startWebhookServer(handlers: Record<string, ReviewHandler>): TestWebhookServer {
  const ca = createCertificateAuthority("test-webhook-ca");
  const leaf = issueServingCertificate(ca, { commonName: "webhook", dnsNames: ["localhost", "webhook.default.svc"], ipAddresses: ["127.0.0.1"] });
  const reviews: TestWebhookServer["reviews"] = [];
  const server: Server<unknown> = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    tls: { cert: leaf.chainPem, key: leaf.keyPem },
    async fetch(req) {
      const path = new URL(req.url).pathname;
      const handler = handlers[path];
      if (!handler) return new Response("no such webhook", { status: 404 });
      const review = (await req.json()) as { request: AdmissionReviewRequest };
      reviews.push({ path, request: review.request });
      const answer = await handler(review.request);
      if (answer.delayMs) await Bun.sleep(answer.delayMs);
      const response: Record<string, unknown> = { uid: review.request.uid, allowed: answer.allowed };
      if (answer.status) response.status = answer.status;
      if (answer.patch) {
        response.patchType = "JSONPatch";
        response.patch = Buffer.from(JSON.stringify(answer.patch)).toString("base64");
      }
      if (answer.warnings) response.warnings = answer.warnings;
      if (answer.auditAnnotations) response.auditAnnotations = answer.auditAnnotations;
      return Response.json({ apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", response });
    },
  });
  return {
    url: `https://127.0.0.1:${server.port}`,
    port: server.port!,
    caBundle: Buffer.from(ca.certPem).toString("base64"),
    reviews,
    stop: async () => {
      await server.stop(true);
    },
  };
}
