#!/usr/bin/env bun
/**
 * kube-bench-style control-plane checks against a running kts server, printed as kube-bench
 * prints its CIS profiles: [PASS]/[FAIL]/[WARN]/[INFO] per check, remediations, and a summary.
 *
 *   bun scripts/kube-bench.ts [--data-dir /var/lib/kts] [--kubeconfig /etc/kts/kts.yaml] [--json]
 *
 * Exit status 1 when a check fails.
 */
import { parseArgs } from "node:util";
import { sections, type Result } from "./kube-bench/checks.ts";
import { gatherFacts } from "./kube-bench/facts.ts";

const { values } = parseArgs({
  options: {
    "data-dir": { type: "string", default: process.getuid?.() === 0 ? "/var/lib/kts" : `${process.env.HOME}/.kts` },
    kubeconfig: { type: "string", default: process.env.KUBECONFIG ?? "/etc/kts/kts.yaml" },
    json: { type: "boolean", default: false },
  },
});

const facts = gatherFacts(values["data-dir"]!, values.kubeconfig!);
const counts = { PASS: 0, FAIL: 0, WARN: 0, INFO: 0 };
const remediations: string[] = [];
const json: Array<{ id: string; text: string; status: string; detail?: string }> = [];
const out = (line: string) => !values.json && console.log(line);

out(`[INFO] kts CIS-style checks (kube-bench cis-1.x layout) for ${facts.server}, data dir ${facts.dataDir}`);
if (!facts.flags) out(`[WARN] no running \`kts server\` found for ${facts.dataDir}: flags are taken as their defaults`);
for (const section of sections()) {
  out(`[INFO] ${section.id} ${section.text}`);
  for (const check of section.checks) {
    let r: Result;
    try {
      r = await check.run(facts);
    } catch (err) {
      r = { status: "WARN", detail: `check failed to run: ${err instanceof Error ? err.message : String(err)}` };
    }
    counts[r.status]++;
    const kind = check.automated ? "Automated" : "Manual";
    out(`[${r.status}] ${check.id} ${check.text} (${kind})${r.detail && r.status !== "PASS" ? `\n       ${r.detail}` : ""}`);
    json.push({ id: check.id, text: check.text, status: r.status, detail: r.detail });
    if ((r.status === "FAIL" || r.status === "WARN") && check.remediation) remediations.push(`${check.id} ${check.remediation}`);
  }
}
out("\n== Remediations master ==");
for (const r of remediations) out(r);
out("\n== Summary master ==");
out(`${counts.PASS} checks PASS\n${counts.FAIL} checks FAIL\n${counts.WARN} checks WARN\n${counts.INFO} checks INFO`);
if (values.json) console.log(JSON.stringify({ server: facts.server, checks: json, totals: counts }, null, 2));
process.exit(counts.FAIL > 0 ? 1 : 0);
