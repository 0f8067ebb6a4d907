export { closeDb, type Db, getDb, isUniqueViolation, Prisma, type Tx } from "./client.ts";
export { dbEnv } from "./env.ts";
export { inOrg, orgWhere } from "./scope.ts";
export type * from "./types.ts";
