#!/usr/bin/env python3
"""Writes N realistic clinic policy files for load benchmarks: every mode and
route kind, about twenty zones (half-hour ones included), weekly hours with
lunch breaks and overnight windows, holidays with ranges and yearly rules,
schedules, one to three numbers each, about 30 % with SIP users, and shared
calendars. Deterministic for a given N and seed.

Usage: bench/generate_clinics.py N OUT_DIR [SEED]
Prints nothing; writes OUT_DIR/calendars.policy, OUT_DIR/cNNNNN.policy and
OUT_DIR/targets.txt (every number and SIP user, one per line, for the load
generator).
"""
import os
import random
import sys

count = int(sys.argv[1])
out = sys.argv[2]
random.seed(int(sys.argv[3]) if len(sys.argv) > 3 else 1)
os.makedirs(out, exist_ok=True)

zones = [
    ("America/Toronto", "+1416"), ("America/Vancouver", "+1604"), ("America/New_York", "+1212"),
    ("America/Chicago", "+1312"), ("America/Denver", "+1303"), ("America/Los_Angeles", "+1213"),
    ("America/St_Johns", "+1709"), ("America/Halifax", "+1902"), ("America/Winnipeg", "+1204"),
    ("Europe/London", "+44207"), ("Europe/Paris", "+33142"), ("Europe/Berlin", "+49301"),
    ("Europe/Madrid", "+34911"), ("Asia/Kolkata", "+91223"), ("Asia/Kathmandu", "+97714"),
    ("Australia/Sydney", "+61255"), ("Australia/Adelaide", "+61881"), ("Australia/Darwin", "+61889"),
    ("Pacific/Auckland", "+64955"), ("Asia/Tokyo", "+81355"), ("America/Sao_Paulo", "+55113"),
]
calendars = """# Shared holiday calendars for the generated clinics.
calendar bench-federal {
  yearly 01-01 "New Year's Day" observed sat -> mon, sun -> mon
  easter -2 "Good Friday"
  yearly 07-01 "Canada Day" observed sun -> mon
  yearly 12-25 "Christmas Day" observed sat -> mon, sun -> mon
  yearly 12-26 "Boxing Day" observed sat -> mon, sun -> tue
}

calendar bench-provincial {
  yearly 3rd mon of feb "Family Day"
  yearly 1st mon of aug "Civic Holiday"
  yearly 1st mon of sep "Labour Day"
  use bench-federal
}

calendar bench-uk {
  yearly 01-01 "New Year's Day"
  yearly last mon of may "Spring bank holiday"
  yearly last mon of aug "Summer bank holiday"
  yearly 12-25 "Christmas Day"
}
"""
with open(os.path.join(out, "calendars.policy"), "w") as f:
    f.write(calendars)

targets = []
used_numbers = set()


def number(prefix):
    while True:
        digits = 12 - len(prefix) + 1
        n = prefix + "".join(random.choice("0123456789") for _ in range(max(digits, 4)))
        if n not in used_numbers and 9 <= len(n) <= 16:
            used_numbers.add(n)
            return n


def hours_block():
    kind = random.random()
    if kind < 0.5:
        return "  hours {\n    mon-fri 08:30-12:00, 13:00-17:30\n    sat 09:00-13:00\n  }\n"
    if kind < 0.8:
        return "  hours {\n    mon,tue,thu,fri 07:00-19:00\n    wed 07:00-12:00, 13:00-21:00\n  }\n"
    # A clinic with an overnight line.
    return "  hours {\n    mon-thu 08:00-18:00\n    fri 20:00-02:00\n    sun 10:00-14:00\n  }\n"


def holidays_block(uk):
    lines = ["    use bench-uk" if uk else "    use bench-provincial",
             '    2026-12-24 "Christmas Eve"',
             '    2026-12-28..2026-12-31 "Winter break"',
             '    yearly 2nd mon of oct "Clinic day"']
    return "  holidays {\n" + "\n".join(lines) + "\n  }\n"


modes = ["always", "after-hours-only", "overflow-only", "scheduled", "disabled", "route", "route", "after-hours-only"]
for i in range(count):
    clinic = "c%05d" % i
    zone, prefix = zones[i % len(zones)]
    mode = modes[i % len(modes)]
    numbers = []
    kinds = ["ported", "forwarded"]
    for _ in range(random.randint(1, 3)):
        kind = random.choice(kinds)
        n = number(prefix)
        numbers.append((kind, n))
        targets.append(n)
    sip_users = []
    if random.random() < 0.3:
        sip_users = [clinic, clinic + "-pbx"][: random.randint(1, 2)]
        targets += ["sip:%s@clinics.sip.twilio.com" % u for u in sip_users]
    body = ['clinic %s {' % clinic, '  name     "Clinic %d"' % i, '  timezone "%s"' % zone, "", "  numbers {"]
    for kind in kinds:
        mine = [n for k, n in numbers if k == kind]
        if mine:
            body.append("    %-9s %s" % (kind, ", ".join(mine)))
    if sip_users:
        body.append("    sip       " + ", ".join(sip_users))
    body.append("  }")
    text = "\n".join(body) + "\n\n"
    # Each clinic carries what its mode reads and nothing else, as a set that
    # passes `check --strict` does (W-unused-setting).
    if mode in ("after-hours-only", "route"):
        text += hours_block() + "\n" + holidays_block(zone.startswith("Europe")) + "\n"
    if mode == "scheduled":
        text += ("  schedule {\n    enable weekdays 00:00-08:00\n    enable weekdays 12:00-13:00\n"
                 "    enable weekdays 18:00-24:00\n    enable weekends\n    disable 2026-12-25\n  }\n\n")
    if mode in ("overflow-only", "route"):
        text += "  overflow %d\n\n" % random.randint(2, 6)
    if mode == "route":
        text += ("  route {\n    holiday -> voicemail\n    caller %s -> forward as \"vip\"\n"
                 "    via sip and calls >= 4 -> busy\n    during mon-fri 12:00-13:00 -> ai as \"lunch\"\n"
                 "    closed or overflow -> ai\n    otherwise -> forward\n  }\n\n") % number(prefix)
    else:
        # A clinic that never lets the AI answer sends its calls to staff.
        fallback = "forward" if mode == "disabled" else random.choice(["voicemail", "forward", "busy"])
        text += "  mode     %s\n  fallback %s\n\n" % (mode, fallback)
    text += '  ai       { sip "sip:%s@sip.vapi.ai" }\n' % clinic
    text += "  forward  %s { timeout 20s }\n" % number(prefix)
    text += '  voicemail { greeting "Clinic %d is closed. Please leave a message." }\n' % i
    text += "}\n"
    with open(os.path.join(out, clinic + ".policy"), "w") as f:
        f.write(text)

with open(os.path.join(out, "targets.txt"), "w") as f:
    f.write("\n".join(targets) + "\n")
