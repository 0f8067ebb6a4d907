import { handleStripeWebhook } from "@nuage/core";

// Stripe webhooks: the signature is checked on the raw body, so it is read as text, never parsed first.
export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export async function POST(req: Request): Promise<Response> {
  const raw = await req.text();
  try {
    const r = await handleStripeWebhook(raw, req.headers.get("stripe-signature"));
    return Response.json(r.body, { status: r.status });
  } catch (e) {
    // Stripe retries on 5xx; the event stays unprocessed until then. No payload or secret in the log.
    console.error(`[stripe] webhook processing failed: ${e instanceof Error ? e.message : String(e)}`);
    return Response.json({ error: "Processing failed; Stripe will retry" }, { status: 500 });
  }
}
