// Decodes Kubernetes protobuf request bodies ("k8s\0" + runtime.Unknown envelope) into the JSON
// form, using the descriptor table extracted from kubectl (scripts/extract-protobuf.ts).
import { readFileSync } from "node:fs";
import { Reader } from "./wire.ts";

type Json = any;
type Field = [name: string, num: number, type: number, typeName: string, repeated: 0 | 1];
type Messages = Record<string, { f: Field[]; map?: 1 }>;

let table: Messages | undefined;
function messages(): Messages {
  table ??= JSON.parse(readFileSync(new URL("./descriptors.json", import.meta.url), "utf8")) as Messages;
  return table;
}

// Go's JSON omits zero values of non-pointer fields (omitempty); protobuf always carries them.
// These fields are pointers (or required) upstream, where 0/false is a real value to keep.
const KEEP_ZERO = new Set(
  "replicas runAsUser runAsGroup fsGroup terminationGracePeriodSeconds backoffLimit parallelism completions revisionHistoryLimit automountServiceAccountToken immutable allowPrivilegeEscalation readOnlyRootFilesystem runAsNonRoot privileged suspend optional readOnly exitCode containerPort port ready started mode defaultMode successfulJobsHistoryLimit failedJobsHistoryLimit ttlSecondsAfterFinished priority activeDeadlineSeconds gracePeriodSeconds expirationSeconds".split(
    " ",
  ),
);

// Embedded Go structs with `json:",inline"`: protobuf has a field for them, JSON flattens their
// fields into the parent (e.g. `kubectl create ingress` sends IngressRule.ingressRuleValue).
const INLINE = new Set([
  "k8s.io.api.networking.v1.IngressRule.ingressRuleValue",
  "k8s.io.api.networking.v1beta1.IngressRule.ingressRuleValue",
  "k8s.io.api.core.v1.Volume.volumeSource",
  "k8s.io.api.core.v1.PersistentVolumeSpec.persistentVolumeSource",
  "k8s.io.api.core.v1.Probe.handler",
  "k8s.io.api.core.v1.EphemeralContainer.ephemeralContainerCommon",
]);

const MAGIC = [0x6b, 0x38, 0x73, 0x00];
const META = "k8s.io.apimachinery.pkg.apis.meta.v1";
const dec = new TextDecoder();

function iso(seconds: number, nanos: number, micro: boolean): string {
  const d = new Date(seconds * 1000);
  const base = d.toISOString().slice(0, 19);
  if (!micro) return `${base}Z`;
  return `${base}.${String(Math.floor(nanos / 1000)).padStart(6, "0")}Z`;
}

function special(typeName: string, buf: Uint8Array): { value: unknown } | undefined {
  switch (typeName) {
    case `${META}.Time`:
    case `${META}.MicroTime`: {
      const o = decodeMessage(typeName, buf);
      const s = Number(o.seconds ?? 0);
      if (!s) return { value: undefined };
      return { value: iso(s, Number(o.nanos ?? 0), typeName.endsWith("MicroTime")) };
    }
    case "k8s.io.apimachinery.pkg.api.resource.Quantity":
      return { value: decodeMessage(typeName, buf).string ?? "0" };
    case "k8s.io.apimachinery.pkg.util.intstr.IntOrString": {
      const o = decodeMessage(typeName, buf);
      if (Number(o.type ?? 0) === 1) return { value: o.strVal ?? "" };
      return { value: o.intVal === undefined || (o.intVal === 0 && !o.type) ? undefined : o.intVal };
    }
    case "k8s.io.apimachinery.pkg.runtime.RawExtension":
    case `${META}.FieldsV1`: {
      const r = new Reader(buf);
      while (!r.done) {
        const [n, w] = r.tag();
        if (n === 1 && w === 2) {
          const raw = dec.decode(r.bytes());
          try {
            return { value: JSON.parse(raw) };
          } catch {
            return { value: raw };
          }
        }
        r.skip(w);
      }
      return { value: undefined };
    }
  }
  return undefined;
}

