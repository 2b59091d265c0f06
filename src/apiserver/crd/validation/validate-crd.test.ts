import { describe, expect, test } from "bun:test";
import type { FieldError } from "../../api/errors.ts";
import { fieldErrorMessage } from "../../api/errors.ts";
import { defaultCrd } from "../defaults.ts";
import type { CustomResourceDefinition } from "../types.ts";
import { validateCrd, validateCrdStatusUpdate, validateCrdUpdate } from "./validate-crd.ts";

const schema = { type: "object", properties: { spec: { type: "object", properties: { replicas: { type: "integer" }, color: { type: "string" } } }, status: { type: "object", properties: { replicas: { type: "integer" } } } } };

/** A valid CRD as a create request leaves the defaulting and prepare steps. */
function crd(mutate: (c: CustomResourceDefinition) => void = () => {}): CustomResourceDefinition {
  const c: CustomResourceDefinition = {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: "widgets.example.com" },
    spec: {
      group: "example.com",
      scope: "Namespaced",
      names: { plural: "widgets", kind: "Widget", shortNames: ["wd"], categories: ["all"] },
      versions: [
        { name: "v1", served: true, storage: true, schema: { openAPIV3Schema: structuredClone(schema) }, subresources: { status: {}, scale: { specReplicasPath: ".spec.replicas", statusReplicasPath: ".status.replicas" } } },
      ],
    },
  };
  mutate(c);
  defaultCrd(c);
  const storage = c.spec.versions.find((v) => v.storage);
  c.status = { conditions: null, acceptedNames: { plural: "", kind: "" }, storedVersions: storage ? [storage.name] : null };
  return c;
}

const messages = (errs: FieldError[]) => errs.map(fieldErrorMessage);

