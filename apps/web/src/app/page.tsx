import { redirect } from "next/navigation";
import { isSignedIn } from "~/lib/me-server";

export default async function Home() {
  redirect((await isSignedIn()) ? "/dashboard" : "/signin");
}
