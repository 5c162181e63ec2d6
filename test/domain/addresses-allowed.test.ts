// The provisioning rule: sign-in addresses (userName with "@", primary or work
// emails) must be in a verified domain of the organization; contact emails may be anywhere.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "../../server/domain/actor.ts";
import {
  type AddressesToCheck,
  addDomain,
  assertAddressesAllowed,
  isCoveredBy,
  normaliseEmail,
  removeDomain,
} from "../../server/domain/domains.ts";
import { ConflictError, InvalidValueError } from "../../server/domain/errors.ts";
import { createOrg } from "../../server/domain/orgs.ts";
import { uuidv7 } from "../../server/lib/ids.ts";
import type { DatabaseHandle } from "../../server/storage/database.ts";
import { ENGINES, openTestDatabase } from "../support/engines.ts";

const OPERATOR: Actor = { kind: "operator" };

describe("normaliseEmail", () => {
  it("lower-cases the domain and keeps the local part as sent", () => {
    expect(normaliseEmail(" John.Doe@ACME.Com ")).toBe("John.Doe@acme.com");
    expect(normaliseEmail('"A@B"@Acme.COM')).toBe('"A@B"@acme.com');
    expect(normaliseEmail("no-at-sign")).toBe("no-at-sign");
  });
});

describe("isCoveredBy", () => {
  it("covers the domain itself and its subdomains, not look-alikes or parents", () => {
    expect(isCoveredBy("acme.com", "acme.com")).toBe(true);
    expect(isCoveredBy("eu.mail.acme.com", "acme.com")).toBe(true);
    expect(isCoveredBy("notacme.com", "acme.com")).toBe(false);
    expect(isCoveredBy("acme.com", "eu.acme.com")).toBe(false);
  });
});

