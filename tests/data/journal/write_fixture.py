#!/usr/bin/env python3
"""Writes a journal with a real `callpolicy serve`: every record type the
server journals (calls, statuses, a forward's and the AI's dial statuses, a
transfer, menu answers, a voicemail, an override set and cleared, and a
rotation's snapshot), so that tests can hold today's reader to what an
earlier server wrote. The rotated files and the current one are written to
OUT in order, as one file.

Usage: write_fixture.py CALLPOLICY_BINARY OUT.jsonl
"""
import base64
import datetime
import glob
import hashlib
import hmac
import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse

POLICY = """clinic fixture-clinic {
  timezone "UTC"
  region   "CA"
  numbers  { ported +15555550900 }
  hours    { daily 00:00-24:00 }
  ai       { sip "sip:fixture@sip.vapi.ai" }
  route {
    caller +14165550111 -> forward as "known patient"
    otherwise           -> menu
  }
  forward +14165550000 { timeout 20s unanswered voicemail }
  menu {
    say "Press 1 for our assistant, 2 for the front desk."
    1 -> ai
    2 -> forward
    timeout 5s -> voicemail
  }
  transfer {
    to +14165550000 -> forward
    otherwise       -> voicemail as "transfer refused"
  }
}
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main(binary, out_path):
    work = tempfile.mkdtemp(prefix="journal-fixture-")
    os.makedirs(f"{work}/rules")
    with open(f"{work}/rules/fixture.policy", "w") as f:
        f.write(POLICY)
    token, admin_token = "fixture-auth-token", "fixture-admin-token"
    for name, value in (("token", token), ("admin-token", admin_token)):
        with open(f"{work}/{name}", "w") as f:
            f.write(value + "\n")
    port, admin_port = free_port(), free_port()
    public_url = f"http://127.0.0.1:{port}"
    journal = f"{work}/journal.jsonl"
    server = subprocess.Popen([binary, "serve", "--rules", f"{work}/rules", "--listen", f"127.0.0.1:{port}",
                               "--admin-listen", f"127.0.0.1:{admin_port}", "--public-url", public_url,
                               "--auth-token-file", f"{work}/token", "--admin-token-file", f"{work}/admin-token",
                               "--journal", journal, "--journal-max-size", "3K"],
                              stdout=subprocess.DEVNULL, stderr=open(f"{work}/server.log", "w"))
    try:
        for _ in range(200):
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                c.request("GET", "/readyz")
                if c.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.05)
        else:
            raise SystemExit("the server did not become ready:\n" + open(f"{work}/server.log").read())

        def twilio(path, fields):
            body = urllib.parse.urlencode(fields)
            data = public_url + path + "".join(k + v for k, v in sorted(fields.items()))
            signature = base64.b64encode(hmac.new(token.encode(), data.encode(), hashlib.sha1).digest()).decode()
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            c.request("POST", path, body, {"Content-Type": "application/x-www-form-urlencoded",
                                           "X-Twilio-Signature": signature})
            r = c.getresponse()
            r.read()
            if r.status != 200:
                raise SystemExit(f"{path}: HTTP {r.status}")

        def admin(method, path, body=None):
            c = http.client.HTTPConnection("127.0.0.1", admin_port, timeout=5)
            c.request(method, path, json.dumps(body) if body else None,
                      {"Authorization": f"Bearer {admin_token}", "Content-Type": "application/json"})
            r = c.getresponse()
            r.read()
            if r.status != 200:
                raise SystemExit(f"{method} {path}: HTTP {r.status}")

        def sid(n):
            return "CA" + f"{n:032x}"

        number = "+15555550900"
        known, other = "+14165550111", "+14165550122"
        q = "?clinic=fixture-clinic"
        # A known patient forwarded; the desk does not answer.
        twilio("/twilio/voice", {"CallSid": sid(1), "To": number, "From": known, "CallStatus": "ringing"})
        twilio("/twilio/dial-status" + q, {"CallSid": sid(1), "To": number, "From": known,
                                           "DialCallStatus": "no-answer", "DialCallSid": sid(101)})
        twilio("/twilio/status", {"CallSid": sid(1), "CallStatus": "completed", "CallDuration": "95"})
        # Another caller at the menu: the assistant, then handed to the desk.
        twilio("/twilio/voice", {"CallSid": sid(2), "To": number, "From": other, "CallStatus": "ringing"})
        twilio("/twilio/menu" + q, {"CallSid": sid(2), "To": number, "From": other, "Digits": "1"})
        twilio("/twilio/refer" + q, {"CallSid": sid(2), "To": number, "From": other,
                                     "ReferTransferTarget": "sip:+14165550000@pbx.example.com"})
        twilio("/twilio/ai-status" + q, {"CallSid": sid(2), "To": number, "From": other,
                                         "DialCallStatus": "completed"})
        # A third: nothing pressed, a voicemail.
        twilio("/twilio/voice", {"CallSid": sid(3), "To": number, "From": other, "CallStatus": "ringing"})
        twilio("/twilio/menu" + q, {"CallSid": sid(3), "To": number, "From": other, "Digits": ""})
        twilio("/twilio/voicemail", {"CallSid": sid(3), "RecordingSid": "RE" + f"{3:032x}",
                                     "RecordingUrl": "https://api.twilio.com/recordings/RE3",
                                     "RecordingDuration": "14", "RecordingStatus": "completed"})
        twilio("/twilio/status", {"CallSid": sid(3), "CallStatus": "completed"})
        # An override decides a call, then is cleared.
        until = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)).strftime(
            "%Y-%m-%dT%H:%M:%SZ")
        admin("PUT", "/admin/clinics/fixture-clinic/override",
              {"action": "voicemail", "until": until, "reason": "fire drill"})
        twilio("/twilio/voice", {"CallSid": sid(4), "To": number, "From": other, "CallStatus": "ringing"})
        admin("DELETE", "/admin/clinics/fixture-clinic/override")
        # Calls 2 and 4 are still live: the rotation's snapshot carries them.
        for n in range(5, 12):
            twilio("/twilio/voice", {"CallSid": sid(n), "To": number, "From": known, "CallStatus": "ringing"})
            twilio("/twilio/status", {"CallSid": sid(n), "CallStatus": "completed"})
    finally:
        server.terminate()
        server.wait(10)
    # Rotated files are named FILE.YYYYMMDDTHHMMSSZ; the server keeps other files beside it.
    files = sorted(glob.glob(journal + ".[0-9]*T*Z")) + [journal]
    with open(out_path, "w") as out:
        for name in files:
            with open(name) as f:
                out.write(f.read())


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
