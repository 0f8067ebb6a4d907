// Issue #8, traffic: Services carry real requests on loopback. A LoadBalancer Service spreads
// curl requests across 3 nginx replicas (each replica's `kubectl logs` shows its share of access
// lines), NodePorts answer on every node, readiness gates membership, pods reach Services by
// DNS name and ClusterIP, ExternalName is a CNAME in cluster DNS, and served requests raise the
// pods' CPU in the metrics API.
import { execFile } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalcloudClient } from "../src/index.ts";
import { eventually, KUBECTLS, k, startTestCluster } from "./helpers.ts";

let env: Awaited<ReturnType<typeof startTestCluster>>;
let kc: string;

function curl(args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile("curl", ["-sS", "--max-time", "5", ...args], { timeout: 10_000 }, (err, stdout, stderr) => {
      const code = err
        ? typeof (err as { code?: unknown }).code === "number"
          ? (err as { code: number }).code
          : 1
        : 0;
      resolve({ code, out: `${stdout}${stderr}` });
    });
  });
}

const manifest = (name: string, replicas: number, image: string, extra = "") => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  replicas: ${replicas}
  selector:
    matchLabels: { app: ${name} }
  template:
    metadata:
      labels: { app: ${name} }
    spec:
      containers:
        - name: ${name}
          image: ${image}
          ports: [{ containerPort: 80 }]
