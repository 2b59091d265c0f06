/**
 * A loopback HTTP server just real enough for kubectl's OpenAPI paths: /version, aggregated
 * discovery of the given resources, our /openapi handler, and object endpoints that answer from
 * a scripted map (and check fieldValidation=Strict with unknownFields). It records every request,
 * so tests can see what kubectl asked for. Not the API server: that lives in ../../http.
 */
import type { Server } from "bun";
import { ALL_VERBS, type ResourceDefinition } from "../../registry/definition.ts";
import { handleOpenApiRequest } from "../handler.ts";
import type { OpenApi } from "../service.ts";
import { strictDecodingError, unknownFieldError } from "../unknown-fields.ts";

export interface Recorded {
  method: string;
  path: string;
  query: URLSearchParams;
  accept: string | null;
  contentType: string | null;
  body: string;
}

export interface StubServer {
  url: string;
  requests: Recorded[];
  /** Objects GET returns, by URL path. */
  objects: Map<string, Record<string, unknown>>;
  stop(): void;
}

const AGGREGATED = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

function discovery(resources: ResourceDefinition[], core: boolean) {
  const groups = new Map<string, ResourceDefinition[]>();
  for (const r of resources) if ((r.group === "") === core) groups.set(r.group, [...(groups.get(r.group) ?? []), r]);
  return {
    kind: "APIGroupDiscoveryList",
    apiVersion: "apidiscovery.k8s.io/v2",
    metadata: {},
    items: [...groups].map(([group, rs]) => ({
      metadata: { name: group },
      versions: [
        {
          version: rs[0]!.version,
          freshness: "Current",
          resources: rs.map((r) => ({
            resource: r.plural,
            responseKind: { group: r.group, version: r.version, kind: r.kind },
            scope: r.namespaced ? "Namespaced" : "Cluster",
            singularResource: r.singular,
            verbs: r.verbs ?? ALL_VERBS,
          })),
        },
      ],
    })),
  };
}

const status = (code: number, reason: string, message: string) =>
  Response.json({ kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code }, { status: code });

export function startStubServer(openapi: OpenApi, resources: ResourceDefinition[]): StubServer {
  const requests: Recorded[] = [];
  const objects = new Map<string, Record<string, unknown>>();
  const server: Server<undefined> = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      const url = new URL(req.url);
      const body = await req.text();
      requests.push({ method: req.method, path: url.pathname, query: url.searchParams, accept: req.headers.get("accept"), contentType: req.headers.get("content-type"), body });
      if (url.pathname === "/version") return Response.json({ major: "1", minor: "32", gitVersion: "v1.32.5", platform: "linux/amd64" });
      if (url.pathname === "/api" || url.pathname === "/apis") {
        return new Response(JSON.stringify(discovery(resources, url.pathname === "/api")), { headers: { "Content-Type": AGGREGATED } });
      }
      const openapiResponse = handleOpenApiRequest(openapi, url, req.headers.get("accept"), req.headers.get("if-none-match"));
      if (openapiResponse) return openapiResponse;
      if (req.method === "GET") {
        const obj = objects.get(url.pathname);
        return obj ? Response.json(obj) : status(404, "NotFound", `${url.pathname} not found`);
      }
      if (req.method === "POST" || req.method === "PUT") {
        const obj = JSON.parse(body) as { apiVersion: string; kind: string };
        const [group, version] = obj.apiVersion.includes("/") ? obj.apiVersion.split("/") : ["", obj.apiVersion];
        if (url.searchParams.get("fieldValidation") === "Strict") {
          const unknown = openapi.unknownFields({ group: group!, version: version!, kind: obj.kind }, obj);
          if (unknown.length > 0) {
            return status(400, "BadRequest", `${obj.kind} in version "${version}" cannot be handled as a ${obj.kind}: ${strictDecodingError(unknown.map(unknownFieldError))}`);
          }
        }
        return Response.json(obj, { status: req.method === "POST" ? 201 : 200 });
      }
      if (req.method === "PATCH") {
        const obj = objects.get(url.pathname);
        return obj ? Response.json(obj) : status(404, "NotFound", `${url.pathname} not found`);
      }
      return status(405, "MethodNotAllowed", "not in this stub");
    },
  });
  return { url: `http://127.0.0.1:${server.port}`, requests, objects, stop: () => server.stop(true) };
}
