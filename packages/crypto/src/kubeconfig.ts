// Renders a kubeconfig (clientcmd v1) for one user of one cluster.
import { stringify } from "yaml";

export interface KubeconfigOptions {
  clusterName: string;
  server: string;
  caCertPem: string;
  user: string;
  clientCertPem?: string;
  clientKeyPem?: string;
  token?: string;
  namespace?: string;
}

const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");

export function renderKubeconfig(o: KubeconfigOptions): string {
  if (!o.clusterName) throw new Error("clusterName is required");
  if (!o.server) throw new Error("server is required");
  if (!o.user) throw new Error("user is required");
  const hasCert = Boolean(o.clientCertPem) || Boolean(o.clientKeyPem);
  if (hasCert && !(o.clientCertPem && o.clientKeyPem)) {
    throw new Error("clientCertPem and clientKeyPem must be given together");
  }
  if (!hasCert && !o.token) throw new Error("either clientCertPem/clientKeyPem or token is required");
  const contextName = `${o.user}@${o.clusterName}`;
  const user: Record<string, string> = {};
  if (o.clientCertPem && o.clientKeyPem) {
    user["client-certificate-data"] = b64(o.clientCertPem);
    user["client-key-data"] = b64(o.clientKeyPem);
  }
  if (o.token) user.token = o.token;
  const context: Record<string, string> = { cluster: o.clusterName, user: o.user };
  if (o.namespace) context.namespace = o.namespace;
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: o.clusterName, cluster: { server: o.server, "certificate-authority-data": b64(o.caCertPem) } }],
    users: [{ name: o.user, user }],
    contexts: [{ name: contextName, context }],
    "current-context": contextName,
    preferences: {},
  });
}
