/**
 * Two CRDs as operators write them: the CronTab from the Kubernetes docs, and a database
 * operator's CRD with a status subresource, defaults, list-map ports, an embedded pod template
 * and transition rules. Each goes through the whole life of an object: check, decode, validate,
 * update, status update.
 */
import { describe, expect, test } from "bun:test";
import { checkSchema, compileSchema, type JSONSchemaProps } from "./index.ts";
import { messages, SCHEMA_PATH } from "./test-support.ts";

const cronTab: JSONSchemaProps = {
  type: "object",
  properties: {
    spec: {
      type: "object",
      properties: {
        cronSpec: { type: "string", pattern: "^(\\d+|\\*)(/\\d+)?(\\s+(\\d+|\\*)(/\\d+)?){4}$" },
        image: { type: "string" },
        replicas: { type: "integer", minimum: 1, maximum: 10, default: 1 },
      },
      required: ["cronSpec", "image"],
    },
    status: { type: "object", properties: { replicas: { type: "integer" }, labelSelector: { type: "string" } } },
  },
};

describe("CronTab", () => {
  const schema = compileSchema(cronTab);
  test("the schema is accepted", () => expect(checkSchema(cronTab, SCHEMA_PATH, { hasStatusSubresource: true })).toEqual([]));
  test("a new object is pruned and defaulted, then valid", () => {
    const obj = { apiVersion: "stable.example.com/v1", kind: "CronTab", metadata: { name: "my-new-cron-object" }, spec: { cronSpec: "* * * * */5", image: "my-awesome-cron-image", someRandomField: 42 } };
    const unknown: string[] = [];
    expect(schema.decode(obj, { fromStorage: false, unknownFieldPaths: unknown })).toBeUndefined();
    expect(unknown).toEqual(["spec.someRandomField"]);
    expect(obj as unknown).toEqual({ apiVersion: "stable.example.com/v1", kind: "CronTab", metadata: { name: "my-new-cron-object" }, spec: { cronSpec: "* * * * */5", image: "my-awesome-cron-image", replicas: 1 } });
    expect(schema.validate(obj)).toEqual([]);
  });
  test("the documented invalid object fails as kubectl shows it", () => {
    const obj = { apiVersion: "stable.example.com/v1", kind: "CronTab", metadata: { name: "x" }, spec: { cronSpec: "* * * *", image: "my-awesome-cron-image", replicas: 15 } };
    expect(messages(schema.validate(obj))).toEqual([
      "spec.cronSpec: Invalid value: \"* * * *\": spec.cronSpec in body should match '^(\\d+|\\*)(/\\d+)?(\\s+(\\d+|\\*)(/\\d+)?){4}$'",
      "spec.replicas: Invalid value: 15: spec.replicas in body should be less than or equal to 10",
    ]);
  });
});

const container: JSONSchemaProps = {
  type: "object",
  required: ["name", "image"],
  properties: { name: { type: "string" }, image: { type: "string" }, args: { type: "array", items: { type: "string" } } },
};

