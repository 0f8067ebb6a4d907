// `kubectl exec` in a simulated container: a tiny shell with the commands people type into a pod
// to look around (echo, env, hostname, cat of the usual files, ls, id, uname, date, nginx -v) and
// reach the network (wget, curl, nslookup through the cluster network). Anything else is "not
// found", as in a slim image. The kubelet serves it as `POST /exec/<ns>/<pod>/<container>`.
import type { ContainerSim } from "./container.ts";
import { parseImage } from "./images.ts";
import { nginxVersion, respond } from "./net/http.ts";

export interface ExecTarget {
  podName: string;
  namespace: string;
  podIP?: string;
  container: ContainerSim;
}

export interface ExecResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

const SHELLS = new Set(["sh", "bash", "ash", "dash", "zsh"]);
const FS_ROOT =
  "bin   boot  dev   etc   home  lib   media mnt   opt   proc  root  run   sbin  srv   sys   tmp   usr   var";

function files(t: ExecTarget): Record<string, string> {
  const image = parseImage(t.container.spec.image).name;
  const debian = !["busybox", "alpine"].includes(image);
  const f: Record<string, string> = {
    "/etc/hostname": `${t.podName}\n`,
    "/etc/resolv.conf": `search ${t.namespace}.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n`,
    "/etc/hosts": `# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n${t.podIP ?? "10.244.0.2"}\t${t.podName}\n`,
    "/etc/os-release": debian
      ? 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION="12 (bookworm)"\nID=debian\n'
      : 'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.20.3\nPRETTY_NAME="Alpine Linux v3.20"\n',
    "/var/run/secrets/kubernetes.io/serviceaccount/namespace": t.namespace,
  };
  if (image === "nginx") {
    f["/usr/share/nginx/html/index.html"] = respond(t.container.spec.image, {
      method: "GET",
      path: "/",
      clientIP: "127.0.0.1",
      userAgent: "-",
    }).body;
  }
  return f;
}

function words(line: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(line); m; m = re.exec(line)) out.push(m[1] ?? m[2] ?? m[3] ?? "");
  return out;
}

function statements(script: string): { text: string; op: ";" | "&&" | "||" }[] {
  const out: { text: string; op: ";" | "&&" | "||" }[] = [];
  let cur = "";
  let quote: string | undefined;
  let op: ";" | "&&" | "||" = ";";
  for (let i = 0; i < script.length; i++) {
    const ch = script[i] as string;
    if (quote) {
      if (ch === quote) quote = undefined;
      cur += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      cur += ch;
    } else if (
      ch === ";" ||
      ch === "\n" ||
      (ch === "&" && script[i + 1] === "&") ||
      (ch === "|" && script[i + 1] === "|")
    ) {
      if (cur.trim()) out.push({ text: cur.trim(), op });
      op = ch === "&" ? "&&" : ch === "|" ? "||" : ";";
      if (ch === "&" || ch === "|") i++;
      cur = "";
    } else cur += ch;
  }
  if (cur.trim()) out.push({ text: cur.trim(), op });
  return out;
}

function pipeline(text: string): string[] {
  const out: string[] = [];
  let cur = "";
  let quote: string | undefined;
  for (const ch of text) {
    if (quote) {
      if (ch === quote) quote = undefined;
      cur += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      cur += ch;
    } else if (ch === "|") {
      out.push(cur.trim());
      cur = "";
    } else cur += ch;
  }
  out.push(cur.trim());
  return out.filter(Boolean);
}

function lines(text: string): string[] {
  const l = text.split("\n");
  if (l[l.length - 1] === "") l.pop();
  return l;
}

