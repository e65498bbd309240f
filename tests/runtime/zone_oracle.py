#!/usr/bin/env python3
"""The reference for tests/runtime/zone_oracle_test.cpp: local times by
Python's zoneinfo, which reads the same system tzdata as callpolicy but is
an independent implementation (TZif tables and footer rule, PEP 495 folds).

Input (argv[1]): "ZONE name" lines, each followed by "T epoch" lines, the
transitions callpolicy's zone library reports for that zone. The script adds
random instants 1970-2100 and the transitions it finds itself 2020-2060, and
writes (argv[2]):
  U zone epoch year month day hour minute second weekday offset
      the local time of an instant (weekday: Monday = 0; offset in seconds)
  L zone year month day hour minute second kind epoch
      what a local time is: unique, ambiguous (epoch: the earlier instant)
      or nonexistent (epoch 0)
Deterministic for a given seed (argv[3]).
"""
import random
import sys
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

source, out_path = sys.argv[1], sys.argv[2]
seed = int(sys.argv[3]) if len(sys.argv) > 3 else 1
rng = random.Random(seed)

START_1970, END_2100 = 0, int(datetime(2100, 1, 1, tzinfo=timezone.utc).timestamp())
SCAN_FROM = int(datetime(2020, 1, 1, tzinfo=timezone.utc).timestamp())
SCAN_TO = int(datetime(2060, 1, 1, tzinfo=timezone.utc).timestamp())
RANDOM_PER_ZONE = 600

zones = {}
current = None
for line in open(source):
    parts = line.split()
    if not parts:
        continue
    if parts[0] == "ZONE":
        current = parts[1]
        zones[current] = set()
    elif parts[0] == "T" and current:
        zones[current].add(int(parts[1]))


def offset_at(zone, t):
    return int(datetime.fromtimestamp(t, zone).utcoffset().total_seconds())


def own_transitions(zone):
    """Every offset change 2020-2060, found daily and narrowed to the second.
    (Two changes within one day would hide each other; the zone library's
    own list, merged in, covers that case.)"""
    found = []
    step = 86400
    t = SCAN_FROM
    before = offset_at(zone, t)
    while t < SCAN_TO:
        after = offset_at(zone, t + step)
        if after != before:
            low, high = t, t + step  # offset(low) == before, offset(high) != before
            while high - low > 1:
                mid = (low + high) // 2
                if offset_at(zone, mid) == before:
                    low = mid
                else:
                    high = mid
            found.append(high)
            before = offset_at(zone, high)
            t = high
            continue
        t += step
    return found


def wall(dt):
    return (dt.year, dt.month, dt.day, dt.hour, dt.minute, dt.second)


def classify(zone, fields):
    """unique / ambiguous / nonexistent, and the (earlier) instant."""
    naive = datetime(*fields)
    first = naive.replace(tzinfo=zone, fold=0)
    second = naive.replace(tzinfo=zone, fold=1)
    candidates = []
    for dt in (first, second):
        t = int(dt.timestamp())
        if wall(datetime.fromtimestamp(t, zone)) == fields:
            candidates.append(t)
    candidates = sorted(set(candidates))
    if not candidates:
        return "nonexistent", 0
    return ("ambiguous" if len(candidates) > 1 else "unique"), candidates[0]


with open(out_path, "w") as out:
    for name, reported in zones.items():
        zone = ZoneInfo(name)
        instants = {rng.randrange(START_1970, END_2100) for _ in range(RANDOM_PER_ZONE)}
        transitions = set(own_transitions(zone)) | {t for t in reported if SCAN_FROM <= t < SCAN_TO}
        for t in transitions:
            instants.update((t - 60, t - 1, t, t + 60))
        for t in sorted(instants):
            dt = datetime.fromtimestamp(t, zone)
            out.write("U %s %d %d %d %d %d %d %d %d %d\n" % (
                name, t, dt.year, dt.month, dt.day, dt.hour, dt.minute, dt.second, dt.weekday(),
                int(dt.utcoffset().total_seconds())))
        # Local times: random ones, and around each change both walls (the
        # old offset's and the new one's), inside and at the edges of the
        # gap or the overlap.
        walls = set()
        for _ in range(RANDOM_PER_ZONE // 2):
            dt = datetime(1970, 1, 1) + timedelta(seconds=rng.randrange(START_1970, END_2100))
            walls.add(wall(dt))
        for t in transitions:
            old, new = offset_at(zone, t - 1), offset_at(zone, t)
            change = abs(new - old)
            for base in (t + old, t + new):
                for delta in (-3600, -60, -1, 0, 1, change // 2, change - 1, change, change + 1, change + 60):
                    walls.add(wall(datetime(1970, 1, 1) + timedelta(seconds=base + delta)))
        for fields in sorted(walls):
            kind, t = classify(zone, fields)
            out.write("L %s %d %d %d %d %d %d %s %d\n" % ((name,) + fields + (kind, t)))
