import type { KubeObject } from "../client.ts";
import type { ControllerContext, RunningController } from "./context.ts";
import { canonicalEq } from "./equal.ts";
import { isPodReady, mapSelectorMatches, type Pod } from "./podutil.ts";
import { clone, isAlreadyExists, isNotFound, objKey, R } from "./refs.ts";
import { WorkQueue } from "./workqueue.ts";

// Endpoints and EndpointSlice controllers: for every Service with a selector, the IPs of the
// matching pods (ready and not ready) with the service's ports resolved against the pod's
// container ports (by name or number). Also the `kubernetes` endpoints pointing at the API server.

export type Service = KubeObject & {
  spec?: {
    selector?: Record<string, string>;
    ports?: { name?: string; port: number; targetPort?: number | string; protocol?: string; appProtocol?: string }[];
    clusterIP?: string;
    type?: string;
    publishNotReadyAddresses?: boolean;
  };
};

export interface ResolvedPort {
  name?: string;
  port: number;
  protocol: string;
  appProtocol?: string;
}

/** The pod's port for a service port (targetPort by number, or by container port name). */
export function resolvePort(
  pod: Pod,
  sp: NonNullable<NonNullable<Service["spec"]>["ports"]>[number],
): number | undefined {
  const tp = sp.targetPort ?? sp.port;
  if (typeof tp === "number") return tp;
  if (/^\d+$/.test(tp)) return Number(tp);
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) {
      if (p.name === tp && (p.protocol ?? "TCP") === (sp.protocol ?? "TCP")) return p.containerPort;
    }
  }
  return undefined;
}

interface PodEndpoint {
  pod: Pod;
  ready: boolean;
  ports: ResolvedPort[];
  /** The pod's hostname when its subdomain is this Service (StatefulSet pods): DNS <hostname>.<svc>.<ns>.svc. */
  hostname?: string;
}

export function podEndpoints(svc: Service, pods: Pod[]): PodEndpoint[] {
  const out: PodEndpoint[] = [];
  for (const pod of pods) {
    if (!pod.status?.podIP || pod.metadata.deletionTimestamp) continue;
    if (pod.status.phase === "Succeeded" || pod.status.phase === "Failed") continue;
    if (!mapSelectorMatches(svc.spec?.selector, pod.metadata.labels)) continue;
    const ports: ResolvedPort[] = [];
    for (const sp of svc.spec?.ports ?? []) {
      const port = resolvePort(pod, sp);
      if (port === undefined) continue;
      ports.push({
        ...(sp.name ? { name: sp.name } : {}),
        port,
        protocol: sp.protocol ?? "TCP",
        ...(sp.appProtocol ? { appProtocol: sp.appProtocol } : {}),
      });
    }
    const spec = pod.spec as { hostname?: string; subdomain?: string } | undefined;
    const hostname = spec?.hostname && spec.subdomain === svc.metadata.name ? spec.hostname : undefined;
    out.push({
      pod,
      ready: isPodReady(pod) || !!svc.spec?.publishNotReadyAddresses,
      ports,
      ...(hostname ? { hostname } : {}),
    });
  }
  return out;
}

function address(pod: Pod, hostname?: string) {
  return {
    ip: pod.status!.podIP as string,
    ...(hostname ? { hostname } : {}),
    ...(pod.spec?.nodeName ? { nodeName: pod.spec.nodeName } : {}),
    targetRef: { kind: "Pod", namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid },
  };
}

/** Endpoints subsets: pods grouped by identical resolved ports, addresses sorted by IP. */
export function buildSubsets(eps: PodEndpoint[]) {
  const groups = new Map<string, { ports: ResolvedPort[]; ready: any[]; notReady: any[] }>();
  for (const e of eps) {
    const k = JSON.stringify(e.ports);
    let g = groups.get(k);
    if (!g) groups.set(k, (g = { ports: e.ports, ready: [], notReady: [] }));
    (e.ready ? g.ready : g.notReady).push(address(e.pod, e.hostname));
  }
  const byIp = (a: { ip: string }, b: { ip: string }) => a.ip.localeCompare(b.ip);
  return [...groups.values()].map((g) => ({
    ...(g.ready.length ? { addresses: g.ready.sort(byIp) } : {}),
    ...(g.notReady.length ? { notReadyAddresses: g.notReady.sort(byIp) } : {}),
    ...(g.ports.length ? { ports: g.ports } : {}),
  }));
}

