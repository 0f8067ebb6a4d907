// The course's everyday commands with each kubectl the tenants may use (1.27, 1.32, 1.33).
import { basename, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, KUBECTLS, k, startTestCluster } from "./helpers.ts";

const FIX = join(import.meta.dirname, "fixtures");
let env: Awaited<ReturnType<typeof startTestCluster>>;

beforeAll(async () => {
  env = await startTestCluster(2);
});
afterAll(async () => {
  await env?.close();
});

describe.each(KUBECTLS.map((bin) => [basename(bin), bin]))("%s", (_name, bin) => {
  const ns = `v-${basename(bin).replace(/[^a-z0-9]/g, "")}`;
  const run = (...args: string[]) => k(env.cluster.kubeconfigPath, args, { bin });

  it("applies, lists, describes, logs and tops a Deployment", async () => {
    await run("create", "namespace", ns);
    expect(await run("apply", "-n", ns, "-f", join(FIX, "deployment-nginx.yaml"))).toContain("created");
    await eventually(async () => {
      const o = await run("get", "deployments", "-n", ns, "--no-headers");
      if (!/nginx-deployment\s+3\/3/.test(o)) throw new Error(o);
    });
    const wide = await run("get", "pods", "-n", ns, "-o", "wide");
    expect(wide.match(/Running/g)).toHaveLength(3);
    expect(await run("describe", "deployment", "nginx-deployment", "-n", ns)).toContain("nginx:1.7.9");
    expect(await run("logs", "-n", ns, "deployment/nginx-deployment")).toContain("start worker processes");
    const tail = await run("logs", "-n", ns, "deployment/nginx-deployment", "--tail=1", "--timestamps");
    expect(tail.trim()).toMatch(/^\d{4}-\d\d-\d\dT\S+Z start worker processes$/);
    await eventually(async () => {
      const o = await run("top", "pods", "-n", ns, "--no-headers");
      if ((o.match(/nginx-deployment/g) ?? []).length !== 3) throw new Error(o);
    });
  });

  it("scales, updates the image and rolls back", async () => {
    await run("scale", "--replicas=1", "-n", ns, "deployment/nginx-deployment");
    await run("rollout", "status", "-n", ns, "deployment/nginx-deployment", "--timeout=90s");
    await run("set", "image", "-n", ns, "deployment/nginx-deployment", "nginx=nginx:1.14.2");
    expect(await run("rollout", "status", "-n", ns, "deployment/nginx-deployment", "--timeout=90s")).toContain(
      "successfully rolled out",
    );
    await run("rollout", "undo", "-n", ns, "deployment/nginx-deployment");
    await run("rollout", "status", "-n", ns, "deployment/nginx-deployment", "--timeout=90s");
    const image = await run(
      "get",
      "deployment",
      "nginx-deployment",
      "-n",
      ns,
      "-o",
      "jsonpath={.spec.template.spec.containers[0].image}",
    );
    expect(image).toBe("nginx:1.7.9");
  });

  it("shows the logs of a restarted container with --previous", async () => {
    await run(
      "run",
      "flaky",
      "-n",
      ns,
      "--image=busybox",
      "--restart=OnFailure",
      "--",
      "sh",
      "-c",
      "echo attempt; exit 3",
    );
    await eventually(async () => {
      const n = await run(
        "get",
        "pod",
        "flaky",
        "-n",
        ns,
        "-o",
        "jsonpath={.status.containerStatuses[0].restartCount}",
      );
      if (Number(n) < 1) throw new Error(`restarts ${n}`);
    });
    expect((await run("logs", "flaky", "-n", ns, "--previous")).trim()).toBe("attempt");
    await run("delete", "namespace", ns, "--timeout=90s");
  });
});
