export { NodeAgent, type NodeAgentConfig } from "./agent.ts";
export type { NodeCredentials } from "./bootstrap.ts";
export type { Timing } from "./container.ts";
export { imageId, parseImage, profileFor, pullError } from "./images.ts";
export { KubeApiError, KubeClient, type KubeCredentials } from "./kubeclient.ts";
export { type Flavor, nodeAllocatable, nodeCapacity } from "./node.ts";
export { parseProgram } from "./script.ts";
