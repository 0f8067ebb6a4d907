export { type ClusterAccess, clusterAccess, isScopedIn } from "./access.ts";
export { checkCaps, checkQuotaShape, quotaUnits } from "./caps.ts";
export { openForOrg, rotateMasterKey, sealForOrg } from "./datakeys.ts";
export { createGrant, deleteGrant, GRANT_CLUSTER_ROLES, grantView, listGrants, SCOPED_GROUP } from "./grants.ts";
export {
  createConfigMap,
  createSecret,
  deleteItem,
  type ItemView,
  itemView,
  listItems,
  revealSecret,
  SECRET_TYPES,
  updateConfigMap,
  updateSecret,
} from "./items.ts";
export { LIMITS_OBJECT, QUOTA_OBJECT } from "./kubeapi.ts";
export {
  createNamespace,
  deleteNamespace,
  getNamespace,
  listNamespaces,
  type NamespaceView,
  namespaceCaps,
  namespaceUsage,
  namespaceView,
  setOvercommitRatio,
  updateNamespace,
} from "./namespaces.ts";
export { formatUnits, parseQuantity, quantityUnits } from "./quantity.ts";
export { REAUTH_SECONDS, reauthExpiry, reauthenticate } from "./reauth.ts";
export * from "./schemas.ts";
export { SYNCABLE_CLUSTER, waitingMessage } from "./sync.ts";
export { DEFAULT_TEMPLATES, deleteTemplate, listTemplates, saveTemplate, type TemplateView } from "./templates.ts";
