// Redis connections. Producers (enqueue from web requests) fail fast when Redis is away
// (`enableOfflineQueue: false`): the outbox sweep retries later. Workers block on Redis and need
// `maxRetriesPerRequest: null` (BullMQ requirement).
import { Redis } from "ioredis";
import { jobsEnv } from "./env.ts";

const g = globalThis as unknown as { __nuageRedis?: { producer?: Redis; shared?: Redis } };
const conns = (g.__nuageRedis ??= {});

/** Connection for BullMQ producers (Queue). */
export function producerConnection(): Redis {
  conns.producer ??= new Redis(jobsEnv().REDIS_URL, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    lazyConnect: false,
  });
  return conns.producer;
}

/** A new connection for a BullMQ Worker (each worker owns its blocking connection). */
export function workerConnection(): Redis {
  return new Redis(jobsEnv().REDIS_URL, { maxRetriesPerRequest: null });
}

/** Shared connection for plain commands (rate limits). Queues commands briefly while connecting. */
export function redis(): Redis {
  conns.shared ??= new Redis(jobsEnv().REDIS_URL, { maxRetriesPerRequest: 2 });
  return conns.shared;
}

/** Closes the cached connections (tests, CLI, shutdown). */
export async function closeRedis(): Promise<void> {
  const all = [conns.producer, conns.shared].filter((c): c is Redis => !!c);
  conns.producer = undefined;
  conns.shared = undefined;
  await Promise.all(all.map((c) => c.quit().catch(() => c.disconnect())));
}
