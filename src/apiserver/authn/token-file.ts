/**
 * kube-apiserver's --token-auth-file: CSV lines `token,user,uid[,"group1,group2"]`. Lines with an
 * empty token are skipped; a line with fewer than three columns is an error, as upstream's reader.
 * Tokens are compared in constant time through their SHA-256.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import type { UserInfo } from "../registry/definition.ts";
import type { TokenAuthenticator, TokenResult } from "./types.ts";

/** RFC 4180 records (Go's encoding/csv with FieldsPerRecord = -1 and TrimLeadingSpace). */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let field = "";
  let record: string[] = [];
  let i = 0;
  let quoted = false;
  let atFieldStart = true;
  const endField = () => {
    record.push(field);
    field = "";
    atFieldStart = true;
  };
  const endRecord = () => {
    endField();
    if (!(record.length === 1 && record[0] === "")) records.push(record);
    record = [];
  };
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (c === '"') quoted = false;
      else field += c;
      i++;
      continue;
    }
    if (atFieldStart && (c === " " || c === "\t")) {
      i++;
      continue;
    }
    atFieldStart = false;
    if (c === '"' && field === "") quoted = true;
    else if (c === ",") endField();
    else if (c === "\n") endRecord();
    else if (c !== "\r") field += c;
    i++;
  }
  if (field !== "" || record.length > 0) endRecord();
  return records;
}

const digest = (s: string) => createHash("sha256").update(s).digest();

export class TokenFile implements TokenAuthenticator {
  readonly name = "token-file";
  private readonly entries: Array<{ hash: Buffer; user: UserInfo }> = [];

  constructor(text: string, path = "token file") {
    // A token listed twice is the later line's, as upstream reads the file into a map.
    const users = new Map<string, UserInfo>();
    for (const record of parseCsv(text)) {
      if (record.length < 3) throw new Error(`token file '${path}' must have at least 3 columns (token, user name, user uid), found ${record.length}`);
      const [token, username, uid] = record as [string, string, string];
      if (token === "") continue;
      const user: UserInfo = { username, groups: record.length >= 4 ? record[3]!.split(",") : [] };
      if (uid) user.uid = uid;
      users.set(token, user);
    }
    for (const [token, user] of users) this.entries.push({ hash: digest(token), user });
  }

  static load(path: string): TokenFile {
    return new TokenFile(readFileSync(path, "utf8"), path);
  }

  async authenticate(token: string): Promise<TokenResult | undefined> {
    const h = digest(token);
    for (const e of this.entries) if (timingSafeEqual(h, e.hash)) return { user: structuredClone(e.user) };
    return undefined;
  }
}