function scalar(type: number, wire: number, r: Reader): unknown {
  switch (type) {
    case 1:
      return Buffer.from(r.fixed(8)).readDoubleLE(0);
    case 2:
      return Buffer.from(r.fixed(4)).readFloatLE(0);
    case 3:
    case 4:
    case 5:
    case 13:
    case 14: {
      const v = r.varint();
      return Number(type === 5 ? BigInt.asIntN(32, v) : type === 3 ? BigInt.asIntN(64, v) : v);
    }
    case 17:
    case 18: {
      const v = r.varint();
      return Number((v >> 1n) ^ -(v & 1n));
    }
    case 6:
    case 16:
      return Number(Buffer.from(r.fixed(8)).readBigInt64LE(0));
    case 7:
    case 15:
      return Buffer.from(r.fixed(4)).readInt32LE(0);
    case 8:
      return r.varint() !== 0n;
    case 9:
      return dec.decode(r.bytes());
    case 12:
      return Buffer.from(r.bytes()).toString("base64");
    default:
      r.skip(wire);
      return undefined;
  }
}

export function decodeMessage(typeName: string, buf: Uint8Array): Json {
  const msg = messages()[typeName];
  if (!msg) throw new Error(`unknown protobuf message ${typeName}`);
  const out: Json = {};
  const r = new Reader(buf);
  while (!r.done) {
    const [num, wire] = r.tag();
    const f = msg.f.find((x) => x[1] === num);
    if (!f) {
      r.skip(wire);
      continue;
    }
    const [name, , type, sub, repeated] = f;
    let value: unknown;
    if (type === 11) {
      const bytes = r.bytes();
      const subMsg = messages()[sub];
      if (subMsg?.map) {
        const entry = decodeMessage(sub, bytes);
        out[name] ??= {};
        out[name][entry.key ?? ""] = entry.value ?? (subMsg.f.find((x) => x[0] === "value")?.[2] === 9 ? "" : {});
        continue;
      }
      const sp = special(sub, bytes);
      value = sp ? sp.value : decodeMessage(sub, bytes);
      if (!repeated && INLINE.has(`${typeName}.${name}`) && value && typeof value === "object") {
        Object.assign(out, value);
        continue;
      }
    } else if (wire === 2 && repeated && type !== 9 && type !== 12) {
      // packed repeated scalars
      const pr = new Reader(r.bytes());
      out[name] ??= [];
      while (!pr.done)
        out[name].push(
          scalar(
            type,
            type === 1 || type === 6 || type === 16 ? 1 : type === 2 || type === 7 || type === 15 ? 5 : 0,
            pr,
          ),
        );
      continue;
    } else value = scalar(type, wire, r);
    if (repeated) (out[name] ??= []).push(value);
    else if (value !== undefined && value !== "" && ((value !== 0 && value !== false) || KEEP_ZERO.has(name)))
      out[name] = value;
  }
  return out;
}

export function isProtobuf(buf: Uint8Array): boolean {
  return MAGIC.every((b, i) => buf[i] === b);
}

function packageOf(apiVersion: string, kind: string): string {
  if (
    ["DeleteOptions", "Status", "Patch", "CreateOptions", "UpdateOptions", "PatchOptions", "ListOptions"].includes(kind)
  )
    return META;
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["core", apiVersion];
  return `k8s.io.api.${group!.split(".")[0]}.${version}`;
}

/** Decodes a full request body into the JSON object an API client would have sent. */
export function decodeKubernetesProtobuf(body: Uint8Array): Json {
  const env = decodeMessage("k8s.io.apimachinery.pkg.runtime.Unknown", body.subarray(4));
  const apiVersion: string = env.typeMeta?.apiVersion ?? "";
  const kind: string = env.typeMeta?.kind ?? "";
  const raw = Buffer.from(env.raw ?? "", "base64");
  const obj = decodeMessage(`${packageOf(apiVersion, kind)}.${kind}`, raw);
  return { apiVersion, kind, ...obj };
}
