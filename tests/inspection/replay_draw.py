#!/usr/bin/env python3
"""An independent replay of a Tongban draw record (format tongban-draw/1), from its specification
alone (crates/tongban-domain/src/inspection/draw.rs, module comment), with Python's standard
library: anyone can check a published draw without our code.

    python3 replay_draw.py RECORD.json      -> "draw reproduced: N checks" or the first difference
"""
import hashlib
import json
import sys

FORMAT = "tongban-draw/1"
GRADES = ["high", "medium_high", "medium", "low"]
U64_MAX = 2**64 - 1


def sha256_hex(b):
    return hashlib.sha256(b).hexdigest()


def canonical(items):
    # serde_json's compact form: no spaces, non-ASCII as is, fields in declared order (the
    # record's own order, which json.loads keeps); empty licensed_by / related are left out.
    return json.dumps(items, ensure_ascii=False, separators=(",", ":")).encode()


def seed(plan, nonce, outside):
    h = hashlib.sha256()
    for part in [FORMAT, plan["id"], plan["entities_sha256"], plan["inspectors_sha256"], nonce, outside]:
        h.update(part.encode())
        h.update(b"\0")
    return h.digest()


class Stream:
    def __init__(self, seed_bytes, label):
        self.prefix = seed_bytes + label.encode() + b"\0"
        self.counter = 0
        self.buf = []

    def next_u64(self):
        if not self.buf:
            block = hashlib.sha256(self.prefix + self.counter.to_bytes(8, "big")).digest()
            self.counter += 1
            self.buf = [int.from_bytes(block[i:i + 8], "big") for i in range(0, 32, 8)]
        return self.buf.pop(0)

    def uniform(self, n):
        rem = 2**64 % n
        while True:
            x = self.next_u64()
            if x <= U64_MAX - rem:
                return x % n

    def pick(self, items, k):
        n = len(items)
        for i in range(min(k, n)):
            j = i + self.uniform(n - i)
            items[i], items[j] = items[j], items[i]


def replay(record):
    plan, entities, inspectors = record["plan"], record["entities"], record["inspectors"]
    if record["format"] != FORMAT:
        return "format: unknown format"
    if sha256_hex(canonical(entities)) != plan["entities_sha256"]:
        return "plan.entities_sha256: hash mismatch"
    if sha256_hex(canonical(inspectors)) != plan["inspectors_sha256"]:
        return "plan.inspectors_sha256: hash mismatch"
    if sha256_hex(record["nonce"].encode()) != plan["nonce_sha256"]:
        return "nonce: commitment mismatch"
    s = seed(plan, record["nonce"], record["outside_value"])
    if s.hex() != record["seed"]:
        return "seed: differs"
    picked = []
    for g in GRADES:
        of_grade = [i for i, e in enumerate(entities) if e["grade"] == g]
        k = -(-len(of_grade) * plan["ratios"][g] // 10000)
        Stream(s, "entities/" + g).pick(of_grade, k)
        picked += of_grade[:k]
    pool = [i for i, x in enumerate(inspectors) if any(m in plan["matters"] for m in x["matters"])]
    stream = Stream(s, "inspectors")
    checks = []
    for e in picked:
        ent = entities[e]
        eligible = [i for i in pool
                    if inspectors[i]["unit"] not in ent.get("licensed_by", [])
                    and ent["id"] not in inspectors[i].get("related", [])]
        team = plan["team_size"]
        if len(eligible) < team:
            return "checks[%d]: no team for %s" % (len(checks), ent["id"])
        stream.pick(eligible, team)
        checks.append({"entity": ent["id"], "grade": ent["grade"],
                       "inspectors": [inspectors[i]["id"] for i in eligible[:team]]})
    for i, (want, got) in enumerate(zip(checks, record["checks"])):
        if want != got:
            return "checks[%d]: differs (%s)" % (i, json.dumps(want, ensure_ascii=False))
    if len(checks) != len(record["checks"]):
        return "checks: %d checks, not %d" % (len(checks), len(record["checks"]))
    return None


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as f:
        rec = json.load(f)
    problem = replay(rec)
    if problem:
        print("draw NOT reproduced: " + problem)
        sys.exit(1)
    print("draw reproduced: %d checks" % len(rec["checks"]))
