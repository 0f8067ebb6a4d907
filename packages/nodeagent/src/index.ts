export { NodeAgent, type NodeAgentConfig } from "./agent.ts";
export type { NodeCredentials } from "./bootstrap.ts";
export type { Timing } from "./container.ts";
export { imageId, parseImage, profileFor, pullError } from "./images.ts";
export { KubeApiError, KubeClient, type KubeCredentials, type KubeObj } from "./kubeclient.ts";
export { REQUEST_CPU_MILLICORE_SECONDS } from "./net/load.ts";
export { ClusterNetwork, type NetEndpoints, type NetService } from "./net/network.ts";
export { type Flavor, nodeAllocatable, nodeCapacity } from "./node.ts";
export { parseProgram } from "./script.ts";
