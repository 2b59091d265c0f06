/**
 * One DNS exchange, whatever the transport: parse the query, answer cluster names from the
 * resolver (encoded once per change of the cluster state and reused until the next), send other
 * names upstream (answers cached up to `maxCacheTtl`, with their TTLs counting down), and fit the
 * answer to the client's UDP size (truncated with TC so the client retries over TCP).
 */
import type { Logger } from "../log/index.ts";
import { materialize, ResponseCache, type CachedResponse } from "./cache.ts";
import type { ClusterState } from "./cluster.ts";
import type { Forwarder } from "./forward.ts";
import type { Resolver } from "./resolver.ts";
import {
  CLASS_IN,
  CLASSIC_UDP_SIZE,
  FLAG,
  HEADER_SIZE,
  MessageWriter,
  parseQuery,
  RCODE,
  readAddressAnswers,
  TYPE,
  walkRecords,
  type Query,
  type ResourceRecord,
} from "./wire.ts";

/** The largest UDP answer sent, whatever the client advertises. */
const MAX_UDP_SIZE = 4096;
const OPT_SIZE = 11;

export interface HandlerOptions {
  state: ClusterState;
  resolver: Resolver;
  forwarder: Forwarder;
  /** CoreDNS's `cache 30`: upstream answers are kept at most this long (seconds). */
  maxCacheTtl: number;
  cacheCapacity?: number;
  log: Logger;
}

export interface Counters {
  requests: { udp: number; tcp: number };
  rcodes: Map<number, number>;
  forwarded: number;
  forwardFailures: number;
}

export class DnsHandler {
  private readonly clusterCache: ResponseCache;
  private readonly upstreamCache: ResponseCache;
  readonly counters: Counters = { requests: { udp: 0, tcp: 0 }, rcodes: new Map(), forwarded: 0, forwardFailures: 0 };

  constructor(private readonly opts: HandlerOptions) {
    this.clusterCache = new ResponseCache(opts.cacheCapacity ?? 10_000);
    this.upstreamCache = new ResponseCache(opts.cacheCapacity ?? 10_000);
    // Any change of Services, slices or namespaces may change any cluster answer.
    opts.state.onChange(() => this.clusterCache.clear());
  }

  get cacheStats(): { clusterEntries: number; upstreamEntries: number; hits: number; misses: number } {
    return {
      clusterEntries: this.clusterCache.size,
      upstreamEntries: this.upstreamCache.size,
      hits: this.clusterCache.hits + this.upstreamCache.hits,
      misses: this.upstreamCache.misses,
    };
  }

  /** Answers one message; undefined when nothing should be sent back. Synchronous when it can be. */
  handle(msg: Uint8Array, udp: boolean): Uint8Array | undefined | Promise<Uint8Array | undefined> {
    if (udp) this.counters.requests.udp++;
    else this.counters.requests.tcp++;
    let q: Query;
    try {
      q = parseQuery(msg);
    } catch {
      // A readable header gets FORMERR; anything shorter is dropped.
      if (msg.length < HEADER_SIZE || msg[2]! & 0x80) return undefined;
      return this.bare(msg, RCODE.FORMERR);
    }
    if (q.opcode !== 0) return this.bare(msg, RCODE.NOTIMP);
    const now = performance.now();
    const question = msg.subarray(HEADER_SIZE, q.questionEnd);
    const key = `${q.question.name.toLowerCase()}|${q.question.type}|${q.question.class}|${q.edns ? (q.edns.do ? 2 : 1) : 0}`;
    const rd = (q.flags & FLAG.RD) !== 0;
    const hit = this.clusterCache.get(key, now);
    if (hit) return this.fit(materialize(hit, q.id, question, rd, now), q, udp, true);
    if (q.question.class !== CLASS_IN) return this.forward(msg, q, key, udp);
    const res = this.opts.resolver.resolve(q.question.name, q.question.type);
    switch (res.kind) {
      case "forward":
        return this.forward(msg, q, key, udp);
      case "refused":
        return this.reply(msg, q, RCODE.REFUSED, udp);
      case "servfail":
        return this.reply(msg, q, RCODE.SERVFAIL, udp);
    }
    if (res.chase) return this.chase(msg, q, res.answers, res.chase, udp);
    const entry = this.encode(msg, q, res.rcode, res.answers, res.authority, res.additional);
    this.clusterCache.set(key, entry);
    return this.fit(materialize(entry, q.id, question, rd, now), q, udp, true);
  }

