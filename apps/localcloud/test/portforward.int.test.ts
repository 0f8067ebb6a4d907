// Issue #8, traffic: `kubectl port-forward` to a pod and to a service, with the default, oldest
// and newest installed kubectl (1.27 speaks SPDY/3.1; newer ones try SPDY tunneled in a
// WebSocket first). Real curl through the forwarded local port; nginx logs the request.
// Also `kubectl exec` (same SPDY machinery, same cluster): commands, exit codes, stdin, a shell.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { basename } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, KUBECTLS, k, startTestCluster } from "./helpers.ts";

let env: Awaited<ReturnType<typeof startTestCluster>>;
let kc: string;
let pod: string;
const children = new Set<ChildProcess>();

function curl(url: string, agent: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile("curl", ["-sS", "-i", "--max-time", "5", "-A", agent, url], { timeout: 10_000 }, (err, stdout, stderr) => {
      const code = err
        ? typeof (err as { code?: unknown }).code === "number"
          ? (err as { code: number }).code
          : 1
        : 0;
      resolve({ code, out: `${stdout}${stderr}` });
    });
  });
}

/** Starts `kubectl port-forward <target> :<remote>` and resolves the local port it prints. */
function portForward(
  bin: string,
  target: string,
  remote: string,
  extra: string[] = [],
): Promise<{ port: number; proc: ChildProcess; stderr: () => string }> {
  const proc = spawn(bin, ["--kubeconfig", kc, "port-forward", ...extra, target, `:${remote}`], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(proc);
  proc.on("exit", () => children.delete(proc));
  let out = "";
  let err = "";
  proc.stderr?.on("data", (d: Buffer) => {
    err += d.toString();
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`port-forward did not start: ${out} ${err}`)), 20_000);
    proc.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ port: Number(m[1]), proc, stderr: () => err });
      }
    });
    proc.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`port-forward exited ${code}: ${out} ${err}`));
    });
  });
}

beforeAll(async () => {
  env = await startTestCluster(2);
  kc = env.cluster.kubeconfigPath;
  await k(kc, ["create", "deployment", "pf", "--image=nginx:1.27", "--port=80"]);
  await k(kc, ["expose", "deployment", "pf", "--port=8080", "--target-port=80"]);
  await eventually(async () => {
    const r = await k(kc, ["get", "deploy", "pf", "-o", "jsonpath={.status.readyReplicas}"]);
    if (r !== "1") throw new Error(`ready ${r}`);
  }, 60_000);
  pod = (await k(kc, ["get", "pods", "-l", "app=pf", "-o", "jsonpath={.items[0].metadata.name}"])).trim();
}, 150_000);

afterAll(async () => {
  for (const c of children) c.kill("SIGTERM");
  await env?.close();
});

describe("kubectl port-forward", () => {
  for (const bin of KUBECTLS) {
    const v = basename(bin);
    it(`forwards a local port to a pod and to a service (${v})`, async () => {
      const agent = `pf-${v}`;
      // -v=6 shows which transport was used: 1.27 has SPDY only; newer ones tunnel it in a WebSocket.
      const toPod = await portForward(bin, `pod/${pod}`, "80", ["-v=6"]);
      try {
        for (let i = 0; i < 3; i++) {
          const r = await curl(`http://127.0.0.1:${toPod.port}/`, agent);
          expect(r.code, r.out).toBe(0);
          expect(r.out).toMatch(/^HTTP\/1\.1 200 OK/);
          expect(r.out).toContain("Server: nginx/1.27");
          expect(r.out).toContain("<h1>Welcome to nginx!</h1>");
        }
        const missing = await curl(`http://127.0.0.1:${toPod.port}/missing`, agent);
        expect(missing.out).toMatch(/^HTTP\/1\.1 404/);
        const usedWebSocket = /negotiated protocol: portforward\.k8s\.io/.test(toPod.stderr());
        expect(usedWebSocket, toPod.stderr().slice(-2000)).toBe(!bin.endsWith("1.27"));
      } finally {
        toPod.proc.kill("SIGTERM");
      }
      const toSvc = await portForward(bin, "svc/pf", "8080");
      try {
        const r = await curl(`http://127.0.0.1:${toSvc.port}/`, agent);
        expect(r.out).toMatch(/^HTTP\/1\.1 200 OK/);
      } finally {
        toSvc.proc.kill("SIGTERM");
      }
      const logs = await k(kc, ["logs", pod]);
      expect(logs.split("\n").filter((l) => l.includes(`"${agent}"`))).toHaveLength(5);
    });
  }

  it("reports a port nothing listens on, as kubectl does", async () => {
    const pf = await portForward("/usr/bin/kubectl", `pod/${pod}`, "81");
    try {
      const r = await curl(`http://127.0.0.1:${pf.port}/`, "pf-refused");
      expect(r.code).not.toBe(0);
      await eventually(async () => {
        if (!/connection refused/.test(pf.stderr())) throw new Error(pf.stderr());
      }, 10_000);
    } finally {
      pf.proc.kill("SIGTERM");
    }
  });
});

