import { getDb } from "@nuage/db";
import { afterAll, describe, expect, it } from "vitest";
import { cleanup, errorOf, signUpUser, tokenCaller, userCaller } from "./test/helpers.ts";

afterAll(cleanup);

describe("platform admin procedures", () => {
  it("lists every org for a platform admin, and refuses everyone else", async () => {
    const tenant = await signUpUser("tenant");
    const op = await signUpUser("operator");
    await getDb().user.update({ where: { id: op.userId }, data: { isPlatformAdmin: true } });
    const orgs = await (await userCaller(op.userId)).admin.listOrgs();
    expect(orgs).toEqual(expect.arrayContaining([expect.objectContaining({ id: tenant.orgId, members: 1 })]));
    expect(await errorOf(async () => (await userCaller(tenant.userId)).admin.listOrgs())).toEqual({
      code: "FORBIDDEN",
      message: "Only platform administrators can do this",
    });
    // Tokens never act as platform admins, even one created by a platform admin.
    const { token } = await (await userCaller(op.userId)).tokens.create({ name: "op", scope: "write" });
    expect((await errorOf(async () => (await tokenCaller(token)).admin.listOrgs())).code).toBe("FORBIDDEN");
    expect((await (await userCaller(op.userId)).me.get()).user.isPlatformAdmin).toBe(true);
  });
});
