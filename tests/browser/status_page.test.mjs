// The status page in Debian's real headless Chromium, driven by
// playwright-core, against a real `callpolicy serve` with a copy of
// examples/ that the tests edit. Screenshots of every view go to
// $ARTIFACTS_DIR and are checked not to be blank.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, cpSync, writeFileSync, renameSync, readFileSync, mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, waitFor } from "../support/processes.mjs";
import { inflateSync } from "node:zlib";
import { createHmac } from "node:crypto";
import { chromium } from "playwright-core";

const binary = process.env.CALLPOLICY_BINARY;
const source = process.env.CALLPOLICY_SOURCE_DIR;
const artifacts = process.env.ARTIFACTS_DIR || join(tmpdir(), "callpolicy-artifacts");
const chromiumPath = process.env.CHROMIUM || "/usr/bin/chromium";
assert.ok(binary && source, "CALLPOLICY_BINARY and CALLPOLICY_SOURCE_DIR are set by ctest");

const adminToken = "page-admin-token";
let dir, rules, server, admin, publicUrl, browser, serverLog = "";

// A voice webhook signed as Twilio signs it: HMAC-SHA1 of the URL and the
// sorted parameters, with the auth token.
async function call(to, sid, from = "+447700900123", endpoint = "voice") {
  const fields = { CallSid: sid, To: to, From: from, CallStatus: "ringing" };
  const url = `${publicUrl}/twilio/${endpoint}`;
  const signed = url + Object.keys(fields).sort().map((k) => k + fields[k]).join("");
  const signature = createHmac("sha1", "page-twilio-token").update(signed).digest("base64");
  const r = await fetch(url, { method: "POST", body: new URLSearchParams(fields),
                               headers: { "X-Twilio-Signature": signature } });
  return r.text();
}

function evalJson(args) {
  return JSON.parse(execFileSync(binary, ["eval", rules, "--format", "json", ...args], { encoding: "utf8" }));
}

// A PNG with more than a handful of distinct byte values once inflated is
// not a blank (one-colour) page.
function assertNotBlank(file) {
  const png = readFileSync(file);
  assert.equal(png.subarray(1, 4).toString(), "PNG", `${file} is a PNG`);
  const chunks = [];
  for (let at = 8; at < png.length; ) {
    const length = png.readUInt32BE(at);
    const type = png.subarray(at + 4, at + 8).toString();
    if (type === "IDAT") chunks.push(png.subarray(at + 8, at + 8 + length));
    at += 12 + length;
  }
  const pixels = inflateSync(Buffer.concat(chunks));
  const seen = new Set();
  for (let i = 0; i < pixels.length && seen.size < 64; i += 7) seen.add(pixels[i]);
  assert.ok(seen.size >= 16, `${file} has only ${seen.size} distinct byte values: blank?`);
  assert.ok(png.length > 8000, `${file} is ${png.length} bytes: blank?`);
}

// A page whose renderer crashes or throws says so in the output, rather
// than leaving only a locator's timeout to read.
async function openPage(options = {}) {
  const page = await browser.newPage(options);
  page.on("crash", () => console.log(`the page's renderer crashed at ${page.url()}`));
  page.on("pageerror", (e) => console.log(`the page's script threw at ${page.url()}: ${e}`));
  return page;
}

async function shoot(page, name) {
  mkdirSync(artifacts, { recursive: true });
  const file = join(artifacts, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  assertNotBlank(file);
  return file;
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "callpolicy-page-"));
  rules = join(dir, "rules");
  cpSync(join(source, "examples"), rules, { recursive: true });
  writeFileSync(join(dir, "token"), "page-twilio-token\n");
  writeFileSync(join(dir, "admin"), adminToken + "\n");
  const port = await freePort();
  const adminPort = await freePort();
  admin = `http://127.0.0.1:${adminPort}`;
  publicUrl = `http://127.0.0.1:${port}`;
  server = spawn(binary, ["serve", "--rules", rules, "--listen", `127.0.0.1:${port}`, "--admin-listen",
                          `127.0.0.1:${adminPort}`, "--auth-token-file", join(dir, "token"), "--admin-token-file",
                          join(dir, "admin"), "--journal", join(dir, "journal.jsonl"), "--threads", "2"],
                 { stdio: ["ignore", "ignore", "pipe"] });
  server.stderr.on("data", (d) => { serverLog += d; });
  await waitFor(async () => (await fetch(`${admin}/readyz`)).ok, 20000, "the server");
  browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    // A container's /dev/shm is often 64 MB, too small for Chromium's
    // renderers, which then crash: their shared memory goes to /tmp.
    args: ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking",
           "--disable-component-update", "--disable-sync"],
  });
});

