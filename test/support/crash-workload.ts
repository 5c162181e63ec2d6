// The write load of the crash-safety test: several sequential workers, each
// owning its own users, so the effect of every acknowledged write can be
// checked after a crash. The model holds, per user (and for one group's
// products), the state the database must be in. A worker has at most one
// request in flight, so when the server is killed each worker leaves at most
// one write of unknown outcome; after the restart that target must be exactly
// as before or exactly as after that write (a write is atomic), never between.
import { PATCH_SCHEMA, USER_SCHEMA } from "./server.ts";
import { callJson, type JsonAnswer } from "./http-json.ts";

export interface UserState {
  exists: boolean;
  displayName?: string;
  emails?: string[];
  /** Direct product wants (user_products), sorted. */
  products?: string[];
  /** Names of the groups the user is a direct member of, sorted. */
  groups?: string[];
  active?: boolean;
}
export interface ProductsState {
  products: string[];
}
export type State = UserState | ProductsState;

export interface Op {
  worker: number;
  key: string;
  what: string;
  after: State;
  send(url: string): Promise<JsonAnswer>;
  onAck?(body: any): void;
}

export interface WorkloadSetup {
  orgId: string;
  token: string;
  adminToken: string;
  domain: string;
  /** Groups members are added to and removed from, by name. */
  groups: Map<string, string>;
  /** A product every worker may ask for directly (scarce: some asks are refused). */
  product: string;
  /** The group whose products worker 0 toggles, and the two product lists it toggles between. */
  toggled: { group: string; lists: [string[], string[]] };
  workers: number;
}

/** Answers that mean "refused, nothing written": a seat limit (409) or a rolled-back collision (503). */
const REFUSED = new Set([409, 503]);

export const userKey = (name: string) => `user:${name}`;
export const groupProductsKey = (group: string) => `group-products:${group}`;

export class CrashWorkload {
  readonly model = new Map<string, State>();
  readonly ids = new Map<string, string>();
  readonly owned: string[][];
  /** The write each worker had in flight when the server went away. */
  unresolved: Op[] = [];
  readonly failures: string[] = [];
  acknowledged = 0;
  refused = 0;
  private serial = 0;

  constructor(readonly setup: WorkloadSetup) {
    this.owned = Array.from({ length: setup.workers }, () => []);
    this.model.set(groupProductsKey(setup.toggled.group), { products: [...setup.toggled.lists[0]].sort() });
  }

  /** Runs every worker until its request fails at the network level (the server was killed) or `maxOps` is reached. */
  async run(url: string, maxOps = 2_000): Promise<void> {
    this.unresolved = [];
    await Promise.all(Array.from({ length: this.setup.workers }, (_, w) => this.worker(w, url, maxOps)));
  }

  private async worker(w: number, url: string, maxOps: number): Promise<void> {
    for (let i = 0; i < maxOps && this.failures.length === 0; i++) {
      const op = this.next(w);
      let answer: JsonAnswer;
      try {
        answer = await op.send(url);
      } catch {
        this.unresolved.push(op);
        return;
      }
      if (answer.status >= 200 && answer.status < 300) {
        op.onAck?.(answer.body);
        this.model.set(op.key, op.after);
        this.acknowledged++;
      } else if (REFUSED.has(answer.status)) {
        this.refused++;
      } else {
        this.failures.push(`worker ${w}: ${op.what} answered ${answer.status} ${JSON.stringify(answer.body)}`);
      }
    }
  }

  private next(w: number): Op {
    const mine = this.owned[w]!.filter((n) => (this.model.get(userKey(n)) as UserState | undefined)?.exists);
    const r = Math.random();
    if (mine.length < 3 || r < 0.2) return this.create(w);
    if (w === 0 && r < 0.3) return this.toggleGroupProducts(w);
    const name = mine[Math.floor(Math.random() * mine.length)]!;
    const s = this.model.get(userKey(name)) as Required<UserState>;
    const r2 = Math.random();
    if (r2 < 0.25) return this.profile(w, name, s);
    if (r2 < 0.45) return this.entitlement(w, name, s);
    if (r2 < 0.75) return this.membership(w, name, s);
    if (r2 < 0.88) return this.patchUser(w, name, `set active=${!s.active}`, { ...s, active: !s.active }, [
      { op: "replace", path: "active", value: !s.active },
    ]);
    return {
      worker: w,
      key: userKey(name),
      what: `DELETE ${name}`,
      after: { exists: false },
      send: (url) => callJson(`${url}/scim/v2/Users/${this.ids.get(name)}`, "DELETE", { token: this.setup.token }),
    };
  }

