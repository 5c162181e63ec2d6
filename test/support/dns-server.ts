import { createSocket, type RemoteInfo, type Socket } from "node:dgram";

/**
 * A tiny authoritative DNS server over UDP on 127.0.0.1 for tests: it answers
 * TXT queries from an in-memory map the test controls, NXDOMAIN for names it
 * does not know, NODATA (NOERROR, no answers) for other types at known names.
 * The wire format is written by hand (RFC 1035 §4.1): header, the question
 * echoed, then one answer RR per record with TXT RDATA as length-prefixed
 * character-strings (§3.3.14).
 */
export interface TestDnsServer {
  /** "127.0.0.1:<port>", as createTxtResolver takes it. */
  readonly address: string;
  readonly port: number;
  /**
   * Sets the TXT records at `name`. A string is one record (split into
   * 255-byte character-strings when longer); an array is one record given as
   * its character-strings. [] makes the name exist without TXT records (NODATA).
   */
  setTxt(name: string, records: (string | string[])[]): void;
  /** Adds one record to those already at `name`. */
  addTxt(name: string, record: string | string[]): void;
  /** Answer this error (SERVFAIL, REFUSED) for the name until it is removed. */
  failWith(name: string, rcode: Rcode): void;
  /** Forget the name: NXDOMAIN from now on. */
  remove(name: string): void;
  /** Names queried so far (lower-case), oldest first. */
  readonly queries: string[];
  stop(): Promise<void>;
}

export type Rcode = "SERVFAIL" | "REFUSED";

const RCODES = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;
const TYPE_TXT = 16;
const CLASS_IN = 1;
const TTL_SECONDS = 60;
const HEADER_BYTES = 12;

export async function startDnsServer(): Promise<TestDnsServer> {
  const zone = new Map<string, string[][]>();
  const failures = new Map<string, Rcode>();
  const queries: string[] = [];
  const socket = createSocket("udp4");
  socket.on("message", (msg, from) => answer(socket, msg, from, zone, failures, queries));
  await new Promise<void>((resolve, reject) => {
    socket.once("error", reject);
    socket.bind(0, "127.0.0.1", () => {
      socket.off("error", reject);
      resolve();
    });
  });
  const port = socket.address().port;
  const key = (name: string) => name.toLowerCase().replace(/\.$/, "");
  return {
    address: `127.0.0.1:${port}`,
    port,
    queries,
    setTxt(name, records) {
      zone.set(key(name), records.map(toChunks));
    },
    addTxt(name, record) {
      zone.set(key(name), [...(zone.get(key(name)) ?? []), toChunks(record)]);
    },
    failWith(name, rcode) {
      failures.set(key(name), rcode);
    },
    remove(name) {
      zone.delete(key(name));
      failures.delete(key(name));
    },
    stop: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

function toChunks(record: string | string[]): string[] {
  if (Array.isArray(record)) return record;
  const bytes = Buffer.from(record, "utf8");
  const chunks: string[] = [];
  for (let i = 0; i < bytes.length; i += 255) chunks.push(bytes.subarray(i, i + 255).toString("utf8"));
  return chunks.length ? chunks : [""];
}

function answer(
  socket: Socket,
  query: Buffer,
  from: RemoteInfo,
  zone: Map<string, string[][]>,
  failures: Map<string, Rcode>,
  queries: string[],
): void {
  const question = parseQuestion(query);
  if (!question) {
    // Too short to carry even an id: nothing sensible to answer.
    if (query.length >= 2) socket.send(header(query, RCODES.FORMERR, 0, 0), from.port, from.address);
    return;
  }
  queries.push(question.name);
  const failure = failures.get(question.name);
  const records = zone.get(question.name);
  const rcode = failure ? RCODES[failure] : records ? RCODES.NOERROR : RCODES.NXDOMAIN;
  const answers = !failure && records && question.type === TYPE_TXT && question.class === CLASS_IN ? records : [];
  const response = Buffer.concat([
    header(query, rcode, 1, answers.length),
    question.raw,
    ...answers.map(txtAnswer),
  ]);
  // Without EDNS a UDP answer must fit in 512 bytes (RFC 1035 §4.2.1); keep test records small.
  if (response.length > 512) throw new Error(`test DNS answer for ${question.name} is ${response.length} bytes; keep it under 512`);
  socket.send(response, from.port, from.address);
}

interface Question {
  name: string;
  type: number;
  class: number;
  /** The question section as sent (QNAME, QTYPE, QCLASS), echoed in the answer. */
  raw: Buffer;
}

function parseQuestion(msg: Buffer): Question | undefined {
  if (msg.length < HEADER_BYTES || msg.readUInt16BE(4) !== 1) return undefined;
  const labels: string[] = [];
  let offset = HEADER_BYTES;
  for (;;) {
    const len = msg[offset];
    // Queries carry no compression pointers (length bytes >= 64 would be one).
    if (len === undefined || len > 63) return undefined;
    offset += 1;
    if (len === 0) break;
    if (offset + len > msg.length) return undefined;
    labels.push(msg.subarray(offset, offset + len).toString("latin1"));
    offset += len;
  }
  if (offset + 4 > msg.length) return undefined;
  return {
    name: labels.join(".").toLowerCase(),
    type: msg.readUInt16BE(offset),
    class: msg.readUInt16BE(offset + 2),
    raw: msg.subarray(HEADER_BYTES, offset + 4),
  };
}

function header(query: Buffer, rcode: number, qdcount: number, ancount: number): Buffer {
  const h = Buffer.alloc(HEADER_BYTES);
  h.writeUInt16BE(query.readUInt16BE(0), 0); // ID, copied
  const opcode = query.length > 2 ? (query[2]! >> 3) & 0x0f : 0;
  const rd = query.length > 2 ? query[2]! & 0x01 : 0;
  // QR=1 (response), OPCODE copied, AA=1 (authoritative), RD copied; RA=0, Z=0.
  h[2] = 0x80 | (opcode << 3) | 0x04 | rd;
  h[3] = rcode & 0x0f;
  h.writeUInt16BE(qdcount, 4);
  h.writeUInt16BE(ancount, 6);
  h.writeUInt16BE(0, 8); // NSCOUNT
  h.writeUInt16BE(0, 10); // ARCOUNT: no OPT record, so the client falls back to plain DNS
  return h;
}

function txtAnswer(chunks: string[]): Buffer {
  const rdata = Buffer.concat(
    chunks.map((c) => {
      const bytes = Buffer.from(c, "utf8");
      if (bytes.length > 255) throw new Error(`a TXT character-string is at most 255 bytes, got ${bytes.length}`);
      return Buffer.concat([Buffer.from([bytes.length]), bytes]);
    }),
  );
  const rr = Buffer.alloc(12);
  rr.writeUInt16BE(0xc00c, 0); // NAME: pointer to the question's QNAME at offset 12
  rr.writeUInt16BE(TYPE_TXT, 2);
  rr.writeUInt16BE(CLASS_IN, 4);
  rr.writeUInt32BE(TTL_SECONDS, 6);
  rr.writeUInt16BE(rdata.length, 10);
  return Buffer.concat([rr, rdata]);
}
