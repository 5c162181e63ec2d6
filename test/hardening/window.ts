/**
 * Rate-limit windows are cut from the database clock on epoch-aligned
 * boundaries (the test database runs on this machine, so on this clock too).
 * A test that counts requests up to a limit first makes sure the current
 * window is not about to end, so its burst lands in one window.
 */
export async function clearOfWindowEnd(windowSeconds: number, marginMs = 3_000): Promise<void> {
  const windowMs = windowSeconds * 1000;
  const left = windowMs - (Date.now() % windowMs);
  if (left < marginMs) await new Promise((r) => setTimeout(r, left + 100));
}
