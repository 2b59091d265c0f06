/**
 * The `kubernetes` Service's Endpoints and EndpointSlice point at the API server's advertised
 * address and port, and follow it when a restarted server advertises another.
 */
import { expect, setDefaultTimeout, test } from "bun:test";
import { startTestServer } from "../testing/server.ts";

setDefaultTimeout(60_000);

test("the kubernetes EndpointSlice and Endpoints follow the advertised address", async () => {
  const s = await startTestServer(["--advertise-address", "192.0.2.76"]);
  const slice = JSON.parse(await s.k("get", "endpointslice", "kubernetes", "-o", "json"));
  expect(slice.metadata.labels["kubernetes.io/service-name"]).toBe("kubernetes");
  expect(slice.endpoints).toEqual([{ addresses: ["192.0.2.76"], conditions: { ready: true } }]);
  expect(slice.ports).toEqual([{ name: "https", port: s.port, protocol: "TCP" }]);
  await s.stop({ keepData: true });
  const again = await startTestServer(["--advertise-address", "192.0.2.77"], { dataDir: s.dataDir });
  try {
    expect(await again.k("get", "endpointslice", "kubernetes", "-o", "jsonpath={.endpoints[0].addresses[0]}:{.ports[0].port}")).toBe(`192.0.2.77:${again.port}`);
    expect(await again.k("get", "endpoints", "kubernetes", "-o", "jsonpath={.subsets[0].addresses[0].ip}:{.subsets[0].ports[0].port}")).toBe(`192.0.2.77:${again.port}`);
  } finally {
    await again.stop();
  }
});
