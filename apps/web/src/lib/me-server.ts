import { cache } from "react";
import { getCaller } from "~/trpc/server";
import { type Me, toMe } from "./me";
import { getSession } from "./session";

/** `me.get` once per request, shared by the layout and the page. */
export const getMe = cache(async (): Promise<Me> => toMe(await (await getCaller()).me.get()));

/**
 * Signed in with a session the API still accepts. A next-auth cookie alone is not enough: a
 * password reset or a deleted user ends the session on the server side.
 */
export const isSignedIn = cache(async (): Promise<boolean> => {
  if (!(await getSession())) return false;
  try {
    await getMe();
    return true;
  } catch {
    return false;
  }
});
