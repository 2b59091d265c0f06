/**
 * What the API server's end-to-end tests share: the one `kts server` a test file runs against,
 * CustomResourceDefinition manifests, applying CRDs until they are served, and polling.
 */
import { afterAll, beforeAll, expect } from "bun:test";
import { apiClient, type ApiClient } from "../../testing/api-client.ts";
import { startTestServer, type TestServer, type TestServerOptions } from "../../testing/server.ts";

export interface FileServer {
  /** The running server; usable from the first beforeAll hook on (it forwards to the current one). */
  s: TestServer;
  /** An admin client of the running server. */
  api: ApiClient;
  /** Stops the server, keeping its data, and starts another on that data (same arguments). */
  restart(): Promise<void>;
}

/**
 * Starts one `kts server` before the file's tests and stops it after them, expecting exit 0.
 * Hooks the file adds run after the start and before the stop. With KTS_E2E_LOG set, the
 * server's log is printed at the end.
 */
export function serverForFile(args: string[] = [], opts: TestServerOptions = {}): FileServer {
  let server: TestServer | undefined;
  let client: ApiClient | undefined;
  const start = async (more: TestServerOptions) => {
    server = await startTestServer(args, { ...opts, ...more });
    client = apiClient(server.kubeconfig);
  };
  beforeAll(() => start({}));
  afterAll(async () => {
    if (process.env.KTS_E2E_LOG) console.log(server?.log());
    expect(await server?.stop()).toBe(0);
  });
  return {
    s: forwardTo(() => server, "the server"),
    api: forwardTo(() => client, "the API client"),
    async restart() {
      expect(await server!.stop({ keepData: true })).toBe(0);
      await start({ dataDir: server!.dataDir });
    },
  };
}

/** An object whose properties are those of what `current()` returns when they are read. */
function forwardTo<T extends object>(current: () => T | undefined, what: string): T {
  return new Proxy({} as T, {
    get(_, key) {
      const target = current();
      if (!target) throw new Error(`${what} is used before beforeAll started it`);
      const value: unknown = Reflect.get(target, key);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

export interface CrdNames {
  group: string;
  plural: string;
  kind: string;
  scope?: "Namespaced" | "Cluster";
  /** More members of spec.names, as YAML flow text ("singular: widget, shortNames: [wd]"). */
  names?: string;
}

/**
 * A CustomResourceDefinition manifest named `<plural>.<group>`; `versions` is the YAML of the
 * spec.versions list, its items at two spaces ("  - name: v1").
 */
export function crdManifest(crd: CrdNames, versions: string): string {
  return `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: ${crd.plural}.${crd.group}}
spec:
  group: ${crd.group}
  scope: ${crd.scope ?? "Namespaced"}
  names: {plural: ${crd.plural}, kind: ${crd.kind}${crd.names ? `, ${crd.names}` : ""}}
  versions:
${versions.replace(/^\n/, "")}`;
}

/** The versions list of a CRD with one version, v1, that keeps whatever it is given. */
export const ANY_OBJECT_V1 = "  - {name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}}\n";

/** The versions list of a CRD with one version whose schema is `openAPIV3Schema` (YAML flow). */
export const singleVersion = (name: string, openAPIV3Schema: string) => `  - name: ${name}
    served: true
    storage: true
    schema: {openAPIV3Schema: ${openAPIV3Schema}}
`;

/** `kubectl apply` of CRD manifests, then waits until each is Established (served). */
export async function applyCrds(s: TestServer, manifests: string): Promise<void> {
  const applied = await s.kubectl(["apply", "-o", "name", "-f", "-"], { stdin: manifests });
  expect(applied).toMatchObject({ code: 0, stderr: "" });
  await s.k("wait", "--for=condition=Established", ...applied.stdout.trim().split("\n"), "--timeout=10s");
}

/** Polls `check` (a throw counts as not yet) until it holds; fails with `what` after `timeoutMs`. */
export async function until(what: string | (() => string), check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`not in time: ${typeof what === "string" ? what : what()}`);
    await Bun.sleep(50);
  }
}
