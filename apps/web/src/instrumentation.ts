/** Runs once when the server starts: a bad environment stops it with the variable's name. */
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { checkEnvAtStart } = await import("./env");
  try {
    checkEnvAtStart();
  } catch (e) {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  }
}