const database: JSONSchemaProps = {
  type: "object",
  description: "Database is a managed PostgreSQL cluster.",
  required: ["spec"],
  properties: {
    apiVersion: { type: "string" },
    kind: { type: "string" },
    metadata: { type: "object", properties: { name: { type: "string", maxLength: 40 } } },
    spec: {
      type: "object",
      required: ["engine", "version"],
      "x-kubernetes-validations": [
        { rule: "self.replicas >= 1 || !self.highAvailability", message: "high availability needs replicas", fieldPath: ".replicas" },
        { rule: "self.engine == oldSelf.engine", message: "engine is immutable" },
        { rule: "quantity(self.storage.size).compareTo(quantity('1Gi')) >= 0", messageExpression: "'storage must be at least 1Gi, got ' + self.storage.size" },
      ],
      properties: {
        engine: { type: "string", enum: ["postgres", "mysql"] },
        version: { type: "string", pattern: "^[0-9]+(\\.[0-9]+)*$" },
        replicas: { type: "integer", minimum: 0, maximum: 9, default: 1 },
        highAvailability: { type: "boolean", default: false },
        storage: {
          type: "object",
          default: {},
          properties: {
            size: { type: "string", default: "10Gi", "x-kubernetes-validations": [{ rule: "isQuantity(self)", message: "must be a quantity" }] },
            className: { type: "string" },
          },
        },
        ports: {
          type: "array",
          "x-kubernetes-list-type": "map",
          "x-kubernetes-list-map-keys": ["name"],
          maxItems: 4,
          items: {
            type: "object",
            required: ["name", "port"],
            properties: { name: { type: "string" }, port: { type: "integer", minimum: 1, maximum: 65535 }, protocol: { type: "string", enum: ["TCP", "UDP"], default: "TCP" } },
          },
        },
        users: { type: "array", "x-kubernetes-list-type": "set", items: { type: "string" } },
        parameters: { type: "object", additionalProperties: { "x-kubernetes-int-or-string": true } },
        template: {
          type: "object",
          "x-kubernetes-embedded-resource": true,
          "x-kubernetes-preserve-unknown-fields": true,
          properties: { spec: { type: "object", properties: { containers: { type: "array", items: container } } } },
        },
        backup: {
          type: "object",
          properties: { schedule: { type: "string" }, retention: { type: "string", format: "duration" } },
          "x-kubernetes-validations": [{ rule: "!has(self.retention) || self.retention >= duration('24h')", message: "keep backups at least a day" }],
        },
      },
    },
    status: {
      type: "object",
      properties: {
        phase: { type: "string", enum: ["Pending", "Ready", "Failed"] },
        readyReplicas: { type: "integer", minimum: 0 },
        conditions: {
          type: "array",
          "x-kubernetes-list-type": "map",
          "x-kubernetes-list-map-keys": ["type"],
          items: {
            type: "object",
            required: ["type", "status"],
            properties: { type: { type: "string" }, status: { type: "string", enum: ["True", "False", "Unknown"] }, lastTransitionTime: { type: "string", format: "date-time" } },
          },
        },
      },
    },
  },
};

const dbObject = () => ({
  apiVersion: "db.example.com/v1",
  kind: "Database",
  metadata: { name: "orders", namespace: "shop" },
  spec: {
    engine: "postgres",
    version: "16.2",
    ports: [{ name: "sql", port: 5432 }],
    users: ["app", "report"],
    parameters: { max_connections: 200, shared_buffers: "256MB" },
    template: { apiVersion: "v1", kind: "Pod", metadata: { labels: { app: "orders" }, junk: true }, spec: { containers: [{ name: "pg", image: "postgres:16" }], hostNetwork: true } },
    backup: { schedule: "@daily", retention: "72h" },
  },
});