export function startEndpointsController(ctx: ControllerContext): RunningController {
  const svcInf = ctx.informers.for<Service>(R.services);
  const podInf = ctx.informers.for<Pod>(R.pods);
  const epInf = ctx.informers.for(R.endpoints);
  const sliceInf = ctx.informers.for(R.endpointslices);
  const queue = new WorkQueue((k) => sync(k), { name: "endpoints", workers: 2, log: ctx.log });

  const forPod = (p: Pod) => {
    for (const s of svcInf.list(p.metadata.namespace)) {
      if (mapSelectorMatches(s.spec?.selector, p.metadata.labels)) queue.add(objKey(s));
    }
  };
  svcInf.addHandler({
    add: (s) => queue.add(objKey(s)),
    update: (_o, s) => queue.add(objKey(s)),
    delete: (s) => queue.add(objKey(s)),
  });
  podInf.addHandler({
    add: forPod,
    update: (o, n) => {
      forPod(n);
      if (JSON.stringify(o.metadata.labels) !== JSON.stringify(n.metadata.labels)) forPod(o);
    },
    delete: forPod,
  });
  epInf.addHandler({ delete: (e) => queue.add(objKey(e)) });
  sliceInf.addHandler({
    delete: (e) => {
      const svc = e.metadata.labels?.["kubernetes.io/service-name"];
      if (svc) queue.add(`${e.metadata.namespace}/${svc}`);
    },
  });

  async function sync(key: string) {
    const [ns, name] = key.split("/") as [string, string];
    if (ns === "default" && name === "kubernetes") return syncKubernetes();
    const svc = svcInf.get(key);
    if (!svc?.spec?.selector || Object.keys(svc.spec.selector).length === 0) return; // selector-less: user-managed
    const eps = podEndpoints(svc, podInf.list(ns));
    await writeEndpoints(svc, buildSubsets(eps));
    await writeSlice(svc, eps);
  }

  async function writeEndpoints(svc: Service, subsets: unknown[]) {
    const ns = svc.metadata.namespace!;
    const name = svc.metadata.name!;
    const cur = epInf.getByName(ns, name);
    const labels = { ...(svc.metadata.labels ?? {}) };
    if (cur) {
      if (canonicalEq(cur.subsets ?? [], subsets) && canonicalEq(cur.metadata.labels ?? {}, labels)) return;
      const upd = clone(cur);
      upd.subsets = subsets;
      upd.metadata.labels = labels;
      await ctx.client.update(R.endpoints, upd);
      return;
    }
    try {
      await ctx.client.create(R.endpoints, {
        apiVersion: "v1",
        kind: "Endpoints",
        metadata: { name, namespace: ns, labels },
        subsets,
      });
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
  }

  async function writeSlice(svc: Service, eps: PodEndpoint[]) {
    const ns = svc.metadata.namespace!;
    const name = `${svc.metadata.name}-${(svc.metadata.uid ?? "xxxxx").replace(/-/g, "").slice(0, 5)}`;
    const portsOf = eps.find((e) => e.ports.length)?.ports ?? [];
    const body = {
      addressType: "IPv4",
      endpoints: eps
        .sort((a, b) => String(a.pod.status?.podIP).localeCompare(String(b.pod.status?.podIP)))
        .map((e) => ({
          addresses: [e.pod.status!.podIP],
          conditions: { ready: e.ready, serving: e.ready, terminating: false },
          ...(e.hostname ? { hostname: e.hostname } : {}),
          ...(e.pod.spec?.nodeName ? { nodeName: e.pod.spec.nodeName } : {}),
          targetRef: { kind: "Pod", namespace: ns, name: e.pod.metadata.name, uid: e.pod.metadata.uid },
        })),
      ports: portsOf,
    };
    const labels = {
      ...(svc.metadata.labels ?? {}),
      "kubernetes.io/service-name": svc.metadata.name!,
      "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io",
    };
    const cur = sliceInf.getByName(ns, name);
    if (cur) {
      if (canonicalEq({ addressType: cur.addressType, endpoints: cur.endpoints ?? [], ports: cur.ports ?? [] }, body))
        return;
      await ctx.client.update(R.endpointslices, { ...clone(cur), ...body });
      return;
    }
    try {
      await ctx.client.create(R.endpointslices, {
        apiVersion: "discovery.k8s.io/v1",
        kind: "EndpointSlice",
        metadata: {
          name,
          namespace: ns,
          labels,
          ownerReferences: [
            {
              apiVersion: "v1",
              kind: "Service",
              name: svc.metadata.name!,
              uid: svc.metadata.uid!,
              controller: true,
              blockOwnerDeletion: true,
            },
          ],
        },
        ...body,
      });
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
  }

  async function syncKubernetes() {
    const ip = ctx.opts.controlPlaneIp ?? (isIp(ctx.opts.controlPlaneHost) ? ctx.opts.controlPlaneHost! : "127.0.0.1");
    const port = ctx.opts.controlPlanePort ?? 6443;
    const subsets = [{ addresses: [{ ip }], ports: [{ name: "https", port, protocol: "TCP" }] }];
    const cur = epInf.getByName("default", "kubernetes");
    if (cur) {
      if (canonicalEq(cur.subsets ?? [], subsets)) return;
      const upd = clone(cur);
      upd.subsets = subsets;
      await ctx.client.update(R.endpoints, upd);
    } else {
      await ctx.client
        .create(R.endpoints, {
          apiVersion: "v1",
          kind: "Endpoints",
          metadata: {
            name: "kubernetes",
            namespace: "default",
            labels: { "endpointslice.kubernetes.io/skip-mirror": "true" },
          },
          subsets,
        })
        .catch((err) => {
          if (!isAlreadyExists(err)) throw err;
        });
    }
    const slice = sliceInf.getByName("default", "kubernetes");
    const body = {
      addressType: "IPv4",
      endpoints: [{ addresses: [ip], conditions: { ready: true } }],
      ports: [{ name: "https", port, protocol: "TCP" }],
    };
    if (slice && canonicalEq({ addressType: slice.addressType, endpoints: slice.endpoints, ports: slice.ports }, body))
      return;
    if (slice) {
      await ctx.client.update(R.endpointslices, { ...clone(slice), ...body });
      return;
    }
    await ctx.client
      .create(R.endpointslices, {
        apiVersion: "discovery.k8s.io/v1",
        kind: "EndpointSlice",
        metadata: {
          name: "kubernetes",
          namespace: "default",
          labels: {
            "kubernetes.io/service-name": "kubernetes",
            "endpointslice.kubernetes.io/managed-by": "endpointslicemirroring-controller.k8s.io",
          },
        },
        ...body,
      })
      .catch((err) => {
        if (!isAlreadyExists(err) && !isNotFound(err)) throw err;
      });
  }

  return {
    run: () => {
      queue.add("default/kubernetes");
      queue.start();
    },
    stop: () => queue.stop(),
  };
}

function isIp(s: string | undefined): boolean {
  return !!s && (/^\d+\.\d+\.\d+\.\d+$/.test(s) || s.includes(":"));
}
