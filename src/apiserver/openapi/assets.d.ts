/** The generated definitions are embedded as a file (Bun `with { type: "file" }`): the import is its path, also in compiled binaries. */
declare module "*.json.gz" {
  const path: string;
  export default path;
}
