// `kubectl autoscale`, then HTTP load through a LoadBalancer Service until the HPA scales the
// Deployment out, then back in once the load stops (the course's php-apache walkthrough), on a
// localcloud cluster with shortened HPA timings (sync 2 s, scale-down window 10 s).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, KUBECTLS, k, kubectl, startTestCluster } from "./helpers.ts";

process.env.NUAGE_CONTROLLER_OPTIONS = JSON.stringify({
  hpaSyncPeriodSeconds: 2,
  hpaDownscaleStabilizationSeconds: 10,
  hpaCpuInitializationPeriodSeconds: 5,
});

let env: Awaited<ReturnType<typeof startTestCluster>>;
let kc: string;
beforeAll(async () => {
  env = await startTestCluster(2);
  kc = env.cluster.kubeconfigPath;
}, 150_000);
afterAll(async () => {
  await env?.close();
  delete process.env.NUAGE_CONTROLLER_OPTIONS;
});

const deployment = (name: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  replicas: 1
  selector:
    matchLabels:
      app: ${name}
  template:
    metadata:
      labels:
        app: ${name}
    spec:
      containers:
      - name: web
        image: nginx:1.27
        ports:
        - containerPort: 80
        resources:
          requests:
            cpu: 100m
          limits:
            cpu: 500m
`;

const json = async (args: string[]) => JSON.parse(await k(kc, [...args, "-o", "json"]));

describe("HorizontalPodAutoscaler", () => {
  it.each(KUBECTLS.map((bin, i) => [bin.split("/").pop()!, bin, i] as const))(
    "%s: kubectl autoscale creates an HPA that reads the metrics API",
    async (_name, bin, i) => {
      const name = `auto${i}`;
      await k(kc, ["apply", "-f", "-"], { input: deployment(name) });
      await k(kc, ["autoscale", "deployment", name, "--cpu-percent=50", "--min=1", "--max=3"], { bin });
      await eventually(async () => {
        const row = (await k(kc, ["get", "hpa", name, "--no-headers"], { bin })).trim().split(/\s{2,}/);
        expect(row[1]).toBe(`Deployment/${name}`);
        expect(row[2]).toMatch(/^cpu: \d+%\/50%$/);
        expect(row.slice(3, 6)).toEqual(["1", "3", "1"]);
      }, 60_000);
      const v1 = await json(["get", "horizontalpodautoscalers.v1.autoscaling", name]);
      expect(v1.spec.targetCPUUtilizationPercentage).toBe(50);
      const v2 = await json(["get", "horizontalpodautoscalers.v2.autoscaling", name]);
      expect(v2.spec.metrics[0].resource.target.averageUtilization).toBe(50);
      const active = v2.status.conditions.find((c: { type: string }) => c.type === "ScalingActive");
      expect(active.status).toBe("True");
      expect(active.reason).toBe("ValidMetricFound");
      await k(kc, ["delete", "deployment,hpa", name]);
    },
    90_000,
  );

  it("autoscaling/v2 on memory (AverageValue) reads the pods' working set", async () => {
    await k(kc, ["apply", "-f", "-"], { input: deployment("mem") });
    const hpa = `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: mem
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: mem
  minReplicas: 1
  maxReplicas: 2
  metrics:
  - type: Resource
    resource:
      name: memory
      target:
        type: AverageValue
        averageValue: 2Mi
`;
    await k(kc, ["apply", "-f", "-"], { input: hpa });
    // nginx's working set (~8 MiB) is above 2 MiB a pod: the HPA scales to its maximum and says so.
    await eventually(
      async () => {
        const h = await json(["get", "hpa", "mem"]);
        expect(h.status.desiredReplicas).toBe(2);
        const limited = h.status.conditions.find((c: { type: string }) => c.type === "ScalingLimited");
        expect(limited.reason).toBe("TooManyReplicas");
      },
      60_000,
      1000,
    );
    expect(await k(kc, ["get", "hpa", "mem", "--no-headers"])).toMatch(/memory: \d+\/2Mi\s+1\s+2/);
    await k(kc, ["delete", "deployment,hpa", "mem"]);
  }, 90_000);

  it("load through the LoadBalancer Service scales the Deployment out, then back in", async () => {
    await k(kc, ["apply", "-f", "-"], { input: deployment("php-apache") });
    await k(kc, ["rollout", "status", "deploy/php-apache", "--timeout=60s"]);
    await k(kc, ["expose", "deployment", "php-apache", "--type=LoadBalancer", "--port=80"]);
    await k(kc, ["autoscale", "deployment", "php-apache", "--cpu-percent=50", "--min=1", "--max=4"]);
    const address = await eventually(async () => {
      const svc = await json(["get", "svc", "php-apache"]);
      const ip = svc.status?.loadBalancer?.ingress?.[0]?.ip;
      expect(ip).toBeTruthy();
      return ip as string;
    }, 60_000);
    await eventually(async () => {
      const r = await fetch(`http://${address}/`);
      expect(r.status).toBe(200);
    }, 30_000);

    // About 40 requests a second: ~400m of CPU against 50 % of 100m per pod.
    let loading = true;
    const load = (async () => {
      while (loading) {
        await Promise.all(
          Array.from({ length: 8 }, () =>
            fetch(`http://${address}/`)
              .then((r) => r.text())
              .catch(() => ""),
          ),
        );
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    try {
      await eventually(
        async () => {
          const d = await json(["get", "deploy", "php-apache"]);
          expect(d.spec.replicas).toBe(4);
        },
        90_000,
        1000,
      );
      const hpa = await k(kc, ["get", "hpa", "php-apache", "--no-headers"]);
      expect(hpa).toMatch(/cpu: \d+%\/50%\s+1\s+4\s+\d/);
      const events = await k(kc, ["get", "events", "--field-selector", "involvedObject.name=php-apache"]);
      expect(events).toContain("New size: ");
      expect(events).toContain("cpu resource utilization (percentage of request) above target");
    } finally {
      loading = false;
      await load;
    }
    await eventually(
      async () => {
        const d = await json(["get", "deploy", "php-apache"]);
        expect(d.spec.replicas).toBe(1);
      },
      90_000,
      1000,
    );
    const events = await k(kc, ["get", "events", "--field-selector", "involvedObject.name=php-apache"]);
    expect(events).toContain("All metrics below target");
    const r = await kubectl(kc, ["describe", "hpa", "php-apache"]);
    expect(r.stdout).toContain("ScalingActive");
  }, 240_000);
});
