import { IMPORT_COLUMNS } from "./import-rows.ts";

export const IMPORT_TEMPLATE_FILENAME = "users-template.csv";

/**
 * The file to start from: the header row and one example user. CRLF line
 * ends (RFC 4180 §2); product keys in one field, separated by ";".
 */
export const IMPORT_TEMPLATE_CSV = `${IMPORT_COLUMNS.join(",")}\r\nJane,Doe,jane.doe@example.com,meeting;webinar\r\n`;
