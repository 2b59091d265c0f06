/**
 * The DNS server's sockets: UDP (one datagram per message) and TCP (messages framed by a 16-bit
 * length, several per connection, answered in order; idle connections closed after 10 s).
 */
import type { TCPSocketListener, udp } from "bun";
import type { Logger } from "../log/index.ts";
import type { DnsHandler } from "./handler.ts";

type UdpSocket = udp.Socket<"uint8array">;

export interface Listeners {
  readonly udpPort: number;
  readonly tcpPort: number;
  close(): void;
}

const TCP_IDLE_SECONDS = 10;

interface TcpState {
  buffered: Uint8Array;
  /** Answers are written in order even when a later one is ready first. */
  chain: Promise<void>;
}

export async function listen(handler: DnsHandler, host: string, port: number, log: Logger): Promise<Listeners> {
  const udp: UdpSocket = await Bun.udpSocket({
    hostname: host,
    port,
    binaryType: "uint8array",
    socket: {
      data(sock, buf, rport, raddr) {
        const out = handler.handle(buf, true);
        if (out === undefined) return;
        if (out instanceof Uint8Array) {
          sock.send(out, rport, raddr);
          return;
        }
        out.then((reply) => reply && !sock.closed && sock.send(reply, rport, raddr)).catch((err) => log.error("answering failed", { err }));
      },
    },
  });
  // TCP on the same port number as UDP (an ephemeral UDP port is reused for TCP).
  const tcp: TCPSocketListener<TcpState> = Bun.listen<TcpState>({
    hostname: host,
    port: udp.port,
    socket: {
      open(s) {
        s.data = { buffered: new Uint8Array(0), chain: Promise.resolve() };
        s.timeout(TCP_IDLE_SECONDS);
      },
      data(s, chunk) {
        const st = s.data;
        const all = new Uint8Array(st.buffered.length + chunk.length);
        all.set(st.buffered);
        all.set(chunk, st.buffered.length);
        let pos = 0;
        while (all.length - pos >= 2) {
          const len = (all[pos]! << 8) | all[pos + 1]!;
          if (all.length - pos - 2 < len) break;
          const msg = all.slice(pos + 2, pos + 2 + len);
          pos += 2 + len;
          const answer = handler.handle(msg, false);
          st.chain = st.chain.then(async () => {
            const reply = await answer;
            if (!reply) return;
            const framed = new Uint8Array(reply.length + 2);
            framed[0] = reply.length >> 8;
            framed[1] = reply.length & 0xff;
            framed.set(reply, 2);
            s.write(framed);
          });
        }
        st.buffered = all.slice(pos);
        s.timeout(TCP_IDLE_SECONDS);
      },
      timeout(s) {
        s.end();
      },
      error(_s, err) {
        log.v(2).info("TCP connection failed", { err: String(err) });
      },
    },
  });
  return {
    udpPort: udp.port,
    tcpPort: tcp.port,
    close() {
      udp.close();
      tcp.stop(true);
    },
  };
}
