import { describe, expect, it } from "vitest";
import { filterNode, fitErrorMessage, nodeAllocatable } from "./filters.ts";
import { milliCpu, parseQuantity, podRequests } from "./quantity.ts";
import { scoreNodes, selectHost } from "./scores.ts";
import type { Node, NodeInfo, SchedPod } from "./types.ts";

function node(name: string, cpu = "2", memory = "4Gi", extra: Partial<Node> = {}): Node {
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name, labels: { "kubernetes.io/hostname": name, zone: name.endsWith("1") ? "a" : "b", gen: "5" } },
    status: { allocatable: { cpu, memory, pods: "110" }, conditions: [{ type: "Ready", status: "True" }] },
    ...extra,
  };
}
function info(n: Node, requested: Record<string, number> = {}): NodeInfo {
  return {
    node: n,
    allocatable: nodeAllocatable(n),
    requested,
    nonZeroRequested: requested,
    podCount: 0,
    usedPorts: new Set(),
    owners: new Map(),
  };
}
function pod(spec: SchedPod["spec"] = {}): SchedPod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "p", namespace: "default" },
    spec: { containers: [{}], ...spec },
  };
}

describe("quantities", () => {
  it("parses cpu and memory like upstream", () => {
    expect(milliCpu("100m")).toBe(100);
    expect(milliCpu("1.5")).toBe(1500);
    expect(milliCpu(2)).toBe(2000);
    expect(parseQuantity("128Mi")).toBe(128 * 2 ** 20);
    expect(parseQuantity("1G")).toBe(1e9);
    expect(parseQuantity("2e3")).toBe(2000);
    expect(() => parseQuantity("12 apples")).toThrow(/"12 apples"/);
  });
  it("sums container requests, takes the max of init containers, defaults requests to limits", () => {
    const r = podRequests({
      containers: [
        { resources: { requests: { cpu: "100m" } } },
        { resources: { limits: { cpu: "200m", memory: "1Gi" } } },
      ],
      initContainers: [{ resources: { requests: { cpu: "1" } } }],
    });
    expect(r.cpu).toBe(1000);
    expect(r.memory).toBe(2 ** 30);
  });
});

describe("filters", () => {
  it("reports Insufficient cpu with upstream's message", () => {
    const big = pod({ containers: [{ resources: { requests: { cpu: "3" } } }] });
    const res = [node("n1"), node("n2"), node("n3")].map((n) => filterNode(big, info(n))!);
    expect(fitErrorMessage(3, res)).toBe(
      "0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.",
    );
  });
  it("counts already requested resources", () => {
    const p = pod({ containers: [{ resources: { requests: { cpu: "1" } } }] });
    expect(filterNode(p, info(node("n1"), { cpu: 1000 }))).toBeUndefined();
    expect(filterNode(p, info(node("n1"), { cpu: 1500 }))?.reasons).toEqual(["Insufficient cpu"]);
  });
  it("honours taints and tolerations", () => {
    const tainted = node("n1", "2", "4Gi", {
      spec: { taints: [{ key: "dedicated", value: "gpu", effect: "NoSchedule" }] },
    });
    const r = filterNode(pod(), info(tainted));
    expect(r?.reasons).toEqual(["node(s) had untolerated taint {dedicated: gpu}"]);
    expect(
      filterNode(
        pod({ tolerations: [{ key: "dedicated", operator: "Equal", value: "gpu", effect: "NoSchedule" }] }),
        info(tainted),
      ),
    ).toBeUndefined();
    expect(filterNode(pod({ tolerations: [{ operator: "Exists" }] }), info(tainted))).toBeUndefined();
  });
  it("skips unschedulable and not-ready nodes", () => {
    expect(filterNode(pod(), info(node("n1", "2", "4Gi", { spec: { unschedulable: true } })))?.reasons).toEqual([
      "node(s) were unschedulable",
    ]);
    const notReady = node("n1");
    notReady.status!.conditions = [{ type: "Ready", status: "False" }];
    expect(filterNode(pod(), info(notReady))?.reasons[0]).toContain("node.kubernetes.io/not-ready");
  });
  it("matches nodeSelector and required node affinity operators", () => {
    const n1 = info(node("n1"));
    expect(filterNode(pod({ nodeSelector: { zone: "b" } }), n1)?.reasons).toEqual([
      "node(s) didn't match Pod's node affinity/selector",
    ]);
    const aff = (operator: string, values?: string[], key = "gen") =>
      pod({
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [{ matchExpressions: [{ key, operator, values }] }],
            },
          },
        },
      });
    expect(filterNode(aff("Gt", ["4"]), n1)).toBeUndefined();
    expect(filterNode(aff("Lt", ["4"]), n1)).toBeDefined();
    expect(filterNode(aff("In", ["5", "6"]), n1)).toBeUndefined();
    expect(filterNode(aff("NotIn", ["5"]), n1)).toBeDefined();
    expect(filterNode(aff("Exists", undefined, "zone"), n1)).toBeUndefined();
    expect(filterNode(aff("DoesNotExist", undefined, "zone"), n1)).toBeDefined();
  });
  it("rejects host port conflicts", () => {
    const i = info(node("n1"));
    i.usedPorts.add("TCP/0.0.0.0/8080");
    expect(filterNode(pod({ containers: [{ ports: [{ containerPort: 80, hostPort: 8080 }] }] }), i)?.reasons).toEqual([
      "node(s) didn't have free ports for the requested pod ports",
    ]);
  });
});

describe("scores", () => {
  it("spreads pods of one controller over nodes", () => {
    const a = info(node("n1"));
    const b = info(node("n2"));
    expect(selectHost(scoreNodes(pod(), [a, b], {}, [2, 0]))).toBe(1);
    expect(selectHost(scoreNodes(pod(), [a, b], {}, [0, 1]))).toBe(0);
  });
  it("prefers the least allocated node and preferred affinity", () => {
    const busy = info(node("n1"), { cpu: 1500, memory: 2 ** 31 });
    const idle = info(node("n2"));
    expect(selectHost(scoreNodes(pod(), [busy, idle], {}))).toBe(1);
    const pref = pod({
      affinity: {
        nodeAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            { weight: 100, preference: { matchExpressions: [{ key: "zone", operator: "In", values: ["a"] }] } },
          ],
        },
      },
    });
    expect(selectHost(scoreNodes(pref, [info(node("n1")), info(node("n2"))], {}))).toBe(0);
  });
});
