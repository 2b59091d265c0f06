import { afterEach, expect, test } from "bun:test";
import { find, until } from "../testing.ts";
import { RootCaPublisher } from "../rootcacert/index.ts";
import { harness, type Harness } from "../common/harness.ts";
import { CONFIG_MAPS, SERVICE_ACCOUNTS, type ConfigMap } from "../common/types.ts";
import { ServiceAccountsController } from "./serviceaccounts-controller.ts";

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const CA = "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n";

test("every namespace gets a default ServiceAccount and the kube-root-ca.crt ConfigMap; deleted or edited ones come back", async () => {
  h = await harness();
  await h.namespace("a");
  await h.run(new ServiceAccountsController(h.ctx));
  await h.run(new RootCaPublisher(h.ctx, { rootCa: CA }));
  await h.namespace("b");
  for (const ns of ["default", "a", "b"]) {
    await until(`default account in ${ns}`, async () => (await find(h.client, SERVICE_ACCOUNTS, ns, "default")) !== undefined);
    await until(`root CA in ${ns}`, async () => (await find(h.client, CONFIG_MAPS, ns, "kube-root-ca.crt")) !== undefined);
  }
  const cm = (await h.client.get(CONFIG_MAPS, "a", "kube-root-ca.crt")) as ConfigMap;
  expect(cm.data).toEqual({ "ca.crt": CA });
  expect(cm.metadata?.annotations?.["kubernetes.io/description"]).toStartWith("Contains a CA bundle that can be used to verify the kube-apiserver");

  await h.client.delete(SERVICE_ACCOUNTS, "a", "default");
  await h.client.delete(CONFIG_MAPS, "b", "kube-root-ca.crt");
  cm.data = { "ca.crt": "tampered" };
  await h.client.update(CONFIG_MAPS, "a", cm);
  await until("the account is back", async () => (await find(h.client, SERVICE_ACCOUNTS, "a", "default")) !== undefined);
  await until("the deleted ConfigMap is back", async () => (await find(h.client, CONFIG_MAPS, "b", "kube-root-ca.crt")) !== undefined);
  await until("the edited ConfigMap is restored", async () => ((await h.client.get(CONFIG_MAPS, "a", "kube-root-ca.crt")) as ConfigMap).data?.["ca.crt"] === CA);
});
