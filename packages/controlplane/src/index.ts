export { computeQuotaUsage } from "./admission/quota.ts";
export { type ApiServer, type ApiServerOptions, createApiServer } from "./apiserver/index.ts";
export { parseQuantity } from "./apiserver/quantity.ts";
export { findResource, RESOURCES, type ResourceDef } from "./apiserver/registry.ts";
export { matchLabels, parseLabelSelector, selectorMatches } from "./apiserver/selectors.ts";
export * from "./client.ts";
export { type ControlPlane, type ControlPlaneConfig, startControlPlane } from "./server.ts";