  /** Encodes a cluster answer (no OPT: it is added per client), noting the address run to rotate. */
  private encode(msg: Uint8Array, q: Query, rcode: number, answers: ResourceRecord[], authority: ResourceRecord[], additional: ResourceRecord[]): CachedResponse {
    const w = new MessageWriter();
    w.u16(q.id);
    w.u16(FLAG.QR | FLAG.AA | FLAG.RA | (q.flags & FLAG.RD) | rcode);
    w.u16(1);
    w.u16(answers.length);
    w.u16(authority.length);
    w.u16(additional.length);
    w.bytes(msg.subarray(HEADER_SIZE, q.questionEnd));
    w.remember(q.question.name, HEADER_SIZE);
    const answersAt = w.length;
    for (const rr of answers) w.record(rr);
    for (const rr of authority) w.record(rr);
    for (const rr of additional) w.record(rr);
    const bytes = w.finish();
    const now = performance.now();
    const entry: CachedResponse = { bytes, storedAt: now, expiresAt: Number.POSITIVE_INFINITY };
    const t = answers[0]?.data.type;
    const size = t === TYPE.A ? 16 : t === TYPE.AAAA ? 28 : 0;
    if (answers.length > 1 && size && answers.every((a) => a.data.type === t && a.name === q.question.name)) {
      entry.rotate = { offset: answersAt, count: answers.length, size };
    }
    return entry;
  }

  /** Adds the OPT record an EDNS client expects, and truncates what does not fit its UDP size. */
  private fit(out: Uint8Array, q: Query, udp: boolean, addOpt: boolean): Uint8Array {
    let reply = out;
    if (q.edns && addOpt) {
      reply = new Uint8Array(out.length + OPT_SIZE);
      reply.set(out);
      const at = out.length;
      // name root, TYPE OPT, CLASS = our UDP size, ext-rcode 0, version 0, DO echoed, RDLENGTH 0
      reply.set([0, 0, TYPE.OPT, (MAX_UDP_SIZE >> 8) & 0xff, MAX_UDP_SIZE & 0xff, 0, 0, q.edns.do ? 0x80 : 0, 0, 0, 0], at);
      const ar = ((reply[10]! << 8) | reply[11]!) + 1;
      reply[10] = ar >> 8;
      reply[11] = ar & 0xff;
    }
    this.count(reply[3]! & 0xf);
    if (!udp) return reply;
    const limit = q.edns ? Math.min(q.edns.udpSize, MAX_UDP_SIZE) : CLASSIC_UDP_SIZE;
    if (reply.length <= limit) return reply;
    return this.truncated(reply, q);
  }

  /** Header and question with TC set, and the OPT record for an EDNS client. */
  private truncated(full: Uint8Array, q: Query): Uint8Array {
    const w = new MessageWriter();
    w.u16(q.id);
    w.u16(((full[2]! << 8) | full[3]!) | FLAG.TC);
    w.u16(1);
    w.u16(0);
    w.u16(0);
    w.u16(q.edns ? 1 : 0);
    w.bytes(full.subarray(HEADER_SIZE, q.questionEnd));
    if (q.edns) w.opt(MAX_UDP_SIZE, q.edns.do);
    return w.finish();
  }

  private count(rcode: number): void {
    this.counters.rcodes.set(rcode, (this.counters.rcodes.get(rcode) ?? 0) + 1);
  }

  /** An answer with no records (REFUSED, SERVFAIL, ...). */
  private reply(msg: Uint8Array, q: Query, rcode: number, udp: boolean): Uint8Array {
    const w = new MessageWriter();
    w.u16(q.id);
    w.u16(FLAG.QR | FLAG.RA | (q.flags & FLAG.RD) | rcode);
    w.u16(1);
    w.u16(0);
    w.u16(0);
    w.u16(0);
    w.bytes(msg.subarray(HEADER_SIZE, q.questionEnd));
    return this.fit(w.finish(), q, udp, true);
  }

