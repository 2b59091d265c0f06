/**
 * GET pods/<name>/log: PodLogOptions from the query (validated as upstream does), the container
 * and its instance chosen from the pod, then the agent's bytes streamed back as text/plain
 * (chunked and open for as long as the agent follows the log).
 */
import type { Call } from "../http/handlers/call.ts";
import type { FieldError } from "../api/errors.ts";
import type { LogRequest, TunnelServer } from "../../tunnel/index.ts";
import { errors } from "../api/errors.ts";
import { field } from "../validation/field.ts";
import { CH_STDERR, CH_STDOUT } from "../../tunnel/index.ts";
import { openAgentStream } from "./agent-stream.ts";
import { chooseContainer, getPod, logContainerId, nodeOf, podRef } from "./pod-target.ts";

interface LogOptions {
  container: string | null;
  follow: boolean;
  previous: boolean;
  timestamps: boolean;
  tailLines?: number;
  sinceSeconds?: number;
  sinceTime?: string;
  limitBytes?: number;
}

function bool(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  if (v === null || v === "") return false;
  if (/^(true|1|t)$/i.test(v)) return true;
  if (/^(false|0|f)$/i.test(v)) return false;
  throw errors.badRequest(`strconv.ParseBool: parsing ${JSON.stringify(v)}: invalid syntax`);
}

function int(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === "") return undefined;
  if (!/^[+-]?\d+$/.test(v)) throw errors.badRequest(`strconv.ParseInt: parsing ${JSON.stringify(v)}: invalid syntax`);
  return Number(v);
}

export function parseLogOptions(q: URLSearchParams): LogOptions {
  return {
    container: q.get("container"),
    follow: bool(q, "follow"),
    previous: bool(q, "previous"),
    timestamps: bool(q, "timestamps"),
    tailLines: int(q, "tailLines"),
    sinceSeconds: int(q, "sinceSeconds"),
    sinceTime: q.get("sinceTime") || undefined,
    limitBytes: int(q, "limitBytes"),
  };
}

/** upstream's ValidatePodLogOptions. */
export function validateLogOptions(o: LogOptions): FieldError[] {
  const errs: FieldError[] = [];
  if (o.tailLines !== undefined && o.tailLines < 0) errs.push(field.invalid("tailLines", o.tailLines, "must be greater than or equal to 0"));
  if (o.limitBytes !== undefined && o.limitBytes < 1) errs.push(field.invalid("limitBytes", o.limitBytes, "must be greater than 0"));
  if (o.sinceSeconds !== undefined && o.sinceTime !== undefined) errs.push(field.forbidden("", "at most one of `sinceTime` or `sinceSeconds` may be specified"));
  else if (o.sinceSeconds !== undefined && o.sinceSeconds < 1) errs.push(field.invalid("sinceSeconds", o.sinceSeconds, "must be greater than 0"));
  return errs;
}

/** Unix seconds the log must be newer than. */
function sinceOf(o: LogOptions, now: number): number | undefined {
  if (o.sinceSeconds !== undefined) return now / 1000 - o.sinceSeconds;
  if (o.sinceTime !== undefined) {
    const t = Date.parse(o.sinceTime);
    if (Number.isNaN(t)) throw errors.badRequest(`parsing time ${JSON.stringify(o.sinceTime)} as "2006-01-02T15:04:05Z07:00": cannot parse`);
    return t / 1000;
  }
  return undefined;
}

const TEXT_HEADERS = { "Content-Type": "text/plain", "Cache-Control": "no-cache, private" };

export async function serveLog(call: Call, tunnels: TunnelServer): Promise<Response> {
  if (call.info.verb !== "get") throw errors.methodNotSupported({ resource: "pods/log" }, call.req.method);
  const opts = parseLogOptions(call.query);
  const problems = validateLogOptions(opts);
  if (problems.length > 0) throw errors.invalid({ kind: "PodLogOptions", name: call.info.name }, problems);
  const pod = await getPod(call.store, call.info.namespace, call.info.name);
  const container = chooseContainer(pod, opts.container);
  const node = nodeOf(pod);
  // Upstream has no location for an unscheduled pod's log and answers 204 No Content.
  if (!node) return new Response(null, { status: 204 });
  const containerId = logContainerId(pod, container, opts.previous);
  const request: LogRequest = {
    kind: "log",
    pod: podRef(pod),
    container,
    containerId,
    follow: opts.follow,
    previous: opts.previous,
    timestamps: opts.timestamps,
    tailLines: opts.tailLines,
    since: sinceOf(opts, call.ctx.now),
    limitBytes: opts.limitBytes,
  };
  const agent = await openAgentStream(tunnels, node, request);
  const { stream } = agent;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      let open = true;
      const close = () => {
        if (!open) return;
        open = false;
        controller.close();
      };
      agent.attach({
        data(channel, payload) {
          if (!open || (channel !== CH_STDOUT && channel !== CH_STDERR) || payload.length === 0) return;
          controller.enqueue(payload);
          if ((controller.desiredSize ?? 1) <= 0) stream.pause();
        },
        end: close,
        reset: close,
      });
      call.signal.addEventListener("abort", () => {
        open = false;
        stream.reset("client went away");
      });
    },
    pull() {
      stream.resume();
    },
    cancel() {
      stream.reset("client went away");
    },
  }, { highWaterMark: 256 * 1024, size: (chunk) => chunk?.byteLength ?? 0 });
  return new Response(body, { headers: TEXT_HEADERS });
}