${extra}`;

async function podNames(selector: string): Promise<string[]> {
  const out = await k(kc, ["get", "pods", "-l", selector, "-o", "jsonpath={.items[*].metadata.name}"]);
  return out.split(/\s+/).filter(Boolean);
}

async function waitReady(deploy: string, n: number): Promise<void> {
  await eventually(async () => {
    const r = await k(kc, ["get", "deploy", deploy, "-o", "jsonpath={.status.readyReplicas}"]);
    if (Number(r) !== n) throw new Error(`${deploy} ready ${r}/${n}`);
  }, 60_000);
}

beforeAll(async () => {
  env = await startTestCluster(3);
  kc = env.cluster.kubeconfigPath;
  await k(kc, ["apply", "-f", "-"], { input: manifest("web", 3, "nginx:1.27") });
  await waitReady("web", 3);
}, 150_000);

afterAll(async () => {
  await env?.close();
});

describe("traffic through Services", () => {
  it("spreads curl requests through a LoadBalancer across 3 nginx replicas, each logging its share", async () => {
    await k(kc, ["expose", "deployment", "web", "--type=LoadBalancer", "--port=80", "--name=web-lb"]);
    const ip = await eventually(async () => {
      const v = await k(kc, ["get", "svc", "web-lb", "-o", "jsonpath={.status.loadBalancer.ingress[0].ip}"]);
      if (!/^127\.\d+\.\d+\.\d+$/.test(v)) throw new Error(`no EXTERNAL-IP yet: ${v}`);
      return v;
    }, 30_000);
    const first = await eventually(async () => {
      const r = await curl(["-i", `http://${ip}/`]);
      if (r.code !== 0) throw new Error(r.out);
      return r.out;
    }, 20_000);
    expect(first).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(first).toMatch(/Server: nginx\/1\.27/i);
    expect(first).toContain("<title>Welcome to nginx!</title>");
    const missing = await curl(["-i", `http://${ip}/nope`]);
    expect(missing.out).toMatch(/^HTTP\/1\.1 404 Not Found/);
    expect(missing.out).toContain("<center>nginx/1.27");

    // curl opens a new connection each time: the LB picks a node, the node an endpoint.
    const N = 30;
    for (let i = 0; i < N; i++) {
      const r = await curl(["-o", "/dev/null", "-w", "%{http_code}", "-A", "traffic-test", `http://${ip}/`]);
      expect(r.out).toBe("200");
    }
    const pods = await podNames("app=web");
    expect(pods).toHaveLength(3);
    // Each replica's share, as every installed kubectl shows it.
    for (const bin of KUBECTLS) {
      let total = 0;
      for (const p of pods) {
        const logs = await k(kc, ["logs", p], { bin });
        const lines = logs.split("\n").filter((l) => /"GET \/ HTTP\/1\.1" 200 \d+ "-" "traffic-test"/.test(l));
        expect(lines.length, `access lines of ${p} (${bin})`).toBeGreaterThanOrEqual(5);
        total += lines.length;
      }
      expect(total).toBe(N);
    }
  });

  it("answers on the NodePort of every node", async () => {
    await k(kc, ["expose", "deployment", "web", "--type=NodePort", "--port=80", "--name=web-np"]);
    const port = Number(await k(kc, ["get", "svc", "web-np", "-o", "jsonpath={.spec.ports[0].nodePort}"]));
    expect(port).toBeGreaterThanOrEqual(30000);
    const ips = (
      await k(kc, ["get", "nodes", "-o", 'jsonpath={.items[*].status.addresses[?(@.type=="InternalIP")].address}'])
    )
      .split(/\s+/)
      .filter(Boolean);
    expect(ips).toHaveLength(3);
    for (const ip of ips) {
      const r = await eventually(async () => {
        const x = await curl(["-o", "/dev/null", "-w", "%{http_code}", `http://${ip}:${port}/`]);
        if (x.out !== "200") throw new Error(`${ip}:${port} answered ${x.out}`);
        return x.out;
      }, 15_000);
      expect(r).toBe("200");
    }
  });

  it("forwards a load balancer made through localcloud's API to the cluster's node ports", async () => {
    const port = Number(await k(kc, ["get", "svc", "web-np", "-o", "jsonpath={.spec.ports[0].nodePort}"]));
    const api = new LocalcloudClient(env.cloud.lc.url, env.cloud.token);
    const lb = await api.request<{ address: string }>("PUT", `/v1/loadbalancers/${env.cluster.name}-manual`, {
      controlPlaneId: env.cluster.name,
      ports: [{ port: 8089, targetPort: port, protocol: "TCP" }],
    });
    const r = await eventually(async () => {
      const x = await curl(["-o", "/dev/null", "-w", "%{http_code}", `http://${lb.address}:8089/`]);
      if (x.out !== "200") throw new Error(x.out);
      return x.out;
    }, 10_000);
    expect(r).toBe("200");
    await api.request("DELETE", `/v1/loadbalancers/${env.cluster.name}-manual`);
    await eventually(async () => {
      const x = await curl([`http://${lb.address}:8089/`]);
      if (x.code === 0) throw new Error("still listening");
    }, 10_000);
  });

  it("sends traffic only to ready pods (readiness gates membership)", async () => {
    const probe = `          readinessProbe:
            httpGet: { path: /, port: 80 }
            periodSeconds: 1
`;
    await k(kc, ["apply", "-f", "-"], { input: manifest("gate-ok", 1, "nginx:1.27", probe) });
    await k(kc, ["apply", "-f", "-"], { input: manifest("gate-bad", 1, "nginx:1.27-notready", probe) });
    await k(kc, ["apply", "-f", "-"], {
      input: `apiVersion: v1
kind: Service
metadata: { name: gate }
spec:
  type: NodePort
  selector: { tier: gate }
  ports: [{ port: 80, targetPort: 80 }]
`,
    });
    await k(kc, ["label", "pods", "-l", "app in (gate-ok,gate-bad)", "tier=gate"]);
    await waitReady("gate-ok", 1);
    const port = Number(await k(kc, ["get", "svc", "gate", "-o", "jsonpath={.spec.ports[0].nodePort}"]));
    const node = env.cluster.vms[0]?.address as string;
    await eventually(async () => {
      const ep = await k(kc, ["get", "endpoints", "gate", "-o", "jsonpath={.subsets[0].notReadyAddresses[*].ip}"]);
      if (!ep) throw new Error("the not-ready pod is not listed yet");
    }, 20_000);
    for (let i = 0; i < 6; i++) {
      const r = await curl(["-o", "/dev/null", "-w", "%{http_code}", "-A", "gate-test", `http://${node}:${port}/`]);
      expect(r.out).toBe("200");
    }
    const [bad] = await podNames("app=gate-bad");
    const [ok] = await podNames("app=gate-ok");
    expect(await k(kc, ["get", "pod", bad as string, "-o", "jsonpath={.status.containerStatuses[0].ready}"])).toBe(
      "false",
    );
    expect((await k(kc, ["logs", ok as string])).match(/gate-test/g)?.length).toBe(6);
    expect(await k(kc, ["logs", bad as string])).not.toContain("gate-test");
    // No ready endpoint at all: the connection is refused.
    await k(kc, ["scale", "deploy", "gate-ok", "--replicas=0"]);
    await eventually(async () => {
      const r = await curl([`http://${node}:${port}/`]);
      if (r.code === 0) throw new Error("still answered");
    }, 20_000);
  });

  it("lets pods reach Services by DNS name and ClusterIP, and resolves ExternalName as a CNAME", async () => {
    const clusterIP = await k(kc, ["get", "svc", "web-lb", "-o", "jsonpath={.spec.clusterIP}"]);
    await k(kc, ["create", "service", "externalname", "db", "--external-name", "my.database.example.com"]);
    await k(kc, ["create", "service", "externalname", "alias", "--external-name", "web-lb.default.svc.cluster.local"]);
    await k(kc, [
      "run",
      "client",
      "--image=busybox:1.36",
      "--restart=Never",
      "--command",
      "--",
      "sh",
      "-c",
      `wget -qO- http://web-lb.default.svc.cluster.local; wget -qO- http://${clusterIP}/; wget -qO- http://alias; nslookup db; wget -qO- http://nothere`,
    ]);
    const logs = await eventually(async () => {
      const phase = await k(kc, ["get", "pod", "client", "-o", "jsonpath={.status.phase}"]);
      if (phase !== "Failed" && phase !== "Succeeded") throw new Error(`client is ${phase}`);
      return k(kc, ["logs", "client"]);
    }, 30_000);
    expect(logs.match(/<title>Welcome to nginx!<\/title>/g)?.length).toBe(3);
    expect(logs).toContain("db.default.svc.cluster.local\tcanonical name = my.database.example.com");
    expect(logs).toContain("wget: bad address 'nothere'");
  });

  it("resolves StatefulSet pods by name through their headless Service", async () => {
    await k(kc, ["apply", "-f", "-"], {
      input: `apiVersion: v1
kind: Service
metadata: { name: nginx-hl }
spec:
  clusterIP: None
  selector: { app: sts }
  ports: [{ port: 80, name: web }]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: { name: sts }
spec:
  serviceName: nginx-hl
  replicas: 2
  selector: { matchLabels: { app: sts } }
  template:
    metadata: { labels: { app: sts } }
    spec:
      containers: [{ name: nginx, image: "nginx:1.27", ports: [{ containerPort: 80, name: web }] }]
`,
    });
    await eventually(async () => {
      const r = await k(kc, ["get", "statefulset", "sts", "-o", "jsonpath={.status.readyReplicas}"]);
      if (r !== "2") throw new Error(`sts ready ${r}`);
    }, 60_000);
    const ip1 = await k(kc, ["get", "pod", "sts-1", "-o", "jsonpath={.status.podIP}"]);
    await eventually(async () => {
      const h = await k(kc, ["get", "endpoints", "nginx-hl", "-o", "jsonpath={.subsets[0].addresses[*].hostname}"]);
      if (!h.includes("sts-1")) throw new Error(`hostnames: ${h}`);
    }, 15_000);
    await k(kc, [
      "run",
      "sts-client",
      "--image=busybox:1.36",
      "--restart=Never",
      "--command",
      "--",
      "sh",
      "-c",
      "nslookup sts-1.nginx-hl; wget -qO- http://sts-0.nginx-hl.default.svc.cluster.local",
    ]);
    const logs = await eventually(async () => {
      const phase = await k(kc, ["get", "pod", "sts-client", "-o", "jsonpath={.status.phase}"]);
      if (phase !== "Succeeded") throw new Error(`sts-client is ${phase}`);
      return k(kc, ["logs", "sts-client"]);
    }, 30_000);
    expect(logs).toContain(`Address: ${ip1}`);
    expect(logs).toContain("<title>Welcome to nginx!</title>");
    expect(await k(kc, ["logs", "sts-0", "--tail=1"])).toContain('"GET / HTTP/1.1" 200');
  });

  it("proxies through the API server to a service and a pod (kubectl proxy paths)", async () => {
    const viaSvc = await k(kc, ["get", "--raw", "/api/v1/namespaces/default/services/web-lb:80/proxy/"]);
    expect(viaSvc).toContain("<title>Welcome to nginx!</title>");
    const [pod] = await podNames("app=web");
    const viaPod = await k(kc, [
      "get",
      "--raw",
      `/api/v1/namespaces/default/pods/${pod}:80/proxy/index.html?from=proxy`,
    ]);
    expect(viaPod).toContain("<title>Welcome to nginx!</title>");
    expect(await k(kc, ["logs", pod as string, "--tail=1"])).toContain('"GET /index.html?from=proxy HTTP/1.1" 200');
  });

  it("raises the serving pods' CPU in the metrics API with the request rate", async () => {
    const ip = await k(kc, ["get", "svc", "web-lb", "-o", "jsonpath={.status.loadBalancer.ingress[0].ip}"]);
    // 150 requests within a few seconds: ~50 per pod, 10 millicore-seconds each over a 10 s window.
    await Promise.all(
      Array.from({ length: 5 }, async () => {
        for (let i = 0; i < 30; i++) await curl(["-o", "/dev/null", `http://${ip}/`]);
      }),
    );
    const raw = await k(kc, [
      "get",
      "--raw",
      "/apis/metrics.k8s.io/v1beta1/namespaces/default/pods?labelSelector=app%3Dweb",
    ]);
    const items = (JSON.parse(raw) as { items: Array<{ containers: Array<{ usage: { cpu: string } }> }> }).items;
    expect(items).toHaveLength(3);
    const millicores = items.map((p) => Number.parseInt(p.containers[0]?.usage.cpu ?? "0", 10) / 1e6);
    // Idle nginx is ~1m. 150 requests cost 150m over the 10 s window if sent within it; a loaded
    // machine may take longer to send them, so expect a good part of it, not all.
    for (const m of millicores) expect(m).toBeGreaterThan(5);
    expect(millicores.reduce((a, b) => a + b, 0)).toBeGreaterThan(40);
  });

  it("lets a load generator pod drive a Service's CPU up, and the CPU falls back when it stops", async () => {
    // The HPA walkthrough's php-apache and its busybox load generator.
    await k(kc, ["create", "deployment", "php-apache", "--image=registry.k8s.io/hpa-example", "--port=80"]);
    await k(kc, ["expose", "deployment", "php-apache", "--port=80"]);
    await waitReady("php-apache", 1);
    const cpu = async () => {
      const raw = await k(kc, [
        "get",
        "--raw",
        "/apis/metrics.k8s.io/v1beta1/namespaces/default/pods?labelSelector=app%3Dphp-apache",
      ]);
      const items = (JSON.parse(raw) as { items: Array<{ containers: Array<{ usage: { cpu: string } }> }> }).items;
      return Number.parseInt(items[0]?.containers[0]?.usage.cpu ?? "0", 10) / 1e6;
    };
    expect(await cpu()).toBeLessThan(20);
    await k(kc, [
      "run",
      "load-generator",
      "--image=busybox:1.28",
      "--restart=Never",
      "--",
      "/bin/sh",
      "-c",
      "while sleep 0.01; do wget -q -O- http://php-apache; done",
    ]);
    await eventually(async () => {
      const m = await cpu();
      if (m < 100) throw new Error(`php-apache uses ${m}m`);
    }, 20_000);
    await k(kc, ["delete", "pod", "load-generator", "--grace-period=0", "--force"]);
    await eventually(async () => {
      const m = await cpu();
      if (m > 20) throw new Error(`php-apache still uses ${m}m`);
    }, 30_000);
  });
});
