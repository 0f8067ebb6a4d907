// The manifests and kubectl commands of the course notes (shared/course), unchanged.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestCluster, type TestCluster } from "./cluster.ts";

let c: TestCluster;
beforeAll(async () => {
  c = await startTestCluster();
});
afterAll(async () => {
  await c?.stop();
});

const POD = `apiVersion: v1
kind: Pod
metadata:
  name: nginx
spec:
  containers:
  - name: nginx
    image: nginx:1.14.2
    ports:
    - containerPort: 80
`;
const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: nginx-deployment
  labels:
    app: nginx
spec:
  replicas: 3
  selector:
    matchLabels:
      app: nginx
  template:
    metadata:
      labels:
        app: nginx
    spec:
      containers:
        - name: nginx
          image: nginx:1.7.9
          ports:
            - containerPort: 80
`;
const SVC = `# Répartiteur pour le service
apiVersion: v1
kind: Service
metadata:
  name: simpleservice
spec:
  ports:
    - port: 80
      targetPort: 9876
  selector:
    app: sise
`;
const RC = `# Conteneurs répliqués
apiVersion: v1
kind: ReplicationController
metadata:
  name: rcsise
spec:
  replicas: 2
  selector:
    app: sise
  template:
    metadata:
      name: somename
      labels:
        app: sise
    spec:
      containers:
        - name: sise
          image: img/serv:0.5.0
          ports:
            - containerPort: 9876
`;

describe("course notes", () => {
  it("applies a directory with the pod and deployment, then exposes, scales and labels", async () => {
    const dir = mkdtempSync(join(tmpdir(), "course-"));
    writeFileSync(join(dir, "pod.yaml"), POD);
    writeFileSync(join(dir, "deployment.yaml"), DEPLOYMENT);
    let r = await c.kubectl(["apply", "-f", dir]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain("deployment.apps/nginx-deployment created");
    expect(r.stdout).toContain("pod/nginx created");
    r = await c.kubectl(["get", "deployments"]);
    expect(r.stdout).toMatch(/nginx-deployment\s+0\/3/);
    r = await c.kubectl(["expose", "deployment", "nginx-deployment", "--type=NodePort"]);
    expect(r.stdout.trim()).toBe("service/nginx-deployment exposed");
    r = await c.kubectl(["get", "svc", "nginx-deployment"]);
    expect(r.stdout).toMatch(/NodePort\s+10\.\S+\s+<none>\s+80:3\d{4}\/TCP/);
    r = await c.kubectl(["scale", "--replicas=3", "deployment/nginx-deployment"]);
    expect(r.stdout.trim()).toBe("deployment.apps/nginx-deployment scaled");
    r = await c.kubectl(["label", "pod", "nginx", "university=uqar"]);
    expect(r.stdout.trim()).toBe("pod/nginx labeled");
    r = await c.kubectl(["get", "pods", "-l", "university=uqar", "-o", "name"]);
    expect(r.stdout.trim()).toBe("pod/nginx");
  });

  it("creates the replicated service and ReplicationController with kubectl create -f", async () => {
    const dir = mkdtempSync(join(tmpdir(), "course-"));
    writeFileSync(join(dir, "svc.yaml"), SVC);
    writeFileSync(join(dir, "rc.yaml"), RC);
    let r = await c.kubectl(["create", "-f", join(dir, "svc.yaml")]);
    expect(r.stdout.trim()).toBe("service/simpleservice created");
    r = await c.kubectl(["create", "-f", join(dir, "rc.yaml")]);
    expect(r.stdout.trim()).toBe("replicationcontroller/rcsise created");
    r = await c.kubectl(["get", "rc", "rcsise"]);
    expect(r.stdout.split("\n")[0]!.split(/\s{2,}/)).toEqual(["NAME", "DESIRED", "CURRENT", "READY", "AGE"]);
    r = await c.kubectl(["get", "svc", "simpleservice", "-o", "jsonpath={.spec.ports[0].targetPort} {.spec.type}"]);
    expect(r.stdout).toBe("9876 ClusterIP");
  });

  it("creates a generic secret from a literal and lists kube-system pods", async () => {
    let r = await c.kubectl(["create", "secret", "generic", "mysql-db-secret", "--from-literal=password=test123"]);
    expect(r.stdout.trim()).toBe("secret/mysql-db-secret created");
    r = await c.kubectl(["get", "secret", "mysql-db-secret", "-o", "jsonpath={.data.password}"]);
    expect(Buffer.from(r.stdout, "base64").toString()).toBe("test123");
    r = await c.kubectl(["get", "pod", "-n", "kube-system"]);
    expect(r.code).toBe(0);
    r = await c.kubectl(["get", "componentstatuses"]);
    expect(r.stdout).toMatch(/etcd-0\s+Healthy\s+ok/);
    expect(r.stderr).toContain("Warning: v1 ComponentStatus is deprecated in v1.19+");
  });
});
