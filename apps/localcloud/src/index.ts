export {
  type ControlPlaneView,
  type CredentialsView,
  LocalcloudClient,
  LocalcloudError,
  type VmView,
} from "./api-client.ts";
export { Cloud } from "./cloud.ts";
export { type EmbeddedLocalcloud, startLocalcloud } from "./embedded.ts";
export {
  type LocalCluster,
  listLocalClusters,
  startLocalCluster,
  stopLocalCluster,
  waitNodesReady,
} from "./localcluster.ts";
