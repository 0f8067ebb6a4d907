// Encodes the OpenAPI v2 document as gnostic's openapi.v2.Document protobuf, the only form
// kubectl before 1.30 accepts from /openapi/v2 (field numbers: src/protobuf/openapiv2-descriptors.json,
// extracted from kubectl by scripts/extract-openapiv2-proto.ts).
type Json = any;

class W {
  private parts: Buffer[] = [];
  private varint(n: number | bigint): void {
    let v = BigInt(n);
    if (v < 0n) v = BigInt.asUintN(64, v);
    const out: number[] = [];
    while (v > 0x7fn) {
      out.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    out.push(Number(v));
    this.parts.push(Buffer.from(out));
  }
  private tag(num: number, wire: number): void {
    this.varint((num << 3) | wire);
  }
  str(num: number, s: unknown): this {
    if (s === undefined || s === null || s === "") return this;
    const b = Buffer.from(String(s));
    this.tag(num, 2);
    this.varint(b.length);
    this.parts.push(b);
    return this;
  }
  strs(num: number, list: unknown): this {
    if (Array.isArray(list)) for (const s of list) this.str(num, s);
    return this;
  }
  bool(num: number, b: unknown): this {
    if (b === true) {
      this.tag(num, 0);
      this.varint(1);
    }
    return this;
  }
  int(num: number, n: unknown): this {
    if (typeof n === "number" && n !== 0) {
      this.tag(num, 0);
      this.varint(Math.trunc(n));
    }
    return this;
  }
  dbl(num: number, n: unknown): this {
    if (typeof n === "number" && n !== 0) {
      this.tag(num, 1);
      const b = Buffer.alloc(8);
      b.writeDoubleLE(n);
      this.parts.push(b);
    }
    return this;
  }
  msg(num: number, b: Buffer | undefined): this {
    if (!b) return this;
    this.tag(num, 2);
    this.varint(b.length);
    this.parts.push(b);
    return this;
  }
  done(): Buffer {
    return Buffer.concat(this.parts);
  }
}

const any = (v: unknown) => new W().str(2, JSON.stringify(v)).done();
const namedAny = (name: string, v: unknown) => new W().str(1, name).msg(2, any(v)).done();

function ext(w: W, num: number, o: Json): void {
  for (const [k, v] of Object.entries(o ?? {})) if (k.startsWith("x-")) w.msg(num, namedAny(k, v));
}

function schema(s: Json): Buffer {
  const w = new W().str(1, s.$ref).str(2, s.format).str(3, s.title).str(4, s.description);
  if (s.default !== undefined) w.msg(5, any(s.default));
  w.dbl(6, s.multipleOf).dbl(7, s.maximum).bool(8, s.exclusiveMaximum).dbl(9, s.minimum).bool(10, s.exclusiveMinimum);
  w.int(11, s.maxLength)
    .int(12, s.minLength)
    .str(13, s.pattern)
    .int(14, s.maxItems)
    .int(15, s.minItems)
    .bool(16, s.uniqueItems);
  w.int(17, s.maxProperties).int(18, s.minProperties).strs(19, s.required);
  for (const e of s.enum ?? []) w.msg(20, any(e));
  if (s.additionalProperties !== undefined) {
    const ap =
      typeof s.additionalProperties === "boolean"
        ? new W().bool(2, s.additionalProperties).done()
        : new W().msg(1, schema(s.additionalProperties)).done();
    w.msg(21, ap);
  }
  if (s.type) w.msg(22, new W().strs(1, Array.isArray(s.type) ? s.type : [s.type]).done());
  if (s.items) w.msg(23, new W().msg(1, schema(s.items)).done());
  for (const a of s.allOf ?? []) w.msg(24, schema(a));
  if (s.properties) {
    const p = new W();
    for (const [k, v] of Object.entries(s.properties)) p.msg(1, new W().str(1, k).msg(2, schema(v)).done());
    w.msg(25, p.done());
  }
  w.str(26, s.discriminator).bool(27, s.readOnly);
  ext(w, 31, s);
  return w.done();
}

function nonBody(p: Json): Buffer {
  const sub: Record<string, [number, boolean]> = {
    header: [1, false],
    formData: [2, true],
    query: [3, true],
    path: [4, false],
  };
  const [slot, hasAllowEmpty] = sub[p.in] ?? [3, true];
  const w = new W().bool(1, p.required).str(2, p.in).str(3, p.description).str(4, p.name);
  // Query/formData carry allow_empty_value at 5 and shift the rest by one.
  const o = hasAllowEmpty ? 1 : 0;
  if (hasAllowEmpty) w.bool(5, p.allowEmptyValue);
  w.str(5 + o, p.type).str(6 + o, p.format);
  w.str(8 + o, p.collectionFormat);
  w.bool(19 + o, p.uniqueItems);
  ext(w, 22 + o, p);
  return new W().msg(slot, w.done()).done();
}

function parameter(p: Json): Buffer {
  if (p.$ref) return new W().msg(2, new W().str(1, p.$ref).done()).done();
  if (p.in === "body") {
    const b = new W().str(1, p.description).str(2, p.name).str(3, p.in).bool(4, p.required);
    if (p.schema) b.msg(5, schema(p.schema));
    ext(b, 6, p);
    return new W().msg(1, new W().msg(1, b.done()).done()).done();
  }
  return new W().msg(1, new W().msg(2, nonBody(p)).done()).done();
}

function parameterDef(p: Json): Buffer {
  // ParameterDefinitions hold Parameter (not ParametersItem).
  if (p.in === "body") {
    const b = new W().str(1, p.description).str(2, p.name).str(3, p.in).bool(4, p.required);
    if (p.schema) b.msg(5, schema(p.schema));
    return new W().msg(1, b.done()).done();
  }
  return new W().msg(2, nonBody(p)).done();
}

function operation(op: Json): Buffer {
  const w = new W().strs(1, op.tags).str(2, op.summary).str(3, op.description).str(5, op.operationId);
  w.strs(6, op.produces).strs(7, op.consumes);
  for (const p of op.parameters ?? []) w.msg(8, parameter(p));
  const rs = new W();
  for (const [code, r] of Object.entries(op.responses ?? {}) as [string, Json][]) {
    const resp = new W().str(1, r.description);
    if (r.schema) resp.msg(2, new W().msg(1, schema(r.schema)).done());
    rs.msg(1, new W().str(1, code).msg(2, new W().msg(1, resp.done()).done()).done());
  }
  w.msg(9, rs.done());
  w.strs(10, op.schemes).bool(11, op.deprecated);
  ext(w, 13, op);
  return w.done();
}

const VERBS: Record<string, number> = { get: 2, put: 3, post: 4, delete: 5, options: 6, head: 7, patch: 8 };

function pathItem(item: Json): Buffer {
  const w = new W().str(1, item.$ref);
  for (const [verb, num] of Object.entries(VERBS)) if (item[verb]) w.msg(num, operation(item[verb]));
  for (const p of item.parameters ?? []) w.msg(9, parameter(p));
  ext(w, 10, item);
  return w.done();
}

export function encodeOpenApiV2(doc: Json): Buffer {
  const w = new W().str(1, doc.swagger ?? "2.0");
  w.msg(2, new W().str(1, doc.info?.title).str(2, doc.info?.version).done());
  const paths = new W();
  for (const [p, item] of Object.entries(doc.paths ?? {}))
    paths.msg(2, new W().str(1, p).msg(2, pathItem(item)).done());
  w.msg(8, paths.done());
  const defs = new W();
  for (const [name, s] of Object.entries(doc.definitions ?? {}))
    defs.msg(1, new W().str(1, name).msg(2, schema(s)).done());
  w.msg(9, defs.done());
  const params = new W();
  for (const [name, p] of Object.entries(doc.parameters ?? {}))
    params.msg(1, new W().str(1, name).msg(2, parameterDef(p)).done());
  w.msg(10, params.done());
  const sec = new W();
  for (const [name, s] of Object.entries(doc.securityDefinitions ?? {}) as [string, Json][]) {
    const item = new W().msg(2, new W().str(1, s.type).str(2, s.name).str(3, s.in).str(4, s.description).done());
    sec.msg(1, new W().str(1, name).msg(2, item.done()).done());
  }
  w.msg(13, sec.done());
  for (const req of doc.security ?? []) {
    const r = new W();
    for (const [k, v] of Object.entries(req)) r.msg(1, new W().str(1, k).msg(2, new W().strs(1, v).done()).done());
    w.msg(12, r.done());
  }
  return w.done();
}
