/** An organization with a verified domain and a SCIM token, made through the operator API (as an operator would). */
export async function createOrganization(serverUrl: string, adminToken: string, domain: string): Promise<{ orgId: string; token: string }> {
  const admin = async (path: string, body: unknown) => {
    const res = await fetch(`${serverUrl}/admin/v1${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    const json = (await res.json()) as Record<string, unknown>;
    if (res.status !== 201) throw new Error(`POST /admin/v1${path} answered ${res.status}: ${JSON.stringify(json)}`);
    return json;
  };
  const org = await admin("/orgs", { name: "bench" });
  const orgId = String(org.id);
  await admin(`/orgs/${orgId}/domains`, { name: domain, verified: true });
  const token = await admin(`/orgs/${orgId}/scim-tokens`, { label: "bench" });
  return { orgId, token: String(token.token) };
}

/**
 * Server settings of every benchmark server: quiet logs, and rate limits far
 * above anything the benchmark sends (the per-token default of 3,000 a minute
 * would refuse most of it), but still counted, so their cost is measured.
 */
export const SERVER_ENV = {
  LOG_LEVEL: "warn",
  RATE_LIMIT_TOKEN_PER_MINUTE: process.env.BENCH_RL ?? "10000000",
  RATE_LIMIT_ORG_PER_MINUTE: process.env.BENCH_RL ?? "10000000",
};
