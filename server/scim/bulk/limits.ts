/**
 * The limits of one /Bulk request (RFC 7644 §3.7.4), advertised in
 * /ServiceProviderConfig and enforced with 413. 1,000 operations of a few
 * hundred bytes to a few kilobytes each (a User with its enterprise extension)
 * fit in 4 MiB; a larger job is split by the client into several requests.
 */
export const BULK_MAX_OPERATIONS = 1000;
export const BULK_MAX_PAYLOAD_BYTES = 4 * 1024 * 1024;
