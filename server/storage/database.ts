import { mkdirSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import { Kysely, PostgresDialect, sql } from "kysely";
import { PGliteDialect } from "./pglite-dialect.ts";
import pg from "pg";
import type { Database } from "./tables.ts";

export interface DatabaseHandle {
  readonly db: Kysely<Database>;
  readonly engine: "postgres" | "pglite";
  /** Resolves when the database answers a trivial query; rejects otherwise. */
  ping(): Promise<void>;
  /** Connection pool occupancy for /metrics; PGlite is one in-process connection (1 total, 0 idle, 0 waiting). */
  poolStats(): PoolStats;
  close(): Promise<void>;
}

export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
}

export interface DatabaseOptions {
  /** postgres://… for PostgreSQL; otherwise embedded PGlite. */
  databaseUrl?: string | undefined;
  /** PGlite data directory; "memory://" for a throwaway in-memory database. */
  dataDir?: string;
  poolSize?: number;
  /** Called when an idle pooled connection fails (logged by the caller; the pool recovers by itself). */
  onIdleError?: (err: Error) => void;
}

// pg returns int8 (count(*), bigint) as strings; PGlite returns numbers. Our
// counts fit in a double, so parse them the same way on both engines.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

export async function openDatabase(options: DatabaseOptions): Promise<DatabaseHandle> {
  if (options.databaseUrl) {
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: options.poolSize ?? 10 });
    // An idle connection the server ends (restart, failover, pg_terminate_backend) emits
    // "error" on the pool; unhandled, that would crash the process. The pool replaces it.
    pool.on("error", (err) => options.onIdleError?.(err));
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return handle(db, "postgres", () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }));
  }
  const dataDir = options.dataDir ?? "./data";
  if (!dataDir.startsWith("memory://")) mkdirSync(dataDir, { recursive: true });
  const pglite = await PGlite.create(dataDir);
  const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
  return handle(db, "pglite", () => ({ total: 1, idle: 0, waiting: 0 }));
}

function handle(db: Kysely<Database>, engine: DatabaseHandle["engine"], poolStats: () => PoolStats): DatabaseHandle {
  return {
    db,
    engine,
    poolStats,
    async ping() {
      await sql`select 1`.execute(db);
    },
    async close() {
      await db.destroy();
    },
  };
}
