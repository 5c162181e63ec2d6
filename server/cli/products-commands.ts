import type { Command } from "./command.ts";
import { UsageError } from "./io.ts";
import { orgModelClient } from "./org-model-client.ts";
import { printJson, printLines, printTable, safe } from "./output.ts";

export const productsCommands: Command[] = [
  {
    words: ["products", "list"],
    args: ["org"],
    summary: "List an organization's products with seats assigned and pending",
    details: "PENDING counts users waiting for a seat (first come, first served).",
    async run({ io, json, args, client }) {
      const { products } = await orgModelClient(client()).listProducts(args.org!);
      if (json) return printJson(io.stdout, { products });
      if (!products.length) return printLines(io.stdout, `No products for organization ${args.org}.`);
      printTable(
        io.stdout,
        ["KEY", "SEATS", "ASSIGNED", "PENDING"],
        products.map((p) => [p.key, String(p.seats), String(p.assigned), String(p.pending)]),
      );
    },
  },
  {
    words: ["products", "set"],
    args: ["org", "key"],
    options: ["seats"],
    summary: "Create a product or change its number of seats",
    details: [
      "<key> is 1 to 64 characters among a-z 0-9 . _ - (e.g. meeting). Raising the seats grants",
      "them at once to users waiting; lowering below the seats assigned is refused.",
    ].join("\n"),
    async run({ io, json, args, options, client }) {
      const raw = options.seats!.trim();
      if (!/^\d{1,9}$/.test(raw)) throw new UsageError(`--seats must be a whole number, got "${raw}"`, "products set");
      const p = await orgModelClient(client()).setSeats(args.org!, args.key!, Number(raw));
      if (json) return printJson(io.stdout, p);
      printLines(io.stdout, `Product ${safe(p.key)}: ${p.seats} seats, ${p.assigned} assigned, ${p.pending} pending`);
    },
  },
];
