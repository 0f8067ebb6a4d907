export * from "./contract.ts";
export { LocalProvider, type LocalProviderOptions } from "./local.ts";
export { getProvider, setProvider } from "./registry.ts";