describe.each(ENGINES)("assertAddressesAllowed on %s", (engine) => {
  let database: DatabaseHandle;
  let orgId: string;
  let acme: string;
  let pending: string;
  let idn: string;
  const suffix = randomUUID().slice(0, 8);
  beforeAll(async () => {
    database = await openTestDatabase(engine);
    orgId = (await createOrg(database.db, "Acme")).id;
    acme = `acme-${suffix}.test`;
    pending = `pending-${suffix}.test`;
    idn = (await addDomain(database.db, orgId, `bücher-${suffix}.de`, { verified: true }, OPERATOR)).name;
    await addDomain(database.db, orgId, acme, { verified: true }, OPERATOR);
    await addDomain(database.db, orgId, pending, {}, OPERATOR);
  });
  afterAll(async () => {
    await database?.close();
  });

  const check = (input: Partial<AddressesToCheck>, org = orgId) =>
    assertAddressesAllowed(database.db, org, { userName: "jdoe", emails: [], ...input });
  const refusal = async (input: Partial<AddressesToCheck>, org = orgId) => {
    const err = await check(input, org).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidValueError);
    return (err as Error).message;
  };

  it("accepts a userName without @ and no emails", async () => {
    await expect(check({ userName: "jdoe" })).resolves.toBeUndefined();
  });

  it("accepts a userName in a verified domain, whatever its case", async () => {
    await expect(check({ userName: `Alice@${acme.toUpperCase()}` })).resolves.toBeUndefined();
  });

  it("refuses a userName in another domain, naming it and what to do", async () => {
    expect(await refusal({ userName: "x@other.com" })).toBe(
      `userName "x@other.com": domain other.com is not a verified domain of this organization; verify it first (POST /admin/v1/orgs/${orgId}/domains)`,
    );
  });

  it("refuses a primary email in another domain, whatever its type", async () => {
    const message = await refusal({
      emails: [
        { value: `a@${acme}`, type: "work", primary: false },
        { value: "x@other.com", type: "home", primary: true },
      ],
    });
    expect(message).toBe(
      `emails[1].value "x@other.com": domain other.com is not a verified domain of this organization; verify it first (POST /admin/v1/orgs/${orgId}/domains)`,
    );
  });

  it("refuses a work email in another domain, even when not primary and whatever the case of its type", async () => {
    expect(await refusal({ emails: [{ value: "x@other.com", type: "work", primary: false }] })).toMatch(/^emails\[0\]\.value "x@other\.com"/);
    expect(await refusal({ emails: [{ value: "x@other.com", type: "Work", primary: false }] })).toMatch(/domain other\.com/);
  });

  it("accepts home, other and untyped emails in any domain: contact data, not sign-in addresses", async () => {
    await expect(
      check({
        userName: `jdoe@${acme}`,
        emails: [
          { value: `jdoe@${acme}`, type: "work", primary: true },
          { value: "jdoe@gmail.com", type: "home", primary: false },
          { value: "jdoe@example.org", type: "other", primary: false },
          { value: "jdoe@example.net", type: null, primary: false },
          { value: "jdoe@example.net" },
        ],
      }),
    ).resolves.toBeUndefined();
  });

  it("accepts subdomains of a verified domain and refuses look-alikes", async () => {
    await expect(check({ userName: `a@eu.mail.${acme}` })).resolves.toBeUndefined();
    expect(await refusal({ userName: `a@not${acme}` })).toContain(`domain not${acme} is not a verified domain`);
  });

  it("does not let a verified subdomain cover its parent", async () => {
    const org = (await createOrg(database.db, "Sub only")).id;
    const parent = `parent-${randomUUID().slice(0, 8)}.test`;
    await addDomain(database.db, org, `eu.${parent}`, { verified: true }, OPERATOR);
    await expect(check({ userName: `a@eu.${parent}` }, org)).resolves.toBeUndefined();
    expect(await refusal({ userName: `a@${parent}` }, org)).toContain(`domain ${parent} is not a verified domain`);
  });

  it("says when the domain is only pending, and how to verify it", async () => {
    expect(await refusal({ userName: `a@${pending}` })).toBe(
      `userName "a@${pending}": domain ${pending} is not verified yet in this organization; publish its TXT record and verify it (POST /admin/v1/orgs/${orgId}/domains/${pending}/verify)`,
    );
  });

  it("refuses another organization's verified domain", async () => {
    const other = (await createOrg(database.db, "Other")).id;
    expect(await refusal({ userName: `a@${acme}` }, other)).toContain(`domain ${acme} is not a verified domain of this organization`);
  });

  it("matches internationalised domains in Unicode or punycode, and a trailing dot", async () => {
    expect(idn).toMatch(/^xn--/);
    const unicode = `BÜCHER-${suffix}.DE`;
    await expect(check({ userName: `a@${idn}`, emails: [{ value: `b@${unicode}`, type: "work", primary: true }] })).resolves.toBeUndefined();
    await expect(check({ userName: `a@${acme}.` })).resolves.toBeUndefined();
  });

  it("refuses sign-in addresses without a usable domain", async () => {
    expect(await refusal({ userName: "jdoe@" })).toBe(
      'userName "jdoe@" has no valid domain after "@"; sign-in addresses must be in a verified domain of this organization',
    );
    expect(await refusal({ userName: "jdoe@localhost" })).toMatch(/has no valid domain/);
    expect(await refusal({ emails: [{ value: "jdoe", type: "work", primary: true }] })).toMatch(/^emails\[0\]\.value "jdoe" is not an email address/);
  });

  it("runs inside the caller's transaction, and a removal waits for it then counts its user", async () => {
    const org = (await createOrg(database.db, "Race")).id;
    const name = `race-${randomUUID().slice(0, 8)}.test`;
    await addDomain(database.db, org, name, { verified: true }, OPERATOR);
    let removal: Promise<unknown> | undefined;
    await database.db.transaction().execute(async (trx) => {
      await assertAddressesAllowed(trx, org, { userName: `a@${name}`, emails: [] });
      const now = new Date();
      await trx
        .insertInto("users")
        .values({ org_id: org, id: uuidv7(), user_name: `a@${name}`, external_id: null, display_name: null, resource: "{}", password_hash: null, created_at: now, updated_at: now })
        .execute();
      // Started while the user is not committed yet: it must wait, then see the user.
      removal = removeDomain(database.db, org, name, OPERATOR).catch((e: unknown) => e);
      await new Promise((resolve) => setTimeout(resolve, 100));
    });
    const outcome = await removal;
    expect(outcome).toBeInstanceOf(ConflictError);
    expect((outcome as Error).message).toContain("1 user has a userName or primary/work email in it");
  });
});
