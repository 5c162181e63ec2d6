/**
 * Validation of dateTime filter literals (RFC 7643 §2.3.5: xsd:dateTime, e.g.
 * "2011-05-13T04:42:34Z"). We validate in JavaScript before the value reaches
 * SQL so a bad literal is a 400 invalidFilter, never a database cast error, and
 * every literal we hand to `cast(... as timestamptz)` is one PostgreSQL accepts.
 */

const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?([Zz]|[+-](\d{2}):(\d{2}))?)?$/;

export interface DateTimeLiteral {
  /** An unambiguous ISO 8601 timestamp for PostgreSQL (a missing zone means UTC). */
  readonly sql: string;
  /** Millisecond ISO form, as scimmy stores dateTime values inside the resource jsonb. */
  readonly iso: string;
}

const daysIn = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();

export function parseDateTimeLiteral(value: string): DateTimeLiteral | undefined {
  const m = DATE_TIME.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h = "00", mi = "00", s = "00", frac, zone, zh, zm] = m;
  const year = Number(y);
  const month = Number(mo);
  // Year 0 is not a PostgreSQL date; hour 24 and leap seconds are legal in some
  // parsers but not in JavaScript's, so both sides could disagree: refuse them.
  if (year < 1 || month < 1 || month > 12) return undefined;
  if (Number(d) < 1 || Number(d) > daysIn(year, month)) return undefined;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return undefined;
  if (zone && zone.toUpperCase() !== "Z" && (Number(zh) > 23 || Number(zm) > 59)) return undefined;
  const offset = !zone || zone.toUpperCase() === "Z" ? "Z" : zone;
  const sqlText = `${y}-${mo}-${d}T${h}:${mi}:${s}${frac ? `.${frac}` : ""}${offset}`;
  const ms = Date.parse(sqlText);
  if (Number.isNaN(ms)) return undefined;
  return { sql: sqlText, iso: new Date(ms).toISOString() };
}
