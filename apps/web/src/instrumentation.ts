/** Runs once when the server starts: a bad environment stops it with the variable's name. */
export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs") await import("./instrumentation-node");
}
