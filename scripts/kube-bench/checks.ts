/**
 * Control-plane checks in the layout of kube-bench's CIS Kubernetes Benchmark profiles (sections
 * 1.1 files, 1.2 API server, 1.3 controller manager, 1.4 scheduler, 2 etcd, 3 control plane
 * configuration, 4 worker node files, 5 policies), adapted to kts as the k3s CIS self-assessment
 * guide adapts them to k3s: one process, flags as --kube-apiserver-arg, state under the data dir.
 * Checks that cannot apply (static pod manifests, a separate etcd) say so as INFO.
 */
import { join } from "node:path";
import type { Facts, FileFact } from "./facts.ts";
import { DEFAULT_ADMISSION_PLUGINS } from "../../src/apiserver/index.ts";

export type Status = "PASS" | "FAIL" | "WARN" | "INFO";

export interface Result {
  status: Status;
  /** What was found (printed with FAIL and WARN). */
  detail?: string;
}

export interface Check {
  id: string;
  text: string;
  automated: boolean;
  remediation: string;
  run(f: Facts): Promise<Result> | Result;
}

export interface Section {
  id: string;
  text: string;
  checks: Check[];
}

const pass = (detail?: string): Result => ({ status: "PASS", detail });
const fail = (detail: string): Result => ({ status: "FAIL", detail });
const warn = (detail: string): Result => ({ status: "WARN", detail });
const info = (detail: string): Result => ({ status: "INFO", detail });
const octal = (m: number) => m.toString(8).padStart(3, "0");

/** An API server flag: --kube-apiserver-arg key=value, or kts's own flag of that name. */
function apiFlag(f: Facts, key: string): string | undefined {
  return f.apiserverArgs.get(key) ?? f.flags?.get(key)?.[0];
}

function modeAtMost(files: FileFact[], max: number, what: string): Result {
  const present = files.filter((x) => x.exists);
  if (present.length === 0) return warn(`no ${what} found`);
  const loose = present.filter((x) => (x.mode & ~max) !== 0);
  return loose.length === 0 ? pass(`${present.length} ${what}, modes ${[...new Set(present.map((x) => octal(x.mode)))].join(", ")}`) : fail(loose.map((x) => `${x.path} is ${octal(x.mode)}`).join("; "));
}

function ownedByRoot(files: FileFact[], what: string): Result {
  const present = files.filter((x) => x.exists);
  if (present.length === 0) return warn(`no ${what} found`);
  const other = present.filter((x) => x.uid !== 0 || x.gid !== 0);
  return other.length === 0 ? pass() : fail(other.map((x) => `${x.path} is ${x.uid}:${x.gid}`).join("; "));
}

function plugins(f: Facts): { enabled: Set<string>; disabled: Set<string> } {
  const split = (v: string | undefined) => new Set((v ?? "").split(",").map((s) => s.trim()).filter(Boolean));
  return { enabled: split(apiFlag(f, "enable-admission-plugins")), disabled: split(apiFlag(f, "disable-admission-plugins")) };
}

/** kts's default admission set (src/apiserver/admission DEFAULT_PLUGINS) for the plugins these checks name. */
/** What kts enables when no flag says otherwise (the product's own list, so this check cannot drift from it). */
const DEFAULT_ADMISSION = new Set(DEFAULT_ADMISSION_PLUGINS);

function admissionOn(f: Facts, name: string): boolean {
  const { enabled, disabled } = plugins(f);
  return !disabled.has(name) && (enabled.has(name) || DEFAULT_ADMISSION.has(name));
}

function authorizationModes(f: Facts): string[] {
  return (apiFlag(f, "authorization-mode") ?? "Node,RBAC").split(",").map((s) => s.trim());
}

const tls = (f: Facts) => join(f.dataDir, "server", "tls");
const na = (why: string) => () => info(`Not Applicable: ${why}`);

