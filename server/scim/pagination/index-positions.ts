import type { KnownPosition, PositionHints } from "../../storage/users-list-repo.ts";

/**
 * Where rows of an organization's unfiltered user list (id order) were seen by
 * index paging (startIndex), so the next page starts from a known row with a
 * keyset seek instead of an OFFSET walk from the first user: an identity
 * provider's full import (startIndex=1, 101, 201, … as Okta and Entra ID send
 * it) then costs the same at depth 900,000 as at the start.
 *
 * A position is only used while the organization's change counter (rows ever
 * inserted plus deleted, kept by triggers: migration 0006, read in the same
 * statement as the page) equals the one it was seen at: an unchanged counter
 * means the very same set of users, hence the very same positions, so the
 * answer is exactly what OFFSET would give. Any insert or delete makes the
 * positions stale; the repository then reads by OFFSET and starts over.
 *
 * Per process and bounded: at most MAX_ORGS organizations (least recently used
 * dropped), MAX_PER_ORG positions each (every other one dropped when full, so
 * coverage gets coarser, never absent).
 */
const MAX_ORGS = 16;
const MAX_PER_ORG = 10_000;

interface OrgPositions {
  changes: number;
  /** Ascending, with ids[i] the row at positions[i]. */
  positions: number[];
  ids: string[];
}

export class IndexPositions implements PositionHints {
  private readonly orgs = new Map<string, OrgPositions>();

  nearest(orgId: string, offset: number): KnownPosition | undefined {
    const o = this.orgs.get(orgId);
    if (!o?.positions.length) return undefined;
    // The last known position at or before offset.
    let lo = 0;
    let hi = o.positions.length - 1;
    if (o.positions[0]! > offset) return undefined;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (o.positions[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { position: o.positions[lo]!, id: o.ids[lo]!, changes: o.changes };
  }

  record(orgId: string, changes: number, seen: { position: number; id: string }[]): void {
    let o = this.orgs.get(orgId);
    // A slower request that read an older state must not replace a newer one.
    if (o && changes < o.changes) return;
    if (!o || o.changes !== changes) o = { changes, positions: [], ids: [] };
    this.orgs.delete(orgId);
    this.orgs.set(orgId, o);
    if (this.orgs.size > MAX_ORGS) this.orgs.delete(this.orgs.keys().next().value!);
    for (const { position, id } of seen) insert(o, position, id);
    if (o.positions.length > MAX_PER_ORG) {
      o.positions = o.positions.filter((_, i) => i % 2 === 0);
      o.ids = o.ids.filter((_, i) => i % 2 === 0);
    }
  }
}

function insert(o: OrgPositions, position: number, id: string): void {
  let lo = 0;
  let hi = o.positions.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (o.positions[mid]! < position) lo = mid + 1;
    else hi = mid;
  }
  if (o.positions[lo] === position) {
    o.ids[lo] = id;
    return;
  }
  o.positions.splice(lo, 0, position);
  o.ids.splice(lo, 0, id);
}
