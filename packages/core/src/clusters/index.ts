export * from "./catalog.ts";
export {
  createCluster,
  deleteCluster,
  getCluster,
  listClusterEvents,
  listClusters,
  updateCluster,
} from "./clusters.ts";
export {
  type CredentialView,
  getCredentialPolicy,
  issueKubeconfig,
  listCredentials,
  ROLE_BINDINGS,
  ROLE_GROUPS,
  revokeCredential,
  setCredentialPolicy,
} from "./credentials.ts";
export {
  enqueueOperation,
  getOperation,
  listOperations,
  retryOperation,
  STEP_PLANS,
} from "./operations.ts";
export {
  finishOrgDeletion,
  finishPendingOrgDeletions,
  type OrgDeletionView,
  requestOrgDeletion,
} from "./orgdeletion.ts";
export * from "./schemas.ts";
export { type ClusterView, type NodePoolView, type OperationView, STEP_TITLES } from "./views.ts";
