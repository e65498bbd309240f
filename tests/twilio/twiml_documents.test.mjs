// The server's answers against the same documents built by Twilio's own
// Node library (twiml.VoiceResponse), compared element by element and
// attribute by attribute, after parsing both with a real XML parser. The
// requests are signed by the library too (getExpectedTwilioSignature), so
// the server's signature check is held to Twilio's reference as well.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, waitFor } from "../support/processes.mjs";
import twilio from "twilio";
import { DOMParser } from "@xmldom/xmldom";

const binary = process.env.CALLPOLICY_BINARY;
assert.ok(binary, "CALLPOLICY_BINARY is set by ctest");

const authToken = "library-twilio-token";
const clinic = "lib-dental";
const clinicNumber = "+15555550901";
const desk = "+14165550000";
const caller = "+12125550100";
const greeting = "Lib Dental cannot take your call. Please leave a message.";
const screen = "Press 1 to take a call for Lib Dental.";
let dir, server, publicUrl, serverLog = "";

async function post(path, fields) {
  const url = publicUrl + path;
  const signature = twilio.getExpectedTwilioSignature(authToken, url, fields);
  const r = await fetch(url, { method: "POST", body: new URLSearchParams(fields),
                               headers: { "X-Twilio-Signature": signature } });
  assert.equal(r.status, 200, `${path}: ${await r.clone().text()}`);
  assert.match(r.headers.get("content-type"), /^text\/xml/);
  return r.text();
}

// Every element, attribute and text of `expected` in `actual`, and nothing more.
function assertSameDocument(actual, expected) {
  const parse = (text) => {
    const errors = [];
    const doc = new DOMParser({ onError: (level, message) => errors.push(`${level}: ${message}`) })
      .parseFromString(text, "text/xml");
    assert.deepEqual(errors, [], `a well-formed document: ${text}`);
    return doc.documentElement;
  };
  const compare = (a, b, path) => {
    assert.equal(a.nodeName, b.nodeName, `${path}: element`);
    const attributes = (e) => Object.fromEntries(Array.from(e.attributes, (x) => [x.name, x.value]));
    assert.deepEqual(attributes(a), attributes(b), `${path}: attributes`);
    const children = (e) => Array.from(e.childNodes).filter((n) => n.nodeType === 1 || n.nodeType === 3);
    const ca = children(a);
    const cb = children(b);
    assert.equal(ca.length, cb.length, `${path}: children`);
    ca.forEach((n, i) => {
      const here = `${path}/${n.nodeName}[${i}]`;
      if (n.nodeType === 3 || cb[i].nodeType === 3) {
        assert.equal(n.nodeType, cb[i].nodeType, `${here}: kind`);
        assert.equal(n.data, cb[i].data, `${here}: text`);
      } else {
        compare(n, cb[i], here);
      }
    });
  };
  compare(parse(actual), parse(expected), "");
  // The declaration Twilio's library writes, too.
  assert.ok(actual.startsWith('<?xml version="1.0" encoding="UTF-8"?>'), actual);
}

function rfc3339Utc(seconds) {
  return new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, "+00:00");
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "callpolicy-twilio-"));
  mkdirSync(join(dir, "rules"));
  // No hours: the clinic is closed at every instant, so the AI's facts are
  // known but for the local time.
  writeFileSync(join(dir, "rules", "lib.policy"), `clinic ${clinic} {
  timezone "UTC"
  numbers  { ported ${clinicNumber} }
  mode     always
  ai       { sip "sip:lib@sip.vapi.ai" timeout 12s unavailable voicemail }
  forward  ${desk} { timeout 18s screen "${screen}" }
  voicemail { greeting "${greeting}" max 90s }
}
`);
  writeFileSync(join(dir, "token"), authToken + "\n");
  writeFileSync(join(dir, "admin"), "library-admin-token\n");
  const port = await freePort();
  const adminPort = await freePort();
  publicUrl = `http://127.0.0.1:${port}`;
  server = spawn(binary, ["serve", "--rules", join(dir, "rules"), "--listen", `127.0.0.1:${port}`, "--admin-listen",
                          `127.0.0.1:${adminPort}`, "--public-url", publicUrl, "--auth-token-file", join(dir, "token"),
                          "--admin-token-file", join(dir, "admin"), "--journal", join(dir, "journal.jsonl"),
                          "--threads", "2"],
                 { stdio: ["ignore", "ignore", "pipe"] });
  server.stderr.on("data", (d) => { serverLog += d; });
  await waitFor(async () => (await fetch(`http://127.0.0.1:${adminPort}/readyz`)).ok, 20000, "the server", () => serverLog);
});

