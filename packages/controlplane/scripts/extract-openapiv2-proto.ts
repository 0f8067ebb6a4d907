// Extracts gnostic's OpenAPI v2 protobuf descriptor (openapi.v2.Document and friends), which
// protoc-gen-go embeds raw in kubectl, into src/protobuf/openapiv2-descriptors.json. kubectl
// before 1.30 only reads /openapi/v2 as protobuf (for apply validation and explain).
// Usage: tsx packages/controlplane/scripts/extract-openapiv2-proto.ts [/usr/lib/google-cloud-sdk/bin/kubectl.1.27]
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Reader } from "../src/protobuf/wire.ts";

const bin = readFileSync(process.argv[2] ?? "/usr/lib/google-cloud-sdk/bin/kubectl.1.27");
const out = join(dirname(fileURLToPath(import.meta.url)), "../src/protobuf/openapiv2-descriptors.json");
const marker = Buffer.from("\n\x19openapiv2/OpenAPIv2.proto");
const start = bin.indexOf(marker);
if (start < 0) throw new Error("descriptor not found");
const dec = new TextDecoder();
type Field = [name: string, num: number, type: number, typeName: string, repeated: 0 | 1];
const messages: Record<string, { f: Field[]; map?: 1 }> = {};

function parseMessage(buf: Uint8Array, scope: string): void {
  const r = new Reader(buf);
  let name = "";
  const fields: Field[] = [];
  const nested: Uint8Array[] = [];
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
    else r.skip(w);
  }
  messages[`${scope}.${name}`] = { f: fields };
  for (const nb of nested) parseMessage(nb, `${scope}.${name}`);
}

const r = new Reader(bin.subarray(start));
for (;;) {
  const [n, w] = r.tag();
  if (n === 4 && w === 2) parseMessage(r.bytes(), "openapi.v2");
  else if (n === 12) {
    r.skip(w);
    break;
  } else if ([1, 2, 3, 5, 8].includes(n)) r.skip(w);
  else break;
}
writeFileSync(out, JSON.stringify(messages));
console.log(`wrote ${out}: ${Object.keys(messages).length} messages`);
