/**
 * An object that does not fit the shape server-side apply needs (a list-map item without its
 * key, duplicate items in an applied list, ...). The message reads as upstream's: the path, then
 * what is wrong (".spec.containers: element 0: associative list with keys has an element that
 * omits key field \"name\" (and doesn't have default value)").
 */
import { pathString, type Path } from "../fieldpath/path-element.ts";

export class TypedValueError extends Error {
  constructor(
    readonly path: Path,
    readonly detail: string,
  ) {
    super(path.length > 0 ? `${pathString(path)}: ${detail}` : detail);
  }
}
