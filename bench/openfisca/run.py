"""OpenFisca side of `tongban bench rules`.

    python run.py --input FILE.csv --today YYYY-MM-DD [--single-reps N] [--single-row K]
    python run.py --input FILE.csv --today YYYY-MM-DD --self-check

Prints one JSON object on stdout (see README.md); --self-check instead
compares OpenFisca with plain-Python formulas row by row and exits 1 on any
difference.
"""

import argparse
import csv
import datetime
import importlib.metadata
import json
import statistics
import sys
import time

import numpy
from openfisca_core.simulations import SimulationBuilder

from tongban_policies import POLICIES, TongbanTaxBenefitSystem

BOOLS = ["tech_sme", "high_tech", "gazelle", "credit_good"]
INTS = [
    "employees", "revenue_fen", "rd_expense_fen", "revenue_growth_ppm",
    "new_graduates", "talents", "loan_fen", "loan_rate_ppm",
]
OUTPUTS = [f"{kind}_{snake}" for snake in POLICIES.values() for kind in ("eligible", "amount")]


def read_rows(path):
    """Rows as dicts of Python values (established stays an ISO string)."""
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    for r in rows:
        for k in INTS:
            r[k] = int(r[k])
        for k in BOOLS:
            r[k] = r[k] == "1"
    return rows


def columns(rows):
    """Rows as one numpy array per input variable."""
    cols = {k: numpy.array([r[k] for r in rows], dtype=numpy.int64) for k in INTS}
    cols.update({k: numpy.array([r[k] for r in rows], dtype=bool) for k in BOOLS})
    cols["established"] = numpy.array([r["established"] for r in rows], dtype="datetime64[D]")
    return cols


# ----- (a) one decision through the entity-dict API --------------------------


def decide_one(tbs, row, today):
    inputs = {k: {today: row[k]} for k in [*INTS, *BOOLS, "established"]}
    sim = SimulationBuilder().build_from_entities(
        tbs, {"enterprises": {row["uscc"]: inputs}}
    )
    return {v: sim.calculate(v, today)[0] for v in OUTPUTS}


def bench_single(tbs, row, today, reps, warmup=3):
    for _ in range(warmup):
        decide_one(tbs, row, today)
    times = []
    for _ in range(reps):
        t0 = time.perf_counter_ns()
        result = decide_one(tbs, row, today)
        times.append((time.perf_counter_ns() - t0) / 1000)
    return statistics.fmean(times), statistics.median(times), result


# ----- (b) the whole file as one vectorised simulation -----------------------


def run_batch(tbs, cols, today):
    t0 = time.perf_counter_ns()
    sim = SimulationBuilder().build_default_simulation(tbs, len(cols["established"]))
    for name, values in cols.items():
        sim.set_input(name, today, values)
    t1 = time.perf_counter_ns()
    out = {v: sim.calculate(v, today) for v in OUTPUTS}
    t2 = time.perf_counter_ns()
    return (t1 - t0) / 1e6, (t2 - t1) / 1e6, out


def bench_batch(tbs, cols, today, runs=3):
    best_setup = best_calc = float("inf")
    for _ in range(runs):
        setup_ms, calc_ms, out = run_batch(tbs, cols, today)
        best_setup, best_calc = min(best_setup, setup_ms), min(best_calc, calc_ms)
    return best_setup, best_calc, out


# ----- --self-check: plain-Python reference ----------------------------------


