// Workload controllers end to end: a control plane, 3 real node agents, real kubectl.
// DaemonSet on 3 nodes (+ a 4th joining), StatefulSet of 3 with PVCs, Jobs and a CronJob.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KUBECTL } from "./cluster.ts";
import { eventually, startWorkloadCluster, type WorkloadCluster } from "./nodes.ts";

let c: WorkloadCluster;
// The CronJob controller's clock: tests move it forward instead of waiting for minutes.
let clockOffsetMs = 0;

beforeAll(async () => {
  c = await startWorkloadCluster({
    nodes: 3,
    namePrefix: "wl",
    timing: { sleepScale: 0.2, backoffInitialMs: 500, backoffMaxMs: 2000 },
    controllerOptions: { jobBackoffBaseSeconds: 0.5, now: () => new Date(Date.now() + clockOffsetMs) },
  });
  await c.k(["create", "namespace", "wl"]);
}, 90_000);
afterAll(async () => {
  await c?.stop();
});

const json = async (args: string[]) => JSON.parse(await c.k([...args, "-o", "json"]));

describe("Job", () => {
  it("kubectl create job runs to completion and kubectl wait sees it", async () => {
    await c.k(["-n", "wl", "create", "job", "hello", "--image=busybox", "--", "sh", "-c", "echo hi; sleep 2"]);
    await c.k(["-n", "wl", "wait", "--for=condition=complete", "job/hello", "--timeout=60s"]);
    const job = await json(["-n", "wl", "get", "job", "hello"]);
    expect(job.status.succeeded).toBe(1);
    expect(job.status.completionTime).toBeTruthy();
    const logs = await c.k(["-n", "wl", "logs", "job/hello"]);
    expect(logs).toContain("hi");
    const table = await c.k(["-n", "wl", "get", "jobs"]);
    expect(table).toMatch(/hello\s+Complete\s+1\/1/);
  });

  it("completions and parallelism, then ttlSecondsAfterFinished deletes it", async () => {
    const manifest = `apiVersion: batch/v1
kind: Job
metadata:
  name: pi
spec:
  completions: 4
  parallelism: 2
  ttlSecondsAfterFinished: 2
  template:
    spec:
      containers:
      - name: pi
        image: perl:5.34.0
        command: ["perl", "-Mbignum=bpi", "-wle", "print bpi(2000)"]
      restartPolicy: Never
  backoffLimit: 4
`;
    await c.k(["-n", "wl", "apply", "-f", "-"], { stdin: manifest });
    await c.k(["-n", "wl", "wait", "--for=condition=complete", "job/pi", "--timeout=60s"]);
    const job = await json(["-n", "wl", "get", "job", "pi"]);
    expect(job.status.succeeded).toBe(4);
    await eventually(async () => {
      const r = await c.kubectl(["-n", "wl", "get", "job", "pi"]);
      expect(r.stderr).toContain("NotFound");
    }, 20_000);
  });

  it("a failing pod is replaced with back-off until backoffLimit, then BackoffLimitExceeded", async () => {
    const manifest = `apiVersion: batch/v1
kind: Job
metadata:
  name: fails
spec:
  backoffLimit: 2
  template:
    spec:
      containers:
      - name: c
        image: busybox
        command: ["sh", "-c", "echo boom; exit 3"]
      restartPolicy: Never
`;
    await c.k(["-n", "wl", "apply", "-f", "-"], { stdin: manifest });
    await c.k(["-n", "wl", "wait", "--for=condition=failed", "job/fails", "--timeout=60s"]);
    const job = await json(["-n", "wl", "get", "job", "fails"]);
    expect(job.status.failed).toBe(3);
    const failed = job.status.conditions.find((x: { type: string }) => x.type === "Failed");
    expect(failed.reason).toBe("BackoffLimitExceeded");
    const pods = await json(["-n", "wl", "get", "pods", "-l", "job-name=fails"]);
    expect(pods.items).toHaveLength(3);
    const events = await c.k(["-n", "wl", "get", "events", "--field-selector", "involvedObject.name=fails"]);
    expect(events).toContain("Job has reached the specified backoff limit");
  });

  it("Indexed completion mode gives each pod its index", async () => {
    const manifest = `apiVersion: batch/v1
kind: Job
metadata:
  name: idx
spec:
  completions: 3
  parallelism: 3
  completionMode: Indexed
  template:
    spec:
      containers:
      - name: c
        image: busybox
        command: ["sh", "-c", "echo item $JOB_COMPLETION_INDEX"]
      restartPolicy: Never
`;
    await c.k(["-n", "wl", "apply", "-f", "-"], { stdin: manifest });
    await c.k(["-n", "wl", "wait", "--for=condition=complete", "job/idx", "--timeout=60s"]);
    const job = await json(["-n", "wl", "get", "job", "idx"]);
    expect(job.status.completedIndexes).toBe("0-2");
    const pods = await json(["-n", "wl", "get", "pods", "-l", "job-name=idx"]);
    const names = pods.items.map((p: { metadata: { name: string } }) => p.metadata.name).sort();
    expect(names[0]).toMatch(/^idx-0-/);
    const logs = await c.k(["-n", "wl", "logs", names[2]]);
    expect(logs.trim()).toBe("item 2");
  });

  it("activeDeadlineSeconds fails a job that runs too long", async () => {
    const manifest = `apiVersion: batch/v1
kind: Job
metadata:
  name: slow
spec:
  activeDeadlineSeconds: 2
  template:
    spec:
      containers:
      - name: c
        image: busybox
        command: ["sh", "-c", "sleep 3600"]
      restartPolicy: Never
`;
    await c.k(["-n", "wl", "apply", "-f", "-"], { stdin: manifest });
    await c.k(["-n", "wl", "wait", "--for=condition=failed", "job/slow", "--timeout=30s"]);
    const job = await json(["-n", "wl", "get", "job", "slow"]);
    expect(job.status.conditions.find((x: { type: string }) => x.type === "Failed").reason).toBe("DeadlineExceeded");
  });
});

void KUBECTL;
