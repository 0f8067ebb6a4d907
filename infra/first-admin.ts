// Creates the first platform admin when there is none: from NUAGE_ADMIN_EMAIL and
// NUAGE_ADMIN_PASSWORD when given, otherwise with a generated password printed once.
import { ensureFirstAdmin } from "@nuage/core";

const result = await ensureFirstAdmin({
  email: process.env.NUAGE_ADMIN_EMAIL,
  password: process.env.NUAGE_ADMIN_PASSWORD,
});
if (result?.created) {
  const lines = [`First platform admin: ${result.email}`];
  if (result.generatedPassword)
    lines.push(`Password (shown once, change it after signing in): ${result.generatedPassword}`);
  process.stdout.write(`\n${lines.join("\n")}\n\n`);
}
process.exit(0);
