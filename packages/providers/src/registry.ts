// The provider the platform uses. `local` (localcloud) is the default; `hosted` comes next.
import { z } from "zod";
import type { Provider } from "./contract.ts";
import { LocalProvider } from "./local.ts";

const ZEnv = z.object({
  NUAGE_PROVIDER: z.enum(["local"]).default("local"),
  NUAGE_LOCALCLOUD_URL: z.url("NUAGE_LOCALCLOUD_URL must be a URL").default("http://127.0.0.1:4100"),
  NUAGE_LOCALCLOUD_TOKEN: z.string().optional(),
});

const g = globalThis as unknown as { __nuageProvider?: Provider };

export function getProvider(): Provider {
  if (!g.__nuageProvider) {
    const r = ZEnv.safeParse(process.env);
    if (!r.success) throw new Error(`Invalid provider environment: ${r.error.issues[0]?.message}`);
    g.__nuageProvider = new LocalProvider({ url: r.data.NUAGE_LOCALCLOUD_URL, token: r.data.NUAGE_LOCALCLOUD_TOKEN });
  }
  return g.__nuageProvider;
}

/** Tests point the platform at their own localcloud. */
export function setProvider(p: Provider | undefined): void {
  g.__nuageProvider = p;
}
