/**
 * Packaged components and the auto-deploy directory (k3s's pkg/deploy): bundled manifests written
 * to <data-dir>/server/manifests and applied with server-side apply, user manifests applied beside
 * them, `--disable <component>` and `<file>.skip`.
 */
export { BUNDLED, KNOWN_COMPONENTS, fillTemplate, type BundledManifest, type TemplateVars } from "./bundled.ts";
export { startDeploy, stageBundled, type DeployController, type DeployOptions } from "./controller.ts";
export { ADDON_ANNOTATION, FIELD_MANAGER } from "./apply.ts";
export { manifestFiles, parseManifest, addonName } from "./manifest-files.ts";

import { KNOWN_COMPONENTS } from "./bundled.ts";

/** --disable values (repeatable, comma-separated), checked against the known components. */
export function parseDisabled(values: string[]): string[] {
  const out = values.flatMap((v) => v.split(",")).map((v) => v.trim()).filter(Boolean);
  for (const c of out) if (!KNOWN_COMPONENTS.includes(c)) throw new Error(`--disable ${c}: not a packaged component (valid: ${KNOWN_COMPONENTS.join(", ")})`);
  return [...new Set(out)];
}
