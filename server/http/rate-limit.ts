import { isIPv6 } from "node:net";
import type { RequestHandler } from "express";
import { describeWindow, type RateLimiter, type RateLimitScope } from "../domain/rate-limiter.ts";
import { HttpError } from "./error-map.ts";

export interface ClientRateLimit {
  limiter: RateLimiter;
  scope: RateLimitScope;
  /** Requests per window per client address; 0 = unlimited. */
  perClient: number;
  /** What the limit covers, for the message: "sign-in requests". */
  what: string;
}

/**
 * A limit per client address for public endpoints that have no credential to
 * count against (SAML sign-in). The address is Express's `req.ip`: the socket's
 * peer, or the client named by X-Forwarded-For when TRUST_PROXY says which
 * proxies to believe (without it, behind a load balancer every client shares
 * the balancer's address, and so one budget).
 */
export function clientRateLimit({ limiter, scope, perClient, what }: ClientRateLimit): RequestHandler {
  return async (req, res, next) => {
    if (perClient <= 0) return next();
    const decision = await limiter.take([{ scope, id: clientKey(req.ip ?? req.socket.remoteAddress ?? "unknown"), limit: perClient }]);
    if (!decision.allowed) {
      res.set("Retry-After", String(decision.retryAfterSeconds));
      throw new HttpError(
        429,
        "rate_limited",
        `Too many ${what} from your address: at most ${decision.limit} per ${describeWindow(decision.windowSeconds)}; ` +
          `retry after ${decision.retryAfterSeconds} seconds`,
      );
    }
    next();
  };
}

/**
 * IPv4 (also when IPv4-mapped) as is; IPv6 by its /64, the smallest block one
 * subscriber is usually given, so an attacker cannot get a fresh budget from
 * each of the 2^64 addresses of their own network.
 */
export function clientKey(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1]!;
  if (!isIPv6(ip)) return ip;
  return `${expandIPv6(ip).slice(0, 4).join(":")}::/64`;
}

function expandIPv6(ip: string): string[] {
  const [head, tail] = ip.split("%")[0]!.split("::") as [string, string | undefined];
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const zeros = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill("0");
  return [...left, ...zeros, ...right].map((g) => g.toLowerCase().replace(/^0+(?=.)/, ""));
}
