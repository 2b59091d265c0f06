/** .proto files are embedded as text (Bun `with { type: "text" }` imports), also in compiled binaries. */
declare module "*.proto" {
  const text: string;
  export default text;
}
