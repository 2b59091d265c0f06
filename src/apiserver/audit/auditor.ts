/**
 * Audit events (audit.k8s.io/v1 Event) for each request the policy does not set to None:
 * RequestReceived when it arrives, ResponseStarted for long-running requests (watches, followed
 * logs, and exec/attach/port-forward once they switched protocols) when their headers go out,
 * ResponseComplete when the answer (or the stream) is done. Metadata level
 * records who did what to which object and the outcome; Request adds the request body,
 * RequestResponse the response body too. Annotations carry the authorization decision and what
 * admission noted (pod-security, webhooks, policies).
 */
import type { UserInfo, RequestScope } from "../registry/definition.ts";
import type { RequestInfo } from "../http/request-info.ts";
import { atLeast, decide, type AuditDecision, type AuditPolicy, type AuditStage } from "./policy.ts";
import type { AuditLogFile } from "./log-file.ts";

export interface AuditRequest {
  request: Request;
  url: URL;
  user: UserInfo;
  info: RequestInfo;
  sourceIPs: string[];
  scope: RequestScope;
  auditID: string;
  receivedAt: number;
}

/** Microsecond RFC 3339 timestamps, as upstream's MicroTime. */
function microTime(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 23)}000Z`;
}

const WRITE_VERBS = new Set(["create", "update", "patch"]);
const PROTOBUF = "application/vnd.kubernetes.protobuf";

function stripManagedFields(value: unknown): unknown {
  if (!value || typeof value !== "object") return value;
  const obj = structuredClone(value) as { metadata?: { managedFields?: unknown }; items?: Array<{ metadata?: { managedFields?: unknown } }> };
  if (obj.metadata) delete obj.metadata.managedFields;
  for (const item of obj.items ?? []) if (item?.metadata) delete item.metadata.managedFields;
  return obj;
}

/** The user of an audit event for a request that failed authentication: none (`"user": {}`). */
export const NO_USER: UserInfo = { username: "", groups: [] };

/** authentication.k8s.io/v1 UserInfo as audit events carry it. */
function userInfo(u: UserInfo): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (u.username) out.username = u.username;
  if (u.uid) out.uid = u.uid;
  if (u.groups.length) out.groups = u.groups;
  if (u.extra) out.extra = u.extra;
  return out;
}

export class Auditor {
  constructor(
    private readonly policy: AuditPolicy,
    private readonly sink: AuditLogFile,
  ) {}

  begin(r: AuditRequest): AuditRecord | undefined {
    const info = r.info;
    const decision = decide(this.policy, {
      user: r.user,
      verb: info.verb,
      path: r.url.pathname,
      resource: info.kind === "resource" ? { group: info.group, resource: info.resource, subresource: info.subresource, namespace: info.namespace, name: info.name } : undefined,
    });
    if (decision.level === "None") return undefined;
    return new AuditRecord(r, decision, (e) => this.sink.write(e));
  }

  flush(): Promise<void> {
    return this.sink.flush();
  }

  close(): Promise<void> {
    return this.sink.close();
  }
}

export class AuditRecord {
  private requestObject: unknown;
  private completed = false;
  private hasStarted = false;
  /** Decodes Kubernetes protobuf bodies of the request's type (kubectl sends and accepts some). */
  protobuf?: (bytes: Uint8Array) => unknown;

  constructor(
    private readonly r: AuditRequest,
    private readonly decision: AuditDecision,
    private readonly emit: (event: unknown) => void,
  ) {}

  /** Whether the request body should be kept (Request level and above, for writes). */
  get wantsRequestBody(): boolean {
    return atLeast(this.decision.level, "Request") && this.r.info.kind === "resource" && WRITE_VERBS.has(this.r.info.verb);
  }

  get wantsResponseBody(): boolean {
    return atLeast(this.decision.level, "RequestResponse");
  }

  /** Keeps the request body as an object. */
  setRequestBody(bytes: Uint8Array, contentType: string | null): void {
    const type = (contentType ?? "").split(";")[0]!.trim();
    try {
      if (type === PROTOBUF) {
        this.requestObject = this.protobuf?.(bytes);
        return;
      }
      const text = new TextDecoder().decode(bytes);
      if (type === "application/json" || type.endsWith("+json")) this.requestObject = JSON.parse(text);
      else if (type === "application/yaml" || type.endsWith("+yaml")) this.requestObject = Bun.YAML.parse(text);
    } catch {
      this.requestObject = undefined;
    }
  }

  private event(stage: AuditStage, extra: Record<string, unknown> = {}): Record<string, unknown> {
    const r = this.r;
    const info = r.info;
    const user = userInfo(r.user);
    const event: Record<string, unknown> = {
      kind: "Event",
      apiVersion: "audit.k8s.io/v1",
      level: this.decision.level,
      auditID: r.auditID,
      stage,
      requestURI: `${r.url.pathname}${r.url.search}`,
      verb: info.verb,
      user,
      sourceIPs: r.sourceIPs,
    };
    // The authenticated user is `user`; whom it acted as (kubectl --as) is `impersonatedUser`, as upstream records.
    if (r.scope.impersonatedUser) event.impersonatedUser = userInfo(r.scope.impersonatedUser);
    const ua = r.request.headers.get("user-agent");
    if (ua) event.userAgent = ua;
    if (info.kind === "resource") {
      const ref: Record<string, unknown> = { resource: info.resource };
      if (info.namespace) ref.namespace = info.namespace;
      if (info.name) ref.name = info.name;
      if (info.group) ref.apiGroup = info.group;
      ref.apiVersion = info.version;
      if (info.subresource) ref.subresource = info.subresource;
      event.objectRef = ref;
    }
    Object.assign(event, extra);
    // The request body is known once the handler decoded it: on the later stages.
    if (this.requestObject !== undefined && stage !== "RequestReceived") event.requestObject = this.decision.omitManagedFields ? stripManagedFields(this.requestObject) : this.requestObject;
    event.requestReceivedTimestamp = microTime(r.receivedAt);
    event.stageTimestamp = microTime(Date.now());
    const annotations = { ...r.scope.auditAnnotations };
    if (Object.keys(annotations).length) event.annotations = annotations;
    return event;
  }

  private send(stage: AuditStage, extra?: Record<string, unknown>): void {
    if (this.decision.omitStages.has(stage)) return;
    this.emit(this.event(stage, extra));
  }

  received(): void {
    this.send("RequestReceived");
  }

  /** The response is ready: ResponseComplete, or ResponseStarted and later ResponseComplete for a stream. Returns the response to send. */
  async respond(res: Response, longRunning: boolean): Promise<Response> {
    if (this.completed) return res;
    const status = await this.responseStatus(res);
    if (!longRunning || !res.body) {
      const extra: Record<string, unknown> = { responseStatus: status };
      if (this.wantsResponseBody && res.body && status.code !== undefined) {
        const body = await this.responseBody(res);
        if (body !== undefined) extra.responseObject = this.decision.omitManagedFields ? stripManagedFields(body) : body;
      }
      // A long-running request always has its header stage, as upstream's writer sees every header.
      if (longRunning) this.started(status);
      this.completed = true;
      this.send("ResponseComplete", extra);
      return res;
    }
    this.started(status);
    const done = () => this.complete(status);
    this.r.request.signal.addEventListener("abort", done, { once: true });
    const body = res.body.pipeThrough(new TransformStream({ flush: done }));
    return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
  }

  /**
   * A request that switched protocols (exec, attach, port-forward, the agents' tunnel) answered
   * with `code` on its own socket. These are long-running requests, so as upstream's audit writer
   * does for any of them, the answer's header is ResponseStarted (a 101, or a refusal of the
   * handler's own); a refusal is complete at once, a 101 when the connection ends (`closed`).
   */
  answered(code: number): void {
    this.started({ metadata: {}, code });
    if (code !== 101) this.closed(code);
  }

  /**
   * A request that failed authentication (wrong credentials, or none where anonymous requests are
   * off): upstream audits it in its failed-authentication filter, as a single ResponseStarted
   * event with the 401 and no user, whatever kind of request it was.
   */
  async unauthenticated(res: Response): Promise<void> {
    const status = await this.responseStatus(res);
    this.hasStarted = this.completed = true;
    this.send("ResponseStarted", { responseStatus: status });
  }

  /** A long-running request refused before its handler took the socket: both stages, with the refusal's Status. */
  async refused(res: Response): Promise<void> {
    const status = await this.responseStatus(res);
    this.started(status);
    this.complete(status);
  }

  /** The switched connection ended (or a refusal was written): ResponseComplete, once. */
  closed(code: number): void {
    this.complete({ metadata: {}, code });
  }

  private started(status: Record<string, unknown>): void {
    if (this.hasStarted) return;
    this.hasStarted = true;
    this.send("ResponseStarted", { responseStatus: status });
  }

  private complete(status: Record<string, unknown>): void {
    if (this.completed) return;
    this.completed = true;
    this.send("ResponseComplete", { responseStatus: status });
  }

  private async responseStatus(res: Response): Promise<Record<string, unknown>> {
    const out: Record<string, unknown> = { metadata: {}, code: res.status };
    if (res.status < 400 || !(res.headers.get("content-type") ?? "").includes("json")) return out;
    try {
      const s = (await res.clone().json()) as { status?: string; message?: string; reason?: string; details?: unknown };
      if (s.status) out.status = s.status;
      if (s.message) out.message = s.message;
      if (s.reason) out.reason = s.reason;
      if (s.details) out.details = s.details;
    } catch {
      // not a Status
    }
    return out;
  }

  private async responseBody(res: Response): Promise<unknown> {
    const type = res.headers.get("content-type") ?? "";
    try {
      if (type.startsWith(PROTOBUF)) return this.protobuf?.(new Uint8Array(await res.clone().arrayBuffer()));
      if (!type.includes("json")) return undefined;
      return await res.clone().json();
    } catch {
      return undefined;
    }
  }
}
