#!/usr/bin/env python3
"""Writes a wrk Lua script of pre-built, correctly signed Twilio voice
webhooks: COUNT requests, each with its own CallSid (numbered from FIRST),
the full inbound parameter set Twilio sends (about 25 parameters, ~700
bytes), `To` cycling over every line of TARGETS (numbers and SIP URIs), with
about 1 % unknown numbers mixed in. SIP targets go to /twilio/sip.

With MODE `status` (a seventh argument), the requests are instead final
status callbacks (`CallStatus=completed`) for the same CallSids. With SIDS
(an eighth), only SIDS distinct CallSids are used, repeated, while `To` still
cycles over every target: a registry that stays small under the same traffic.

Usage: bench/make_requests.py TARGETS PUBLIC_URL TOKEN COUNT FIRST OUT.lua [voice|status [SIDS]]
"""
import base64
import hashlib
import hmac
import sys
import urllib.parse

targets_path, public_url, token, count, first, out = sys.argv[1:7]
count, first = int(count), int(first)
mode = sys.argv[7] if len(sys.argv) > 7 else "voice"
sids = int(sys.argv[8]) if len(sys.argv) > 8 else count
targets = [t.strip() for t in open(targets_path) if t.strip()]
host = urllib.parse.urlparse(public_url).netloc


def lua_string(data):
    return "'" + "".join(c if c.isalnum() or c in " /:=&%.-_+,;?<>" else "\\%03d" % ord(c) for c in data) + "'"


# Lua allows 65,536 constants per function: the table is filled by one
# function per 10,000 requests.
with open(out, "w") as f:
    f.write("local requests = {}\n")
    for i in range(count):
        if i % 10000 == 0:
            if i:
                f.write("end\nfill()\n")
            f.write("local function fill()\n")
        n = first + i
        sid = first + i % sids
        to = "+19995%06d" % (n % 1000000) if n % 97 == 0 else targets[n % len(targets)]
        sip = to.startswith("sip:")
        path = "/twilio/sip" if sip else "/twilio/voice"
        caller = "sip:+14165550%03d@pbx.example.com" % (n % 1000) if sip else "+1416555%04d" % (n % 10000)
        fields = [
            ("AccountSid", "ACba8bc05eacf94afdae398e642c9cc32d"), ("ApiVersion", "2010-04-01"),
            ("CallSid", "CA%032x" % sid), ("CallStatus", "ringing"), ("CallToken", "%064x" % (sid * 7919)),
            ("Called", to), ("CalledCity", ""), ("CalledCountry", "CA"), ("CalledState", "ON"), ("CalledZip", ""),
            ("Caller", caller), ("CallerCity", "TORONTO"), ("CallerCountry", "CA"), ("CallerState", "ON"),
            ("CallerZip", "M5V"), ("Direction", "inbound"), ("From", caller), ("FromCity", "TORONTO"),
            ("FromCountry", "CA"), ("FromState", "ON"), ("FromZip", "M5V"), ("StirVerstat", "TN-Validation-Passed-A"),
            ("To", to), ("ToCity", ""), ("ToCountry", "CA"), ("ToState", "ON"), ("ToZip", ""),
        ]
        if mode == "status":
            path = "/twilio/status"
            fields = [(k, "completed" if k == "CallStatus" else v) for k, v in fields if k != "CallToken"]
            fields += [("CallDuration", "42"), ("Timestamp", "Wed, 25 Nov 2026 01:00:00 +0000"),
                       ("CallbackSource", "call-progress-events"), ("SequenceNumber", "0")]
        body = urllib.parse.urlencode(fields)
        data = public_url + path + "".join(k + v for k, v in sorted(fields))
        signature = base64.b64encode(hmac.new(token.encode(), data.encode(), hashlib.sha1).digest()).decode()
        request = ("POST %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: TwilioProxy/1.1\r\n"
                   "Content-Type: application/x-www-form-urlencoded\r\nX-Twilio-Signature: %s\r\n"
                   "Content-Length: %d\r\n\r\n%s") % (path, host, signature, len(body), body)
        f.write("requests[%d] = %s\n" % (i + 1, lua_string(request)))
    if count:
        f.write("end\nfill()\n")
    f.write("""local n = #requests
local i = 0
request = function()
  i = i % n + 1
  return requests[i]
end
""")