/** Runs one command line (argv already split), as the container's shell would. */
async function command(t: ExecTarget, argv: string[], stdin: string, viaShell: boolean): Promise<ExecResult> {
  const env = {
    HOSTNAME: t.podName,
    HOME: "/root",
    PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    ...t.container.environment,
  };
  const expand = (s: string) =>
    s.replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (_, v: string) => env[v as keyof typeof env] ?? "");
  const args = argv.map(expand);
  const [cmd0 = "", ...rest] = args;
  const cmd = cmd0.split("/").pop() ?? cmd0;
  const ok = (stdout: string): ExecResult => ({ stdout, stderr: "", exitCode: 0 });
  const fail = (stderr: string, exitCode = 1): ExecResult => ({ stdout: "", stderr, exitCode });
  const fs = files(t);
  switch (cmd) {
    case "":
    case "true":
    case ":":
      return ok("");
    case "false":
      return fail("", 1);
    case "exit":
      return { stdout: "", stderr: "", exitCode: Number(rest[0] ?? 0) || 0 };
    case "echo":
      return ok(`${rest.filter((a) => a !== "-n").join(" ")}${rest[0] === "-n" ? "" : "\n"}`);
    case "env":
    case "printenv": {
      if (rest[0]) return rest[0] in env ? ok(`${env[rest[0] as keyof typeof env]}\n`) : fail("", 1);
      return ok(
        `${Object.entries(env)
          .map(([k, v]) => `${k}=${v}`)
          .join("\n")}\n`,
      );
    }
    case "hostname":
      return ok(`${t.podName}\n`);
    case "whoami":
      return ok("root\n");
    case "id":
      return ok("uid=0(root) gid=0(root) groups=0(root)\n");
    case "pwd":
      return ok("/\n");
    case "date":
      return ok(`${new Date().toUTCString().replace("GMT", "UTC")}\n`);
    case "uname":
      return ok(
        rest.includes("-a") ? `Linux ${t.podName} 6.1.0-nuage #1 SMP PREEMPT_DYNAMIC x86_64 GNU/Linux\n` : "Linux\n",
      );
    case "ls": {
      const path = rest.find((a) => !a.startsWith("-")) ?? "/";
      if (path === "/" || path === "") return ok(`${FS_ROOT}\n`);
      const inDir = Object.keys(fs).filter((f) => f.startsWith(`${path.replace(/\/$/, "")}/`));
      if (inDir.length)
        return ok(
          `${[...new Set(inDir.map((f) => f.slice(path.replace(/\/$/, "").length + 1).split("/")[0]))].join("  ")}\n`,
        );
      if (fs[path] !== undefined) return ok(`${path}\n`);
      return fail(`ls: cannot access '${path}': No such file or directory\n`, 2);
    }
    case "cat": {
      if (!rest.length) return ok(stdin);
      let out = "";
      for (const f of rest) {
        const c = fs[f];
        if (c === undefined) return { stdout: out, stderr: `cat: ${f}: No such file or directory\n`, exitCode: 1 };
        out += c;
      }
      return ok(out);
    }
    case "head":
    case "tail": {
      const n = Number(/^-(\d+)$/.exec(rest[0] ?? "")?.[1] ?? (rest[0] === "-n" ? rest[1] : undefined) ?? 10);
      const file = rest.find((a, i) => !a.startsWith("-") && rest[i - 1] !== "-n");
      const text = file ? fs[file] : stdin;
      if (text === undefined) return fail(`${cmd}: cannot open '${file}' for reading: No such file or directory\n`);
      const l = lines(text);
      const pick = cmd === "head" ? l.slice(0, n) : l.slice(-n);
      return ok(pick.length ? `${pick.join("\n")}\n` : "");
    }
    case "grep": {
      const pattern = rest.find((a) => !a.startsWith("-")) ?? "";
      const file = rest.filter((a) => !a.startsWith("-"))[1];
      const text = file ? fs[file] : stdin;
      if (text === undefined) return fail(`grep: ${file}: No such file or directory\n`, 2);
      const insensitive = rest.includes("-i");
      const hit = lines(text).filter((x) =>
        insensitive ? x.toLowerCase().includes(pattern.toLowerCase()) : x.includes(pattern),
      );
      return hit.length ? ok(`${hit.join("\n")}\n`) : fail("", 1);
    }
    case "wc":
      if (rest.includes("-l")) return ok(`${lines(stdin).length}\n`);
      return ok(`${lines(stdin).length} ${stdin.split(/\s+/).filter(Boolean).length} ${Buffer.byteLength(stdin)}\n`);
    case "nginx":
      if (parseImage(t.container.spec.image).name !== "nginx") break;
      return { stdout: "", stderr: `nginx version: nginx/${nginxVersion(t.container.spec.image)}\n`, exitCode: 0 };
    case "sleep":
      await new Promise((r) => setTimeout(r, Math.min(Number(rest[0] ?? 0) * 1000 || 0, 5000)));
      return ok("");
    case "wget":
    case "curl": {
      const url = [...rest].reverse().find((a) => !a.startsWith("-"));
      if (!url) return fail(`${cmd}: missing URL\n`, cmd === "curl" ? 2 : 1);
      const net = t.container.net;
      if (!net) return fail(`${cmd}: network is unreachable\n`, 1);
      const r = await net.fetch(url);
      if ("error" in r) return fail(`${cmd}: ${r.error}\n`, cmd === "curl" ? 6 : 1);
      if (cmd === "wget" && r.status >= 400) return fail(`wget: server returned error: HTTP/1.1 ${r.status}\n`, 8);
      return ok(r.body);
    }
    case "nslookup": {
      const net = t.container.net;
      const host = rest[0] ?? "";
      const r = net?.resolve(host);
      const head = "Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\n";
      if (!r) return { stdout: head, stderr: `** server can't find ${host}: NXDOMAIN\n`, exitCode: 1 };
      return ok(
        `${head}${"cname" in r ? `${host}\tcanonical name = ${r.cname}\n` : `Name:\t${host}\nAddress: ${r.ip}\n`}`,
      );
    }
    default:
      if (SHELLS.has(cmd) && rest[0] === "-c") return shell(t, rest.slice(1).join(" "), stdin);
      if (SHELLS.has(cmd) && rest.length === 0) return shell(t, stdin, "");
  }
  return viaShell
    ? fail(`sh: 1: ${cmd0}: not found\n`, 127)
    : fail(
        `OCI runtime exec failed: exec failed: unable to start container process: exec: "${cmd0}": executable file not found in $PATH: unknown\n`,
        126,
      );
}

/** A script (`sh -c`): statements joined by ;, &&, ||; the last status is the exit code. */
export async function shell(t: ExecTarget, script: string, stdin: string): Promise<ExecResult> {
  const res: ExecResult = { stdout: "", stderr: "", exitCode: 0 };
  for (const st of statements(script)) {
    if (st.op === "&&" && res.exitCode !== 0) continue;
    if (st.op === "||" && res.exitCode === 0) continue;
    // A pipeline: each command's stdout is the next one's stdin; the last one's status counts.
    let input = stdin;
    let r: ExecResult = { stdout: "", stderr: "", exitCode: 0 };
    const stages = pipeline(st.text);
    for (const stage of stages) {
      r = await command(t, words(stage), input, true);
      res.stderr += r.stderr;
      input = r.stdout;
    }
    res.stdout += r.stdout;
    res.exitCode = r.exitCode;
    if (stages.length === 1 && words(st.text)[0] === "exit") break;
  }
  return res;
}

/** `kubectl exec <pod> -- <argv…>` with the given stdin. */
export async function execInContainer(t: ExecTarget, argv: string[], stdin = ""): Promise<ExecResult> {
  if (!t.container.running) {
    return { stdout: "", stderr: `container ${t.container.spec.name} is not running\n`, exitCode: 126 };
  }
  return command(t, argv, stdin, false);
}
