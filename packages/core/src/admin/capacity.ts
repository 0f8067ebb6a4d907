// Capacity from the provider's operator API (optional in the provider contract): hosts per
// region/zone with allocation and machines, and host states for outage rehearsals.
import { getDb } from "@nuage/db";
import { getProvider, type HostState, ProviderError, type ProviderHost } from "@nuage/providers";
import type { Actor } from "../actor.ts";
import { audit } from "../audit.ts";
import { AppError } from "../errors.ts";
import { mutate } from "../tx.ts";

function operatorApi() {
  const p = getProvider();
  if (!p.listHosts || !p.setHostState) {
    throw new AppError("BAD_REQUEST", `The ${p.name} provider does not expose hosts to operators`);
  }
  return { listHosts: p.listHosts.bind(p), setHostState: p.setHostState.bind(p) };
}

/** Hosts with their machines, each machine named after its Nuage node, cluster and org when known. */
export async function listCapacity() {
  let hosts: ProviderHost[];
  try {
    hosts = await operatorApi().listHosts();
  } catch (e) {
    if (e instanceof AppError) throw e;
    throw new AppError("BAD_REQUEST", `The provider did not answer: ${(e as Error).message.slice(0, 200)}`);
  }
  const clusterIds = [
    ...new Set(hosts.flatMap((h) => h.machines.map((m) => m.clusterId)).filter((x): x is string => !!x)),
  ];
  const clusters = clusterIds.length
    ? await getDb().cluster.findMany({
        where: { id: { in: clusterIds } },
        select: { id: true, name: true, status: true, org: { select: { id: true, name: true } } },
      })
    : [];
  const byId = new Map(clusters.map((c) => [c.id, c]));
  const regions = new Map<string, { vcpus: number; usedVcpus: number; memoryMiB: number; usedMemoryMiB: number }>();
  for (const h of hosts) {
    const r = regions.get(h.region) ?? { vcpus: 0, usedVcpus: 0, memoryMiB: 0, usedMemoryMiB: 0 };
    if (h.state !== "down") {
      r.vcpus += h.capacity.vcpus;
      r.memoryMiB += h.capacity.memoryMiB;
    }
    r.usedVcpus += h.used.vcpus;
    r.usedMemoryMiB += h.used.memoryMiB;
    regions.set(h.region, r);
  }
  return {
    regions: [...regions].map(([name, r]) => ({ name, ...r })),
    hosts: hosts.map((h) => ({
      ...h,
      machines: h.machines.map((m) => {
        const c = m.clusterId ? byId.get(m.clusterId) : undefined;
        return {
          ...m,
          clusterName: c?.name ?? null,
          clusterStatus: c?.status ?? null,
          orgId: c?.org.id ?? null,
          orgName: c?.org.name ?? null,
        };
      }),
    })),
  };
}

export async function setHostState(actor: Actor, input: { id: string; state: HostState }) {
  let host: ProviderHost;
  try {
    host = await operatorApi().setHostState(input.id, input.state);
  } catch (e) {
    if (e instanceof ProviderError && e.status === 404)
      throw new AppError("NOT_FOUND", "Host not found", { field: "id" });
    throw e;
  }
  await mutate((tx) =>
    audit(tx, actor, {
      orgId: null,
      action: `admin.host.${input.state === "draining" ? "drain" : input.state}`,
      targetType: "host",
      targetId: input.id,
    }),
  );
  return host;
}
