/**
 * Test helpers for DNS: `dig` (the real client, over UDP or TCP) parsed into sections, and a
 * stand-in upstream resolver on loopback (tests never reach the machine's real resolvers).
 */
import type { udp } from "bun";
import { CLASS_IN, FLAG, MessageWriter, parseQuery, RCODE, TYPE, type ResourceRecord } from "./wire.ts";

export interface DigResult {
  status: string;
  flags: string[];
  answer: string[][];
  authority: string[][];
  additional: string[][];
  raw: string;
}

/** Runs dig against 127.0.0.1:<port>; rows are whitespace-split record lines. */
export async function dig(port: number, args: string[]): Promise<DigResult> {
  const p = Bun.spawn(["dig", "@127.0.0.1", "-p", String(port), "+time=3", "+tries=1", "+nocookie", ...args], { stdout: "pipe", stderr: "pipe" });
  const [raw, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  if (code !== 0) throw new Error(`dig ${args.join(" ")} exited ${code}: ${raw}${err}`);
  const out: DigResult = { status: "", flags: [], answer: [], authority: [], additional: [], raw };
  let section: "answer" | "authority" | "additional" | undefined;
  for (const line of raw.split("\n")) {
    const status = /status: (\w+)/.exec(line);
    if (status) out.status = status[1]!;
    const flags = /;; flags: ([^;]*);/.exec(line);
    if (flags) out.flags = flags[1]!.trim().split(/\s+/);
    if (line.startsWith(";; ANSWER SECTION")) section = "answer";
    else if (line.startsWith(";; AUTHORITY SECTION")) section = "authority";
    else if (line.startsWith(";; ADDITIONAL SECTION")) section = "additional";
    else if (line.trim() === "" || line.startsWith(";")) {
      if (line.trim() === "") section = undefined;
    } else if (section) out[section].push(line.trim().split(/\s+/));
  }
  return out;
}

export interface FakeUpstream {
  port: number;
  /** Queries received, as "name type". */
  queries: string[];
  close(): void;
}

/**
 * A resolver for `example.test` (on 127.0.0.1 unless told): names in `records` answer with their A address
 * (TTL 60), anything else is NXDOMAIN with an SOA (minimum 30).
 */
export async function fakeUpstream(records: Record<string, string>, listen: { host?: string; port?: number } = {}): Promise<FakeUpstream> {
  const queries: string[] = [];
  const sock: udp.Socket<"uint8array"> = await Bun.udpSocket({
    hostname: listen.host ?? "127.0.0.1",
    port: listen.port ?? 0,
    binaryType: "uint8array",
    socket: {
      data(s, buf, port, addr) {
        let q;
        try {
          q = parseQuery(buf);
        } catch {
          return;
        }
        const name = q.question.name.toLowerCase();
        queries.push(`${name} ${q.question.type}`);
        const address = records[name];
        const answers: ResourceRecord[] = address && q.question.type === TYPE.A ? [{ name: q.question.name, ttl: 60, data: { type: TYPE.A, address } }] : [];
        const authority: ResourceRecord[] = answers.length
          ? []
          : [{ name: "example.test", ttl: 60, data: { type: TYPE.SOA, mname: "ns.example.test", rname: "admin.example.test", serial: 1, refresh: 60, retry: 60, expire: 60, minimum: 30 } }];
        const w = new MessageWriter();
        w.u16(q.id);
        w.u16(FLAG.QR | FLAG.RA | (q.flags & FLAG.RD) | (address || name === "example.test" ? RCODE.NOERROR : RCODE.NXDOMAIN));
        w.u16(1);
        w.u16(answers.length);
        w.u16(authority.length);
        w.u16(q.edns ? 1 : 0);
        w.name(q.question.name);
        w.u16(q.question.type);
        w.u16(CLASS_IN);
        for (const rr of [...answers, ...authority]) w.record(rr);
        if (q.edns) w.opt(1232, false);
        s.send(w.finish(), port, addr);
      },
    },
  });
  return { port: sock.port, queries, close: () => sock.close() };
}
