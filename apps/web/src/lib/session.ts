import { authOptions } from "@nuage/auth";
import { getServerSession } from "next-auth";
import { cache } from "react";

/** The signed-in user's session on the server, or null. */
export const getSession = cache(() => getServerSession(authOptions));