function execKubectl(
  bin: string,
  args: string[],
  input?: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(bin, ["--kubeconfig", kc, ...args], { timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err
        ? typeof (err as { code?: unknown }).code === "number"
          ? (err as { code: number }).code
          : 1
        : 0;
      resolve({ code, stdout: stdout.toString(), stderr: stderr.toString() });
    });
    child.stdin?.end(input ?? "");
  });
}

describe("kubectl exec", () => {
  for (const bin of KUBECTLS) {
    it(`runs commands in the simulated container with their output and exit code (${basename(bin)})`, async () => {
      const host = await execKubectl(bin, ["exec", pod, "--", "hostname"]);
      expect(host).toMatchObject({ code: 0, stdout: `${pod}\n` });
      const script = await execKubectl(bin, [
        "exec",
        pod,
        "--",
        "sh",
        "-c",
        "echo hi $HOSTNAME; cat /etc/resolv.conf | head -1; wget -qO- http://pf:8080 | grep title; exit 3",
      ]);
      expect(script.stdout).toBe(
        `hi ${pod}\nsearch default.svc.cluster.local svc.cluster.local cluster.local\n<title>Welcome to nginx!</title>\n`,
      );
      expect(script.code).toBe(3);
      expect(script.stderr).toContain("command terminated with exit code 3");
      const missing = await execKubectl(bin, ["exec", pod, "--", "no-such-tool"]);
      expect(missing.code).toBe(126);
      expect(missing.stderr).toContain('exec: "no-such-tool": executable file not found in $PATH');
      const piped = await execKubectl(bin, ["exec", "-i", pod, "--", "cat"], "from stdin\n");
      expect(piped).toMatchObject({ code: 0, stdout: "from stdin\n" });
      const shell = await execKubectl(bin, ["exec", "-i", pod, "--", "sh"], "hostname\nnginx -v\nexit 2\n");
      expect(shell.stdout).toBe(`${pod}\n`);
      expect(shell.stderr).toContain("nginx version: nginx/1.27");
      expect(shell.code).toBe(2);
    });
  }

  it("runs kubectl run -it --rm … -- sh: a shell in a new pod, its exit code, the pod removed", async () => {
    const r = await terminal(
      `/usr/bin/kubectl --kubeconfig ${kc} run -it --rm dbg --image=busybox:1.36 --restart=Never -- sh`,
      ["hostname\r", "exit 3\r"],
    );
    expect(r.out).toContain("hostname\r\ndbg\r\n# ");
    expect(r.out).toContain('pod "dbg" deleted');
    expect(r.code).toBe(3);
    await eventually(async () => {
      const left = await k(kc, ["get", "pods", "-o", "name"]);
      if (left.includes("pod/dbg")) throw new Error(left);
    }, 15_000);
  });

  it("opens an interactive shell with a terminal (kubectl exec -it … -- sh)", async () => {
    const r = await terminal(`/usr/bin/kubectl --kubeconfig ${kc} exec -it ${pod} -- sh`, [
      "hostname\r",
      "echo $HOSTNAME\r",
      "exit 4\r",
    ]);
    expect(r.out).toContain(`hostname\r\n${pod}\r\n# `);
    expect(r.out).toContain(`echo $HOSTNAME\r\n${pod}\r\n# `);
    expect(r.out).toContain("command terminated with exit code 4");
    expect(r.code).toBe(4);
  });
});

/** Runs a command in a pseudo-terminal (util-linux `script`), typing one line at each new prompt. */
function terminal(command: string, typed: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn("script", ["-qec", command, "/dev/null"], { stdio: ["pipe", "pipe", "pipe"] });
    children.add(child);
    let out = "";
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
    });
    let i = 0;
    let prompts = 0;
    const timer = setInterval(() => {
      const seen = out.split("# ").length - 1;
      if (seen > prompts && i < typed.length) {
        prompts = seen;
        child.stdin?.write(typed[i++]);
      }
      if (i >= typed.length) clearInterval(timer);
    }, 300);
    const kill = setTimeout(() => child.kill("SIGTERM"), 45_000);
    child.on("exit", (code) => {
      clearInterval(timer);
      clearTimeout(kill);
      children.delete(child);
      resolve({ code, out });
    });
  });
}
