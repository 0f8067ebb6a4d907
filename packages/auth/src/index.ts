export { authEnv } from "./env.ts";
export { authOptions, oauthProviders } from "./options.ts";
export { getServerSessionUser, getSessionFromHeaders, type SessionUser } from "./session.ts";
