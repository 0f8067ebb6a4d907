import type { Metadata } from "next";
import { Announcements } from "../_components/announcements";

export const metadata: Metadata = { title: "Announcements" };

export default function AnnouncementsPage() {
  return <Announcements />;
}