  private create(w: number): Op {
    const name = `w${w}-u${++this.serial}`;
    this.owned[w]!.push(name);
    const entitled = Math.random() < 0.3;
    const after: UserState = {
      exists: true,
      displayName: `${name} v0`,
      emails: [`${name}@${this.setup.domain}`],
      products: entitled ? [this.setup.product] : [],
      groups: [],
      active: true,
    };
    const body = {
      schemas: [USER_SCHEMA],
      userName: name,
      displayName: after.displayName,
      name: { givenName: "Crash", familyName: name },
      emails: [{ value: after.emails![0], type: "work", primary: true }],
      active: true,
      ...(entitled ? { entitlements: [{ value: this.setup.product }] } : {}),
    };
    return {
      worker: w,
      key: userKey(name),
      what: `create ${name}${entitled ? " with a seat" : ""}`,
      after,
      send: (url) => callJson(`${url}/scim/v2/Users`, "POST", { token: this.setup.token, body, contentType: "application/scim+json" }),
      onAck: (created) => this.ids.set(name, created.id),
    };
  }

  private profile(w: number, name: string, s: Required<UserState>): Op {
    const v = ++this.serial;
    const after = { ...s, displayName: `${name} v${v}`, emails: [`${name}.v${v}@${this.setup.domain}`] };
    return this.patchUser(w, name, `profile v${v}`, after, [
      { op: "replace", value: { displayName: after.displayName, emails: [{ value: after.emails[0], type: "work", primary: true }] } },
    ]);
  }

  private entitlement(w: number, name: string, s: Required<UserState>): Op {
    const product = this.setup.product;
    if (s.products.includes(product)) {
      return this.patchUser(w, name, `drop ${product}`, { ...s, products: [] }, [{ op: "remove", path: "entitlements" }]);
    }
    return this.patchUser(w, name, `ask ${product}`, { ...s, products: [product] }, [
      { op: "add", path: "entitlements", value: [{ value: product }] },
    ]);
  }

  private membership(w: number, name: string, s: Required<UserState>): Op {
    const names = [...this.setup.groups.keys()];
    const group = names[Math.floor(Math.random() * names.length)]!;
    const id = this.ids.get(name)!;
    const member = s.groups.includes(group);
    const groups = member ? s.groups.filter((g) => g !== group) : [...s.groups, group].sort();
    const operation = member
      ? { op: "remove", path: `members[value eq "${id}"]` }
      : { op: "add", path: "members", value: [{ value: id }] };
    return {
      worker: w,
      key: userKey(name),
      what: `${member ? "remove" : "add"} ${name} ${member ? "from" : "to"} ${group}`,
      after: { ...s, groups },
      send: (url) =>
        callJson(`${url}/scim/v2/Groups/${this.setup.groups.get(group)}`, "PATCH", {
          token: this.setup.token,
          body: { schemas: [PATCH_SCHEMA], Operations: [operation] },
          contentType: "application/scim+json",
        }),
    };
  }

  private patchUser(w: number, name: string, what: string, after: UserState, operations: unknown[]): Op {
    return {
      worker: w,
      key: userKey(name),
      what: `PATCH ${name}: ${what}`,
      after,
      send: (url) =>
        callJson(`${url}/scim/v2/Users/${this.ids.get(name)}`, "PATCH", {
          token: this.setup.token,
          body: { schemas: [PATCH_SCHEMA], Operations: operations },
          contentType: "application/scim+json",
        }),
    };
  }

  private toggleGroupProducts(w: number): Op {
    const { group, lists } = this.setup.toggled;
    const key = groupProductsKey(group);
    const now = (this.model.get(key) as ProductsState).products;
    const next = [...(now.join() === [...lists[0]].sort().join() ? lists[1] : lists[0])].sort();
    return {
      worker: w,
      key,
      what: `set the products of ${group} to [${next}]`,
      after: { products: next },
      send: (url) =>
        callJson(`${url}/admin/v1/orgs/${this.setup.orgId}/groups/${this.setup.groups.get(group)}/products`, "PUT", {
          token: this.setup.adminToken,
          body: { products: next },
        }),
    };
  }
}
