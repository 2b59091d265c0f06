import { describe, expect, test } from "bun:test";
import { PodIpam } from "./ipam.ts";

describe("PodIpam", () => {
  test("skips the network, gateway and broadcast addresses and fills the range", () => {
    const ipam = new PodIpam("10.42.3.0/29");
    expect(ipam.gateway).toBe("10.42.3.1");
    const got = Array.from({ length: 6 }, () => ipam.allocate());
    expect(got).toEqual(["10.42.3.2", "10.42.3.3", "10.42.3.4", "10.42.3.5", "10.42.3.6", undefined]);
  });

  test("round-robin: a freed address is not reused before the others", () => {
    const ipam = new PodIpam("10.42.3.0/24");
    const a = ipam.allocate()!;
    const b = ipam.allocate()!;
    ipam.release(a);
    expect(ipam.allocate()).toBe("10.42.3.4");
    expect(b).toBe("10.42.3.3");
    expect(ipam.has(a)).toBe(false);
  });

  test("a later rebuild does not move round-robin back to an address just freed", () => {
    const ipam = new PodIpam("10.42.3.0/24");
    ipam.rebuild(["10.42.3.2", "10.42.3.3"], "10.42.3.3");
    const a = ipam.allocate()!;
    expect(a).toBe("10.42.3.4");
    ipam.commit(a);
    // Its sandbox died: Docker's newest running sandbox is .3 again.
    ipam.release(a);
    ipam.rebuild(["10.42.3.2", "10.42.3.3"], "10.42.3.3");
    expect(ipam.allocate()).toBe("10.42.3.5");
  });

  test("wraps around after the last usable address", () => {
    const ipam = new PodIpam("10.42.3.0/29");
    ipam.rebuild([], "10.42.3.6");
    expect(ipam.allocate()).toBe("10.42.3.2");
  });

  test("rebuilt from Docker's sandboxes: their addresses are taken, round-robin resumes after the newest, pending ones are kept", () => {
    const ipam = new PodIpam("10.42.3.0/24");
    ipam.rebuild(["10.42.3.7", "10.42.3.9", "10.99.0.1"], "10.42.3.9");
    expect(ipam.has("10.42.3.7")).toBe(true);
    expect(ipam.size).toBe(2);
    const pending = ipam.allocate()!; // handed out but not yet on a container
    expect(pending).toBe("10.42.3.10");
    ipam.rebuild(["10.42.3.7", "10.42.3.9"]);
    expect(ipam.has(pending)).toBe(true);
    // Once committed (the container exists), a rebuild without it frees it: Docker no longer runs it.
    ipam.commit(pending);
    ipam.rebuild(["10.42.3.7"]);
    expect(ipam.has(pending)).toBe(false);
    expect(ipam.allocate()).toBe("10.42.3.11");
  });

  test("a full range yields nothing until an address is released", () => {
    const ipam = new PodIpam("10.42.3.0/30");
    expect(ipam.allocate()).toBe("10.42.3.2");
    expect(ipam.allocate()).toBeUndefined();
    ipam.release("10.42.3.2");
    expect(ipam.allocate()).toBe("10.42.3.2");
    expect(() => new PodIpam("10.42.3.0/31")).toThrow();
  });
});
