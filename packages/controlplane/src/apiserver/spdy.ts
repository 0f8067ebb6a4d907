// A minimal SPDY/3.1 server session, enough for the streams kubectl opens (port-forward):
// SYN_STREAM in, SYN_REPLY/DATA/RST_STREAM out, PING echoed, SETTINGS/WINDOW_UPDATE ignored
// (Go's spdystream does not enforce flow control). Header blocks in are zlib with the SPDY/3
// dictionary, one compression context per connection; header blocks out are written as stored
// (uncompressed) deflate blocks of the same kind of stream, which every zlib reader accepts.
import { EventEmitter } from "node:events";
import type { Duplex } from "node:stream";
import { constants, inflateSync } from "node:zlib";

const WORDS = [
  "options",
  "head",
  "post",
  "put",
  "delete",
  "trace",
  "accept",
  "accept-charset",
  "accept-encoding",
  "accept-language",
  "accept-ranges",
  "age",
  "allow",
  "authorization",
  "cache-control",
  "connection",
  "content-base",
  "content-encoding",
  "content-language",
  "content-length",
  "content-location",
  "content-md5",
  "content-range",
  "content-type",
  "date",
  "etag",
  "expect",
  "expires",
  "from",
  "host",
  "if-match",
  "if-modified-since",
  "if-none-match",
  "if-range",
  "if-unmodified-since",
  "last-modified",
  "location",
  "max-forwards",
  "pragma",
  "proxy-authenticate",
  "proxy-authorization",
  "range",
  "referer",
  "retry-after",
  "server",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "user-agent",
  "vary",
  "via",
  "warning",
  "www-authenticate",
  "method",
  "get",
  "status",
  "200 OK",
  "version",
  "HTTP/1.1",
  "url",
  "public",
  "set-cookie",
  "keep-alive",
  "origin",
];
const TAIL =
  "100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505" +
  "203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request401 Unauthorized" +
  "403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented503 Service Unavailable" +
  "Jan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMT" +
  "chunked,text/html,image/png,image/jpg,image/gif,application/xml,application/xhtml+xml,text/plain," +
  "text/javascript,publicprivatemax-age=gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.";

/** The SPDY/3 header compression dictionary (draft-mbelshe-httpbis-spdy-00 §2.6.10.1), 1423 bytes. */
export const SPDY3_DICTIONARY: Buffer = Buffer.concat([
  ...WORDS.flatMap((w) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(w.length);
    return [len, Buffer.from(w, "latin1")];
  }),
  Buffer.from(TAIL, "latin1"),
]);

const SYN_STREAM = 1;
const SYN_REPLY = 2;
const RST_STREAM = 3;
const PING = 6;
const GOAWAY = 7;
const FLAG_FIN = 1;
const MAX_FRAME = 16 * 1024 * 1024;
const MAX_HEADER_HISTORY = 1 << 20;
const CHUNK = 32 * 1024;
/** NUAGE_SPDY_DEBUG=1 logs frame headers (never payloads past 16 bytes) to stderr. */
const DEBUG = process.env.NUAGE_SPDY_DEBUG === "1";

export class SpdyStream extends EventEmitter {
  /** The client finished sending (FIN). */
  remoteClosed = false;
  localClosed = false;
  reset = false;

  constructor(
    private readonly session: SpdySession,
    readonly id: number,
    readonly headers: Record<string, string>,
  ) {
    super();
  }

  write(data: Buffer): void {
    if (this.localClosed || this.reset) return;
    for (let i = 0; i < data.length; i += CHUNK) this.session.dataFrame(this.id, data.subarray(i, i + CHUNK), false);
  }

  /** Half-closes our side (DATA with FIN). */
  end(): void {
    if (this.localClosed || this.reset) return;
    this.localClosed = true;
    this.session.dataFrame(this.id, Buffer.alloc(0), true);
    this.maybeDone();
  }

  /** Sends RST_STREAM (CANCEL). */
  cancel(): void {
    if (this.reset) return;
    this.reset = true;
    this.session.rstFrame(this.id, 5);
    this.emit("reset");
    this.session.forget(this.id);
  }

  maybeDone(): void {
    if (this.localClosed && this.remoteClosed) this.session.forget(this.id);
  }
}

/**
 * A SPDY/3.1 server session over a byte stream. Emits "stream" (SpdyStream) for each SYN_STREAM
 * after replying to it, and "close". Streams emit "data" (Buffer), "end" (peer FIN) and "reset".
 */
export class SpdySession extends EventEmitter {
  private buf: Buffer = Buffer.alloc(0);
  private streams = new Map<number, SpdyStream>();
  private headerHistory: Buffer = Buffer.alloc(0);
  private inflated = 0;
  private sentHeaders = false;
  private closed = false;
  private lastStreamId = 0;

  constructor(private readonly socket: Duplex) {
    super();
    socket.on("data", (d: Buffer) => this.onData(d));
    socket.on("close", () => this.shutdown());
    socket.on("end", () => this.shutdown());
    socket.on("error", () => this.shutdown());
  }

  private onData(d: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
    try {
      while (this.buf.length >= 8) {
        const len = this.buf.readUIntBE(5, 3);
        if (len > MAX_FRAME) throw new Error("SPDY frame too large");
        if (this.buf.length < 8 + len) break;
        const frame = this.buf.subarray(0, 8 + len);
        this.buf = this.buf.subarray(8 + len);
        this.onFrame(frame);
      }
    } catch (err) {
      this.emit("protocolError", err);
      this.close();
    }
  }

