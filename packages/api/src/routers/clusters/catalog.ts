import { FLAVORS, REGIONS, VERSIONS } from "@nuage/core";
import { z } from "zod";
import { protectedProcedure, router } from "../../trpc.ts";
import { ZFlavorOutput, ZRegionOutput, ZVersionOutput } from "./outputs.ts";

export const catalogRouter = router({
  regions: protectedProcedure
    .meta({
      openapi: { method: "GET", path: "/regions", protect: true, tags: ["catalog"], summary: "Regions and zones" },
    })
    .input(z.void())
    .output(z.array(ZRegionOutput))
    .query(() => REGIONS),
  flavors: protectedProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/flavors",
        protect: true,
        tags: ["catalog"],
        summary: "Node flavors with vCPU, memory, disk and hourly price (cents)",
      },
    })
    .input(z.void())
    .output(z.array(ZFlavorOutput))
    .query(() => FLAVORS),
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
