import { describe, expect, test } from "bun:test";
import { hostPortChains, parseHostPorts, renderHostPorts } from "./hostports.ts";

describe("hostPort rules", () => {
  const chains = hostPortChains("KN7");

  test("per hostPort: hairpin and loopback marks, then the DNAT; newer pods first; the masquerade chain", () => {
    const text = renderHostPorts(chains, [
      { pod: "default/old", ip: "10.42.0.5", created: 100, ports: [{ hostPort: 8080, containerPort: 80, protocol: "TCP" }] },
      { pod: "default/new", ip: "10.42.0.9", created: 200, ports: [{ hostPort: 5353, containerPort: 53, protocol: "UDP", hostIP: "10.0.0.1" }] },
    ]);
    expect(text.split("\n")).toEqual([
      "*nat",
      ":KN7-HOSTPORTS - [0:0]",
      ":KN7-HOSTPORTS-MASQ - [0:0]",
      '-A KN7-HOSTPORTS -p udp -m udp --dport 5353 -d 10.0.0.1/32 -s 10.42.0.9/32 -m comment --comment "default/new hostPort 5353/udp" -j MARK --set-xmark 0x2000/0x2000',
      '-A KN7-HOSTPORTS -p udp -m udp --dport 5353 -d 10.0.0.1/32 -s 127.0.0.0/8 -m comment --comment "default/new hostPort 5353/udp" -j MARK --set-xmark 0x2000/0x2000',
      '-A KN7-HOSTPORTS -p udp -m udp --dport 5353 -d 10.0.0.1/32 -m comment --comment "default/new hostPort 5353/udp" -j DNAT --to-destination 10.42.0.9:53',
      '-A KN7-HOSTPORTS -p tcp -m tcp --dport 8080 -s 10.42.0.5/32 -m comment --comment "default/old hostPort 8080/tcp" -j MARK --set-xmark 0x2000/0x2000',
      '-A KN7-HOSTPORTS -p tcp -m tcp --dport 8080 -s 127.0.0.0/8 -m comment --comment "default/old hostPort 8080/tcp" -j MARK --set-xmark 0x2000/0x2000',
      '-A KN7-HOSTPORTS -p tcp -m tcp --dport 8080 -m comment --comment "default/old hostPort 8080/tcp" -j DNAT --to-destination 10.42.0.5:80',
      '-A KN7-HOSTPORTS-MASQ -m mark --mark 0x2000/0x2000 -m comment --comment "kts hostports" -j MASQUERADE',
      "COMMIT",
      "",
    ]);
  });

  test("no hostPorts: both chains empty but for the masquerade rule", () => {
    expect(renderHostPorts(chains, []).split("\n").filter((l) => l.startsWith("-A"))).toHaveLength(1);
  });

  test("the sandbox label is parsed leniently", () => {
    expect(parseHostPorts(undefined)).toEqual([]);
    expect(parseHostPorts("not json")).toEqual([]);
    expect(parseHostPorts('[{"hostPort":80,"containerPort":8080,"protocol":"TCP"},{"hostPort":"x"}]')).toEqual([{ hostPort: 80, containerPort: 8080, protocol: "TCP" }]);
  });
});