  private onFrame(f: Buffer): void {
    if (DEBUG) console.error(`spdy in ${f.subarray(0, 24).toString("hex")} (${f.length})`);
    const flags = f[4] ?? 0;
    const body = f.subarray(8);
    if (((f[0] ?? 0) & 0x80) === 0) {
      const id = f.readUInt32BE(0) & 0x7fffffff;
      const s = this.streams.get(id);
      if (!s) return;
      if (body.length) s.emit("data", Buffer.from(body));
      if (flags & FLAG_FIN) {
        s.remoteClosed = true;
        s.emit("end");
        s.maybeDone();
      }
      return;
    }
    const type = f.readUInt16BE(2);
    if (type === SYN_STREAM) {
      const id = body.readUInt32BE(0) & 0x7fffffff;
      const headers = this.inflateHeaders(body.subarray(10));
      this.lastStreamId = Math.max(this.lastStreamId, id);
      const s = new SpdyStream(this, id, headers);
      this.streams.set(id, s);
      this.synReply(id);
      this.emit("stream", s);
      if (flags & FLAG_FIN) {
        s.remoteClosed = true;
        s.emit("end");
        s.maybeDone();
      }
    } else if (type === RST_STREAM) {
      const id = body.readUInt32BE(0) & 0x7fffffff;
      const s = this.streams.get(id);
      if (s) {
        s.reset = true;
        this.streams.delete(id);
        s.emit("reset");
      }
    } else if (type === PING) {
      this.write(Buffer.from(f));
    } else if (type === GOAWAY) {
      this.close();
    }
    // SETTINGS, WINDOW_UPDATE, HEADERS: nothing to do.
  }

  /** Header blocks share one zlib stream per direction: inflate the whole history, keep the new part. */
  private inflateHeaders(block: Buffer): Record<string, string> {
    this.headerHistory = Buffer.concat([this.headerHistory, block]);
    if (this.headerHistory.length > MAX_HEADER_HISTORY) throw new Error("SPDY header history too large");
    const all = inflateSync(this.headerHistory, {
      dictionary: SPDY3_DICTIONARY,
      finishFlush: constants.Z_SYNC_FLUSH,
    });
    const out = all.subarray(this.inflated);
    this.inflated = all.length;
    const headers: Record<string, string> = {};
    let o = 0;
    const n = out.readUInt32BE(o);
    o += 4;
    for (let i = 0; i < n; i++) {
      const kl = out.readUInt32BE(o);
      o += 4;
      const k = out.subarray(o, o + kl).toString("utf8");
      o += kl;
      const vl = out.readUInt32BE(o);
      o += 4;
      headers[k.toLowerCase()] =
        out
          .subarray(o, o + vl)
          .toString("utf8")
          .split("\0")[0] ?? "";
      o += vl;
    }
    return headers;
  }

  /** An empty header block as a stored deflate block (after the zlib header, the first time). */
  private headerBlock(): Buffer {
    const pairs = Buffer.alloc(4); // zero name/value pairs
    const stored = Buffer.alloc(5);
    stored[0] = 0; // BFINAL 0, BTYPE 00 (stored)
    stored.writeUInt16LE(pairs.length, 1);
    stored.writeUInt16LE(~pairs.length & 0xffff, 3);
    // Then an empty stored block, as zlib's Z_SYNC_FLUSH ends with: Go's inflater hands out the
    // bytes of a block only once the next block starts.
    const parts = [stored, pairs, Buffer.from([0x00, 0x00, 0x00, 0xff, 0xff])];
    if (!this.sentHeaders) {
      this.sentHeaders = true;
      parts.unshift(Buffer.from([0x78, 0x01]));
    }
    return Buffer.concat(parts);
  }

  private control(type: number, flags: number, body: Buffer): void {
    const h = Buffer.alloc(8);
    h.writeUInt16BE(0x8003, 0);
    h.writeUInt16BE(type, 2);
    h.writeUInt32BE(body.length, 4);
    h[4] = flags;
    this.write(Buffer.concat([h, body]));
  }

  private synReply(id: number): void {
    const sid = Buffer.alloc(4);
    sid.writeUInt32BE(id & 0x7fffffff);
    this.control(SYN_REPLY, 0, Buffer.concat([sid, this.headerBlock()]));
  }

  dataFrame(id: number, data: Buffer, fin: boolean): void {
    const h = Buffer.alloc(8);
    h.writeUInt32BE(id & 0x7fffffff, 0);
    h.writeUInt32BE(data.length, 4);
    h[4] = fin ? FLAG_FIN : 0;
    this.write(data.length ? Buffer.concat([h, data]) : h);
  }

  rstFrame(id: number, status: number): void {
    const b = Buffer.alloc(8);
    b.writeUInt32BE(id & 0x7fffffff, 0);
    b.writeUInt32BE(status, 4);
    this.control(RST_STREAM, 0, b);
  }

  forget(id: number): void {
    this.streams.delete(id);
  }

  private write(b: Buffer): void {
    if (DEBUG) console.error(`spdy out ${b.subarray(0, 24).toString("hex")} (${b.length})`);
    if (!this.closed && !this.socket.destroyed) this.socket.write(b);
  }

  /** Sends GOAWAY and closes the connection. */
  close(): void {
    if (this.closed) return;
    const b = Buffer.alloc(8);
    b.writeUInt32BE(this.lastStreamId, 0);
    this.control(GOAWAY, 0, b);
    this.socket.end();
    this.shutdown();
  }

  private shutdown(): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.streams.values()) {
      s.reset = true;
      s.emit("reset");
    }
    this.streams.clear();
    this.emit("close");
  }
}
