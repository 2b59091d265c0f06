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

test("test hooks from the environment shorten the pod GC's period and quarantine; without them nothing changes", () => {
  expect(controllerOptionsFromArgs({ "terminated-pod-gc-threshold": "10" }, { KTS_TEST_PODGC_PERIOD: "500ms", KTS_TEST_PODGC_QUARANTINE: "2s" })).toEqual({
    podGc: { terminatedPodThreshold: 10, periodMs: 500, quarantineMs: 2000 },
  });
  expect(controllerOptionsFromArgs({}, {})).toEqual({});
  expect(() => controllerOptionsFromArgs({}, { KTS_TEST_PODGC_QUARANTINE: "later" })).toThrow('invalid value "later" for --KTS_TEST_PODGC_QUARANTINE');
});
