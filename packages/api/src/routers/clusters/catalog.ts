import { orgPricing, pricedFlavors, REGIONS, VERSIONS } from "@nuage/core";
import { z } from "zod";
import { orgProcedure, protectedProcedure, router } from "../../trpc.ts";
import { ZFlavorOutput, ZRegionOutput, ZVersionOutput } from "./outputs.ts";

export const catalogRouter = router({
  regions: protectedProcedure
    .meta({
      openapi: { method: "GET", path: "/regions", protect: true, tags: ["catalog"], summary: "Regions and zones" },
    })
    .input(z.void())
    .output(z.array(ZRegionOutput))
    .query(() => REGIONS),
  flavors: orgProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/flavors",
        protect: true,
        tags: ["catalog"],
        summary: "Node flavors with vCPU, memory, disk and hourly price (the org's plan in the current price book)",
      },
    })
    .input(z.void())
    .output(z.array(ZFlavorOutput))
    .query(async ({ ctx }) => pricedFlavors(await orgPricing(ctx.org.id))),
  versions: protectedProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/versions",
        protect: true,
        tags: ["catalog"],
        summary: "Kubernetes versions offered (the default is marked)",
      },
    })
    .input(z.void())
    .output(z.array(ZVersionOutput))
    .query(() => VERSIONS),
});
