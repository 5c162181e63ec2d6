import { type Request, type RequestHandler, type Response, Router } from "express";
import SCIMMY from "scimmy";
import { BULK_MAX_OPERATIONS, BULK_MAX_PAYLOAD_BYTES } from "./bulk/limits.ts";
import { scimContext } from "./context.ts";
import { DEFAULT_COUNT, MAX_COUNT } from "./list-params.ts";
import { CURSOR_TIMEOUT_SECONDS } from "./pagination/cursor.ts";
import { listResponse } from "./list-response.ts";
import {
  ENTERPRISE_USER_SCHEMA,
  GROUP_SCHEMA,
  SCIMGATE_USER_SCHEMA,
  USER_SCHEMA,
  groupSchemaDefinition,
  scimGateUserSchemaDefinition,
  userSchemaDefinition,
} from "./schemas.ts";
import { ScimError } from "./scim-error.ts";
import { sendScim } from "./send.ts";

/**
 * Discovery documents (RFC 7644 §4). They must tell the truth: every feature
 * marked supported here is implemented and tested, and nothing else is. They are
 * built per request from the caller's base URL, never from scimmy's global
 * basepath (which leaks between apps, see shared/STACK.md).
 */
export function discoveryRouter(): Router {
  const r = Router();
  r.get("/ServiceProviderConfig", refuseFilter, (req, res) => sendScim(res, 200, serviceProviderConfig(scimContext(req).baseUrl)));
  r.get("/ResourceTypes", refuseFilter, (req, res) => sendList(res, resourceTypes(scimContext(req).baseUrl)));
  r.get("/ResourceTypes/:name", refuseFilter, (req: Request<{ name: string }>, res: Response) =>
    sendOne(res, resourceTypes(scimContext(req).baseUrl), (t) => t.id === req.params.name, "ResourceType", req.params.name),
  );
  r.get("/Schemas", refuseFilter, (req, res) => sendList(res, schemas(scimContext(req).baseUrl)));
  r.get("/Schemas/:id", refuseFilter, (req: Request<{ id: string }>, res: Response) =>
    sendOne(res, schemas(scimContext(req).baseUrl), (s) => s.id === req.params.id, "Schema", req.params.id),
  );
  return r;
}

export function serviceProviderConfig(baseUrl: string) {
  return {
    schemas: ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
    patch: { supported: true },
    bulk: { supported: true, maxOperations: BULK_MAX_OPERATIONS, maxPayloadSize: BULK_MAX_PAYLOAD_BYTES },
    filter: { supported: true, maxResults: MAX_COUNT },
    changePassword: { supported: true },
    sort: { supported: true },
    etag: { supported: true },
    // RFC 9865 §4: both paging methods; index stays the default, as RFC 7644 clients expect.
    pagination: {
      cursor: true,
      index: true,
      defaultPaginationMethod: "index",
      defaultPageSize: DEFAULT_COUNT,
      maxPageSize: MAX_COUNT,
      cursorTimeout: CURSOR_TIMEOUT_SECONDS,
    },
    authenticationSchemes: [
      {
        type: "oauthbearertoken",
        name: "Bearer token",
        description: "A per-organization token created by the operator (POST /admin/v1/orgs/{org}/scim-tokens)",
        specUri: "https://www.rfc-editor.org/rfc/rfc6750",
        primary: true,
      },
    ],
    meta: { resourceType: "ServiceProviderConfig", location: `${baseUrl}/ServiceProviderConfig` },
  };
}

function resourceTypes(baseUrl: string) {
  const meta = (id: string) => ({ resourceType: "ResourceType", location: `${baseUrl}/ResourceTypes/${id}` });
  return [
    {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
      id: "User",
      name: "User",
      endpoint: "/Users",
      description: "User Account",
      schema: USER_SCHEMA,
      // Our extension is rendered on Users waiting for a seat (pendingProducts), so it is declared here too.
      schemaExtensions: [
        { schema: ENTERPRISE_USER_SCHEMA, required: false },
        { schema: SCIMGATE_USER_SCHEMA, required: false },
      ],
      meta: meta("User"),
    },
    {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
      id: "Group",
      name: "Group",
      endpoint: "/Groups",
      description: "Group",
      schema: GROUP_SCHEMA,
      meta: meta("Group"),
    },
  ];
}

function schemas(baseUrl: string): { id: string }[] {
  const base = `${baseUrl}/Schemas`;
  const user = userSchemaDefinition().describe(base) as { id: string };
  const enterprise = SCIMMY.Schemas.EnterpriseUser.definition.describe(base) as { id: string };
  const scimGate = scimGateUserSchemaDefinition().describe(base) as { id: string };
  const group = groupSchemaDefinition().describe(base) as { id: string };
  return [user, enterprise, scimGate, group];
}

/**
 * RFC 7644 §4: query parameters are ignored on discovery endpoints, but "if a
 * 'filter' is provided, the service provider SHOULD respond with HTTP status
 * code 403" so a client never takes an unfiltered answer for a filtered one.
 * Applied to every discovery GET, single documents included.
 */
const refuseFilter: RequestHandler = (req, _res, next) => {
  if ("filter" in (req.query as object)) throw new ScimError(403, undefined, "Filtering is not supported on discovery endpoints");
  next();
};

function sendList(res: Response, items: unknown[]) {
  sendScim(res, 200, listResponse(items.length, 1, items));
}

function sendOne<T extends { id: string }>(res: Response, items: T[], match: (t: T) => boolean, kind: string, id: string) {
  const found = items.find(match);
  if (!found) throw new ScimError(404, undefined, `${kind} "${id}" not found`);
  sendScim(res, 200, found);
}
