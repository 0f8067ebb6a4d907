// Extracts the Kubernetes API protobuf descriptors (message names, field numbers and types) that
// Go's generated code embeds, gzipped, in the kubectl binary, into src/protobuf/descriptors.json.
// kubectl 1.30+ sends protobuf request bodies for typed clients (`kubectl create deployment`...),
// and the API server decodes them with this table.
// Usage: tsx packages/controlplane/scripts/extract-protobuf.ts [/usr/bin/kubectl]
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { Reader } from "../src/protobuf/wire.ts";

const bin = readFileSync(process.argv[2] ?? "/usr/bin/kubectl");
const out = join(dirname(fileURLToPath(import.meta.url)), "../src/protobuf/descriptors.json");
const WANT =
  /^k8s\.io\/(apimachinery\/pkg\/(apis\/meta\/v1|runtime|api\/resource|util\/intstr)|api\/(core|apps|rbac|coordination|discovery|events|storage|certificates|policy|autoscaling|authentication|authorization|batch|networking)\/v1)\/generated\.proto$/;

type Field = [name: string, num: number, type: number, typeName: string, repeated: 0 | 1];
const messages: Record<string, { f: Field[]; map?: 1 }> = {};
const dec = new TextDecoder();

function parseMessage(buf: Uint8Array, scope: string): void {
  const r = new Reader(buf);
  let name = "";
  const fields: Field[] = [];
  const nested: Uint8Array[] = [];
  let map = false;
  while (!r.done) {
    const [n, w] = r.tag();
    if (n === 1 && w === 2) name = dec.decode(r.bytes());
    else if (n === 2 && w === 2) {
      const fr = new Reader(r.bytes());
      const f: Field = ["", 0, 0, "", 0];
      while (!fr.done) {
        const [fn, fw] = fr.tag();
        if (fn === 1) f[0] = dec.decode(fr.bytes());
        else if (fn === 3) f[1] = Number(fr.varint());
        else if (fn === 4) f[4] = Number(fr.varint()) === 3 ? 1 : 0;
        else if (fn === 5) f[2] = Number(fr.varint());
        else if (fn === 6) f[3] = dec.decode(fr.bytes()).replace(/^\./, "");
        else fr.skip(fw);
      }
      fields.push(f);
    } else if (n === 3 && w === 2) nested.push(r.bytes());
    else if (n === 7 && w === 2) {
      const or = new Reader(r.bytes());
      while (!or.done) {
        const [on, ow] = or.tag();
        if (on === 7) map = or.varint() === 1n;
        else or.skip(ow);
      }
    } else r.skip(w);
  }
  const full = `${scope}.${name}`;
  messages[full] = map ? { f: fields, map: 1 } : { f: fields };
  for (const nb of nested) parseMessage(nb, full);
}

let files = 0;
for (
  let i = bin.indexOf(Buffer.from([0x1f, 0x8b, 8, 0]));
  i >= 0;
  i = bin.indexOf(Buffer.from([0x1f, 0x8b, 8, 0]), i + 1)
) {
  let d: Buffer;
  try {
    d = gunzipSync(bin.subarray(i, i + 400_000), { finishFlush: 2 });
  } catch {
    continue;
  }
  const r = new Reader(d);
  let fname = "";
  let pkg = "";
  const msgs: Uint8Array[] = [];
  try {
    while (!r.done) {
      const [n, w] = r.tag();
      if (n === 1 && w === 2) fname = dec.decode(r.bytes());
      else if (n === 2 && w === 2) pkg = dec.decode(r.bytes());
      else if (n === 4 && w === 2) msgs.push(r.bytes());
      else r.skip(w);
    }
  } catch {
    continue;
  }
  if (!WANT.test(fname)) continue;
  files++;
  for (const m of msgs) parseMessage(m, pkg);
}
writeFileSync(out, JSON.stringify(messages));
console.log(`wrote ${out}: ${files} files, ${Object.keys(messages).length} messages`);
