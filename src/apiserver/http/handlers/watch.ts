/**
 * WATCH: a chunked stream of one JSON event per line, {"type": ..., "object": ...}; with a Table
 * Accept, each object is a one-row Table. Ends at timeoutSeconds (default: a random time between
 * 30 and 60 minutes, as upstream's --min-request-timeout spreads them) or when the client leaves.
 */
import type { KubeObject } from "../../api/types.ts";
import type { ApiWatchEvent } from "../../registry/store.ts";
import type { Call } from "./call.ts";
import { ApiError, errors, type FieldError } from "../../api/errors.ts";
import { encodeWatchEvent, type WatchEventType } from "../../protobuf/index.ts";
import { buildFilters } from "../filters.ts";
import { PROTOBUF_WATCH_TYPE } from "../negotiate.ts";
import { contentTypeOf } from "../respond.ts";
import { partialMetadata, toTable } from "../table.ts";
import { intParam } from "./call.ts";

/**
 * How often a watch that allows bookmarks gets one: about a minute, as upstream's watch cache.
 * KTS_WATCH_BOOKMARK_INTERVAL_MS shortens it for tests; nothing else should need to.
 */
const BOOKMARK_EVERY_MS = Number(process.env.KTS_WATCH_BOOKMARK_INTERVAL_MS) || 60_000;
const encoder = new TextEncoder();

/**
 * Upstream's ValidateListOptions for a watch: resourceVersionMatch (only NotOlderThan) belongs to
 * the WatchList protocol, so it comes with sendInitialEvents and without continue.
 */
function watchOptionProblems(q: URLSearchParams): FieldError[] {
  const match = q.get("resourceVersionMatch") ?? "";
  const problems: FieldError[] = [];
  const forbidden = (detail: string): FieldError => ({ type: "FieldValueForbidden", field: "resourceVersionMatch", detail });
  if (q.has("sendInitialEvents") && match !== "NotOlderThan") problems.push(forbidden("sendInitialEvents requires setting resourceVersionMatch to NotOlderThan"));
  if (match) {
    if (!q.has("sendInitialEvents")) problems.push(forbidden("resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided"));
    if (match !== "NotOlderThan") problems.push({ type: "FieldValueNotSupported", field: "resourceVersionMatch", value: match, detail: 'supported values: "NotOlderThan"' });
    if (q.get("continue")) problems.push(forbidden("resourceVersionMatch is forbidden when continue is provided"));
  }
  return problems;
}

/** sendInitialEvents as a tri-state: absent (the legacy behaviour of resourceVersion), true or false. */
function sendInitialEvents(q: URLSearchParams): boolean | undefined {
  return q.has("sendInitialEvents") ? q.get("sendInitialEvents") === "true" : undefined;
}

export function handleWatch(call: Call): Response {
  const q = call.query;
  const problems = watchOptionProblems(q);
  if (problems.length > 0) throw errors.invalid({ group: "meta.k8s.io", kind: "ListOptions" }, problems);
  const filters = buildFilters(call.store.def, q);
  const timeout = intParam(q, "timeoutSeconds") ?? 1800 + Math.floor(Math.random() * 1800);
  const bookmarks = q.get("allowWatchBookmarks") === "true";
  const abort = new AbortController();
  const onClientGone = () => abort.abort();
  call.signal.addEventListener("abort", onClientGone, { once: true });
  const events = call.store.watch(
    call.info.namespace,
    { ...filters, resourceVersion: q.get("resourceVersion") ?? undefined, sendInitialEvents: sendInitialEvents(q), bookmarkEveryMs: bookmarks ? BOOKMARK_EVERY_MS : undefined },
    abort.signal,
  );
  const timer = setTimeout(() => abort.abort(), timeout * 1000);
  const finish = () => {
    clearTimeout(timer);
    call.signal.removeEventListener("abort", onClientGone);
    abort.abort();
  };
  let first = true;
  const protobuf = call.rep.output.kind === "protobuf";
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      // Bun sends the response headers with the first body bytes; kube-apiserver flushes them at
      // once, and clients wait for them before they consider the watch open. JSON stream decoders
      // (client-go, client-node, python) skip whitespace between events, so a newline does it.
      // Protobuf frames have no such filler: there the first event carries the headers.
      if (!protobuf) controller.enqueue(encoder.encode("\n"));
    },
    async pull(controller) {
      try {
        for (;;) {
          const next = await events.next();
          if (next.done) break;
          if (next.value.type === "BOOKMARK" && !bookmarks) continue;
          const ev = render(call, next.value, first);
          controller.enqueue(protobuf ? encodeWatchEvent(ev.type as WatchEventType, ev.object as KubeObject) : encoder.encode(JSON.stringify(ev) + "\n"));
          first = false;
          return;
        }
      } catch (err) {
        // A failure mid-stream is reported in-stream, as upstream does, then the watch ends.
        const status = (err instanceof ApiError ? err : errors.internal(err)).toStatus();
        controller.enqueue(protobuf ? encodeWatchEvent("ERROR", status) : encoder.encode(JSON.stringify({ type: "ERROR", object: status }) + "\n"));
      }
      finish();
      controller.close();
    },
    async cancel() {
      finish();
      await events.return(undefined);
    },
  });
  const contentType = protobuf ? PROTOBUF_WATCH_TYPE : contentTypeOf(call.rep.output);
  return new Response(stream, { headers: { "Content-Type": contentType, "Cache-Control": "no-cache, private", "Transfer-Encoding": "chunked" } });
}

function render(call: Call, ev: ApiWatchEvent, first: boolean): { type: string; object: unknown } {
  const out = call.rep.output;
  if (ev.type === "ERROR" || ev.type === "BOOKMARK") return ev;
  let object: unknown = ev.object;
  if (out.kind === "table") {
    object = toTable(call.store.def, [ev.object as KubeObject], {
      include: call.rep.include,
      version: out.version,
      listMeta: { resourceVersion: ev.object.metadata?.resourceVersion },
      noHeaders: !first,
    });
  } else if (out.kind === "partial") object = partialMetadata(ev.object, out.version);
  return { type: ev.type, object };
}
