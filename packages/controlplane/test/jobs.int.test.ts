// Job, TTL-after-finished and CronJob end to end: a control plane, 2 real node agents, real kubectl.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KUBECTL } from "./cluster.ts";
import { eventually, startWorkloadCluster, type WorkloadCluster } from "./nodes.ts";

let c: WorkloadCluster;
// The CronJob controller's clock: tests move it forward instead of waiting for minutes.
let clockOffsetMs = 0;

beforeAll(async () => {
  c = await startWorkloadCluster({
    nodes: 2,
    namePrefix: "jb",
    timing: { sleepScale: 0.2, backoffInitialMs: 500, backoffMaxMs: 2000 },
    controllerOptions: { jobBackoffBaseSeconds: 0.5, now: () => new Date(Date.now() + clockOffsetMs) },
  });
  await c.k(["create", "namespace", "wl"]);
}, 90_000);
afterAll(async () => {
  await c?.stop();
});

const json = async (args: string[]) => JSON.parse(await c.k([...args, "-o", "json"]));

describe("CronJob", () => {
  // Moves the controller's clock forward and pokes the CronJob so it looks at the time now.
  const tick = async (name: string, ms: number) => {
    clockOffsetMs += ms;
    await c.k(["-n", "wl", "annotate", "--overwrite", "cronjob", name, `test/tick=${clockOffsetMs}`]);
  };

  it("creates a Job each scheduled minute, keeps the history limit, and --from=cronjob works", async () => {
    await c.k([
      "-n",
      "wl",
      "create",
      "cronjob",
      "hello",
      "--image=busybox",
      "--schedule=*/1 * * * *",
      "--",
      "sh",
      "-c",
      "echo hello from cron",
    ]);
    await c.k(["-n", "wl", "patch", "cronjob", "hello", "-p", '{"spec":{"successfulJobsHistoryLimit":1}}']);
    const row = (await c.k(["-n", "wl", "get", "cronjob", "hello", "--no-headers"])).trim().split(/\s{2,}/);
    expect(row.slice(0, 6)).toEqual(["hello", "*/1 * * * *", "<none>", "False", "0", "<none>"]);
    await tick("hello", 61_000);
    const first = await eventually(async () => {
      const jobs = await json(["-n", "wl", "get", "jobs"]);
      const mine = jobs.items.filter((j: any) => j.metadata.ownerReferences?.[0]?.name === "hello");
      expect(mine).toHaveLength(1);
      return mine[0].metadata.name as string;
    });
    expect(first).toMatch(/^hello-\d+$/);
    await c.k(["-n", "wl", "wait", "--for=condition=complete", `job/${first}`, "--timeout=30s"]);
    await eventually(async () => {
      const cj = await json(["-n", "wl", "get", "cronjob", "hello"]);
      expect(cj.status.lastSuccessfulTime).toBeTruthy();
      expect(cj.status.active).toBeUndefined();
    });
    await tick("hello", 60_000);
    await eventually(async () => {
      const jobs = await json(["-n", "wl", "get", "jobs"]);
      const mine = jobs.items.filter((j: any) => j.metadata.ownerReferences?.[0]?.name === "hello");
      expect(mine).toHaveLength(1);
      expect(mine[0].metadata.name).not.toBe(first);
      expect(mine[0].status.succeeded).toBe(1);
    });
    await c.k(["-n", "wl", "create", "job", "manual", "--from=cronjob/hello"]);
    await c.k(["-n", "wl", "wait", "--for=condition=complete", "job/manual", "--timeout=30s"]);
    const manual = await json(["-n", "wl", "get", "job", "manual"]);
    expect(manual.metadata.annotations["cronjob.kubernetes.io/instantiate"]).toBe("manual");
  });

  it("concurrencyPolicy Forbid skips a run while the previous one is active; Replace replaces it", async () => {
    const manifest = (policy: string) => `apiVersion: batch/v1
kind: CronJob
metadata:
  name: long-${policy.toLowerCase()}
spec:
  schedule: "@hourly"
  timeZone: Europe/Paris
  concurrencyPolicy: ${policy}
  jobTemplate:
    spec:
      template:
        spec:
          containers:
          - name: c
            image: busybox
            command: ["sh", "-c", "sleep 3600"]
          restartPolicy: OnFailure
`;
    await c.k(["-n", "wl", "apply", "-f", "-"], { stdin: manifest("Forbid") + "---\n" + manifest("Replace") });
    const owned = async (name: string) => {
      const jobs = await json(["-n", "wl", "get", "jobs"]);
      return jobs.items
        .filter((j: any) => j.metadata.ownerReferences?.[0]?.name === name && !j.metadata.deletionTimestamp)
        .map((j: any) => j.metadata.name as string);
    };
    await tick("long-forbid", 3600_000);
    await tick("long-replace", 0);
    const f1 = await eventually(async () => {
      const f = await owned("long-forbid");
      expect(f).toHaveLength(1);
      return f[0];
    });
    const r1 = await eventually(async () => {
      const r = await owned("long-replace");
      expect(r).toHaveLength(1);
      return r[0];
    });
    await tick("long-forbid", 3600_000);
    await tick("long-replace", 0);
    await eventually(async () => {
      const r = await owned("long-replace");
      expect(r).toHaveLength(1);
      expect(r[0]).not.toBe(r1);
    });
    expect(await owned("long-forbid")).toEqual([f1]);
    const events = await c.k(["-n", "wl", "get", "events", "--field-selector", "involvedObject.name=long-forbid"]);
    expect(events).toContain("Not starting job because prior execution is running and concurrency policy is Forbid");
    await c.k(["-n", "wl", "delete", "cronjob", "long-forbid", "long-replace"]);
  });

  it("suspend skips runs; startingDeadlineSeconds skips a run that is too late", async () => {
    const manifest = (name: string, extra: string) => `apiVersion: batch/v1
kind: CronJob
metadata:
  name: ${name}
spec:
  schedule: "@hourly"
${extra}
  jobTemplate:
    spec:
      template:
        spec:
          containers:
          - name: c
            image: busybox
          restartPolicy: Never
`;
    await c.k(["-n", "wl", "apply", "-f", "-"], {
      stdin: `${manifest("paused", "  suspend: true")}---\n${manifest("late", "  startingDeadlineSeconds: 10")}`,
    });
    // Put the clock 30 s past the next full hour: the run of that hour is 30 s late.
    const now = Date.now() + clockOffsetMs;
    await tick("late", Math.ceil(now / 3_600_000) * 3_600_000 + 30_000 - now);
    await tick("paused", 0);
    await eventually(async () => {
      const events = await c.k(["-n", "wl", "get", "events", "--field-selector", "involvedObject.name=late"]);
      expect(events).toContain("Missed scheduled time to start a job");
    });
    const jobs = await json(["-n", "wl", "get", "jobs"]);
    const owners = jobs.items.map((j: any) => j.metadata.ownerReferences?.[0]?.name);
    expect(owners).not.toContain("late");
    expect(owners).not.toContain("paused");
    expect(await c.k(["-n", "wl", "get", "cronjob", "paused", "--no-headers"])).toMatch(/@hourly\s+<none>\s+True/);
    await c.k(["-n", "wl", "delete", "cronjob", "paused", "late"]);
  });

  it("rejects a bad schedule or time zone naming the field", async () => {
    const r = await c.kubectl(["-n", "wl", "create", "cronjob", "bad", "--image=busybox", "--schedule=61 * * * *"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("spec.schedule");
  });
});

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

  it.each(Object.entries(KUBECTL))("kubectl %s: create job (protobuf body on 1.30+) and wait", async (v, bin) => {
    const name = `hello-${v.replace(".", "-")}`;
    await c.k(["-n", "wl", "create", "job", name, "--image=busybox", "--", "sh", "-c", "echo hi"], { bin });
    await c.k(["-n", "wl", "wait", "--for=condition=complete", `job/${name}`, "--timeout=60s"], { bin });
    expect(await c.k(["-n", "wl", "get", "job", name, "--no-headers"], { bin })).toMatch(/Complete\s+1\/1/);
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
    expect(await c.k(["-n", "wl", "logs", "job/pi"])).toMatch(/^3\.14159265358979323846\d{1900,}/);
    await eventually(async () => {
      const r = await c.kubectl(["-n", "wl", "get", "job", "pi"]);
      expect(r.stderr).toContain("NotFound");
    }, 20_000);
    // Its pods go with it: the garbage collector deletes them, the tracking finalizer is released.
    await eventually(async () => {
      const pods = await json(["-n", "wl", "get", "pods", "-l", "job-name=pi"]);
      expect(pods.items).toHaveLength(0);
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

  it("podFailurePolicy FailJob on exit code 42 fails the Job at the first failure", async () => {
    const manifest = `apiVersion: batch/v1
kind: Job
metadata:
  name: job-pod-failure-policy-example
spec:
  completions: 4
  parallelism: 1
  backoffLimit: 6
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: main
        image: docker.io/library/bash:5
        command: ["bash"]
        args:
        - -c
        - echo "Hello world! I'm going to exit with 42 to simulate a software bug." && sleep 1 && exit 42
  podFailurePolicy:
    rules:
    - action: FailJob
      onExitCodes:
        containerName: main
        operator: In
        values: [42]
    - action: Ignore
      onPodConditions:
      - type: DisruptionTarget
`;
    await c.k(["-n", "wl", "apply", "-f", "-"], { stdin: manifest });
    await c.k(["-n", "wl", "wait", "--for=condition=failed", "job/job-pod-failure-policy-example", "--timeout=60s"]);
    const job = await json(["-n", "wl", "get", "job", "job-pod-failure-policy-example"]);
    expect(job.status.failed).toBe(1);
    const failed = job.status.conditions.find((x: { type: string }) => x.type === "Failed");
    expect(failed.reason).toBe("PodFailurePolicy");
    expect(failed.message).toMatch(
      /^Container main for pod wl\/job-pod-failure-policy-example-\w+ failed with exit code 42 matching FailJob rule at index 0$/,
    );
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
