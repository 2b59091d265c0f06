import { describe, expect, test } from "bun:test";
import type { KubeObject } from "../api/types.ts";
import { toTable } from "../http/table.ts";
import { printerColumns } from "./columns.ts";

const now = Date.parse("2025-01-01T12:00:00Z");
const obj: KubeObject = {
  apiVersion: "stable.example.com/v1",
  kind: "CronTab",
  metadata: { name: "c1", creationTimestamp: "2025-01-01T11:55:00Z" },
  spec: { cronSpec: "* * * * */5", replicas: 2.7, image: { name: "img", tag: "1" }, suspend: false, lastRun: "2025-01-01T11:00:00Z", bad: "yesterday" },
  status: { conditions: [{ type: "Ready", status: "True" }] },
};

const cells = (cols: ReturnType<typeof printerColumns>) => toTable({ group: "stable.example.com", version: "v1", kind: "CronTab", plural: "crontabs", singular: "crontab", namespaced: true, printerColumns: cols }, [obj], { include: "None", now }).rows[0]!.cells;

describe("printer columns of a custom resource version", () => {
  test("without columns: NAME and AGE, as upstream serves v1 CRDs", () => {
    const cols = printerColumns(undefined);
    expect(cols.map((c) => [c.name, c.type, c.format])).toEqual([
      ["Name", "string", "name"],
      ["Age", "date", ""],
    ]);
    expect(cells(cols)).toEqual(["c1", "5m"]);
  });

  test("declared columns replace AGE, keep their type, format, priority and description", () => {
    const cols = printerColumns([
      { name: "Spec", type: "string", jsonPath: ".spec.cronSpec", description: "The cron spec" },
      { name: "Replicas", type: "integer", format: "int32", jsonPath: ".spec.replicas", priority: 1 },
    ]);
    expect(cols.map((c) => c.name)).toEqual(["Name", "Spec", "Replicas"]);
    expect(cols[1]!.description).toBe("The cron spec");
    expect(cols[2]).toMatchObject({ format: "int32", priority: 1, description: "Custom resource definition column (in JSONPath format): .spec.replicas" });
    // An integer column truncates a float, as upstream's int64(float64) does.
    expect(cells(cols)).toEqual(["c1", "* * * * */5", 2]);
  });

  test("cells by type: wrong types and missing values are empty, dates are ages", () => {
    const cols = printerColumns([
      { name: "Suspend", type: "boolean", jsonPath: ".spec.suspend" },
      { name: "Count", type: "number", jsonPath: ".spec.cronSpec" },
      { name: "Missing", type: "string", jsonPath: ".spec.nope" },
      { name: "Last", type: "date", jsonPath: ".spec.lastRun" },
      { name: "Bad", type: "date", jsonPath: ".spec.bad" },
      { name: "Image", type: "string", jsonPath: ".spec.image" },
      { name: "Ready", type: "string", jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
    ]);
    expect(cells(cols)).toEqual(["c1", false, null, null, "60m", "<invalid>", '{"name":"img","tag":"1"}', "True"]);
  });

  test("a path that does not parse drops that column and the ones after it", () => {
    const cols = printerColumns([
      { name: "Spec", type: "string", jsonPath: ".spec.cronSpec" },
      { name: "Broken", type: "string", jsonPath: ".spec[" },
      { name: "After", type: "string", jsonPath: ".spec.image.tag" },
    ]);
    expect(cols.map((c) => c.name)).toEqual(["Name", "Spec"]);
  });

  test("an index out of range leaves the cell empty instead of failing the table", () => {
    const cols = printerColumns([{ name: "Third", type: "string", jsonPath: ".status.conditions[2].type" }]);
    expect(cells(cols)).toEqual(["c1", null]);
  });
});
