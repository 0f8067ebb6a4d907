import type { NextConfig } from "next";

const config: NextConfig = {
  // Workspace packages are TypeScript source: let Next compile them.
  transpilePackages: [
    "@nuage/api",
    "@nuage/auth",
    "@nuage/core",
    "@nuage/db",
    "@nuage/jobs",
    "@nuage/ui",
    "@nuage/crypto",
  ],
  // Native or Node-only dependencies stay external to the server bundle.
  serverExternalPackages: [
    "@node-rs/argon2",
    "@prisma/client",
    "@prisma/adapter-pg",
    "pg",
    "bullmq",
    "ioredis",
    "etcd3",
    "@kubernetes/client-node",
    "stripe",
  ],
  poweredByHeader: false,
  reactStrictMode: true,
  typedRoutes: false,
};

export default config;
