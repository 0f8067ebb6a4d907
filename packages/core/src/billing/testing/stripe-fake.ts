// Tests only: a local HTTP server speaking the subset of Stripe's API that Nuage calls (form-encoded bodies,
// Stripe's error JSON, idempotency keys, 429 with Retry-After on demand), recording meter events, plus a fake
// Checkout page (attaches a card and redirects back) and signed webhook deliveries. Never imported by the app.
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import Stripe from "stripe";

type Obj = Record<string, unknown> & { id: string; object: string };

export interface FakeMeterEvent {
  identifier: string;
  event_name: string;
  timestamp: number;
  customer: string;
  value: bigint;
}

export interface StripeFakeOptions {
  port?: number;
  apiKey?: string;
  webhookSecret?: string;
  /** Where webhooks are POSTed (e.g. http://127.0.0.1:3100/api/stripe/webhook); or a function called directly. */
  webhookUrl?: string;
  deliver?: (payload: string, signature: string) => Promise<number>;
}

/** Parses Stripe's form encoding: a[b][0][c]=v → { a: { b: [ { c: "v" } ] } }; x[]=1 appends. */
export function parseForm(body: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [rawK, v] of new URLSearchParams(body)) {
    const keys = rawK.replace(/\]/g, "").split("[");
    let cur: Record<string, unknown> | unknown[] = out;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      const last = i === keys.length - 1;
      const nextIsIndex = !last && /^\d*$/.test(keys[i + 1]!);
      if (Array.isArray(cur)) {
        const idx = k === "" ? cur.length : Number(k);
        if (last) cur[idx] = v;
        else cur = (cur[idx] ??= nextIsIndex ? [] : {}) as Record<string, unknown> | unknown[];
      } else if (last) cur[k] = v;
      else cur = (cur[k] ??= nextIsIndex ? [] : {}) as Record<string, unknown> | unknown[];
    }
  }
  return out;
}

const page = (title: string, body: string) =>
  `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title><style>body{font-family:sans-serif;max-width:28rem;margin:3rem auto}label,input,button{display:block;margin:.5rem 0}</style></head><body>${body}</body></html>`;

export class StripeFake {
  readonly apiKey: string;
  readonly webhookSecret: string;
  private server: Server | null = null;
  private seq = 0;
  readonly objects = new Map<string, Obj>();
  readonly meterEvents: FakeMeterEvent[] = [];
  readonly requests: { method: string; path: string }[] = [];
  readonly webhookStatuses: number[] = [];
  private idempotency = new Map<string, { status: number; body: string }>();
  private rateLimited = 0;
  private retryAfter = "0";
  private failing: { n: number; status: number; method?: string; path?: RegExp } = { n: 0, status: 500 };
  port = 0;