after(async () => {
  if (server && server.exitCode === null && server.signalCode === null) {
    const exited = new Promise((resolve) => server.once("exit", resolve));
    server.kill("SIGTERM");
    await exited;
  }
  if (dir) rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
});

const call = (sid, extra = {}) => ({ CallSid: sid, To: clinicNumber, From: caller, CallStatus: "ringing", ...extra });

test("the AI's <Dial>: timeout, action, referUrl and the SIP URI's facts", async () => {
  const sid = "CA" + "1".repeat(32);
  const before = Math.floor(Date.now() / 1000);
  const actual = await post("/twilio/voice", call(sid));
  const after = Math.floor(Date.now() / 1000);
  const expectedAt = (seconds) => {
    const response = new twilio.twiml.VoiceResponse();
    const dial = response.dial({
      answerOnBridge: true,
      timeout: 12,
      action: `${publicUrl}/twilio/ai-status?clinic=${clinic}`,
      referUrl: `${publicUrl}/twilio/refer?clinic=${clinic}`,
    });
    const facts = [["x-clinic", clinic], ["x-reason", "always-on"], ["x-via", "ported"],
                   ["x-local-time", rfc3339Utc(seconds)], ["x-open", "no"], ["x-call-sid", sid],
                   ["x-caller", caller], ["x-next-open", "none"]];
    dial.sip("sip:lib@sip.vapi.ai?" + facts.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join("&"));
    return response.toString();
  };
  // The second may turn during the request: either side of it is the answer.
  const candidates = [];
  for (let s = before; s <= after; ++s) candidates.push(expectedAt(s));
  const matching = candidates.filter((expected) => {
    try {
      assertSameDocument(actual, expected);
      return true;
    } catch {
      return false;
    }
  });
  if (matching.length === 0) assertSameDocument(actual, candidates[candidates.length - 1]);
});

test("a transfer to the desk: the screened forward with its action and <Number url>", async () => {
  const sid = "CA" + "2".repeat(32);
  await post("/twilio/voice", call(sid));
  const actual = await post(`/twilio/refer?clinic=${clinic}`,
                            call(sid, { CallStatus: "in-progress", ReferTransferTarget: `<sip:${desk}@sip.vapi.ai>` }));
  const response = new twilio.twiml.VoiceResponse();
  response.say("Connecting you now.");
  const dial = response.dial({ timeout: 18, action: `${publicUrl}/twilio/dial-status?clinic=${clinic}&after=transfer` });
  dial.number({ url: `${publicUrl}/twilio/screen?clinic=${clinic}` }, desk);
  assertSameDocument(actual, response.toString());
});

test("the staff leg's screen: one key, then the caller", async () => {
  const actual = await post(`/twilio/screen?clinic=${clinic}`,
                            { CallSid: "CA" + "4".repeat(32), To: desk, From: caller, CallStatus: "in-progress" });
  const response = new twilio.twiml.VoiceResponse();
  const gather = response.gather({ numDigits: 1, timeout: 5, action: `${publicUrl}/twilio/screen?clinic=${clinic}` });
  gather.say(screen);
  response.hangup();
  assertSameDocument(actual, response.toString());
});

test("a refused transfer and a failed AI leg: the voicemail", async () => {
  const sid = "CA" + "3".repeat(32);
  await post("/twilio/voice", call(sid));
  // The recording's callback names the clinic, why, the caller and the number dialled.
  const voicemail = (reason) => {
    const response = new twilio.twiml.VoiceResponse();
    response.say(greeting);
    const query = new URLSearchParams({ clinic, reason, caller, to: clinicNumber }).toString().replaceAll("+", "%20");
    response.record({
      maxLength: 90,
      playBeep: true,
      action: `${publicUrl}/twilio/hangup?clinic=${clinic}`,
      recordingStatusCallback: `${publicUrl}/twilio/voicemail?${query}`,
      recordingStatusCallbackEvent: "completed",
    });
    return response.toString();
  };
  assertSameDocument(await post(`/twilio/refer?clinic=${clinic}`,
                                call(sid, { CallStatus: "in-progress", ReferTransferTarget: "tel:+19005550100" })),
                     voicemail("transfer refused"));
  assertSameDocument(await post(`/twilio/ai-status?clinic=${clinic}`,
                                call(sid, { CallStatus: "in-progress", DialCallStatus: "failed" })),
                     voicemail("ai unavailable"));
});
