// Table columns for Ingresses and IngressClasses (upstream's printers: kubectl get ingress).
import { AGE, a, col, NAME, n, type Printer } from "./columns.ts";

type Json = any;

function ingressHosts(o: Json): string {
  const hosts = (o.spec?.rules ?? []).map((r: Json) => r.host).filter(Boolean);
  if (!hosts.length) return "*";
  return hosts.length > 4 ? `${hosts.slice(0, 4).join(",")} + ${hosts.length - 4} more...` : hosts.join(",");
}

function ingressAddress(o: Json): string {
  return (o.status?.loadBalancer?.ingress ?? []).map((i: Json) => i.ip ?? i.hostname).join(",");
}

export const TRAFFIC_PRINTERS: Record<string, Printer> = {
  "networking.k8s.io/ingresses": {
    columns: [NAME, col("Class"), col("Hosts"), col("Address"), col("Ports"), AGE],
    row: (o: Json) => [
      n(o),
      o.spec?.ingressClassName ?? "<none>",
      ingressHosts(o),
      ingressAddress(o),
      (o.spec?.tls ?? []).length ? "80, 443" : "80",
      a(o),
    ],
  },
  "networking.k8s.io/ingressclasses": {
    columns: [NAME, col("Controller"), col("Parameters"), AGE],
    row: (o: Json) => {
      const p = o.spec?.parameters;
      return [n(o), o.spec?.controller ?? "", p ? `${p.kind}/${p.name}` : "<none>", a(o)];
    },
  },
};
