import type { Metadata } from "next";
import { PriceBookEditor } from "./price-book";

export const metadata: Metadata = { title: "Price book" };

export default function PricingPage() {
  return <PriceBookEditor />;
}
