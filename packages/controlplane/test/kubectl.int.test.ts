// The real kubectl (1.27, 1.32 and 1.33) against a real HTTPS API server.
import { writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KUBECTL, startTestCluster, type TestCluster } from "./cluster.ts";

let c: TestCluster;
beforeAll(async () => {
  c = await startTestCluster();
});
afterAll(async () => {
  await c?.stop();
});

const pod = (name: string, image = "nginx:1.27") => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  labels:
    app: ${name}
spec:
  containers:
  - name: web
    image: ${image}
    ports:
    - containerPort: 80
`;

describe.each(Object.entries(KUBECTL))("kubectl %s", (version, bin) => {
  const k = (args: string[], stdin?: string, kubeconfig?: string) => c.kubectl(args, { bin, stdin, kubeconfig });
  const name = `p${version.replace(".", "")}`;

  it("creates, applies twice, labels, patches, prints tables and deletes a pod", async () => {
    let r = await k(["apply", "-f", "-"], pod(name));
    expect(r.stderr).toBe("");
    expect(r.stdout.trim()).toBe(`pod/${name} created`);
    r = await k(["apply", "-f", "-"], pod(name));
    expect(r.stdout.trim()).toBe(`pod/${name} unchanged`);
    r = await k(["apply", "-f", "-"], pod(name, "nginx:1.28"));
    expect(r.stdout.trim()).toBe(`pod/${name} configured`);

    r = await k(["get", "pod", name, "-o", "yaml"]);
    expect(r.stdout).toContain("image: nginx:1.28");
    expect(r.stdout).toContain("restartPolicy: Always");
    expect(r.stdout).toContain("kubectl.kubernetes.io/last-applied-configuration");

    r = await k(["label", "pod", name, "tier=frontend"]);
    expect(r.stdout.trim()).toBe(`pod/${name} labeled`);
    r = await k(["patch", "pod", name, "--type=merge", "-p", '{"metadata":{"annotations":{"note":"hi"}}}']);
    expect(r.stdout.trim()).toBe(`pod/${name} patched`);
    r = await k([
      "patch",
      "pod",
      name,
      "--type=json",
      "-p",
      '[{"op":"replace","path":"/metadata/labels/tier","value":"back"}]',
    ]);
    expect(r.stdout.trim()).toBe(`pod/${name} patched`);

    r = await k(["get", "pods", "-l", `app=${name}`, "-L", "tier"]);
    const [header, row] = r.stdout.trim().split("\n");
    expect(header!.split(/\s{2,}/)).toEqual(["NAME", "READY", "STATUS", "RESTARTS", "AGE", "TIER"]);
    expect(row!.split(/\s+/).slice(0, 4)).toEqual([name, "0/1", "Pending", "0"]);
    expect(row).toMatch(/back$/);

    r = await k(["get", "pods", name, "-o", "wide"]);
    expect(r.stdout.split("\n")[0]!.split(/\s{2,}/)).toEqual([
      "NAME",
      "READY",
      "STATUS",
      "RESTARTS",
      "AGE",
      "IP",
      "NODE",
      "NOMINATED NODE",
      "READINESS GATES",
    ]);

    r = await k(["delete", "pod", name]);
    expect(r.stdout.trim()).toBe(`pod "${name}" deleted`);
    r = await k(["get", "pod", name]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`pods "${name}" not found`);
  });

  it("explains fields from the served OpenAPI", async () => {
    const r = await k(["explain", "pod.spec.restartPolicy"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("restartPolicy");
    expect(r.stdout).toMatch(/Restart policy for all containers within the pod/);
  });

  it("reports invalid manifests naming the field, and unknown kinds", async () => {
    const bad = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: bad-${name}
spec:
  selector:
    matchLabels: {app: a}
  template:
    metadata:
      labels: {app: b}
    spec:
      containers:
      - name: c
        image: nginx
`;
    let r = await k(["apply", "-f", "-"], bad);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`The Deployment "bad-${name}" is invalid`);
    expect(r.stderr).toContain("spec.template.metadata.labels: Invalid value");
    expect(r.stderr).toContain("`selector` does not match template `labels`");

    r = await k(["apply", "-f", "-"], "apiVersion: bar/v1\nkind: Foo\nmetadata:\n  name: x\n");
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('no matches for kind "Foo" in version "bar/v1"');

    r = await k(["apply", "-f", "-"], pod(`strict-${name}`).replace("  containers:", "  foo: 1\n  containers:"));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/unknown field "spec.foo"/);
  });

  it("creates typed objects (protobuf bodies) with kubectl create", async () => {
    const d = `web-${name}`;
    let r = await k(["create", "deployment", d, "--image=nginx:1.27", "--replicas=2"]);
    expect(r.stderr).toBe("");
    expect(r.stdout.trim()).toBe(`deployment.apps/${d} created`);
    r = await k([
      "get",
      "deployment",
      d,
      "-o",
      "jsonpath={.spec.replicas} {.spec.strategy.type} {.spec.template.spec.containers[0].image}",
    ]);
    expect(r.stdout).toBe("2 RollingUpdate nginx:1.27");
    r = await k(["scale", "deployment", d, "--replicas=3"]);
    expect(r.stdout.trim()).toBe(`deployment.apps/${d} scaled`);
    r = await k(["set", "image", `deployment/${d}`, "nginx=nginx:1.28"]);
    expect(r.stdout.trim()).toBe(`deployment.apps/${d} image updated`);
    r = await k(["get", "deployments", d]);
    expect(r.stdout.split("\n")[0]!.split(/\s{2,}/)).toEqual(["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"]);
    expect(r.stdout).toMatch(new RegExp(`${d}\\s+0/3`));
    r = await k(["expose", "deployment", d, "--port=80", "--type=NodePort"]);
    expect(r.stdout.trim()).toBe(`service/${d} exposed`);
    r = await k(["get", "svc", d]);
    expect(r.stdout).toMatch(/NodePort\s+10\.\d+\.\d+\.\d+\s+<none>\s+80:3\d{4}\/TCP/);
    await k(["delete", "svc,deployment", d]);
  });

  it("refuses a view-only user with upstream wording, and a revoked certificate", async () => {
    const user = `viewer-${name}`;
    const kc = await c.kubeconfig(user);
    let r = await k(["create", "rolebinding", `${user}-view`, "--clusterrole=view", `--user=${user}`]);
    expect(r.code).toBe(0);
    r = await k(["get", "pods"], undefined, kc.path);
    expect(r.code).toBe(0);
    r = await k(["delete", "pod", "anything"], undefined, kc.path);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(
      `pods "anything" is forbidden: User "${user}" cannot delete resource "pods" in API group "" in the namespace "default"`,
    );
    r = await k(["auth", "can-i", "delete", "pods"], undefined, kc.path);
    expect(r.stdout.trim()).toBe("no");
    r = await k(["auth", "can-i", "list", "pods"], undefined, kc.path);
    expect(r.stdout.trim()).toBe("yes");
    r = await k(["get", "nodes"], undefined, kc.path);
    expect(r.stderr).toContain(
      `nodes is forbidden: User "${user}" cannot list resource "nodes" in API group "" at the cluster scope`,
    );

    writeFileSync(c.revocationFile, JSON.stringify({ serials: [kc.serial], tokenIds: [] }));
    await new Promise((res) => setTimeout(res, 500));
    r = await k(["get", "pods"], undefined, kc.path);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/Unauthorized|You must be logged in/);
  });
});
