export { LocalcloudClient, LocalcloudError } from "./api-client.ts";
export { Cloud } from "./cloud.ts";
export { type EmbeddedLocalcloud, startLocalcloud } from "./embedded.ts";
export {
  type LocalCluster,
  listLocalClusters,
  startLocalCluster,
  stopLocalCluster,
  waitNodesReady,
} from "./localcluster.ts";
