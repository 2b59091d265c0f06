/**
 * discovery.k8s.io/v1 protobuf schema (kinds below and every message they reach), as of Kubernetes 1.32.
 * Field numbers follow k8s.io/api discovery/v1; JSON names, pointer-ness (`*`) and omitempty follow the Go
 * struct tags, because decoding must yield the JSON that upstream's json.Marshal would print.
 * Fields are listed in Go declaration order, which is JSON key order. Format: ./table.ts.
 */
import type { GroupSchema } from "./table.ts";

export const DISCOVERY_V1: GroupSchema = {
  group: "discovery.k8s.io",
  version: "v1",
  kinds: [
    "EndpointSlice", "EndpointSliceList",
  ],
  messages: {
    Endpoint: {
      addresses: [1, "[]string", "always"], conditions: [2, "EndpointConditions"], hostname: [3, "*string"],
      targetRef: [4, "*core.ObjectReference"], deprecatedTopology: [5, "map[string]string"], nodeName: [6, "*string"],
      zone: [7, "*string"], hints: [8, "*EndpointHints"],
    },
    EndpointConditions: { ready: [1, "*bool"], serving: [2, "*bool"], terminating: [3, "*bool"] },
    EndpointHints: { forZones: [1, "[]ForZone"] },
    EndpointPort: { name: [1, "*string"], protocol: [2, "*string"], port: [3, "*int32"], appProtocol: [4, "*string"] },
    EndpointSlice: {
      metadata: [1, "meta.ObjectMeta"], addressType: [4, "string", "always"], endpoints: [2, "[]Endpoint", "always"],
      ports: [3, "[]EndpointPort", "always"],
    },
    EndpointSliceList: { metadata: [1, "meta.ListMeta"], items: [2, "[]EndpointSlice", "always"] },
    ForZone: { name: [1, "string", "always"] },
  },
};
