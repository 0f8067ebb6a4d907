"use client";

import { createContext, type ReactNode, useContext } from "react";
import type { Me } from "~/lib/me";

const MeContext = createContext<Me | null>(null);

export function MeProvider({ me, children }: { me: Me; children: ReactNode }) {
  return <MeContext.Provider value={me}>{children}</MeContext.Provider>;
}

/** The signed-in user, their orgs and the current org (loaded once by the portal layout). */
export function useMe(): Me {
  const me = useContext(MeContext);
  if (!me) throw new Error("useMe() outside the portal layout");
  return me;
}
