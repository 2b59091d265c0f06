import { expect, test } from "bun:test";
import { controllerOptionsFromArgs } from "./flags.ts";

test("--kube-controller-manager-arg: the controller list and node lifecycle, pod GC and endpoint tuning", () => {
  expect(
    controllerOptionsFromArgs({
      controllers: "*, -garbagecollector",
      "node-monitor-grace-period": "5s",
      "node-monitor-period": "500ms",
      "node-startup-grace-period": "1m",
      "node-eviction-rate": "0.5",
      "terminated-pod-gc-threshold": "100",
      "max-endpoints-per-slice": "50",
    }),
  ).toEqual({
    controllers: ["*", "-garbagecollector"],
    nodeLifecycle: { gracePeriodMs: 5000, monitorPeriodMs: 500, startupGracePeriodMs: 60_000, evictionRate: 0.5 },
    podGc: { terminatedPodThreshold: 100 },
    endpointSlices: { maxEndpointsPerSlice: 50 },
  });
  expect(() => controllerOptionsFromArgs({ "node-monitor-grace-period": "soon" })).toThrow('invalid value "soon" for --node-monitor-grace-period: time: invalid duration "soon"');
  expect(() => controllerOptionsFromArgs({ "cluster-signing-duration": "1h" })).toThrow('unsupported --kube-controller-manager-arg "cluster-signing-duration"');
});