  constructor(private opts: StripeFakeOptions = {}) {
    this.apiKey = opts.apiKey ?? "sk_test_nuage_fake";
    this.webhookSecret = opts.webhookSecret ?? `whsec_${randomBytes(16).toString("hex")}`;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Environment the app needs to talk to this server. */
  env(): Record<string, string> {
    return { STRIPE_SECRET_KEY: this.apiKey, STRIPE_API_BASE: this.url, STRIPE_WEBHOOK_SECRET: this.webhookSecret };
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((e) => {
        res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: { type: "api_error", message: String(e) } }));
      });
    });
    await new Promise<void>((r) => this.server!.listen(this.opts.port ?? 0, "127.0.0.1", () => r()));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server!.close(() => r()));
    this.server = null;
  }

  /** The next `n` API requests answer 429 with `Retry-After: seconds`. */
  rateLimitNext(n: number, seconds = 0): void {
    this.rateLimited = n;
    this.retryAfter = String(seconds);
  }

  /**
   * The next `n` API requests that match (`method`, a `path` pattern; default all) answer `status` (500) with
   * Stripe's api_error JSON, before anything is done or saved under their idempotency key (as when Stripe is down).
   * The SDK retries 5xx itself (maxNetworkRetries), so one failed call consumes up to 3 of them.
   */
  failNext(n: number, opts: { status?: number; method?: string; path?: RegExp } = {}): void {
    this.failing = { n, status: opts.status ?? 500, method: opts.method, path: opts.path };
  }

  private newId(prefix: string): string {
    return `${prefix}_${(++this.seq).toString(36).padStart(6, "0")}${randomBytes(4).toString("hex")}`;
  }

  put(o: Obj): Obj {
    this.objects.set(o.id, o);
    return o;
  }

  /** A Stripe event signed with the webhook secret, ready to POST. */
  signedEvent(type: string, object: Obj, id = this.newId("evt")): { id: string; payload: string; signature: string } {
    const payload = JSON.stringify({
      id,
      object: "event",
      api_version: "2025-01-01",
      created: Math.floor(Date.now() / 1000),
      type,
      data: { object },
      livemode: false,
      pending_webhooks: 1,
    });
    const signature = Stripe.webhooks.generateTestHeaderString({ payload, secret: this.webhookSecret });
    return { id, payload, signature };
  }

  async sendWebhook(type: string, object: Obj): Promise<number> {
    const ev = this.signedEvent(type, object);
    let status = 0;
    if (this.opts.deliver) status = await this.opts.deliver(ev.payload, ev.signature);
    else if (this.opts.webhookUrl) {
      const r = await fetch(this.opts.webhookUrl, {
        method: "POST",
        headers: { "content-type": "application/json", "stripe-signature": ev.signature },
        body: ev.payload,
      });
      status = r.status;
    }
    this.webhookStatuses.push(status);
    return status;
  }

  /** Test helper: an invoice of `customer` for a period, in a given state ("paid" or "failed"). */
  makeInvoice(
    customer: string,
    periodStart: Date,
    periodEnd: Date,
    state: "paid" | "failed" | "open",
    amount = 1000,
  ): Obj {
    const id = this.newId("in");
    return this.put({
      id,
      object: "invoice",
      customer,
      status: state === "paid" ? "paid" : "open",
      attempt_count: state === "open" ? 0 : 1,
      amount_due: amount,
      amount_paid: state === "paid" ? amount : 0,
      amount_remaining: state === "paid" ? 0 : amount,
      currency: "eur",
      period_start: Math.floor(periodStart.getTime() / 1000),
      period_end: Math.floor(periodEnd.getTime() / 1000),
      hosted_invoice_url: `${this.url}/invoices/${id}`,
    });
  }

  setInvoiceState(id: string, state: "paid" | "failed"): Obj {
    const inv = this.objects.get(id)!;
    Object.assign(
      inv,
      state === "paid"
        ? { status: "paid", amount_paid: inv.amount_due, amount_remaining: 0 }
        : { status: "open", attempt_count: Number(inv.attempt_count) + 1 },
    );
    return inv;
  }

  /** Total reported per customer and event name (BigInt, exact). */
  meterTotals(): Map<string, bigint> {
    const m = new Map<string, bigint>();
    for (const e of this.meterEvents) {
      const k = `${e.customer}|${e.event_name}`;
      m.set(k, (m.get(k) ?? 0n) + e.value);
    }
    return m;
  }

  private send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
    const text = JSON.stringify(body);
    res.writeHead(status, { "content-type": "application/json", "request-id": `req_${this.seq}`, ...headers });
    res.end(text);
    return { status, body: text };
  }

  private error(
    res: ServerResponse,
    status: number,
    type: string,
    message: string,
    extra: Record<string, string> = {},
  ) {
    return this.send(res, status, { error: { type, message, ...extra } });
  }

  private missing(res: ServerResponse, what: string, id: string) {
    return this.error(res, 404, "invalid_request_error", `No such ${what}: '${id}'`, {
      code: "resource_missing",
      param: "id",
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const u = new URL(req.url ?? "/", this.url);
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    if (!u.pathname.startsWith("/v1/")) return this.handlePage(req, res, u, raw);
    this.requests.push({ method: req.method ?? "GET", path: u.pathname });
    if (req.headers.authorization !== `Bearer ${this.apiKey}`) {
      this.error(res, 401, "invalid_request_error", "Invalid API Key provided");
      return;
    }
    if (this.rateLimited > 0) {
      this.rateLimited--;
      this.send(
        res,
        429,
        { error: { type: "invalid_request_error", code: "rate_limit", message: "Request rate limit exceeded." } },
        { "retry-after": this.retryAfter },
      );
      return;
    }
    const f = this.failing;
    if (f.n > 0 && (!f.method || f.method === req.method) && (!f.path || f.path.test(u.pathname))) {
      f.n--;
      this.error(res, f.status, "api_error", "An unknown error occurred (injected by the test).");
      return;
    }
    const key = req.headers["idempotency-key"];
    const idemKey = typeof key === "string" ? `${req.method} ${u.pathname} ${key}` : null;
    if (idemKey && this.idempotency.has(idemKey)) {
      const hit = this.idempotency.get(idemKey)!;
      res.writeHead(hit.status, { "content-type": "application/json", "idempotent-replayed": "true" });
      res.end(hit.body);
      return;
    }
    const body = req.method === "POST" ? parseForm(raw) : Object.fromEntries(u.searchParams);
    const out = this.route(req.method ?? "GET", u, body, res);
    if (idemKey && out && out.status < 500) this.idempotency.set(idemKey, out);
  }

  private route(method: string, u: URL, b: Record<string, unknown>, res: ServerResponse) {
    const p = u.pathname.split("/").filter(Boolean).slice(1); // after v1
    const get = (prefix: string, id: string, what: string) => {
      const o = this.objects.get(id);
      return o?.id.startsWith(prefix) ? this.send(res, 200, o) : this.missing(res, what, id);
    };
    const at = p.join("/");
    if (method === "POST" && at === "customers") {
      return this.send(
        res,
        200,
        this.put({
          id: this.newId("cus"),
          object: "customer",
          name: b.name ?? null,
          metadata: b.metadata ?? {},
          invoice_settings: { default_payment_method: null },
        }),
      );
    }
    if (p[0] === "customers" && p.length === 2) {
      const c = this.objects.get(p[1]!);
      if (c?.object !== "customer") return this.missing(res, "customer", p[1]!);
      if (method === "POST") Object.assign(c, b);
      const expand = u.searchParams.getAll("expand[]").concat((b.expand as string[]) ?? []);
      const pmId = (c.invoice_settings as { default_payment_method: string | null }).default_payment_method;
      if (expand.includes("invoice_settings.default_payment_method") && pmId) {
        return this.send(res, 200, { ...c, invoice_settings: { default_payment_method: this.objects.get(pmId) } });
      }
      return this.send(res, 200, c);
    }
    if (method === "GET" && at === "payment_methods") {
      const data = [...this.objects.values()].filter((o) => o.object === "payment_method" && o.customer === b.customer);
      return this.send(res, 200, { object: "list", data, has_more: false, url: "/v1/payment_methods" });
    }
    if (method === "POST" && at === "checkout/sessions") {
      if (b.mode !== "setup")
        return this.error(res, 400, "invalid_request_error", "Only setup mode is supported by this server", {
          param: "mode",
        });
      const id = this.newId("cs");
      return this.send(
        res,
        200,
        this.put({
          id,
          object: "checkout.session",
          mode: "setup",
          customer: b.customer,
          success_url: b.success_url,
          cancel_url: b.cancel_url,
          status: "open",
          url: `${this.url}/checkout/${id}`,
        }),
      );
    }
    if (method === "POST" && at === "billing_portal/sessions") {
      const id = this.newId("bps");
      return this.send(
        res,
        200,
        this.put({
          id,
          object: "billing_portal.session",
          customer: b.customer,
          return_url: b.return_url,
          url: `${this.url}/portal/${id}`,
        }),
      );
    }
    if (method === "POST" && at === "billing/meters") {
      return this.send(
        res,
        200,
        this.put({
          id: this.newId("mtr"),
          object: "billing.meter",
          event_name: b.event_name,
          display_name: b.display_name,
          status: "active",
        }),
      );
    }
    if (method === "POST" && at === "prices") {
      return this.send(
        res,
        200,
        this.put({
          id: this.newId("price"),
          object: "price",
          currency: b.currency,
          recurring: b.recurring,
          unit_amount_decimal: b.unit_amount_decimal,
          metadata: b.metadata ?? {},
        }),
      );
    }
    if (method === "POST" && at === "subscriptions") {
      if (!this.objects.has(String(b.customer))) return this.missing(res, "customer", String(b.customer));
      const items = ((b.items as { price: string }[]) ?? []).map((i) => ({
        id: this.newId("si"),
        price: this.objects.get(i.price) ?? { id: i.price },
      }));
      return this.send(
        res,
        200,
        this.put({
          id: this.newId("sub"),
          object: "subscription",
          customer: b.customer,
          status: "active",
          items: { object: "list", data: items },
          metadata: b.metadata ?? {},
        }),
      );
    }
    if (p[0] === "subscriptions" && p.length === 2 && method === "POST") {
      // Update: items with `deleted` are removed, items with a `price` are added; metadata is merged.
      const sub = this.objects.get(p[1]!) as
        | { items: { data: { id: string; price: unknown }[] }; metadata: Record<string, unknown> }
        | undefined;
      if (!sub) return this.missing(res, "subscription", p[1]!);
      for (const i of (b.items as { id?: string; deleted?: string; price?: string }[]) ?? []) {
        if (i.id && i.deleted === "true") sub.items.data = sub.items.data.filter((x) => x.id !== i.id);
        else if (i.price)
          sub.items.data.push({ id: this.newId("si"), price: this.objects.get(i.price) ?? { id: i.price } });
      }
      sub.metadata = { ...sub.metadata, ...((b.metadata as Record<string, unknown>) ?? {}) };
      return this.send(res, 200, sub);
    }
    if (p[0] === "subscriptions" && p.length === 2 && method === "GET") return get("sub_", p[1]!, "subscription");
    if (p[0] === "invoices" && p.length === 2 && method === "GET") return get("in_", p[1]!, "invoice");
    if (method === "POST" && at === "billing/meter_events") {
      const identifier = String(b.identifier ?? this.newId("mev"));
      if (this.meterEvents.some((e) => e.identifier === identifier)) {
        return this.error(res, 400, "invalid_request_error", `An event with identifier ${identifier} already exists.`, {
          code: "duplicate_meter_event",
        });
      }
      const payload = (b.payload ?? {}) as Record<string, string>;
      if (!payload.stripe_customer_id || !/^\d+$/.test(payload.value ?? "")) {
        return this.error(
          res,
          400,
          "invalid_request_error",
          "payload needs stripe_customer_id and a whole-number value",
          { param: "payload" },
        );
      }
      const ev = {
        identifier,
        event_name: String(b.event_name),
        timestamp: Number(b.timestamp),
        customer: payload.stripe_customer_id,
        value: BigInt(payload.value!),
      };
      this.meterEvents.push(ev);
      return this.send(res, 200, {
        object: "billing.meter_event",
        identifier,
        event_name: ev.event_name,
        timestamp: ev.timestamp,
        payload,
        created: Math.floor(Date.now() / 1000),
        livemode: false,
      });
    }
    return this.error(res, 404, "invalid_request_error", `Unrecognized request URL (${method}: ${u.pathname}).`);
  }

  /** The fake hosted pages: Checkout (setup mode) and the customer portal. */
  private async handlePage(req: IncomingMessage, res: ServerResponse, u: URL, raw: string): Promise<void> {
    const [kind, id] = u.pathname.split("/").filter(Boolean);
    if (kind === "healthz") {
      res.writeHead(200, { "content-type": "text/plain" });
      res.end("ok");
      return;
    }
    const html = (status: number, body: string) => {
      res.writeHead(status, { "content-type": "text/html; charset=utf-8" });
      res.end(body);
    };
    const session = id ? this.objects.get(id) : undefined;
    if (kind === "checkout" && session?.object === "checkout.session") {
      if (req.method === "GET") {
        return html(
          200,
          page(
            "Set up a payment method",
            `<h1>Fake Stripe Checkout</h1><form method="post"><label for="card">Card number</label><input id="card" name="card" value="4242 4242 4242 4242" autocomplete="off"><button type="submit">Save card</button></form><a href="${session.cancel_url}">Cancel</a>`,
          ),
        );
      }
      const card = new URLSearchParams(raw).get("card")?.replace(/\s/g, "") ?? "";
      if (!/^\d{12,19}$/.test(card)) return html(400, page("Invalid card", "<p>Invalid card number</p>"));
      const pm = this.put({
        id: this.newId("pm"),
        object: "payment_method",
        type: "card",
        customer: session.customer,
        card: { brand: "visa", last4: card.slice(-4), exp_month: 12, exp_year: 2030 },
      });
      const customer = this.objects.get(String(session.customer))!;
      customer.invoice_settings = { default_payment_method: pm.id };
      session.status = "complete";
      await this.sendWebhook("payment_method.attached", pm);
      await this.sendWebhook("customer.updated", customer);
      res.writeHead(303, { location: String(session.success_url) });
      res.end();
      return;
    }
    if (kind === "portal" && session?.object === "billing_portal.session") {
      return html(
        200,
        page(
          "Customer portal",
          `<h1>Fake customer portal</h1><p>Customer ${session.customer}</p><a href="${session.return_url}">Return to Nuage</a>`,
        ),
      );
    }
    return html(404, page("Not found", "<p>Not found</p>"));
  }
}
