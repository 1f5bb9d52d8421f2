"""Write random enterprises as CSV, for local testing of run.py.

    python gen_sample.py --rows 100000 --today 2025-06-30 --out /tmp/sample.csv

About 2% of rows take a threshold value (or one either side of it) so every
boundary of every policy is hit; SEAL's also include a date one day ahead.
"""

import argparse
import csv
import datetime
import random

COLUMNS = [
    "uscc", "employees", "revenue_fen", "rd_expense_fen", "established",
    "tech_sme", "high_tech", "gazelle", "revenue_growth_ppm", "new_graduates",
    "talents", "loan_fen", "loan_rate_ppm", "credit_good",
]

EDGES = {
    "employees": [0, 1],
    "revenue_fen": [10_000_000_000, 50_000_000_000],
    "rd_expense_fen": [50_000_000, 400_000_000],  # floor and cap of KJ-RD
    "revenue_growth_ppm": [200_000],
    "new_graduates": [0, 1, 50],
    "talents": [0, 1, 10],
    "loan_fen": [0, 1, 1_666_666_667],  # CYXD cap: unreachable below 1e9 fen
    "loan_rate_ppm": [0, 1, 60_000],
    "days": [-1, 0, 90, 91],
}


def row(rng, i, today, edge_frac):
    def pick(name, low, high):
        if rng.random() < edge_frac:
            return rng.choice(EDGES[name]) + rng.choice([-1, 0, 0, 1]) * (name != "days")
        return rng.randint(low, high)

    def flag():
        return int(rng.random() < rng.choice([0.3, 0.4, 0.5]))

    days = pick("days", 0, 400)
    return {
        "uscc": f"91310000{i:010d}",
        "employees": max(0, pick("employees", 0, 500)),
        "revenue_fen": max(0, pick("revenue_fen", 0, 100_000_000_000)),
        "rd_expense_fen": max(0, pick("rd_expense_fen", 0, 5_000_000_000)),
        "established": (today - datetime.timedelta(days=days)).isoformat(),
        "tech_sme": flag(),
        "high_tech": flag(),
        "gazelle": flag(),
        "revenue_growth_ppm": max(0, pick("revenue_growth_ppm", 0, 600_000)),
        "new_graduates": max(0, pick("new_graduates", 0, 80)),
        "talents": max(0, pick("talents", 0, 15)),
        "loan_fen": max(0, pick("loan_fen", 0, 1_000_000_000)),
        "loan_rate_ppm": max(0, pick("loan_rate_ppm", 0, 100_000)),
        "credit_good": flag(),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--today", default=datetime.date.today().isoformat())
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--edge-frac", type=float, default=0.02)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()

    rng = random.Random(args.seed)
    today = datetime.date.fromisoformat(args.today)
    with open(args.out, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS)
        writer.writeheader()
        for i in range(args.rows):
            writer.writerow(row(rng, i, today, args.edge_frac))


if __name__ == "__main__":
    main()
