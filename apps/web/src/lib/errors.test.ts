import { describe, expect, it } from "vitest";
import { fieldErrors, formError } from "./errors";

const zodLike = {
  message: "password: Password must be 10 to 128 characters long",
  data: {
    code: "BAD_REQUEST",
    field: "password",
    fieldErrors: { password: "Password must be 10 to 128 characters long" },
  },
};

describe("fieldErrors", () => {
  it("maps the server's per-field messages", () => {
    expect(fieldErrors(zodLike)).toEqual({ password: "Password must be 10 to 128 characters long" });
  });
  it("names the field of a domain error with its message", () => {
    const e = { message: "An account with this e-mail already exists", data: { code: "CONFLICT", field: "email" } };
    expect(fieldErrors(e)).toEqual({ email: "An account with this e-mail already exists" });
  });
  it("is empty for errors without data", () => {
    expect(fieldErrors(new Error("boom"))).toEqual({});
    expect(fieldErrors(null)).toEqual({});
  });
});

describe("formError", () => {
  it("stays quiet when every field error is shown inline", () => {
    expect(formError(zodLike, ["password"])).toBeNull();
  });
  it("shows the message when a field is not on the form", () => {
    expect(formError(zodLike, ["email"])).toBe(zodLike.message);
  });
  it("shows the server's message for errors about no field", () => {
    expect(formError({ message: "Your role (viewer) cannot invite members", data: { code: "FORBIDDEN" } })).toBe(
      "Your role (viewer) cannot invite members",
    );
  });
  it("is null without an error", () => {
    expect(formError(null)).toBeNull();
  });
});
