export { RootCaPublisher, ROOT_CA_CONFIG_MAP, type RootCaPublisherOptions } from "./publisher.ts";
