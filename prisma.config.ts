// Prisma 7 configuration. The CLI is only used offline for `generate`; migrations are applied and
// created with the WebAssembly schema engine (packages/db/src/scripts/*), see docs/foundation.md.
import { defineConfig } from "prisma/config";

export default defineConfig({
  schema: "prisma/schema",
  migrations: { path: "prisma/migrations" },
});
