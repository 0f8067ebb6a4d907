import { AppError } from "@nuage/core";
import { TRPCError } from "@trpc/server";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { errorExtras, toTRPCError } from "./errors.ts";

describe("error mapping", () => {
  it("maps AppError codes to tRPC codes and keeps the field", () => {
    const e = toTRPCError(
      new AppError("CONFLICT", "An account with this e-mail address already exists", { field: "email" }),
    );
    expect(e.code).toBe("CONFLICT");
    expect(errorExtras(e)).toEqual({
      message: "An account with this e-mail address already exists",
      data: { field: "email", retryAfterSeconds: undefined },
    });
    expect(toTRPCError(new AppError("TOO_MANY_REQUESTS", "Too many attempts, try again in 5 seconds")).code).toBe(
      "TOO_MANY_REQUESTS",
    );
  });

  it("names the field of a zod error", () => {
    const r = z.object({ email: z.email("Enter a valid e-mail address") }).safeParse({ email: "nope" });
    const e = new TRPCError({ code: "BAD_REQUEST", cause: r.error });
    expect(errorExtras(e)).toEqual({
      message: "email: Enter a valid e-mail address",
      data: { field: "email", fieldErrors: { email: "Enter a valid e-mail address" } },
    });
  });

  it("hides the message of unexpected errors", () => {
    const e = toTRPCError(new Error("connect ECONNREFUSED 10.0.0.1:5432 password=secret"));
    expect(e.code).toBe("INTERNAL_SERVER_ERROR");
    expect(errorExtras(e).message).toBe("Something went wrong on our side");
    expect(e.message).not.toContain("secret");
  });
});