after(async () => {
  if (browser) await browser.close();
  // The server writes its journal and last good set into `dir` until it has
  // exited: removing the directory before then races with it.
  if (server && server.exitCode === null && server.signalCode === null) {
    const exited = new Promise((resolve) => server.once("exit", resolve));
    server.kill("SIGTERM");
    await exited;
  }
  if (dir) rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
});

test("the page lists the example clinics with who answers them now, as eval says", async () => {
  const page = await openPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`${admin}/`);
  for (const clinic of ["smile-dental", "harbour-physio", "lakeside-vet", "downtown-dental", "riverside-clinic",
                        "north-shore-medical", "sunset-family-clinic"]) {
    const row = page.locator(`tr[data-clinic="${clinic}"]`);
    await row.waitFor();
    const first = row.locator("li.answer").first();
    const via = await first.locator(".via").textContent();
    // The minute may turn between the two; then both are read again.
    await waitFor(async () => {
      const expected = evalJson(["--clinic", clinic, "--at", "now", "--via", via]);
      const cls = await first.getAttribute("class");
      const reason = await first.locator(".reason").textContent();
      return cls.includes(expected.action) && reason === expected.reason;
    }, 10000, `${clinic}'s answer to match eval`);
  }
  assert.match(await page.locator("#count").textContent(), /7 of 7 clinics shown/);
  // The search box narrows the table without a reload.
  await page.getByLabel("Find a clinic").fill("harbour");
  await waitFor(async () => (await page.locator("tbody#rows tr").count()) === 1, 10000, "the search to narrow the rows");
  await page.getByLabel("Find a clinic").fill("");
  await shoot(page, "now-desktop");
  await page.close();
});

test("editing a policy changes the answer on the open page within 2 seconds", async () => {
  const page = await openPage();
  await page.goto(`${admin}/`);
  const row = page.locator('tr[data-clinic="downtown-dental"]');
  await row.locator("li.answer.ai").first().waitFor();
  const file = join(rules, "downtown-dental.policy");
  const text = readFileSync(file, "utf8");
  writeFileSync(file, text.replace("mode     always", "mode     disabled\n  fallback voicemail"));
  const edited = Date.now();
  await row.locator("li.answer.voicemail").first().waitFor({ timeout: 10000 });
  const took = Date.now() - edited;
  assert.ok(took <= 2000, `the page showed the edit after ${took} ms`);
  assert.equal(await row.locator("li.answer .reason").first().textContent(), "disabled");
  writeFileSync(file, text);
  await row.locator("li.answer.ai").first().waitFor({ timeout: 10000 });
  await page.close();
});

test("a broken edit shows its diagnostic, and the last good set keeps answering", async () => {
  const page = await openPage();
  await page.goto(`${admin}/`);
  const file = join(rules, "lakeside-vet.policy");
  const text = readFileSync(file, "utf8");
  // Saved as an editor saves, beside and renamed over: written in place, the
  // server may read the file empty between truncation and write, and apply a
  // set without the clinic before the broken one arrives.
  const save = (content) => {
    writeFileSync(`${file}.tmp`, content);
    renameSync(`${file}.tmp`, file);
  };
  save(text.replace('timezone "America/Vancouver"', 'timezone "America/Vancuver"'));
  const banner = page.locator("#banner .banner");
  await banner.waitFor({ timeout: 10000 });
  assert.match(await banner.textContent(), /lakeside-vet\.policy:\d+:\d+: error\[E010\]/);
  await page.locator('tr[data-clinic="lakeside-vet"] li.answer').first().waitFor();  // still listed, still answered
  await shoot(page, "now-broken-edit");
  const reloads = await openPage();
  await reloads.goto(`${admin}/reloads`);
  const diagnostics = await reloads.locator("#diagnostics").textContent();
  assert.match(diagnostics, /lakeside-vet\.policy:\d+:\d+: error\[E010\]: unknown time zone 'America\/Vancuver'/);
  assert.match(diagnostics, /note: did you mean 'America\/Vancouver'\?/);
  assert.match(await reloads.locator("#reload-result").textContent(), /not applied/);
  await shoot(reloads, "reloads");
  save(text);
  await banner.waitFor({ state: "detached", timeout: 10000 });
  await reloads.close();
  await page.close();
});

