// Pre-bundles the control-plane entry (src/main.ts and the workspace sources it imports) into one
// ESM file that plain `node` runs: no tsx loader in each control-plane process (≈70 MiB and
// seconds of start-up saved per process). npm dependencies are bundled too (one file to parse,
// and the import order the sources rely on is kept: reflect polyfill before @peculiar/x509),
// except etcd3/gRPC (resolved from the repo's node_modules); JSON read at run time through
// `new URL("./x.json", import.meta.url)` keeps pointing at the source tree.
//
// The bundle is `<repo>/.data/build/controlplane-<hash>.mjs`, <hash> covering every source file it
// is made from, so an edited source gives a new bundle on the next spawn and a stale one is never
// run. Concurrent builders (several localclouds, parallel tests) take a lock file; the output is
// written to a temporary name and renamed, so a reader never sees half a file.
//
// CLI: tsx packages/controlplane/scripts/bundle.ts  (prints the bundle path)
import { createHash } from "node:crypto";
import { closeSync, existsSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import { mkdir, readdir, rm, stat } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const ENTRY = join(REPO_ROOT, "packages/controlplane/src/main.ts");
/** Workspace packages the control plane imports (their sources are bundled). */
const SOURCE_DIRS = ["packages/controlplane/src", "packages/crypto/src"].map((d) => join(REPO_ROOT, d));
const LOCK_STALE_MS = 120_000;

function walk(dir: string, out: string[]): void {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (/\.(ts|json|mjs|js)$/.test(e.name) && !/\.test\.ts$/.test(e.name)) out.push(p);
  }
}

let lastHash: { stamp: string; hash: string } | undefined;

/**
 * Hash of every source file of the bundle (contents, not mtimes: a checkout keeps the same hash).
 * Reading them all blocks ≈ 100 ms, so the last hash is reused while every file's size and mtime
 * are unchanged (a stat of each: a few ms).
 */
export function sourceHash(): string {
  const files: string[] = [];
  for (const d of SOURCE_DIRS) walk(d, files);
  files.sort();
  // The lock file: bundled npm packages change with it.
  const extra = ["packages/controlplane/scripts/bundle.ts", "package-lock.json"].map((f) => join(REPO_ROOT, f));
  const all = [...files, ...extra];
  const stamp = all
    .map((f) => {
      const st = statSync(f);
      return `${f}\0${st.size}\0${st.mtimeMs}`;
    })
    .join("\n");
  if (lastHash?.stamp === stamp) return lastHash.hash;
  const h = createHash("sha256");
  h.update(`node ${process.version}\0`);
  for (const f of all) {
    h.update(relative(REPO_ROOT, f));
    h.update("\0");
    h.update(readFileSync(f));
    h.update("\0");
  }
  const hash = h.digest("hex").slice(0, 16);
  lastHash = { stamp, hash };
  return hash;
}

export function bundleDir(): string {
  return join(REPO_ROOT, ".data", "build");
}

async function build(outFile: string): Promise<void> {
  const esbuild = await import("esbuild");
  const tmp = `${outFile}.${process.pid}.tmp`;
  await esbuild.build({
    entryPoints: [ENTRY],
    outfile: tmp,
    bundle: true,
    platform: "node",
    format: "esm",
    target: `node${process.versions.node.split(".")[0]}`,
    sourcemap: false,
    legalComments: "none",
    logLevel: "silent",
    // CommonJS dependencies bundled into ESM need a `require` for Node's built-in modules.
    banner: {
      js: 'import { createRequire as __nuageRequire } from "node:module"; const require = __nuageRequire(import.meta.url);',
    },
    plugins: [
      {
        name: "nuage-externals",
        setup(b) {
          // etcd3 (gRPC) reads its .proto files next to its own code: it stays in node_modules.
          b.onResolve({ filter: /^(etcd3|@grpc\/)/ }, (args) => ({ path: args.path, external: true }));
          // `new URL("./file", import.meta.url)` resolved against the source file, not the bundle.
          b.onLoad({ filter: /\.ts$/ }, async (args) => {
            let text = readFileSync(args.path, "utf8");
            if (text.includes("import.meta.url")) {
              text = text.replace(
                /new URL\(\s*(["'])(\.{1,2}\/[^"']+)\1\s*,\s*import\.meta\.url\s*\)/g,
                (_m, _q, rel) => {
                  const abs = pathToFileURL(resolve(dirname(args.path), rel)).href;
                  return `new URL(${JSON.stringify(abs)})`;
                },
              );
            }
            return { contents: text, loader: "ts" };
          });
        },
      },
    ],
  });
  renameSync(tmp, outFile);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Path of an up-to-date bundle, building it first when the sources changed. Safe to call from
 * many processes at once: one builds, the others wait for its file.
 */
export async function ensureControlPlaneBundle(): Promise<string> {
  const dir = bundleDir();
  const out = join(dir, `controlplane-${sourceHash()}.mjs`);
  if (existsSync(out)) return out;
  await mkdir(dir, { recursive: true });
  const lock = `${out}.lock`;
  for (;;) {
    if (existsSync(out)) return out;
    let fd: number | undefined;
    try {
      fd = openSync(lock, "wx");
    } catch {
      // Someone else builds: wait for the file, or take over a lock left by a dead builder.
      try {
        if (Date.now() - statSync(lock).mtimeMs > LOCK_STALE_MS) rmSync(lock, { force: true });
      } catch {
        // The lock went away meanwhile.
      }
      await sleep(100);
      continue;
    }
    try {
      closeSync(fd);
      if (!existsSync(out)) await build(out);
      await pruneOld(dir, out);
      return out;
    } finally {
      rmSync(lock, { force: true });
    }
  }
}

/** Keeps the last few bundles (a running localcloud may still spawn an older one until restarted). */
async function pruneOld(dir: string, keep: string): Promise<void> {
  const names = (await readdir(dir)).filter((n) => /^controlplane-[0-9a-f]+\.mjs$/.test(n));
  const withTimes = await Promise.all(
    names.map(async (n) => ({ n, t: (await stat(join(dir, n)).catch(() => ({ mtimeMs: 0 }))).mtimeMs })),
  );
  const old = withTimes
    .filter((x) => join(dir, x.n) !== keep)
    .sort((a, b) => b.t - a.t)
    .slice(4);
  for (const x of old) {
    if (Date.now() - x.t > 3_600_000) await rm(join(dir, x.n), { force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const t0 = Date.now();
  const p = await ensureControlPlaneBundle();
  console.log(`${p} (${Date.now() - t0} ms)`);
}
