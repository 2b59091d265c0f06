/**
 * Distinguished names (only the CN and O attributes kts uses) and subjectAltName general names,
 * in both directions.
 */
import { DerError, TAG, children, decodeOid, directoryString, expect, implicitPrimitive, oid, seq, setOf } from "./der.ts";
import { bytesToIp, ipToBytes } from "./ip.ts";

const OID_CN = "2.5.4.3";
const OID_O = "2.5.4.10";

export interface Subject {
  commonName: string;
  organizations: string[];
}

/** subjectAltName entries; IPs in canonical text form. */
export interface AltNames {
  dnsNames: string[];
  ipAddresses: string[];
  uris: string[];
  emailAddresses: string[];
}

export const emptyAltNames = (): AltNames => ({ dnsNames: [], ipAddresses: [], uris: [], emailAddresses: [] });

const attribute = (type: string, value: string) => setOf(seq(oid(type), directoryString(value)));

/** Each O in its own RDN, then the CN, in the order Go's pkix.Name writes them. */
export function encodeName(s: Subject): Uint8Array {
  const rdns = s.organizations.map((o) => attribute(OID_O, o));
  if (s.commonName) rdns.push(attribute(OID_CN, s.commonName));
  return seq(...rdns);
}

/** CN and O from an encoded Name; other attributes are ignored. */
export function parseName(raw: Uint8Array): Subject {
  const name = expect(children(raw)[0], TAG.SEQUENCE, "Name");
  const out: Subject = { commonName: "", organizations: [] };
  for (const rdn of children(name.content)) {
    for (const atv of children(expect(rdn, TAG.SET, "RDN").content)) {
      const [type, value] = children(expect(atv, TAG.SEQUENCE, "attribute").content);
      const id = decodeOid(expect(type, TAG.OID, "attribute type").content);
      if (!value) throw new DerError("malformed attribute value");
      const text = new TextDecoder().decode(value.content);
      if (id === OID_CN) out.commonName = text;
      else if (id === OID_O) out.organizations.push(text);
    }
  }
  return out;
}

/** GeneralNames with dNSName [2], rfc822Name [1], URI [6] and iPAddress [7] entries. */
export function encodeAltNames(n: AltNames): Uint8Array {
  const text = (tag: number, s: string) => implicitPrimitive(tag, new TextEncoder().encode(s));
  return seq(
    ...n.emailAddresses.map((e) => text(1, e)),
    ...n.dnsNames.map((d) => text(2, d)),
    ...n.uris.map((u) => text(6, u)),
    ...n.ipAddresses.map((ip) => implicitPrimitive(7, ipToBytes(ip))),
  );
}

export function parseAltNames(generalNames: Uint8Array): AltNames {
  const out = emptyAltNames();
  const seqItem = expect(children(generalNames)[0], TAG.SEQUENCE, "GeneralNames");
  for (const gn of children(seqItem.content)) {
    const text = () => new TextDecoder().decode(gn.content);
    if (gn.tag === 0x81) out.emailAddresses.push(text());
    else if (gn.tag === 0x82) out.dnsNames.push(text());
    else if (gn.tag === 0x86) out.uris.push(text());
    else if (gn.tag === 0x87) out.ipAddresses.push(bytesToIp(gn.content));
  }
  return out;
}
