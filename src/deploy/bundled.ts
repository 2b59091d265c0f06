/**
 * The manifests kts packages (k3s's "packaged components"), embedded in the executable, and the
 * template variables the server fills in before writing them (k3s's %{NAME}% placeholders).
 */
import coredns from "../../manifests/coredns.yaml" with { type: "text" };

export interface BundledManifest {
  /** The component's name, as --disable takes it. */
  component: string;
  /** File name in <data-dir>/server/manifests. */
  file: string;
  text: string;
}

export const BUNDLED: BundledManifest[] = [{ component: "coredns", file: "coredns.yaml", text: coredns as string }];

/**
 * What --disable accepts, as k3s: the packaged manifests, plus components that are controllers
 * (servicelb) or are not packaged by kts (accepted so k3s command lines keep working).
 */
export const KNOWN_COMPONENTS = ["coredns", "servicelb", "traefik", "local-storage", "metrics-server", "runtimes"];

export interface TemplateVars {
  CLUSTER_DNS: string;
  CLUSTER_DOMAIN: string;
  /** The image packaged components run (kts.local/kts:<version>). */
  KTS_IMAGE: string;
}

/** Replaces %{NAME}% placeholders; unknown names are left as they are. */
export function fillTemplate(text: string, vars: TemplateVars): string {
  return text.replace(/%\{([A-Z_]+)\}%/g, (whole, name: string) => (name in vars ? vars[name as keyof TemplateVars] : whole));
}