export function sections(): Section[] {
  return [
    {
      id: "1.1",
      text: "Control Plane Node Configuration Files",
      checks: [
        { id: "1.1.1", text: "Ensure that the API server pod specification file permissions are set to 600 or more restrictive", automated: true, remediation: "", run: na("kts runs the API server in its own process, from no pod specification") },
        { id: "1.1.9", text: "Ensure that the Container Network Interface file permissions are set to 600 or more restrictive", automated: false, remediation: "", run: na("kts's agent configures pod networking itself, without CNI files") },
        {
          id: "1.1.11",
          text: "Ensure that the etcd data directory permissions are set to 700 or more restrictive",
          automated: true,
          remediation: "chmod 700 <data-dir>/server/db",
          run: (f) => modeAtMost([f.file(join(f.dataDir, "server", "db"))], 0o700, "datastore directory"),
        },
        { id: "1.1.12", text: "Ensure that the etcd data directory ownership is set to etcd:etcd", automated: true, remediation: "chown root:root <data-dir>/server/db", run: (f) => ownedByRoot([f.file(join(f.dataDir, "server", "db"))], "datastore directory") },
        { id: "1.1.13", text: "Ensure that the default administrative credential file permissions are set to 600", automated: true, remediation: "kts server --write-kubeconfig-mode 600 (the default)", run: (f) => modeAtMost([f.file(f.kubeconfig)], 0o600, "admin kubeconfig") },
        { id: "1.1.14", text: "Ensure that the default administrative credential file ownership is set to root:root", automated: true, remediation: "chown root:root <kubeconfig>", run: (f) => ownedByRoot([f.file(f.kubeconfig)], "admin kubeconfig") },
        { id: "1.1.15", text: "Ensure that the scheduler.conf file permissions are set to 600 or more restrictive", automated: true, remediation: "", run: na("the scheduler runs in the server process with an in-process client, no kubeconfig file") },
        { id: "1.1.17", text: "Ensure that the controller-manager.conf file permissions are set to 600 or more restrictive", automated: true, remediation: "", run: na("the controllers run in the server process with an in-process client, no kubeconfig file") },
        { id: "1.1.19", text: "Ensure that the Kubernetes PKI directory and file ownership is set to root:root", automated: true, remediation: "chown -R root:root <data-dir>/server/tls", run: (f) => ownedByRoot([f.file(tls(f)), ...f.filesUnder(tls(f))], "PKI files") },
        {
          id: "1.1.20",
          text: "Ensure that the Kubernetes PKI certificate file permissions are set to 600 or more restrictive",
          automated: false,
          remediation: "chmod 600 <data-dir>/server/tls/*.crt (certificates are public: kts, like k3s, writes them 644)",
          run: (f) => {
            const r = modeAtMost(f.filesUnder(tls(f)).filter((x) => x.path.endsWith(".crt")), 0o600, "certificate files");
            return r.status === "FAIL" ? warn(r.detail!) : r;
          },
        },
        {
          id: "1.1.21",
          text: "Ensure that the Kubernetes PKI key file permissions are set to 600",
          automated: false,
          remediation: "chmod 600 <data-dir>/server/tls/*.key",
          run: (f) => modeAtMost(f.filesUnder(tls(f)).filter((x) => x.path.endsWith(".key")), 0o600, "key files"),
        },
        {
          id: "1.1.k1",
          text: "Ensure that the kts data directory, server token and credentials are only accessible to root (k3s hardening)",
          automated: true,
          remediation: "chmod 700 <data-dir>; chmod 600 <data-dir>/server/token <data-dir>/server/cred/*",
          run: (f) => {
            const dir = modeAtMost([f.file(f.dataDir)], 0o700, "data directory");
            if (dir.status !== "PASS") return dir;
            return modeAtMost([f.file(join(f.dataDir, "server", "token")), ...f.filesUnder(join(f.dataDir, "server", "cred"))], 0o600, "token and credential files");
          },
        },
      ],
    },
    {
      id: "1.2",
      text: "API Server",
      checks: [
        {
          id: "1.2.1",
          text: "Ensure that the --anonymous-auth argument is set to false",
          automated: false,
          remediation: "do not pass --kube-apiserver-arg anonymous-auth=true",
          run: async (f) => {
            if (apiFlag(f, "anonymous-auth") === "true") return fail("anonymous-auth=true");
            const status = await f.anonymousStatus("/api");
            return status === 401 ? pass("anonymous GET /api: 401") : fail(`anonymous GET /api: ${status}`);
          },
        },
        { id: "1.2.2", text: "Ensure that the --token-auth-file parameter is not set", automated: true, remediation: "remove --kube-apiserver-arg token-auth-file", run: (f) => (apiFlag(f, "token-auth-file") ? fail(`token-auth-file=${apiFlag(f, "token-auth-file")}`) : pass()) },
        { id: "1.2.3", text: "Ensure that the DenyServiceExternalIPs is set", automated: false, remediation: "", run: () => warn("kts has no DenyServiceExternalIPs admission plugin yet") },
        { id: "1.2.4", text: "Ensure that the --kubelet-client-certificate and --kubelet-client-key arguments are set as appropriate", automated: true, remediation: "", run: na("kts agents serve no kubelet API: logs and exec go through the tunnel each agent opens with its node certificate") },
        {
          id: "1.2.6",
          text: "Ensure that the --authorization-mode argument is not set to AlwaysAllow",
          automated: true,
          remediation: "--kube-apiserver-arg authorization-mode=Node,RBAC (the default)",
          run: async (f) => {
            if (authorizationModes(f).includes("AlwaysAllow")) return fail(`authorization-mode=${authorizationModes(f).join(",")}`);
            // Live: a fresh service account's token may not list Secrets.
            const ns = "default";
            const name = `kube-bench-${Math.random().toString(36).slice(2, 8)}`;
            await f.adminPost(`/api/v1/namespaces/${ns}/serviceaccounts`, { apiVersion: "v1", kind: "ServiceAccount", metadata: { name } });
            const tr = await f.adminPost(`/api/v1/namespaces/${ns}/serviceaccounts/${name}/token`, { apiVersion: "authentication.k8s.io/v1", kind: "TokenRequest", spec: { expirationSeconds: 600 } });
            const token = (tr.body.status as { token?: string } | undefined)?.token ?? "";
            const status = token ? await f.tokenStatus(`/api/v1/namespaces/${ns}/secrets`, token) : 0;
            await f.adminDelete(`/api/v1/namespaces/${ns}/serviceaccounts/${name}`);
            return status === 403 ? pass("an unprivileged service account listing Secrets: 403") : fail(`an unprivileged service account listing Secrets: ${status}`);
          },
        },
        { id: "1.2.7", text: "Ensure that the --authorization-mode argument includes Node", automated: true, remediation: "--kube-apiserver-arg authorization-mode=Node,RBAC", run: (f) => (authorizationModes(f).includes("Node") ? pass() : fail(`authorization-mode=${authorizationModes(f).join(",")}`)) },
        { id: "1.2.8", text: "Ensure that the --authorization-mode argument includes RBAC", automated: true, remediation: "--kube-apiserver-arg authorization-mode=Node,RBAC", run: (f) => (authorizationModes(f).includes("RBAC") ? pass() : fail(`authorization-mode=${authorizationModes(f).join(",")}`)) },
        { id: "1.2.9", text: "Ensure that the admission control plugin EventRateLimit is set", automated: false, remediation: "", run: () => warn("kts has no EventRateLimit admission plugin") },
        { id: "1.2.10", text: "Ensure that the admission control plugin AlwaysAdmit is not set", automated: true, remediation: "", run: (f) => (plugins(f).enabled.has("AlwaysAdmit") ? fail("AlwaysAdmit enabled") : pass()) },
        { id: "1.2.11", text: "Ensure that the admission control plugin AlwaysPullImages is set", automated: false, remediation: "", run: () => warn("kts has no AlwaysPullImages admission plugin") },
        { id: "1.2.13", text: "Ensure that the admission control plugin ServiceAccount is set", automated: true, remediation: "do not disable ServiceAccount", run: (f) => (admissionOn(f, "ServiceAccount") ? pass() : fail("ServiceAccount is not among the enabled admission plugins")) },
        { id: "1.2.14", text: "Ensure that the admission control plugin NamespaceLifecycle is set", automated: true, remediation: "do not disable NamespaceLifecycle", run: (f) => (admissionOn(f, "NamespaceLifecycle") ? pass() : fail("NamespaceLifecycle disabled")) },
        { id: "1.2.15", text: "Ensure that the admission control plugin NodeRestriction is set", automated: true, remediation: "do not disable NodeRestriction", run: (f) => (admissionOn(f, "NodeRestriction") ? pass() : fail("NodeRestriction disabled")) },
        {
          id: "1.2.16",
          text: "Ensure that the --profiling argument is set to false",
          automated: true,
          remediation: "",
          run: async (f) => {
            const status = await f.adminStatus("/debug/pprof/");
            return status === 404 ? pass("no profiling endpoints (GET /debug/pprof/: 404)") : fail(`GET /debug/pprof/: ${status}`);
          },
        },
        { id: "1.2.17", text: "Ensure that the --audit-log-path argument is set", automated: true, remediation: "--kube-apiserver-arg audit-log-path=<file> and audit-policy-file=<file>", run: (f) => (apiFlag(f, "audit-log-path") && apiFlag(f, "audit-policy-file") ? pass(apiFlag(f, "audit-log-path")) : fail("no audit log (audit-log-path and audit-policy-file)")) },
        { id: "1.2.18", text: "Ensure that the --audit-log-maxage argument is set to 30 or as appropriate", automated: true, remediation: "--kube-apiserver-arg audit-log-maxage=30", run: (f) => (Number(apiFlag(f, "audit-log-maxage") ?? 0) >= 30 ? pass() : fail(`audit-log-maxage=${apiFlag(f, "audit-log-maxage") ?? "unset"}`)) },
        { id: "1.2.19", text: "Ensure that the --audit-log-maxbackup argument is set to 10 or as appropriate", automated: true, remediation: "--kube-apiserver-arg audit-log-maxbackup=10", run: (f) => (Number(apiFlag(f, "audit-log-maxbackup") ?? 0) >= 10 ? pass() : fail(`audit-log-maxbackup=${apiFlag(f, "audit-log-maxbackup") ?? "unset"}`)) },
        { id: "1.2.20", text: "Ensure that the --audit-log-maxsize argument is set to 100 or as appropriate", automated: true, remediation: "--kube-apiserver-arg audit-log-maxsize=100", run: (f) => (Number(apiFlag(f, "audit-log-maxsize") ?? 0) >= 100 ? pass() : fail(`audit-log-maxsize=${apiFlag(f, "audit-log-maxsize") ?? "unset"}`)) },
        { id: "1.2.22", text: "Ensure that the --service-account-lookup argument is set to true", automated: true, remediation: "", run: () => pass("service account tokens are valid only while their account (and bound object) exists") },
        { id: "1.2.23", text: "Ensure that the --service-account-key-file argument is set as appropriate", automated: true, remediation: "", run: (f) => modeAtMost([f.file(apiFlag(f, "service-account-signing-key-file") ?? join(tls(f), "service.key"))], 0o600, "service account signing key") },
        { id: "1.2.24", text: "Ensure that the --etcd-certfile and --etcd-keyfile arguments are set as appropriate", automated: true, remediation: "", run: na("the datastore is embedded in the server process") },
        { id: "1.2.25", text: "Ensure that the --tls-cert-file and --tls-private-key-file arguments are set as appropriate", automated: true, remediation: "", run: (f) => modeAtMost([f.file(join(tls(f), "serving-kube-apiserver.key"))], 0o600, "serving key") },
        { id: "1.2.26", text: "Ensure that the --client-ca-file argument is set as appropriate", automated: true, remediation: "", run: (f) => (f.file(join(tls(f), "client-ca.crt")).exists ? pass() : fail("no client CA")) },
        {
          id: "1.2.28",
          text: "Ensure that the --encryption-provider-config argument is set as appropriate",
          automated: false,
          remediation: "kts server --secrets-encryption (the default)",
          run: (f) => {
            const file = apiFlag(f, "encryption-provider-config") ?? f.flags?.get("encryption-provider-config")?.[0] ?? join(f.dataDir, "server", "cred", "encryption-config.json");
            const fact = f.file(file);
            if (!fact.exists) return fail(`no encryption configuration at ${file}`);
            return (fact.mode & 0o077) === 0 ? pass(file) : fail(`${file} is ${octal(fact.mode)}`);
          },
        },
        {
          id: "1.2.29",
          text: "Ensure that encryption providers are appropriately configured",
          automated: false,
          remediation: "kts secrets-encrypt enable (aescbc, aesgcm or secretbox first)",
          run: async (f) => {
            const file = apiFlag(f, "encryption-provider-config") ?? join(f.dataDir, "server", "cred", "encryption-config.json");
            try {
              const text = await Bun.file(file).text();
              const doc = (file.endsWith(".json") ? JSON.parse(text) : Bun.YAML.parse(text)) as { resources?: Array<{ resources?: string[]; providers?: Array<Record<string, unknown>> }> };
              const forSecrets = doc.resources?.find((r) => r.resources?.includes("secrets"));
              const first = Object.keys(forSecrets?.providers?.[0] ?? {})[0];
              return first && ["aescbc", "aesgcm", "secretbox", "kms"].includes(first) ? pass(`secrets: ${first}`) : fail(`secrets written with ${first ?? "nothing"}`);
            } catch (err) {
              return fail(`cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`);
            }
          },
        },
        {
          id: "1.2.30",
          text: "Ensure that the API Server only makes use of Strong Cryptographic Ciphers",
          automated: false,
          remediation: "--kube-apiserver-arg tls-cipher-suites=<ECDHE AEAD suites> (the default)",
          run: async (f) => {
            const weak: string[] = [];
            for (const version of ["-tls1", "-tls1_1"] as const) if (await f.handshake({ version, cipher: "DEFAULT:@SECLEVEL=0" })) weak.push(`${version} accepted`);
            for (const c of ["AES128-SHA", "AES256-GCM-SHA384", "ECDHE-RSA-AES128-SHA", "ECDHE-ECDSA-AES128-SHA", "ECDHE-ECDSA-AES256-SHA384", "DES-CBC3-SHA:@SECLEVEL=0"]) {
              if (await f.handshake({ version: "-tls1_2", cipher: c })) weak.push(`${c.split(":")[0]} accepted`);
            }
            if (!(await f.handshake({ version: "-tls1_2", cipher: "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256" }))) weak.push("no ECDHE-AES-GCM suite on TLS 1.2");
            if (!(await f.handshake({ version: "-tls1_3" }))) weak.push("no TLS 1.3");
            return weak.length === 0 ? pass("TLS 1.2 and 1.3 only; CBC, static-RSA and 3DES suites refused") : fail(weak.join("; "));
          },
        },
      ],
    },
    {
      id: "1.3",
      text: "Controller Manager",
      checks: [
        { id: "1.3.1", text: "Ensure that the --terminated-pod-gc-threshold argument is set as appropriate", automated: false, remediation: "--kube-controller-manager-arg terminated-pod-gc-threshold=10", run: (f) => (f.controllerArgs.has("terminated-pod-gc-threshold") ? pass() : warn("terminated-pod-gc-threshold is the default (12500)")) },
        { id: "1.3.2", text: "Ensure that the --profiling argument is set to false", automated: true, remediation: "", run: () => pass("no profiling endpoints") },
        { id: "1.3.3", text: "Ensure that the --use-service-account-credentials argument is set to true", automated: true, remediation: "", run: () => pass("each controller runs as its kube-system service account (system:controller:<name> roles)") },
        { id: "1.3.4", text: "Ensure that the --service-account-private-key-file argument is set as appropriate", automated: true, remediation: "", run: (f) => modeAtMost([f.file(join(tls(f), "service.key"))], 0o600, "service account key") },
        { id: "1.3.5", text: "Ensure that the --root-ca-file argument is set as appropriate", automated: true, remediation: "", run: () => pass("the root CA publisher and token controller use the server CA") },
        { id: "1.3.6", text: "Ensure that the RotateKubeletServerCertificate argument is set to true", automated: true, remediation: "", run: na("agents serve no kubelet HTTPS endpoint") },
        { id: "1.3.7", text: "Ensure that the --bind-address argument is set to 127.0.0.1", automated: true, remediation: "", run: () => pass("the controller manager has no listener of its own") },
      ],
    },
    {
      id: "1.4",
      text: "Scheduler",
      checks: [
        { id: "1.4.1", text: "Ensure that the --profiling argument is set to false", automated: true, remediation: "", run: () => pass("no profiling endpoints") },
        { id: "1.4.2", text: "Ensure that the --bind-address argument is set to 127.0.0.1", automated: true, remediation: "", run: () => pass("the scheduler has no listener of its own") },
      ],
    },
    {
      id: "2",
      text: "Etcd Node Configuration",
      checks: [
        {
          id: "2.1",
          text: "Ensure that the --cert-file and --key-file arguments are set as appropriate",
          automated: true,
          remediation: "serve the etcd API (--etcd-listen) on loopback only",
          run: (f) => {
            const listen = f.flags?.get("etcd-listen")?.[0];
            if (!listen) return pass("the etcd API is not served");
            return /^(127\.|\[::1\]|localhost)/.test(listen) ? warn(`etcd API on ${listen} without TLS (loopback only)`) : fail(`etcd API on ${listen} without TLS`);
          },
        },
      ],
    },
    {
      id: "3",
      text: "Control Plane Configuration",
      checks: [
        { id: "3.1.1", text: "Client certificate authentication should not be used for users", automated: false, remediation: "use OIDC (--kube-apiserver-arg oidc-issuer-url=...) for people", run: (f) => (apiFlag(f, "oidc-issuer-url") ? pass("OIDC configured") : warn("users authenticate with client certificates")) },
        { id: "3.1.2", text: "Service account token authentication should not be used for users", automated: false, remediation: "", run: () => warn("manual: review who holds service account tokens") },
        { id: "3.1.3", text: "Bootstrap token authentication should not be used for users", automated: false, remediation: "", run: () => warn("manual: bootstrap tokens should only join nodes (kts token list)") },
        { id: "3.2.1", text: "Ensure that a minimal audit policy is created", automated: false, remediation: "--kube-apiserver-arg audit-policy-file=<file>", run: (f) => (apiFlag(f, "audit-policy-file") && f.file(apiFlag(f, "audit-policy-file")!).exists ? pass() : fail("no audit policy file")) },
        { id: "3.2.2", text: "Ensure that the audit policy covers key security concerns", automated: false, remediation: "", run: () => warn("manual: review the audit policy") },
      ],
    },
    {
      id: "4.1",
      text: "Worker Node Configuration Files",
      checks: [
        {
          id: "4.1.5",
          text: "Ensure that the --kubeconfig kubelet.conf file permissions are set to 600 or more restrictive",
          automated: true,
          remediation: "chmod 600 <data-dir>/agent/*kubeconfig*",
          run: (f) => {
            const files = f.filesUnder(join(f.dataDir, "agent")).filter((x) => /kubeconfig|\.key$/.test(x.path));
            return files.length === 0 ? info("no agent on this server (--disable-agent)") : modeAtMost(files, 0o600, "agent kubeconfig and key files");
          },
        },
        { id: "4.2.1", text: "Ensure that the --anonymous-auth argument is set to false (kubelet)", automated: true, remediation: "", run: na("agents serve no kubelet API") },
        { id: "4.2.4", text: "Verify that the --read-only-port argument is set to 0", automated: false, remediation: "", run: () => pass("agents open no read-only port") },
        { id: "4.2.10", text: "Ensure that the --rotate-certificates argument is not set to false", automated: true, remediation: "", run: () => pass("agents renew their node certificate within 90 days of expiry through the CSR API") },
      ],
    },
    {
      id: "5.1",
      text: "RBAC and Service Accounts",
      checks: [
        {
          id: "5.1.1",
          text: "Ensure that the cluster-admin role is only used where required",
          automated: false,
          remediation: "remove ClusterRoleBindings to cluster-admin that are not needed",
          run: async (f) => {
            const list = await f.adminJson<{ items: Array<{ metadata: { name: string }; roleRef: { name: string }; subjects?: Array<{ kind: string; name: string }> }> }>("/apis/rbac.authorization.k8s.io/v1/clusterrolebindings");
            const holders = list.items.filter((b) => b.roleRef.name === "cluster-admin").flatMap((b) => (b.subjects ?? []).map((s) => `${s.kind}/${s.name}`));
            return holders.every((h) => h === "Group/system:masters") ? pass("only system:masters") : warn(`cluster-admin bound to ${holders.join(", ")}`);
          },
        },
        {
          id: "5.1.3",
          text: "Minimize wildcard use in Roles and ClusterRoles",
          automated: false,
          remediation: "replace * in non-system roles",
          run: async (f) => {
            const roles = await f.adminJson<{ items: Array<{ metadata: { name: string; labels?: Record<string, string> }; rules?: Array<{ verbs?: string[]; resources?: string[] }> | null }> }>("/apis/rbac.authorization.k8s.io/v1/clusterroles");
            const wild = roles.items.filter((r) => r.metadata.labels?.["kubernetes.io/bootstrapping"] !== "rbac-defaults" && (r.rules ?? []).some((x) => x.verbs?.includes("*") || x.resources?.includes("*")));
            return wild.length === 0 ? pass("no wildcards outside the default roles") : warn(wild.map((r) => r.metadata.name).join(", "));
          },
        },
        {
          id: "5.1.5",
          text: "Ensure that default service accounts are not actively used",
          automated: false,
          remediation: "set automountServiceAccountToken: false on default service accounts",
          run: async (f) => {
            const sas = await f.adminJson<{ items: Array<{ metadata: { namespace: string; name: string }; automountServiceAccountToken?: boolean }> }>("/api/v1/serviceaccounts?fieldSelector=metadata.name%3Ddefault");
            const mounting = sas.items.filter((s) => s.automountServiceAccountToken !== false).map((s) => s.metadata.namespace);
            return mounting.length === 0 ? pass() : warn(`default service accounts mount tokens in: ${mounting.join(", ")}`);
          },
        },
      ],
    },
    {
      id: "5.2",
      text: "Pod Security Standards",
      checks: [
        {
          id: "5.2.1",
          text: "Ensure that the cluster has at least one active policy control mechanism in place",
          automated: false,
          remediation: "label namespaces pod-security.kubernetes.io/enforce=restricted or baseline",
          run: async (f) => {
            if (!admissionOn(f, "PodSecurity")) return fail("PodSecurity admission disabled");
            const ns = await f.adminJson<{ items: Array<{ metadata: { name: string; labels?: Record<string, string> } }> }>("/api/v1/namespaces");
            const enforced = ns.items.filter((n) => n.metadata.labels?.["pod-security.kubernetes.io/enforce"]).map((n) => n.metadata.name);
            return enforced.length > 0 ? pass(`enforced in ${enforced.join(", ")}`) : warn("PodSecurity admission on, no namespace enforces a level");
          },
        },
      ],
    },
  ];
}
