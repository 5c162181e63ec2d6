import { describe, expect, it } from "vitest";
import { isUuid, uuidv7 } from "../../server/lib/ids.ts";

describe("uuidv7", () => {
  it("is a version-7, RFC 4122-variant UUID", () => {
    const id = uuidv7();
    expect(isUuid(id)).toBe(true);
    expect(id[14]).toBe("7");
    expect(["8", "9", "a", "b"]).toContain(id[19]);
  });

  it("strictly increases within one millisecond and across a backwards clock", () => {
    const ids = [uuidv7(1_700_000_000_000)];
    for (let i = 0; i < 5000; i++) ids.push(uuidv7(1_700_000_000_000));
    ids.push(uuidv7(1_600_000_000_000)); // clock stepped back
    for (let i = 1; i < ids.length; i++) expect(ids[i]! > ids[i - 1]!).toBe(true);
  });
});
