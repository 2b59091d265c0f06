/**
 * The e2e cluster's stand-in for a site resolver (nodes must not reach real ones): answers
 * example.test names on UDP port 53 of its container. Bundled by src/testing/e2e-cluster.ts and
 * run by the kts executable as Bun (BUN_BE_BUN=1 kts run upstream.js).
 */
import { fakeUpstream } from "../../src/dns/testing.ts";

export const UPSTREAM_RECORDS: Record<string, string> = { "host.example.test": "192.0.2.20", "www.example.test": "192.0.2.21" };

const server = await fakeUpstream(UPSTREAM_RECORDS, { host: "0.0.0.0", port: 53 });
console.log(`upstream resolver for example.test on udp/${server.port}`);
setInterval(() => {}, 1 << 30);