test("an override set with the button changes the answer and clearing it restores it", async () => {
  const page = await openPage({ viewport: { width: 1280, height: 1000 } });
  await page.goto(`${admin}/clinics/harbour-physio`);
  const answer = page.locator('tr[data-clinic="harbour-physio"] li.answer').first();
  await waitFor(async () => (await answer.getAttribute("class")).includes("forward"), 10000, "the staff answer");
  // A wrong token is refused, and says so.
  await page.getByLabel("Admin token").fill("wrong");
  await page.getByLabel("Reason (shown in every call's log)").fill("burst pipe");
  await page.getByLabel("Answer with").selectOption("voicemail");
  await page.getByRole("button", { name: "Set override" }).click();
  await waitFor(async () => (await page.locator("#ov-status").textContent()).includes("401"), 10000, "the refusal");
  await page.getByLabel("Admin token").fill(adminToken);
  await page.getByRole("button", { name: "Set override" }).click();
  await waitFor(async () => (await answer.getAttribute("class")).includes("voicemail"), 10000, "the override");
  assert.equal(await answer.locator(".reason").textContent(), "override: burst pipe");
  await shoot(page, "clinic-override");
  // Real calls obey it too, and the clinic's page lists them among its recent decisions.
  const listed = await (await fetch(`${admin}/admin/overrides`)).json();
  assert.equal(listed.overrides[0].clinic, "harbour-physio");
  assert.match(await call("+442079460555", "CA" + "7".repeat(32)), /<Record/);
  await page.reload();
  const recent = page.locator("table.decisions tbody tr").first();
  await recent.waitFor();
  assert.match(await recent.textContent(), /\+447700900123.*forwarded.*voicemail.*override: burst pipe/);
  await page.getByRole("button", { name: "Clear override" }).click();
  await waitFor(async () => (await answer.getAttribute("class")).includes("forward"), 10000, "the policy's answer again");
  await page.close();
});

test("the dry-run form gives the same action and reason as callpolicy eval", async () => {
  const page = await openPage({ viewport: { width: 1280, height: 1000 } });
  await page.goto(`${admin}/clinics/north-shore-medical`);
  for (const [at, via, calls] of [["2026-12-25T10:00", "ported", "0"], ["2026-12-02T12:45", "sip", "1"],
                                  ["2026-12-02T10:00", "sip", "4"], ["2026-12-02T19:00", "ported", "0"]]) {
    await page.getByLabel(/Local time/).fill(at);
    await page.getByLabel("Via").selectOption(via);
    await page.getByLabel("Calls already active").fill(calls);
    await page.getByRole("button", { name: "Try it" }).click();
    await page.locator("#dry-action").waitFor();
    const expected = evalJson(["--clinic", "north-shore-medical", "--at", at, "--via", via, "--calls", calls]);
    assert.equal(await page.locator("#dry-action").textContent(), expected.action, `${at} via ${via}`);
    assert.equal(await page.locator("#dry-reason").textContent(), expected.reason, `${at} via ${via}`);
    assert.match(await page.locator("pre.why").textContent(), /rules \(route\), the first that holds decides/);
  }
  // The week picture and the days ahead are on the page.
  assert.ok((await page.locator(".week svg rect").count()) > 20);
  // Each holiday with the rule that makes it one and where that rule is written.
  assert.match(await page.locator("ul.days").textContent(),
               /Christmas Day \(yearly 12-25, \S*rules\/north-shore-medical\.policy:24\): closed/);
  await shoot(page, "clinic-desktop");
  await page.close();
});