def reference(row, today):
    """The seven policies in plain Python, one row: {code: amount or None}."""
    days = (today - datetime.date.fromisoformat(row["established"])).days
    good = row["credit_good"]
    rd, revenue = row["rd_expense_fen"], row["revenue_fen"]
    loan, rate = row["loan_fen"], row["loan_rate_ppm"]
    if revenue < 10_000_000_000:
        dl = 50_000_000
    elif revenue < 50_000_000_000:
        dl = 100_000_000
    else:
        dl = 200_000_000
    rules = {
        "KJ-RD": (row["tech_sme"] and good and rd >= 50_000_000,
                  min(rd * 50000 // 1_000_000, 20_000_000)),
        "GX-AWARD": (row["high_tech"] and good, 30_000_000),
        "DL-AWARD": (row["gazelle"] and good and row["revenue_growth_ppm"] >= 200000, dl),
        "GRAD": (row["new_graduates"] >= 1 and row["employees"] >= 1 and good,
                 min(row["new_graduates"] * 200_000, 10_000_000)),
        "TALENT": (row["talents"] >= 1 and good, min(row["talents"] * 5_000_000, 50_000_000)),
        "SEAL": (0 <= days <= 90, 40_000),
        "CYXD": (loan > 0 and rate > 0 and good,
                 min((loan * min(rate, 60000) // 1_000_000) * 500000 // 1_000_000, 50_000_000)),
    }
    return {code: (bool(ok), amount if ok else 0) for code, (ok, amount) in rules.items()}


def self_check(tbs, rows, today, single_rows=200):
    today_date = datetime.date.fromisoformat(today)
    _, _, out = run_batch(tbs, columns(rows), today)
    bad = 0
    for i, row in enumerate(rows):
        got_single = decide_one(tbs, row, today) if i < single_rows else None
        for code, expected in reference(row, today_date).items():
            snake = POLICIES[code]
            got = [(bool(out[f"eligible_{snake}"][i]), int(out[f"amount_{snake}"][i]))]
            if got_single:
                got.append((bool(got_single[f"eligible_{snake}"]),
                            int(got_single[f"amount_{snake}"])))
            for g in got:
                if g != expected:
                    bad += 1
                    if bad <= 20:
                        print(f"row {i} {code}: openfisca {g} != reference {expected}",
                              file=sys.stderr)
    hits = {code: v["eligible"] for code, v in summary(out).items()}
    print(f"self-check: {len(rows)} rows (batch), {min(single_rows, len(rows))} rows "
          f"(single), {bad} mismatches; eligible counts {hits}", file=sys.stderr)
    return bad == 0


# ----- main ------------------------------------------------------------------


def summary(out):
    return {
        code: {
            "eligible": int(out[f"eligible_{s}"].sum()),
            "amount_fen": int(out[f"amount_{s}"].sum()),
        }
        for code, s in POLICIES.items()
    }


def main():
    parser = argparse.ArgumentParser(description="OpenFisca side of `tongban bench rules`")
    parser.add_argument("--input", required=True, help="CSV of enterprises")
    parser.add_argument("--today", required=True, help="YYYY-MM-DD")
    parser.add_argument("--single-reps", type=int, default=200)
    parser.add_argument("--single-row", type=int, default=0)
    parser.add_argument("--self-check", action="store_true")
    args = parser.parse_args()
    today = datetime.date.fromisoformat(args.today).isoformat()

    tbs = TongbanTaxBenefitSystem()
    rows = read_rows(args.input)

    if args.self_check:
        sys.exit(0 if self_check(tbs, rows, today) else 1)

    mean_us, median_us, single = bench_single(tbs, rows[args.single_row], today, args.single_reps)
    setup_ms, calc_ms, out = bench_batch(tbs, columns(rows), today)

    print(json.dumps({
        "openfisca_core": importlib.metadata.version("openfisca-core"),
        "single_mean_us": round(mean_us, 1),
        "single_median_us": round(median_us, 1),
        "batch_rows": len(rows),
        "batch_ms": round(calc_ms, 3),
        "batch_setup_ms": round(setup_ms, 3),
        "policies": summary(out),
        "single": {
            code: {
                "eligible": bool(single[f"eligible_{s}"]),
                "amount_fen": int(single[f"amount_{s}"]),
            }
            for code, s in POLICIES.items()
        },
    }))


if __name__ == "__main__":
    main()