  /** Header only, for messages whose question cannot be read. */
  private bare(msg: Uint8Array, rcode: number): Uint8Array {
    const out = new Uint8Array(HEADER_SIZE);
    out.set(msg.subarray(0, 2));
    out[2] = 0x80 | (msg[2]! & 0x79);
    out[3] = rcode;
    this.count(rcode);
    return out;
  }

  private async forward(msg: Uint8Array, q: Query, key: string, udp: boolean): Promise<Uint8Array | undefined> {
    const now = performance.now();
    const question = msg.subarray(HEADER_SIZE, q.questionEnd);
    const hit = this.upstreamCache.get(key, now);
    if (hit) return this.fit(materialize(hit, q.id, question, (q.flags & FLAG.RD) !== 0, now), q, udp, false);
    const copy = new Uint8Array(msg);
    this.counters.forwarded++;
    let reply: Uint8Array;
    try {
      reply = await this.opts.forwarder.exchange(copy, !udp);
    } catch (err) {
      this.counters.forwardFailures++;
      this.opts.log.v(2).info("upstream lookup failed", { name: q.question.name, type: q.question.type, err: String(err) });
      return this.reply(copy, q, RCODE.SERVFAIL, udp);
    }
    this.store(key, reply);
    return this.fit(reply, q, udp, false);
  }

  /** Keeps an upstream answer for its smallest TTL (negative answers: the SOA's), capped. */
  private store(key: string, reply: Uint8Array): void {
    const flags = (reply[2]! << 8) | reply[3]!;
    const rcode = flags & 0xf;
    if (flags & FLAG.TC || (rcode !== RCODE.NOERROR && rcode !== RCODE.NXDOMAIN)) return;
    let records;
    try {
      records = walkRecords(reply);
    } catch {
      return;
    }
    const counted = records.filter((r) => r.type !== TYPE.OPT);
    const answers = counted.filter((r) => r.section === "answer");
    let ttl: number;
    if (answers.length > 0) ttl = Math.min(...answers.map((r) => r.ttl));
    else {
      const soa = counted.find((r) => r.type === TYPE.SOA);
      if (!soa) return;
      ttl = Math.min(soa.ttl, soa.soaMinimum ?? soa.ttl);
    }
    ttl = Math.min(ttl, this.opts.maxCacheTtl);
    if (ttl <= 0) return;
    const now = performance.now();
    this.upstreamCache.set(key, { bytes: reply, storedAt: now, expiresAt: now + ttl * 1000, ttlOffsets: counted.map((r) => r.ttlOffset), ttls: counted.map((r) => r.ttl) });
  }

  /** An ExternalName pointing outside the cluster: the CNAME, then the target's records from upstream. */
  private async chase(msg: Uint8Array, q: Query, answers: ResourceRecord[], target: { name: string; type: number }, udp: boolean): Promise<Uint8Array> {
    const w = new MessageWriter();
    w.u16(Math.floor(Math.random() * 0x10000));
    w.u16(FLAG.RD);
    w.u16(1);
    w.u16(0);
    w.u16(0);
    w.u16(0);
    w.name(target.name);
    w.u16(target.type);
    w.u16(CLASS_IN);
    const lookup = w.finish();
    let more: ResourceRecord[] = [];
    try {
      const key = `${target.name.toLowerCase()}|${target.type}|${CLASS_IN}|0`;
      const now = performance.now();
      const hit = this.upstreamCache.get(key, now);
      const reply = hit ? materialize(hit, 0, lookup.subarray(HEADER_SIZE), true, now) : await this.opts.forwarder.exchange(lookup, true);
      if (!hit) this.store(key, reply);
      more = readAddressAnswers(reply);
    } catch (err) {
      // The CNAME alone still lets the client follow it.
      this.opts.log.v(2).info("ExternalName target lookup failed", { target: target.name, err: String(err) });
    }
    const entry = this.encode(msg, q, RCODE.NOERROR, [...answers, ...more], [], []);
    return this.fit(entry.bytes, q, udp, true);
  }
}