// The local wall clock of an instant in a zone, computed by the browser's own
// ICU: "2026-12-02 14:05:07".
function wallClock(page, iso, zone) {
  return page.evaluate(([iso, zone]) => {
    const parts = Object.fromEntries(new Intl.DateTimeFormat("en-CA", {
      timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit",
      second: "2-digit", hourCycle: "h23" }).formatToParts(new Date(iso)).map((p) => [p.type, p.value]));
    return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}`;
  }, [iso, zone]);
}

test("recent decisions show the clinic's local time, the CallSid and a PBX caller in E.164", async () => {
  const sids = [1, 2, 3, 4].map((n) => "CA" + String(n).repeat(32));
  for (const sid of sids) {
    assert.match(await call("sip:north-shore-medical@clinic.sip.twilio.com", sid, "sip:0298765432@pbx.example.com.au",
                            "sip"), /<Response>/);
  }
  const page = await openPage({ viewport: { width: 1280, height: 1000 } });
  await page.goto(`${admin}/clinics/north-shore-medical`);
  const rows = page.locator("table.decisions tbody tr");
  assert.equal(await rows.count(), 4);
  const newest = rows.first();
  assert.equal(await newest.locator('td[data-label="Call"]').textContent(), sids[3]);
  assert.equal(await newest.locator('td[data-label="Caller"]').textContent(), "+61298765432");
  assert.equal(await newest.locator('td[data-label="Step"]').textContent(), "sip");
  assert.match(await page.locator("table.decisions thead").textContent(), /Time \(Australia\/Sydney\)/);
  const time = newest.locator("time");
  const iso = await time.getAttribute("datetime");
  assert.ok((await time.textContent()).endsWith(await wallClock(page, iso, "Australia/Sydney")),
            `${await time.textContent()} is ${iso} in Sydney`);
  // Four calls against a threshold of three: the count stands out and says why.
  const active = page.locator('tr[data-clinic="north-shore-medical"] td[data-label="Active calls"]');
  await active.locator("strong.busy").waitFor();
  assert.match(await active.textContent(), /4 of 3.*overflow threshold/);
  // The answer says until when it holds: at that instant eval answers otherwise, a minute before alike.
  // (smile-dental, no call active: it opens and closes.)
  await page.goto(`${admin}/`);
  const answer = page.locator('tr[data-clinic="smile-dental"] li.answer').first();
  await answer.waitFor();
  const via = await answer.locator(".via").textContent();
  const action = (at) => evalJson(["--clinic", "smile-dental", "--at", at, "--via", via]).action;
  if (await answer.locator(".until time").count()) {
    const until = await answer.locator(".until time").getAttribute("datetime");
    const before = new Date(Date.parse(until) - 60000).toISOString().replace(/\.\d+Z$/, "Z");
    assert.equal(action(before), action("now"), `the answer holds until ${until}`);
    assert.notEqual(action(until), action("now"), `the answer changes at ${until}`);
  } else {
    // Holidays a week long (the winter break): then it says so.
    assert.equal(await answer.locator(".until").textContent(), "no change within 7 days");
  }
  await shoot(page, "clinic-recent-decisions");
  await page.close();
});

test("at 375 px wide the pages fit the screen, and every control is labelled and reached by keyboard", async () => {
  const page = await openPage({ viewport: { width: 375, height: 800 } });
  // Pages with recent decisions in them, long CallSids and reasons included.
  assert.match(await call("+14165551234", "CA" + "9".repeat(32)), /<Response>/);
  for (const path of ["/", "/clinics/smile-dental", "/clinics/north-shore-medical", "/clinics/harbour-physio",
                      "/clinics/north-shore-medical?at=2026-12-02T10:00&via=sip&calls=4", "/reloads"]) {
    await page.goto(`${admin}${path}`);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 375, `${path} is ${width} px wide at 375`);
    if (path.startsWith("/clinics/")) {
      assert.ok((await page.locator("table.decisions tbody td[data-label]").count()) > 0, `${path} lists decisions`);
    }
    const unlabelled = await page.evaluate(() =>
      [...document.querySelectorAll("input, select")].filter((e) => !document.querySelector(`label[for="${e.id}"]`)).length);
    assert.equal(unlabelled, 0, `${path}: controls without a label`);
    await shoot(page, `mobile${path.replaceAll("/", "-")}`);
  }
  await page.goto(`${admin}/`);
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement.textContent), "Skip to the content");
  // The search box is reached from the keyboard and searches.
  for (let i = 0; i < 6 && (await page.evaluate(() => document.activeElement.id)) !== "q"; ++i) await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement.id), "q");
  await page.close();
});

// A Twilio callback to `path` (its query included in what is signed).
async function twilio(path, fields) {
  const url = `${publicUrl}${path}`;
  const signed = url + Object.keys(fields).sort().map((k) => k + fields[k]).join("");
  const signature = createHmac("sha1", "page-twilio-token").update(signed).digest("base64");
  const r = await fetch(url, { method: "POST", body: new URLSearchParams(fields),
                               headers: { "X-Twilio-Signature": signature } });
  return { status: r.status, body: await r.text() };
}

test("the inbox shows a voicemail and a callback request on a desktop and a phone, and marks one done", async () => {
  const recording = "RE" + "5".repeat(32);
  const voicemail = await twilio(
    "/twilio/voicemail?clinic=harbour-physio&reason=unanswered&caller=%2B447700900123&to=%2B442079460555",
    { CallSid: "CA" + "5".repeat(32), RecordingSid: recording, RecordingDuration: "33",
      RecordingUrl: `https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/${recording}` });
  assert.equal(voicemail.status, 200);
  const callback = await twilio("/twilio/callback?clinic=harbour-physio&reason=long%20wait",
                                { CallSid: "CA" + "6".repeat(32), From: "+447700900124", To: "+442079460555",
                                  Digits: "1" });
  assert.match(callback.body, /We will call you back/);
  const callbackId = "callback-CA" + "6".repeat(32);
  for (const width of [1280, 375]) {
    const page = await openPage({ viewport: { width, height: 900 } });
    await page.goto(`${admin}/inbox`);
    const message = page.locator(`li.item[data-id="${recording}"]`);
    await message.waitFor();
    assert.equal(await message.locator("a", { hasText: "Listen to the recording" }).getAttribute("href"),
                 `https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/${recording}`);
    assert.match(await message.textContent(), /\+447700900123/);
    assert.match(await message.textContent(), /33 s/);
    assert.match(await message.textContent(), /Why: unanswered/);
    // Its local time, in the clinic's zone (London), with the instant in UTC beside it.
    assert.ok(await message.locator("time[datetime]").count() > 0);
    const request = page.locator(`li.item[data-id="${callbackId}"]`);
    assert.match(await request.textContent(), /Call back \+447700900124/);
    const scroll = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(scroll <= width, `the inbox is ${scroll} px wide at ${width}`);
    await shoot(page, `inbox-${width}`);
    // The clinic's own page lists them too.
    await page.goto(`${admin}/clinics/harbour-physio`);
    await page.locator(`#inbox li.item[data-id="${recording}"]`).waitFor();
    assert.ok((await page.evaluate(() => document.documentElement.scrollWidth)) <= width);
    await page.close();
  }
  const page = await openPage({ viewport: { width: 375, height: 900 } });
  await page.goto(`${admin}/inbox?clinic=harbour-physio`);
  await page.fill("#inbox-token", "not-the-token");
  await page.locator(`li.item[data-id="${recording}"] button.mark-done`).click();
  await waitFor(async () => /401/.test(await page.locator("#inbox-status").textContent()), 5000, "the refusal");
  await page.fill("#inbox-token", adminToken);
  await page.locator(`li.item[data-id="${recording}"] button.mark-done`).click();
  await waitFor(async () => (await page.locator("#inbox-status").textContent()) === "Marked done.", 5000, "the mark");
  await page.goto(`${admin}/inbox?clinic=harbour-physio&state=done`);
  const done = page.locator(`li.item[data-id="${recording}"]`);
  await done.waitFor();
  assert.match(await done.textContent(), /Done by admin/);
  await page.goto(`${admin}/inbox?clinic=harbour-physio`);
  assert.equal(await page.locator(`li.item[data-id="${recording}"]`).count(), 0);
  assert.equal(await page.locator(`li.item[data-id="${callbackId}"]`).count(), 1);
  const api = await (await fetch(`${admin}/admin/inbox?clinic=harbour-physio&state=done`)).json();
  assert.equal(api.items[0].id, recording);
  assert.equal(api.items[0].done_by, "admin");
  await page.close();
});

