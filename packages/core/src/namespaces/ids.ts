import { randomBytes } from "node:crypto";

/** An id chosen before the row is written (secrets are sealed with their id as context). */
export const createId = () => `c${randomBytes(12).toString("hex")}`;