describe("Database operator", () => {
  const schema = compileSchema(database);
  const decoded = () => {
    const obj = dbObject();
    expect(schema.decode(obj, { fromStorage: false })).toBeUndefined();
    return obj as ReturnType<typeof dbObject> & { spec: Record<string, unknown> };
  };

  test("the schema is accepted", () => expect(checkSchema(database, SCHEMA_PATH, { hasStatusSubresource: true })).toEqual([]));

  test("decoding defaults nested objects and list items and keeps embedded resources tidy", () => {
    const obj = decoded();
    expect(obj.spec).toMatchObject({ replicas: 1, highAvailability: false, storage: { size: "10Gi" }, ports: [{ name: "sql", port: 5432, protocol: "TCP" }] });
    // preserve-unknown-fields on the template does not reach its declared spec: hostNetwork is pruned.
    expect(obj.spec.template as unknown).toEqual({ apiVersion: "v1", kind: "Pod", metadata: { labels: { app: "orders" } }, spec: { containers: [{ name: "pg", image: "postgres:16" }] } });
    expect(schema.validate(obj)).toEqual([]);
  });

  test("every problem is reported", () => {
    const obj = decoded();
    Object.assign(obj.spec, {
      engine: "oracle",
      version: "latest",
      replicas: 12,
      ports: [{ name: "sql", port: 5432 }, { name: "sql", port: 0 }],
      users: ["app", "app"],
      parameters: { a: 1.5 },
      template: { kind: "Pod", spec: { containers: [{ name: "pg" }] } },
    });
    expect(messages(schema.validate(obj))).toEqual([
      `spec.engine: Unsupported value: "oracle": supported values: "postgres", "mysql"`,
      `spec.version: Invalid value: "latest": spec.version in body should match '^[0-9]+(\\.[0-9]+)*$'`,
      "spec.replicas: Invalid value: 12: spec.replicas in body should be less than or equal to 9",
      "spec.ports[1].port: Invalid value: 0: spec.ports[1].port in body should be greater than or equal to 1",
      `spec.parameters.a: Invalid value: "number": spec.parameters.a in body must be of type integer,string: "number"`,
      "spec.template.spec.containers[0].image: Required value",
      "spec.template.apiVersion: Required value: must not be empty",
      'spec.ports[1]: Duplicate value: map[string]interface {}{"name":"sql"}',
      'spec.users[1]: Duplicate value: "app"',
      '<nil>: Invalid value: "null": some validation rules were not checked because the object was invalid; correct the existing errors to complete validation',
    ]);
  });

  test("rules with fieldPath, messageExpression and durations", () => {
    const obj = decoded();
    Object.assign(obj.spec, { replicas: 0, highAvailability: true, storage: { size: "512Mi" }, backup: { retention: "1h" } });
    expect(messages(schema.validate(obj))).toEqual([
      'spec.replicas: Invalid value: "object": high availability needs replicas',
      'spec: Invalid value: "object": storage must be at least 1Gi, got 512Mi',
      'spec.backup: Invalid value: "object": keep backups at least a day',
    ]);
  });

  test("updates: immutable engine, and ratcheting of what did not change", () => {
    const old = decoded();
    const changed = decoded();
    changed.spec.engine = "mysql";
    expect(messages(schema.validate(changed, old))).toEqual(['spec: Invalid value: "object": engine is immutable']);
    // An object stored before a stricter schema keeps its old value through unrelated updates.
    const legacy = decoded();
    legacy.spec.version = "latest";
    const relabelled = structuredClone(legacy);
    relabelled.metadata.name = "orders";
    expect(schema.validate(relabelled, legacy)).toEqual([]);
  });

  test("status updates validate the status (named from the status down, as upstream's status validator does) and run the rules", () => {
    const old = decoded();
    const next = { ...decoded(), status: { phase: "Ready", readyReplicas: -1, conditions: [{ type: "Ready", status: "Maybe", lastTransitionTime: "2024-01-01T00:00:00Z" }] } };
    expect(messages(schema.validateStatus(next, old))).toEqual([
      "status.readyReplicas: Invalid value: -1: readyReplicas in body should be greater than or equal to 0",
      `status.conditions[0].status: Unsupported value: "Maybe": supported values: "True", "False", "Unknown"`,
      '<nil>: Invalid value: "null": some validation rules were not checked because the object was invalid; correct the existing errors to complete validation',
    ]);
  });

  test("objects read back from storage get new defaults and lose malformed metadata fields", () => {
    const stored = { ...dbObject(), metadata: { name: "orders", labels: { a: 1 } } };
    expect(schema.decode(stored, { fromStorage: true })).toBeUndefined();
    expect(stored.metadata as unknown).toEqual({ name: "orders" });
    expect((stored.spec as Record<string, unknown>).replicas).toBe(1);
    const request = { ...dbObject(), metadata: { name: "orders", labels: { a: 1 } } };
    expect(messages([schema.decode(request, { fromStorage: false })!])).toEqual(['metadata: Invalid value: "": json: cannot unmarshal number 1 into Go struct field ObjectMeta.labels of type string']);
  });
});

describe("hostile input", () => {
  test("deeply nested objects do not crash pruning, defaulting or validation", () => {
    const schema = compileSchema({ type: "object", properties: { spec: { type: "object", "x-kubernetes-preserve-unknown-fields": true } } });
    let deep: Record<string, unknown> = {};
    const obj = { spec: deep };
    for (let i = 0; i < 5000; i++) {
      const next = {};
      deep.a = next;
      deep = next;
    }
    expect(schema.decode(obj, { fromStorage: false })).toBeUndefined();
    expect(schema.validate(obj)).toEqual([]);
  });
  test("nesting beyond what the stack allows is an error, not a crash", () => {
    const schema = compileSchema({ type: "object", properties: { spec: { type: "object", "x-kubernetes-preserve-unknown-fields": true } } });
    const n = 200_000;
    const obj = JSON.parse(`{"spec":${'{"a":'.repeat(n)}1${"}".repeat(n)}}`);
    expect(messages([schema.decode(obj, { fromStorage: false })!])).toEqual(['<nil>: Invalid value: "": object is nested too deeply']);
  });
  test("a large list under a quadratic rule stays within the cost budget", () => {
    const schema = compileSchema({
      type: "object",
      properties: { l: { type: "array", items: { type: "string" }, "x-kubernetes-validations": [{ rule: "self.all(a, self.exists(b, a == b))" }] } },
    });
    const start = performance.now();
    const errs = messages(schema.validate({ l: Array.from({ length: 5000 }, (_, i) => `s${i}`) }));
    expect(errs[0]).toContain("cost");
    expect(performance.now() - start).toBeLessThan(3000);
  });
});