describe("CustomResourceDefinition validation (create)", () => {
  test("a complete CRD is valid", () => {
    expect(validateCrd(crd())).toEqual([]);
  });

  test("the name must be <plural>.<group>", () => {
    expect(messages(validateCrd(crd((c) => (c.metadata!.name = "widget.example.com"))))).toEqual([
      'metadata.name: Invalid value: "widget.example.com": must be spec.names.plural+"."+spec.group',
    ]);
  });

  test("the group must be a subdomain with a dot", () => {
    const errs = messages(validateCrd(crd((c) => ((c.spec.group = "example"), (c.metadata!.name = "widgets.example")))));
    expect(errs).toEqual(['spec.group: Invalid value: "example": should be a domain with at least one dot']);
  });

  test("scope is required and one of Cluster, Namespaced", () => {
    expect(messages(validateCrd(crd((c) => (c.spec.scope = "Global"))))).toEqual(['spec.scope: Unsupported value: "Global": supported values: "Cluster", "Namespaced"']);
    expect(messages(validateCrd(crd((c) => (c.spec.scope = ""))))).toEqual(["spec.scope: Required value"]);
  });

  test("names: DNS labels, a kind that lower-cases to one, kind and listKind apart", () => {
    const errs = messages(
      validateCrd(
        crd((c) => {
          c.spec.names = { plural: "widgets", kind: "Wid_get", listKind: "Wid_get", singular: "Widget", shortNames: ["w d"], categories: ["A"] };
        }),
      ),
    );
    expect(errs).toContain('spec.names.singular: Invalid value: "Widget": a DNS-1035 label must consist of lower case alphanumeric characters or \'-\', start with an alphabetic character, and end with an alphanumeric character (e.g. \'my-name\',  or \'abc-123\', regex used for validation is \'[a-z]([-a-z0-9]*[a-z0-9])?\')');
    expect(errs.some((e) => e.startsWith('spec.names.kind: Invalid value: "Wid_get": may have mixed case, but should otherwise match: a DNS-1035 label'))).toBe(true);
    expect(errs).toContain('spec.names.listKind: Invalid value: "Wid_get": kind and listKind may not be the same');
    expect(errs.some((e) => e.startsWith('spec.names.shortNames[0]: Invalid value: "w d"'))).toBe(true);
    expect(errs.some((e) => e.startsWith('spec.names.categories[0]: Invalid value: "A"'))).toBe(true);
  });

  test("singular and listKind default from the kind", () => {
    const c = crd();
    expect(c.spec.names).toMatchObject({ singular: "widget", listKind: "WidgetList" });
    expect(c.spec.conversion).toEqual({ strategy: "None" });
  });

  test("exactly one storage version, unique and valid version names", () => {
    const two = crd((c) => c.spec.versions.push({ ...structuredClone(c.spec.versions[0]!), name: "v1" }));
    const errs = messages(validateCrd(two));
    expect(errs.some((e) => e.startsWith("spec.versions: Invalid value: []apiextensions.CustomResourceDefinitionVersion{") && e.endsWith(": must contain unique version names"))).toBe(true);
    expect(errs.some((e) => e.endsWith(": must have exactly one version marked as storage version"))).toBe(true);

    const none = crd((c) => (c.spec.versions[0]!.storage = false));
    expect(messages(validateCrd(none))).toEqual(
      expect.arrayContaining(['status.storedVersions: Invalid value: []string(nil): must have at least one stored version']),
    );

    const badName = messages(validateCrd(crd((c) => (c.spec.versions[0]!.name = "V1"))));
    expect(badName.filter((e) => e.includes('Invalid value: "V1"')).map((e) => e.split(":")[0])).toEqual(["spec.versions[0].name", "spec.version"]);
  });

  test("the schema engine judges each schema at its internal path", () => {
    const sloppy = { type: "object", properties: { spec: { properties: { size: { type: "integer" } } } } };
    // One schema for all versions: upstream reports it at spec.validation.
    expect(messages(validateCrd(crd((c) => (c.spec.versions[0]!.schema = { openAPIV3Schema: structuredClone(sloppy) }))))).toEqual([
      "spec.validation.openAPIV3Schema.properties[spec].type: Required value: must not be empty for specified object fields",
    ]);
    // Different schemas per version: at the version.
    const twoVersions = crd((c) => {
      c.spec.versions.push({ name: "v2", served: true, storage: false, schema: { openAPIV3Schema: structuredClone(sloppy) } });
    });
    expect(messages(validateCrd(twoVersions))).toEqual(["spec.versions[1].schema.openAPIV3Schema.properties[spec].type: Required value: must not be empty for specified object fields"]);
  });

  test("with a status subresource the schema's root may only hold what survives taking properties.status", () => {
    const errs = messages(validateCrd(crd((c) => (c.spec.versions[0]!.schema!.openAPIV3Schema!.minProperties = 1))));
    expect(errs).toHaveLength(1);
    expect(errs[0]).toStartWith("spec.validation.openAPIV3Schema: Invalid value: ");
    expect(errs[0]).toEndWith("fields are allowed at the root of the schema if the status subresource is enabled");
    expect(validateCrd(crd((c) => ((c.spec.versions[0]!.subresources = undefined), (c.spec.versions[0]!.schema!.openAPIV3Schema!.maxProperties = 3))))).toEqual([]);
  });

  test("every version needs a schema", () => {
    const errs = messages(validateCrd(crd((c) => delete c.spec.versions[0]!.schema)));
    expect(errs).toContain("spec.versions[0].schema.openAPIV3Schema: Required value: schemas are required");
  });

  test("scale paths must be under .spec and .status; shared subresources are reported at spec.subresources", () => {
    const errs = messages(
      validateCrd(
        crd((c) => {
          c.spec.versions[0]!.subresources!.scale = { specReplicasPath: ".status.replicas", statusReplicasPath: "status.replicas", labelSelectorPath: ".metadata.labels" };
        }),
      ),
    );
    expect(errs).toEqual([
      'spec.subresources.scale.specReplicasPath: Invalid value: ".status.replicas": should be a json path under .spec',
      'spec.subresources.scale.statusReplicasPath: Invalid value: "status.replicas": must be a simple json path starting with .',
      'spec.subresources.scale.labelSelectorPath: Invalid value: ".metadata.labels": should be a json path under either .spec or .status',
    ]);
  });

  test("per-version values that differ are reported at the version", () => {
    const c = crd((c) => {
      c.spec.versions[0]!.storage = false;
      c.spec.versions.push({ name: "v2", served: true, storage: true, schema: { openAPIV3Schema: structuredClone(schema) }, subresources: { scale: { specReplicasPath: ".spec.replicas", statusReplicasPath: ".spec.replicas" } } });
    });
    expect(messages(validateCrd(c))).toEqual(['spec.versions[1].subresources.scale.statusReplicasPath: Invalid value: ".spec.replicas": should be a json path under .status']);
  });

  test("printer columns: name, type, format and a JSON path starting with a dot", () => {
    const errs = messages(
      validateCrd(
        crd((c) => {
          c.spec.versions[0]!.additionalPrinterColumns = [
            { name: "", type: "text", format: "uuid", jsonPath: "spec.color" },
            { name: "Color", type: "string", jsonPath: "" },
          ];
        }),
      ),
    );
    expect(errs).toEqual([
      "spec.additionalPrinterColumns[0].name: Required value",
      'spec.additionalPrinterColumns[0].type: Invalid value: "text": must be one of boolean,date,integer,number,string',
      'spec.additionalPrinterColumns[0].format: Invalid value: "uuid": must be one of byte,date,date-time,double,float,int32,int64,password',
      'spec.additionalPrinterColumns[0].JSONPath: Invalid value: "spec.color": must be a simple json path starting with .',
      "spec.additionalPrinterColumns[1].JSONPath: Required value",
    ]);
  });

  test("selectable fields point to scalar fields of the schema, outside metadata, without duplicates", () => {
    const errs = messages(
      validateCrd(
        crd((c) => {
          c.spec.versions[0]!.selectableFields = [{ jsonPath: ".spec.color" }, { jsonPath: ".spec.color" }, { jsonPath: ".spec" }, { jsonPath: ".spec.nope" }, { jsonPath: ".spec.color[0]" }];
        }),
      ),
    );
    expect(errs).toEqual([
      'spec.selectableFields[1].jsonPath: Duplicate value: ".spec.color"',
      'spec.selectableFields[2].jsonPath: Invalid value: ".spec": must point to a field of type string, boolean or integer. Enum string fields and strings with formats are allowed.',
      'spec.selectableFields[3].jsonPath: Invalid value: ".spec.nope": is an invalid path: does not refer to a valid field',
      'spec.selectableFields[4].jsonPath: Invalid value: ".spec.color[0]": is an invalid path: array notation is not allowed',
    ]);
  });

  test("conversion: strategy None or Webhook; webhook settings only with Webhook", () => {
    expect(messages(validateCrd(crd((c) => (c.spec.conversion = { strategy: "Magic" }))))).toEqual(['spec.conversion.strategy: Unsupported value: "Magic": supported values: "None", "Webhook"']);
    expect(messages(validateCrd(crd((c) => (c.spec.conversion = { strategy: "None", webhook: { conversionReviewVersions: ["v1"] } }))))).toEqual([
      "spec.conversion.conversionReviewVersions: Forbidden: should not be set when strategy is not set to Webhook",
    ]);
    expect(messages(validateCrd(crd((c) => (c.spec.conversion = { strategy: "Webhook", webhook: { clientConfig: { url: "http://x/convert" }, conversionReviewVersions: ["v9"] } }))))).toEqual([
      'spec.conversion.webhookClientConfig.url: Invalid value: "http": \'https\' is the only allowed URL scheme; desired format: https://host[/path]',
      'spec.conversion.conversionReviewVersions: Invalid value: []string{"v9"}: must include at least one of v1, v1beta1',
    ]);
  });

  test("groups under k8s.io need the API approval annotation", () => {
    const c = crd((c) => {
      c.spec.group = "widgets.k8s.io";
      c.metadata!.name = "widgets.widgets.k8s.io";
    });
    expect(messages(validateCrd(c))).toEqual(['metadata.annotations[api-approved.kubernetes.io]: Required value: protected groups must have approval annotation "api-approved.kubernetes.io", see https://github.com/kubernetes/enhancements/pull/1111']);
    c.metadata!.annotations = { "api-approved.kubernetes.io": "unapproved, testing" };
    expect(validateCrd(c)).toEqual([]);
  });

  test("preserveUnknownFields cannot be set on new CRDs", () => {
    expect(messages(validateCrd(crd((c) => (c.spec.preserveUnknownFields = true))))).toEqual([
      "spec.preserveUnknownFields: Invalid value: true: cannot set to true, set x-kubernetes-preserve-unknown-fields to true in spec.versions[*].schema instead",
    ]);
  });

  test("deprecationWarning only on deprecated versions", () => {
    expect(messages(validateCrd(crd((c) => (c.spec.versions[0]!.deprecationWarning = "old"))))).toEqual(['spec.versions[0].deprecationWarning: Invalid value: "old": can only be set for deprecated versions']);
  });
});

