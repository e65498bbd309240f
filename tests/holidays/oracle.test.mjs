// Every built-in calendar, every year 2000-2100, against date-holidays
// (tests/holidays/package-lock.json), an independent library kept by others
// from other sources: the way the zone tests hold cctz to zoneinfo. Each
// day one side has and the other lacks is a difference; each must be
// covered by a line of reviewed-differences.tsv naming the government page
// that says which side is right, and no line may cover nothing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import Holidays from "date-holidays";

const binary = process.env.CALLPOLICY_BINARY;
assert.ok(binary, "CALLPOLICY_BINARY is set by ctest");
const here = dirname(fileURLToPath(import.meta.url));
const firstYear = 2000;
const lastYear = 2100;
const header = ["calendar", "holiday", "from", "to", "side", "source"];
const sides = ["only-callpolicy", "only-date-holidays"];

function callpolicy(...args) {
  return JSON.parse(execFileSync(binary, args, { encoding: "utf8", maxBuffer: 64 << 20 }));
}

// `ca` is date-holidays' CA, `ca-bc` its CA with state BC.
function oracleFor(id) {
  const [country, state] = id.toUpperCase().split("-");
  const hd = state ? new Holidays(country, state) : new Holidays(country);
  assert.ok(hd.getHolidays(firstYear).length, `date-holidays knows ${id}`);
  hd.setLanguages("en");
  return hd;
}

// date -> names, of date-holidays' public holidays.
function oracleDays(id) {
  const hd = oracleFor(id);
  const days = new Map();
  for (let year = firstYear; year <= lastYear; ++year) {
    for (const h of hd.getHolidays(year)) {
      if (h.type !== "public") continue;
      const date = h.date.slice(0, 10);
      days.set(date, [...(days.get(date) ?? []), h.name]);
    }
  }
  return days;
}

function ourDays(id) {
  const days = new Map();
  const listed = callpolicy("calendars", "show", id, "--from", String(firstYear), "--to", String(lastYear),
                            "--format", "json");
  for (const d of listed) {
    assert.equal(d.calendar, id);
    days.set(d.date, [...(days.get(d.date) ?? []), d.name]);
  }
  return days;
}

function readReviewed(ids) {
  const path = join(here, "reviewed-differences.tsv");
  const lines = readFileSync(path, "utf8").split("\n").filter((l) => l !== "");
  assert.deepEqual(lines[0].split("\t"), header, `${path}:1: the header`);
  return lines.slice(1).map((line, i) => {
    const where = `${path}:${i + 2}`;
    const fields = line.split("\t");
    assert.equal(fields.length, header.length, `${where}: ${header.length} tab-separated fields`);
    const [calendar, holiday, from, to, side, source] = fields;
    assert.ok(ids.includes(calendar), `${where}: '${calendar}' is a built-in calendar`);
    assert.ok(holiday.length > 0, `${where}: names the holiday`);
    assert.match(from, /^\d{4}$/, `${where}: 'from' is a year`);
    assert.match(to, /^\d{4}$/, `${where}: 'to' is a year`);
    assert.ok(+from <= +to, `${where}: 'from' is not after 'to'`);
    assert.ok(sides.includes(side), `${where}: side is ${sides.join(" or ")}`);
    assert.match(source, /^https:\/\/\S+$/, `${where}: the source is a URL`);
    return { calendar, holiday, from: +from, to: +to, side, source, where, used: 0 };
  });
}

test("the built-in calendars agree with date-holidays, or the difference is reviewed", () => {
  const ids = callpolicy("calendars", "--format", "json").map((c) => c.id);
  assert.ok(ids.includes("ca") && ids.includes("ca-bc") && ids.includes("us"), ids.join(" "));
  const reviewed = readReviewed(ids);
  let compared = 0;
  const differences = [];
  for (const id of ids) {
    const ours = ourDays(id);
    const theirs = oracleDays(id);
    const dates = new Set([...ours.keys(), ...theirs.keys()]);
    compared += dates.size;
    for (const date of dates) {
      if (ours.has(date) && theirs.has(date)) continue;
      const side = ours.has(date) ? "only-callpolicy" : "only-date-holidays";
      for (const name of (ours.get(date) ?? theirs.get(date))) differences.push({ calendar: id, date, name, side });
    }
  }
  const unreviewed = [];
  for (const d of differences) {
    const year = +d.date.slice(0, 4);
    const line = reviewed.find((r) => r.calendar === d.calendar && r.side === d.side && r.holiday === d.name &&
                                      r.from <= year && year <= r.to);
    if (line) ++line.used; else unreviewed.push(d);
  }
  const covered = differences.length - unreviewed.length;
  console.log(`calendars ${ids.length}, years ${firstYear}-${lastYear} (${lastYear - firstYear + 1}), ` +
              `dates compared ${compared}, differences ${differences.length}, differences reviewed ${covered}, ` +
              `review lines ${reviewed.length}`);
  for (const r of reviewed) console.log(`  ${r.calendar}  ${r.holiday}  ${r.from}-${r.to}  ${r.side}  ${r.used} days`);
  // Unreviewed differences, grouped as a line of the file would cover them.
  const groups = new Map();
  for (const d of unreviewed) {
    const key = `${d.calendar}\t${d.name}\t${d.side}`;
    const years = groups.get(key) ?? [];
    groups.set(key, [...years, d.date]);
  }
  for (const [key, dates] of groups) {
    const [calendar, name, side] = key.split("\t");
    console.log(`  unreviewed: ${calendar}\t${name}\t${dates[0].slice(0, 4)}\t${dates.at(-1).slice(0, 4)}\t${side}` +
                `\t(${dates.length} days: ${dates.slice(0, 3).join(" ")}${dates.length > 3 ? " ..." : ""})`);
  }
  assert.deepEqual(unreviewed.map((d) => `${d.calendar} ${d.date} ${d.side} ${d.name}`), [],
                   "every difference has a line in reviewed-differences.tsv");
  assert.deepEqual(reviewed.filter((r) => r.used === 0).map((r) => r.where), [],
                   "every line of reviewed-differences.tsv covers a difference");
});