test("a message marked done on one server's page shows done on another's, through Redis", async () => {
  const redisPort = await freePort();
  const redis = spawn("/usr/bin/redis-server", ["--port", String(redisPort), "--bind", "127.0.0.1", "--save", "",
                                                "--appendonly", "no"], { stdio: "ignore" });
  const fleet = [];
  try {
    await waitFor(async () => {
      const { createConnection } = await import("node:net");
      return await new Promise((resolve) => {
        const s = createConnection(redisPort, "127.0.0.1", () => { s.end(); resolve(true); });
        s.on("error", () => resolve(false));
      });
    }, 10000, "redis-server");
    for (const name of ["a", "b"]) {
      const port = await freePort();
      const adminPort = await freePort();
      const child = spawn(binary, ["serve", "--rules", rules, "--listen", `127.0.0.1:${port}`, "--admin-listen",
                                   `127.0.0.1:${adminPort}`, "--auth-token-file", join(dir, "token"),
                                   "--admin-token-file", join(dir, "admin"), "--journal",
                                   join(dir, `fleet-${name}.jsonl`), "--state", `redis://127.0.0.1:${redisPort}`],
                          { stdio: ["ignore", "ignore", "ignore"] });
      fleet.push({ child, admin: `http://127.0.0.1:${adminPort}`, public: `http://127.0.0.1:${port}` });
      await waitFor(async () => (await fetch(`http://127.0.0.1:${adminPort}/readyz`)).ok, 20000, `server ${name}`);
    }
    // A request taken on server a, signed for a's URL.
    const fields = { CallSid: "CA" + "8".repeat(32), From: "+447700900125", To: "+442079460555", Digits: "1" };
    const url = `${fleet[0].public}/twilio/callback?clinic=harbour-physio&reason=long%20wait`;
    const signed = url + Object.keys(fields).sort().map((k) => k + fields[k]).join("");
    const signature = createHmac("sha1", "page-twilio-token").update(signed).digest("base64");
    const r = await fetch(url, { method: "POST", body: new URLSearchParams(fields),
                                 headers: { "X-Twilio-Signature": signature } });
    assert.match(await r.text(), /We will call you back/);
    const id = "callback-CA" + "8".repeat(32);
    // Server b's page lists it; it is marked done there.
    const page = await openPage({ viewport: { width: 375, height: 900 } });
    await waitFor(async () => {
      await page.goto(`${fleet[1].admin}/inbox?clinic=harbour-physio`);
      return (await page.locator(`li.item[data-id="${id}"]`).count()) === 1;
    }, 10000, "the request on server b's page");
    await page.fill("#inbox-token", adminToken);
    await page.locator(`li.item[data-id="${id}"] button.mark-done`).click();
    await waitFor(async () => (await page.locator("#inbox-status").textContent()) === "Marked done.", 5000, "the mark");
    // Server a's page shows it done, by whom.
    await page.goto(`${fleet[0].admin}/inbox?clinic=harbour-physio&state=done`);
    const done = page.locator(`li.item[data-id="${id}"]`);
    await done.waitFor();
    assert.match(await done.textContent(), /Done by admin/);
    await page.goto(`${fleet[0].admin}/inbox?clinic=harbour-physio`);
    assert.equal(await page.locator(`li.item[data-id="${id}"]`).count(), 0);
    await shoot(page, "inbox-fleet");
    await page.close();
  } finally {
    for (const { child } of fleet) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    }
    redis.kill("SIGTERM");
  }
});