describe("CustomResourceDefinition validation (update)", () => {
  const established = () => {
    const c = crd();
    c.status!.conditions = [{ type: "Established", status: "True" }];
    return c;
  };

  test("group and plural never change; scope and kind are fixed once established", () => {
    const old = established();
    const next = structuredClone(old);
    next.spec.scope = "Cluster";
    next.spec.names.kind = "Gadget";
    next.spec.names.listKind = "GadgetList";
    expect(messages(validateCrdUpdate(next, old))).toEqual(['spec.scope: Invalid value: "Cluster": field is immutable', 'spec.names.kind: Invalid value: "Gadget": field is immutable']);
    const notYet = crd();
    expect(validateCrdUpdate(next, notYet)).toEqual([]);
  });

  test("storedVersions must hold the storage version and only listed versions", () => {
    const old = established();
    const next = structuredClone(old);
    next.status!.storedVersions = ["v0"];
    expect(messages(validateCrdUpdate(next, old))).toEqual([
      'status.storedVersions: Invalid value: []string{"v0"}: must have the storage version v1',
      'status.storedVersions[0]: Invalid value: "v0": must appear in spec.versions',
    ]);
  });

  test("a status update checks the accepted names", () => {
    const next = crd();
    next.status!.acceptedNames = { plural: "Widgets", kind: "Widget" };
    expect(messages(validateCrdStatusUpdate(next))[0]).toStartWith('status.acceptedNames.plural: Invalid value: "Widgets"');
  });
});
