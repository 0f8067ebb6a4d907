// Three control planes of the minors the catalog offers (1.31, 1.32, 1.33) answer with their
// own /version, APIs (discovery) and fields, seen through the real kubectl.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KUBECTL, startTestCluster, type TestCluster } from "./cluster.ts";

const VERSIONS = { "1.31": "v1.31.4", "1.32": "v1.32.0", "1.33": "v1.33.1" } as const;
const clusters: Partial<Record<keyof typeof VERSIONS, TestCluster>> = {};

beforeAll(async () => {
  for (const [minor, version] of Object.entries(VERSIONS))
    clusters[minor as keyof typeof VERSIONS] = await startTestCluster({ version });
}, 60_000);
afterAll(async () => {
  for (const c of Object.values(clusters)) await c?.stop();
});

const pod = (name: string) => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
spec:
  containers:
  - name: app
    image: nginx:1.27
    resizePolicy:
    - resourceName: cpu
      restartPolicy: NotRequired
`;

describe.each(Object.entries(VERSIONS))("a %s control plane", (minor, gitVersion) => {
  const c = () => clusters[minor as keyof typeof VERSIONS]!;
  const n = Number(minor.split(".")[1]);

  it.each(Object.entries(KUBECTL))("answers kubectl %s version with its own", async (_client, bin) => {
    const r = await c().kubectl(["version", "-o", "json"], { bin });
    const v = JSON.parse(r.stdout);
    expect(v.serverVersion.gitVersion).toBe(gitVersion);
    expect(v.serverVersion.major).toBe("1");
    expect(v.serverVersion.minor).toBe(String(n));
  });

  it("serves the API versions of its minor", async () => {
    const r = await c().kubectl(["api-versions"]);
    const versions = r.stdout.trim().split("\n");
    expect(versions).toContain("flowcontrol.apiserver.k8s.io/v1");
    expect(versions.includes("flowcontrol.apiserver.k8s.io/v1beta3")).toBe(n === 31);
    expect(versions.includes("resource.k8s.io/v1alpha3")).toBe(n <= 32);
    expect(versions.includes("resource.k8s.io/v1beta1")).toBe(n >= 32);
    expect(versions.includes("resource.k8s.io/v1beta2")).toBe(n >= 33);
    expect(versions).toContain("storage.k8s.io/v1beta1");
    const res = await c().kubectl(["api-resources", "--api-group=networking.k8s.io", "-o", "name"]);
    expect(res.stdout.includes("servicecidrs.networking.k8s.io")).toBe(n >= 33);
    expect(res.stdout.includes("ipaddresses.networking.k8s.io")).toBe(n >= 33);
  });

  it("keeps or drops fields and warns like that minor", async () => {
    let r = await c().kubectl(["apply", "-f", "-"], { stdin: pod(`resize${n}`) });
    expect(r.stderr).toBe("");
    r = await c().kubectl(["get", "pod", `resize${n}`, "-o", "jsonpath={.spec.containers[0].resizePolicy}"]);
    if (n >= 33) expect(JSON.parse(r.stdout)).toEqual([{ resourceName: "cpu", restartPolicy: "NotRequired" }]);
    else expect(r.stdout).toBe("");
    r = await c().kubectl(["get", "endpoints", "-A"]);
    if (n >= 33)
      expect(r.stderr).toContain("v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice");
    else expect(r.stderr).not.toContain("deprecated");
  });
});
