// Shared zod schemas for inputs: the API validates with them, the services rely on them.
import { z } from "zod";
import { ZPassword } from "./password.ts";
import { ROLES } from "./roles.ts";

export const ZEmail = z
  .email({ error: "Enter a valid e-mail address" })
  .trim()
  .max(254, "E-mail address is too long")
  .transform((e) => e.toLowerCase());
export const ZName = z
  .string({ error: "Name is required" })
  .trim()
  .min(1, "Name is required")
  .max(100, "Name is too long (100 characters at most)");
export const ZOrgName = z
  .string({ error: "Organization name is required" })
  .trim()
  .min(2, "Organization name must be at least 2 characters")
  .max(100, "Organization name is too long (100 characters at most)");
export const ZRole = z.enum(ROLES, { error: `Role must be one of: ${ROLES.join(", ")}` });
export const ZTokenString = z
  .string({ error: "Token is required" })
  .trim()
  .min(10, "This link is invalid")
  .max(200, "This link is invalid");
export { ZPassword };

export const ZSignUpInput = z.object({
  name: ZName,
  email: ZEmail,
  password: ZPassword,
  orgName: z.string().trim().max(100, "Organization name is too long (100 characters at most)").optional(),
  invitationToken: z.string().trim().max(200).optional(),
});
export type TSignUpInput = z.input<typeof ZSignUpInput>;
