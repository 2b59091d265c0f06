import { describe, expect, test } from "bun:test";
import { caBundleHash, formatJoinToken, parseJoinToken, TokenFormatError } from "./token.ts";

const CA = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

describe("join tokens", () => {
  test("the full form carries the SHA-256 of the CA bundle exactly as served", () => {
    const token = formatJoinToken(CA, "s3cret");
    expect(token).toBe(`K10${new Bun.CryptoHasher("sha256").update(CA).digest("hex")}::server:s3cret`);
    expect(parseJoinToken(token)).toEqual({ caHash: caBundleHash(CA), username: "server", secret: "s3cret" });
    // One more byte (a trailing newline) is another bundle.
    expect(caBundleHash(`${CA}\n`)).not.toBe(caBundleHash(CA));
  });

  test("a bare secret has no hash; secrets may hold colons; surrounding space is ignored", () => {
    expect(parseJoinToken("just-a-secret\n")).toEqual({ secret: "just-a-secret" });
    expect(parseJoinToken(formatJoinToken(CA, "a:b:c")).secret).toBe("a:b:c");
  });

  test("malformed full tokens are errors, not secrets", () => {
    expect(() => parseJoinToken("K10abc::server:x")).toThrow(TokenFormatError);
    expect(() => parseJoinToken(`K10${"A".repeat(64)}::server:x`)).toThrow("64 lowercase hex digits");
    expect(() => parseJoinToken(`K10${"a".repeat(64)}::server`)).toThrow("expected K10<ca-hash>::<user>:<secret>");
    expect(() => parseJoinToken(`K10${"a".repeat(64)}::server:`)).toThrow(TokenFormatError);
    expect(() => parseJoinToken("  ")).toThrow("the token is empty");
  });
});
