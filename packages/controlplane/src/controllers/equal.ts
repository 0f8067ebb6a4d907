import { canonical } from "./deployment-util.ts";

export function canonicalEq(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}
