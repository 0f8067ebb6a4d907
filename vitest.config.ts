import { defineConfig } from "vitest/config";

// Two projects: `unit` (pure, fast, beside the code: *.test.ts) and `int` (*.int.test.ts: real
// PostgreSQL, Redis, etcd and kubectl, started by infra/test.mjs before vitest runs).
const exclude = ["**/node_modules/**", "**/.next/**", "e2e/**", ".data/**"];
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["{apps,packages}/*/{src,test}/**/*.test.ts"],
          exclude: [...exclude, "**/*.int.test.ts"],
        },
      },
      {
        test: {
          name: "int",
          include: ["{apps,packages}/*/{src,test}/**/*.int.test.ts"],
          exclude,
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
