// Container environment: env (value, $(VAR)), valueFrom (ConfigMap/Secret keys, fieldRef) and
// envFrom, with the kubelet's errors for what is missing.
import type { ContainerSpec } from "./container.ts";
import { KubeApiError, type KubeClient } from "./kubeclient.ts";

export class ConfigError extends Error {}

export interface EnvContext {
  client: KubeClient;
  namespace: string;
  name: string;
  uid: string;
  nodeName: string;
  podIP: string;
  hostIP: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export async function getOrUndefined<T>(client: KubeClient, path: string): Promise<T | undefined> {
  try {
    return await client.get<T>(path);
  } catch (err) {
    if (err instanceof KubeApiError && err.code === 404) return undefined;
    throw err;
  }
}

async function lookup(
  ctx: EnvContext,
  kind: "configmap" | "secret",
  name: string,
): Promise<Record<string, string> | undefined> {
  const path = `/api/v1/namespaces/${ctx.namespace}/${kind}s/${name}`;
  const obj = await getOrUndefined<{ data?: Record<string, string> }>(ctx.client, path);
  if (!obj) return undefined;
  const data = obj.data ?? {};
  if (kind === "configmap") return data;
  return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, "base64").toString("utf8")]));
}

/** The environment of a container, or a ConfigError with the upstream message. */
export async function resolveEnv(ctx: EnvContext, spec: ContainerSpec): Promise<Record<string, string>> {
  const env: Record<string, string> = { HOSTNAME: ctx.name };
  const kindLabel = { configmap: "ConfigMap", secret: "Secret" } as const;
  for (const src of spec.envFrom ?? []) {
    const ref = (src.configMapRef ?? src.secretRef) as { name: string; optional?: boolean } | undefined;
    if (!ref) continue;
    const kind = src.configMapRef ? "configmap" : "secret";
    const data = await lookup(ctx, kind, ref.name);
    if (!data) {
      if (ref.optional) continue;
      throw new ConfigError(`${kind} "${ref.name}" not found`);
    }
    const prefix = typeof src.prefix === "string" ? src.prefix : "";
    for (const [k, v] of Object.entries(data)) env[prefix + k] = v;
  }
  for (const e of spec.env ?? []) {
    if (e.value !== undefined) {
      env[e.name] = e.value.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, v: string) => env[v] ?? m);
      continue;
    }
    const vf = e.valueFrom ?? {};
    const keyRef = (vf.configMapKeyRef ?? vf.secretKeyRef) as
      | { name: string; key: string; optional?: boolean }
      | undefined;
    if (keyRef) {
      const kind = vf.configMapKeyRef ? "configmap" : "secret";
      const data = await lookup(ctx, kind, keyRef.name);
      if (!data) {
        if (keyRef.optional) continue;
        throw new ConfigError(`${kind} "${keyRef.name}" not found`);
      }
      const value = data[keyRef.key];
      if (value === undefined) {
        if (keyRef.optional) continue;
        throw new ConfigError(`couldn't find key ${keyRef.key} in ${kindLabel[kind]} ${ctx.namespace}/${keyRef.name}`);
      }
      env[e.name] = value;
      continue;
    }
    const fieldRef = vf.fieldRef as { fieldPath: string } | undefined;
    if (fieldRef) {
      const fields: Record<string, string> = {
        "metadata.name": ctx.name,
        "metadata.namespace": ctx.namespace,
        "metadata.uid": ctx.uid,
        "spec.nodeName": ctx.nodeName ?? "",
        "status.podIP": ctx.podIP,
        "status.hostIP": ctx.hostIP,
      };
      const m = /^metadata\.(labels|annotations)\['([^']+)'\]$/.exec(fieldRef.fieldPath);
      env[e.name] = m
        ? ((m[1] === "labels" ? ctx.labels : ctx.annotations)?.[m[2]!] ?? "")
        : (fields[fieldRef.fieldPath] ?? "");
    }
  }
  return env;
}
