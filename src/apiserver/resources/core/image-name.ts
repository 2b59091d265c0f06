/**
 * The tag of a container image reference, as upstream's parsers.ParseImageName reads it to
 * default imagePullPolicy: no tag and no digest means "latest"; an unparseable reference has
 * no tag at all.
 */

// docker/distribution reference grammar: [domain/]path[:tag][@digest], path components lowercase.
const DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[0-9a-fA-F:.]+\\])(?::[0-9]+)?`;
const PATH_COMPONENT = "[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*";
const NAME = `(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;
const TAG = "[\\w][\\w.-]{0,127}";
const DIGEST = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}";
const REFERENCE = new RegExp(`^(${NAME})(?::(${TAG}))?(?:@(${DIGEST}))?$`);
const MAX_NAME_LENGTH = 255;

/** The image's tag ("latest" when neither tag nor digest is given; "" when it cannot be parsed). */
export function imageTag(image: string): string {
  const m = REFERENCE.exec(image);
  if (!m || m[1]!.length > MAX_NAME_LENGTH) return "";
  // A bare 64-hex name is an image ID, which upstream refuses as a name.
  if (/^[a-f0-9]{64}$/.test(m[1]!)) return "";
  const tag = m[2] ?? "";
  const digest = m[3] ?? "";
  return tag === "" && digest === "" ? "latest" : tag;
}

/** Always for :latest (or untagged), IfNotPresent otherwise — upstream's default. */
export function defaultPullPolicy(image: string): "Always" | "IfNotPresent" {
  return imageTag(image) === "latest" ? "Always" : "IfNotPresent";
}
