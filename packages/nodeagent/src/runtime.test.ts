import { describe, expect, it } from "vitest";
import { ContainerSim, parseQuantity, type Timing } from "./container.ts";
import { parseImage, profileFor, pullError } from "./images.ts";
import { parseProgram } from "./script.ts";

const fast: Timing = { pullDelayMs: 5, backoffInitialMs: 40, backoffMaxMs: 160, sleepScale: 0.01, oomDelayMs: 10 };
const until = async (cond: () => boolean, ms = 2000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe("images", () => {
  it("parses references and names the unpullable ones", () => {
    expect(parseImage("nginx:1.14.2")).toMatchObject({ registry: "docker.io", name: "nginx", tag: "1.14.2" });
    expect(parseImage("invalid.example/app:v1")).toMatchObject({ registry: "invalid.example", name: "app" });
    expect(pullError("nginx:1.14.2")).toBeUndefined();
    expect(pullError("invalid.example/app:v1")).toMatch(/no such host/);
    expect(pullError("nginx:doesnotexist")).toMatch(/not found/);
    expect(profileFor("library/redis:7").memoryMiB).toBeGreaterThan(0);
  });

  it("parses quantities", () => {
    expect(parseQuantity("128Mi")).toBe(128 * 2 ** 20);
    expect(parseQuantity("250m")).toBe(0.25);
    expect(parseQuantity("1G")).toBe(1e9);
  });
});

describe("script", () => {
  it("understands sh -c with echo, sleep and exit", () => {
    expect(parseProgram(["sh", "-c", "echo hello; sleep 2 && exit 3"], undefined).steps).toEqual([
      { op: "echo", text: "hello" },
      { op: "sleep", seconds: 2 },
      { op: "exit", code: 3 },
    ]);
    expect(parseProgram(["sh", "-c", "while true; do echo tick; sleep 5; done"], undefined).loop).toBe(true);
    expect(parseProgram(["sleep", "infinity"], undefined).forever).toBe(true);
  });
});

describe("ContainerSim", () => {
  it("runs a busybox command to completion with its output", async () => {
    const c = new ContainerSim(
      { name: "job", image: "busybox", command: ["sh", "-c", "echo hi $WHO; sleep 1; echo bye"] },
      "Never",
      fast,
      () => undefined,
    );
    c.start({ WHO: "there" });
    await until(() => c.done);
    expect(c.logs.map((l) => l.text)).toEqual(["hi there", "bye"]);
    expect(c.status()).toMatchObject({ state: { terminated: { exitCode: 0, reason: "Completed" } }, restartCount: 0 });
  });

  it("restarts a failing container into CrashLoopBackOff", async () => {
    const c = new ContainerSim(
      { name: "bad", image: "busybox", command: ["sh", "-c", "exit 2"] },
      "Always",
      fast,
      () => undefined,
    );
    c.start({});
    await until(() => c.restartCount >= 2 && "waiting" in c.state);
    expect(c.state).toMatchObject({ waiting: { reason: "CrashLoopBackOff" } });
    expect(c.lastState).toMatchObject({ terminated: { exitCode: 2, reason: "Error" } });
    c.stop();
  });

  it("is OOMKilled when the image needs more memory than its limit", async () => {
    const c = new ContainerSim(
      { name: "db", image: "mysql:8", resources: { limits: { memory: "128Mi" } } },
      "Always",
      fast,
      () => undefined,
    );
    c.start({});
    await until(() => c.restartCount >= 1);
    expect(c.lastState).toMatchObject({ terminated: { exitCode: 137, reason: "OOMKilled" } });
    c.stop();
  });

  it("reports ErrImagePull then ImagePullBackOff for an unavailable image", async () => {
    const c = new ContainerSim({ name: "x", image: "nginx:doesnotexist" }, "Always", fast, () => undefined);
    c.start({});
    expect(c.state).toMatchObject({ waiting: { reason: "ErrImagePull" } });
    await until(() => "waiting" in c.state && c.state.waiting.reason === "ImagePullBackOff");
    c.stop();
  });

  it("serves forever and reports usage while running", async () => {
    const c = new ContainerSim({ name: "web", image: "nginx:1.14.2" }, "Always", fast, () => undefined);
    c.start({});
    await until(() => c.ready);
    expect(c.logs.some((l) => l.text.includes("Configuration complete"))).toBe(true);
    expect(c.usage().memoryBytes).toBeGreaterThan(0);
    c.stop();
    expect(c.status()).toMatchObject({ state: { terminated: { exitCode: 0 } } });
  });

  it("fails the probes of images tagged notready / unhealthy", async () => {
    const probe = { initialDelaySeconds: 1, periodSeconds: 1, failureThreshold: 2 };
    const sick = new ContainerSim(
      { name: "web", image: "nginx:unhealthy", livenessProbe: probe, readinessProbe: probe },
      "Always",
      fast,
      () => undefined,
    );
    sick.start({});
    await until(() => sick.restartCount >= 1);
    expect(sick.lastState).toMatchObject({ terminated: { exitCode: 137 } });
    sick.stop();
    const lazy = new ContainerSim(
      { name: "web", image: "nginx:notready", readinessProbe: probe },
      "Always",
      fast,
      () => undefined,
    );
    lazy.start({});
    await until(() => lazy.running);
    await new Promise((r) => setTimeout(r, 100));
    expect(lazy.ready).toBe(false);
    lazy.stop();
  });

  it("answers HTTP requests and logs an nginx access line", async () => {
    const c = new ContainerSim({ name: "web", image: "nginx:1.14.2" }, "Always", fast, () => undefined);
    c.start({});
    await until(() => c.running);
    const r = c.handleRequest({ method: "GET", path: "/", clientIP: "10.244.0.1", userAgent: "curl/8.5.0" });
    expect(r.status).toBe(200);
    expect(r.body).toContain("Welcome to nginx!");
    expect(c.logs.at(-1)?.text).toMatch(
      /^10\.244\.0\.1 - - \[\d{2}\/\w{3}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000\] "GET \/ HTTP\/1\.1" 200 \d+ "-" "curl\/8\.5\.0" "-"$/,
    );
    c.stop();
    const job = new ContainerSim(
      { name: "j", image: "busybox", command: ["sleep", "10"] },
      "Never",
      fast,
      () => undefined,
    );
    job.start({});
    await until(() => job.running);
    expect(job.handleRequest({ method: "GET", path: "/", clientIP: "x", userAgent: "y" }).status).toBe(502);
    job.stop();
  });
});
