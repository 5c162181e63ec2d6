// The bounded memory of index-paging positions (pagination/index-positions.ts).
import { describe, expect, it } from "vitest";
import { IndexPositions } from "../../server/scim/pagination/index-positions.ts";

const id = (n: number) => `019a0000-0000-7000-8000-${String(n).padStart(12, "0")}`;

describe("IndexPositions", () => {
  it("answers the last known position at or before an offset, none before the first", () => {
    const p = new IndexPositions();
    p.record("o", 7, [{ position: 100, id: id(100) }, { position: 199, id: id(199) }]);
    p.record("o", 7, [{ position: 0, id: id(0) }, { position: 99, id: id(99) }]);
    expect(p.nearest("o", 150)).toEqual({ position: 100, id: id(100), changes: 7 });
    expect(p.nearest("o", 99)).toEqual({ position: 99, id: id(99), changes: 7 });
    expect(p.nearest("o", 5000)).toEqual({ position: 199, id: id(199), changes: 7 });
    expect(p.nearest("other", 150)).toBeUndefined();
    const late = new IndexPositions();
    late.record("o", 7, [{ position: 100, id: id(100) }]);
    expect(late.nearest("o", 50)).toBeUndefined();
  });

  it("forgets an organization's positions when its change count moves on, and ignores older counts", () => {
    const p = new IndexPositions();
    p.record("o", 7, [{ position: 100, id: id(100) }]);
    p.record("o", 8, [{ position: 300, id: id(300) }]);
    expect(p.nearest("o", 150)).toBeUndefined();
    expect(p.nearest("o", 350)?.changes).toBe(8);
    p.record("o", 7, [{ position: 100, id: id(100) }]);
    expect(p.nearest("o", 150)).toBeUndefined();
  });

  it("stays bounded: every other position dropped when an organization's are full, the least recent organization dropped", () => {
    const p = new IndexPositions();
    for (let i = 0; i <= 10_000; i++) p.record("big", 1, [{ position: i * 100, id: id(i) }]);
    // Thinned, yet a position within two pages of any offset remains.
    const near = p.nearest("big", 555_555)!;
    expect(555_555 - near.position).toBeLessThanOrEqual(200);
    for (let o = 0; o < 16; o++) p.record(`org${o}`, 1, [{ position: 0, id: id(o) }]);
    expect(p.nearest("big", 100)).toBeUndefined();
    expect(p.nearest("org15", 0)?.id).toBe(id(15));
  });
});
