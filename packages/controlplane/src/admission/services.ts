// Service IP and NodePort allocation (upstream's allocators), from the cluster's serviceCidr and
// 30000-32767, without collisions against existing Services.
import { ApiError } from "../apiserver/errors.ts";
import { findResource } from "../apiserver/registry.ts";
import type { AdmissionPlugin, Store } from "../apiserver/store.ts";

type Json = any;
const SVC = findResource("", "v1", "services")!;

function ipToInt(ip: string): number {
  return ip.split(".").reduce((a, b) => a * 256 + Number(b), 0);
}
function intToIp(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join(".");
}

export function parseCidr(cidr: string): { base: number; size: number } {
  const [ip, bits] = cidr.split("/");
  const size = 2 ** (32 - Number(bits));
  const base = Math.floor(ipToInt(ip!) / size) * size;
  return { base, size };
}

export function firstServiceIp(cidr: string): string {
  return intToIp(parseCidr(cidr).base + 1);
}

export function serviceAllocator(store: Store, serviceCidr: string): AdmissionPlugin {
  const { base, size } = parseCidr(serviceCidr);
  return {
    name: "ServiceAllocation",
    async admit(_ctx, op, def, obj, old) {
      if (def !== SVC || op === "DELETE") return;
      const s = (obj as Json).spec;
      if (!s || s.type === "ExternalName") return;
      const existing = (await store.storage.list(SVC, undefined)).items.filter(
        (x) => x.metadata.uid !== obj.metadata.uid,
      );
      if (old && (old as Json).spec?.clusterIP && !s.clusterIP) s.clusterIP = (old as Json).spec.clusterIP;
      if (!s.clusterIP) {
        const used = new Set(existing.map((x) => (x as Json).spec?.clusterIP));
        for (let i = 10; i < size - 1; i++) {
          const ip = intToIp(base + i);
          if (!used.has(ip)) {
            s.clusterIP = ip;
            break;
          }
        }
        if (!s.clusterIP)
          throw new ApiError(
            500,
            "InternalError",
            "Internal error occurred: failed to allocate a serviceIP: range is full",
          );
      } else if (s.clusterIP !== "None") {
        const clash = existing.find((x) => (x as Json).spec?.clusterIP === s.clusterIP);
        if (clash && !old) {
          throw new ApiError(
            422,
            "Invalid",
            `Service "${obj.metadata.name}" is invalid: spec.clusterIPs: Invalid value: []string{"${s.clusterIP}"}: failed to allocate IP ${s.clusterIP}: provided IP is already allocated`,
          );
        }
      }
      if (s.clusterIP !== "None") s.clusterIPs = [s.clusterIP];
      if (s.type === "ClusterIP") {
        // Switching away from NodePort/LoadBalancer releases the node ports, as upstream does.
        for (const p of s.ports ?? []) delete p.nodePort;
        delete s.externalTrafficPolicy;
      }
      if (s.type === "NodePort" || s.type === "LoadBalancer") {
        const used = new Set<number>();
        for (const x of existing) for (const p of (x as Json).spec?.ports ?? []) if (p.nodePort) used.add(p.nodePort);
        const oldPorts: Json[] = (old as Json)?.spec?.ports ?? [];
        for (const p of s.ports ?? []) {
          if (p.nodePort) {
            if (used.has(p.nodePort)) {
              throw new ApiError(
                422,
                "Invalid",
                `Service "${obj.metadata.name}" is invalid: spec.ports[0].nodePort: Invalid value: ${p.nodePort}: provided port is already allocated`,
              );
            }
          } else {
            const prev = oldPorts.find((o) => o.port === p.port && o.nodePort);
            if (prev) p.nodePort = prev.nodePort;
            else {
              let port = 30000 + Math.floor(Math.random() * 2768);
              while (used.has(port)) port = port >= 32767 ? 30000 : port + 1;
              p.nodePort = port;
            }
          }
          used.add(p.nodePort);
        }
      }
    },
  };
}
