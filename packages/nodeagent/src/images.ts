// Image profiles of the simulated container runtime: how much an image uses, what it prints,
// and whether it runs forever or runs its command and exits. See docs/localcloud.md.

export interface ImageProfile {
  /** Typical usage, in millicores and MiB; the runtime adds +-10 % noise. */
  cpuMillicores: number;
  memoryMiB: number;
  startupLogs: string[];
  /** "serve": runs until stopped; "command": runs command/args (or the default) and exits. */
  mode: "serve" | "command";
  /** For "command" images without command/args: what the image's own entrypoint does. */
  defaultScript?: string;
}

const PROFILES: Record<string, ImageProfile> = {
  nginx: {
    cpuMillicores: 1,
    memoryMiB: 8,
    mode: "serve",
    startupLogs: [
      "/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration",
      "/docker-entrypoint.sh: Looking for shell scripts in /docker-entrypoint.d/",
      "/docker-entrypoint.sh: Launching /docker-entrypoint.d/10-listen-on-ipv6-by-default.sh",
      "/docker-entrypoint.sh: Configuration complete; ready for start up",
      "nginx/1.27.3",
      "start worker processes",
    ],
  },
  httpd: {
    cpuMillicores: 1,
    memoryMiB: 12,
    mode: "serve",
    startupLogs: [
      "AH00558: httpd: Could not reliably determine the server's fully qualified domain name",
      "Apache/2.4.62 (Unix) configured -- resuming normal operations",
      "Command line: 'httpd -D FOREGROUND'",
    ],
  },
  redis: {
    cpuMillicores: 2,
    memoryMiB: 6,
    mode: "serve",
    startupLogs: [
      "1:C * oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo",
      "1:M * Server initialized",
      "1:M * Ready to accept connections tcp",
    ],
  },
  mysql: {
    cpuMillicores: 8,
    memoryMiB: 400,
    mode: "serve",
    startupLogs: [
      "[Note] [Entrypoint]: Entrypoint script for MySQL Server 8.4.3-1.el9 started.",
      "[System] [MY-010116] [Server] /usr/sbin/mysqld (mysqld 8.4.3) starting as process 1",
      "[System] [MY-010931] [Server] /usr/sbin/mysqld: ready for connections. Port: 3306",
    ],
  },
  postgres: {
    cpuMillicores: 4,
    memoryMiB: 40,
    mode: "serve",
    startupLogs: [
      "PostgreSQL init process complete; ready for start up.",
      "LOG:  starting PostgreSQL 17.2 on x86_64-pc-linux-gnu",
      "LOG:  database system is ready to accept connections",
    ],
  },
  busybox: { cpuMillicores: 0, memoryMiB: 1, mode: "command", startupLogs: [], defaultScript: "" },
  alpine: { cpuMillicores: 0, memoryMiB: 1, mode: "command", startupLogs: [], defaultScript: "" },
  ubuntu: { cpuMillicores: 0, memoryMiB: 2, mode: "command", startupLogs: [], defaultScript: "" },
  bash: { cpuMillicores: 0, memoryMiB: 2, mode: "command", startupLogs: [], defaultScript: "" },
  python: { cpuMillicores: 0, memoryMiB: 10, mode: "command", startupLogs: [], defaultScript: "" },
  node: { cpuMillicores: 0, memoryMiB: 12, mode: "command", startupLogs: [], defaultScript: "" },
  // The upstream Job example (`perl -Mbignum=bpi -wle 'print bpi(2000)'`) runs a while, then exits 0.
  perl: { cpuMillicores: 900, memoryMiB: 30, mode: "command", startupLogs: [], defaultScript: "sleep 3" },
};

const DEFAULT_PROFILE: ImageProfile = {
  cpuMillicores: 2,
  memoryMiB: 20,
  mode: "serve",
  startupLogs: ["started"],
};

export interface ImageRef {
  registry: string;
  repository: string;
  name: string;
  tag: string;
}

export function parseImage(image: string): ImageRef {
  let rest = image;
  let registry = "docker.io";
  const slash = rest.indexOf("/");
  if (slash > 0) {
    const first = rest.slice(0, slash);
    if (first.includes(".") || first.includes(":") || first === "localhost") {
      registry = first;
      rest = rest.slice(slash + 1);
    }
  }
  let tag = "latest";
  const at = rest.indexOf("@");
  if (at >= 0) {
    tag = rest.slice(at + 1);
    rest = rest.slice(0, at);
  } else {
    const colon = rest.lastIndexOf(":");
    if (colon > rest.lastIndexOf("/")) {
      tag = rest.slice(colon + 1);
      rest = rest.slice(0, colon);
    }
  }
  const name = rest.split("/").pop() ?? rest;
  return { registry, repository: rest, name, tag };
}

/**
 * The rule for images that cannot be pulled: a registry host ending in `.invalid` or
 * `invalid.example`, a tag `doesnotexist`, or a repository name containing `doesnotexist`.
 */
export function pullError(image: string): string | undefined {
  const ref = parseImage(image);
  if (!image.trim()) return "image is empty";
  if (ref.registry === "invalid.example" || ref.registry.endsWith(".invalid")) {
    return `failed to pull and unpack image "${image}": failed to resolve reference "${image}": failed to do request: dial tcp: lookup ${ref.registry}: no such host`;
  }
  if (ref.tag === "doesnotexist" || ref.repository.includes("doesnotexist")) {
    return `failed to pull and unpack image "${image}": failed to resolve reference "${image}": ${ref.registry}/${ref.repository}:${ref.tag}: not found`;
  }
  return undefined;
}

export function profileFor(image: string): ImageProfile {
  return PROFILES[parseImage(image).name] ?? DEFAULT_PROFILE;
}

export function imageId(image: string): string {
  const ref = parseImage(image);
  let h = 0x811c9dc5;
  for (const ch of `${ref.registry}/${ref.repository}:${ref.tag}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193);
  const hex = (h >>> 0).toString(16).padStart(8, "0").repeat(8);
  return `${ref.registry}/${ref.repository}@sha256:${hex}`;
}

/**
 * What a "command" image prints for well-known commands beyond the tiny shell: perl's
 * `print bpi(N)` (the upstream Job example) prints pi to N significant digits.
 */
export function commandOutput(image: string, argv: string[]): string[] {
  if (parseImage(image).name !== "perl") return [];
  const m = /bpi\((\d+)\)/.exec(argv.join(" "));
  if (!m) return [];
  return [piDigits(Math.max(2, Math.min(Number(m[1]), 10_000)))];
}

/** Pi to n significant digits (Machin's formula on BigInt, truncated). */
export function piDigits(n: number): string {
  const scale = 10n ** BigInt(n + 10);
  const arctanInv = (x: bigint) => {
    let sum = 0n;
    let term = scale / x;
    const x2 = x * x;
    for (let k = 1n, sign = 1n; term !== 0n; k += 2n, sign = -sign) {
      sum += (sign * term) / k;
      term /= x2;
    }
    return sum;
  };
  const pi = (4n * (4n * arctanInv(5n) - arctanInv(239n))).toString();
  return `${pi[0]}.${pi.slice(1, n)}`;
}
