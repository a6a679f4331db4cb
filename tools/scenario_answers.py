#!/usr/bin/env python3
"""Writes the answers table of scenarios/README.md from fresh runs, or checks it.

Each comparison (and the one sweep) that answers a question of the scenario library is
run with the aidc binary; the answer is templated from the numbers of comparison.json
(or points.csv), never written by hand. The table sits between the markers
<!-- answers:begin --> and <!-- answers:end -->.

  tools/scenario_answers.py [--aidc build/release/aidc]          rewrite the table
  tools/scenario_answers.py --check [--aidc build/release/aidc]  exit 1 if it is stale

Intervals are the 95% confidence intervals of the comparison (paired differences under
common random numbers), written as mean ± half-width.
"""

import argparse
import csv
import json
import pathlib
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
README = ROOT / "scenarios" / "README.md"
BEGIN = "<!-- answers:begin -->"
END = "<!-- answers:end -->"


def money(x):
    """USD in $K/$M/$B with three significant figures at most."""
    sign = "−" if x < 0 else ""
    a = abs(x)
    for scale, unit in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if a >= scale:
            v = a / scale
            digits = 2 if v < 10 else 1 if v < 100 else 0
            return f"{sign}{v:.{digits}f}{unit}"
    return f"{sign}{a:.0f}"


def signed(x):
    return f"{x:+g}".replace("-", "−")


def pct(x, digits=1):
    return f"{x * 100:.{digits}f}%"


class Comparison:
    def __init__(self, folder):
        self.doc = json.loads((folder / "comparison.json").read_text())
        self.metrics = {m["metric"]: m for m in self.doc["metrics"]}
        self.baseline = self.doc["baseline"]

    def mean(self, metric, plan):
        for p in self.metrics[metric]["plans"]:
            if p["plan"] == plan:
                return p["mean"]
        raise KeyError(plan)

    def diff(self, metric, plan):
        """(mean, half-width) of plan − baseline."""
        for d in self.metrics[metric]["differences"]:
            if d["plan"] == plan:
                return d["mean"], (d["ci95_high"] - d["ci95_low"]) / 2
        raise KeyError(plan)

    def best(self, metric):
        plans = self.metrics[metric]["plans"]
        return max(plans, key=lambda p: p["mean"])["plan"]


def with_interval(fmt, pair):
    mean, half = pair
    return f"{fmt(mean)} ± {fmt(half).lstrip('−')}"


def meta_compute(c):
    rent, none, more = "rent", "no-rent", "rent-more"
    d_npv = c.diff("finance_npv_usd", none)
    d_rev = c.diff("finance_revenue_usd_total", none)
    d_served = c.diff("inference_served_fraction", none)
    d_more = c.diff("finance_npv_usd", more)
    verdict = "Yes" if d_npv[0] < 0 else "No"
    answer = (
        f"{verdict}: renting adds {with_interval(money, (-d_rev[0], d_rev[1]))} of revenue and "
        f"{with_interval(money, (-d_npv[0], d_npv[1]))} of NPV (NPV "
        f"{money(c.mean('finance_npv_usd', rent))} with rentals, "
        f"{money(c.mean('finance_npv_usd', none))} without), at a cost of "
        f"{d_served[0] * 100:.2f} ± {d_served[1] * 100:.2f} points of inference served "
        f"({pct(c.mean('inference_served_fraction', rent), 2)} against "
        f"{pct(c.mean('inference_served_fraction', none), 2)}); renting more "
        f"changes NPV by {with_interval(money, d_more)}.")
    key = f"NPV rent − no-rent: {with_interval(money, (-d_npv[0], d_npv[1]))}"
    return answer, key


def price_hike(c):
    d = c.diff("finance_npv_usd", "hikes")
    r = c.diff("finance_revenue_usd_total", "hikes")
    answer = (f"{with_interval(money, r)} of revenue and {with_interval(money, d)} of NPV "
              f"(NPV {money(c.mean('finance_npv_usd', 'hikes'))} with the rises, "
              f"{money(c.mean('finance_npv_usd', 'no-hikes'))} without); customers do not "
              f"answer to price here, so an upper bound.")
    return answer, f"NPV hikes − no-hikes: {with_interval(money, d)}"


def revenue_share(c):
    d10 = c.diff("finance_npv_usd", "share-10")
    d20 = c.diff("finance_npv_usd", "share-20")
    answer = (f"NPV {money(c.mean('finance_npv_usd', 'no-share'))} without a share; "
              f"a 10% share costs {with_interval(money, (-d10[0], d10[1]))} and a 20% share "
              f"{with_interval(money, (-d20[0], d20[1]))} (the share is undisclosed).")
    return answer, f"NPV share-10 − no-share: {with_interval(money, d10)}"


def best_plan(c):
    """The plan of highest NPV, and its difference to the baseline (or, when the baseline
    wins, every other plan's difference to it): the file holds paired differences to the
    baseline only."""
    best = c.best("finance_npv_usd")
    npv_best = money(c.mean("finance_npv_usd", best))
    if best == c.baseline:
        key = f"NPV {npv_best}; " + "; ".join(
            f"{p} − {best}: {with_interval(money, c.diff('finance_npv_usd', p))}"
            for p in c.doc["plans"] if p != best)
    else:
        key = f"NPV {npv_best}; {best} − {c.baseline}: " + with_interval(
            money, c.diff("finance_npv_usd", best))
    answer = f"`{best}`, by NPV: " + "; ".join(
        f"{p} {money(c.mean('finance_npv_usd', p))}" for p in c.doc["plans"]) + "."
    return answer, key


def useful_life(c):
    plans = c.doc["plans"]
    incomes = [c.mean("finance_net_income_usd", p) for p in plans]
    npvs = [c.mean("finance_npv_usd", p) for p in plans]
    answer = (f"Net income ranges from {money(min(incomes))} to {money(max(incomes))} across "
              f"the lives; NPV stays at {money(npvs[0])} "
              f"(largest change {money(max(abs(n - npvs[0]) for n in npvs))}).")
    return answer, f"net income spread {money(max(incomes) - min(incomes))}"


def financing(c):
    e = c.mean("finance_equity_irr", "equity")
    d = c.diff("finance_equity_irr", "debt-70")
    answer = (f"Borrowing 70% of capex at 9% raises the equity IRR from {pct(e)} to "
              f"{pct(c.mean('finance_equity_irr', 'debt-70'))} and costs "
              f"{money(c.mean('finance_interest_usd', 'debt-70'))} of interest; NPV and IRR, "
              f"unlevered, stay at {money(c.mean('finance_npv_usd', 'equity'))} and "
              f"{pct(c.mean('finance_irr', 'equity'))}.")
    return answer, f"equity IRR debt-70 − equity: {d[0] * 100:.2f} ± {d[1] * 100:.2f} points"


def on_demand_sweep(folder):
    rows = list(csv.DictReader((folder / "points.csv").open()))
    by = sorted(rows, key=lambda r: float(r["on_demand_spread"]))
    lo, hi = by[0], by[-1]

    def f(r, m):
        return float(r[m + "_mean"])

    answer = (f"From a spread of {signed(float(lo['on_demand_spread']))} over the index to "
              f"{signed(float(hi['on_demand_spread']))}, utilization falls from "
              f"{f(lo, 'utilization'):.4f} to {f(hi, 'utilization'):.4f} while on-demand revenue "
              f"rises from {money(f(lo, 'finance_revenue_usd_on_demand'))} to "
              f"{money(f(hi, 'finance_revenue_usd_on_demand'))} and NPV from "
              f"{money(f(lo, 'finance_npv_usd'))} to {money(f(hi, 'finance_npv_usd'))}.")
    return answer, f"NPV at {signed(float(hi['on_demand_spread']))}: {money(f(hi, 'finance_npv_usd'))}"


# (file under scenarios/, command, function of the output folder's reader)
ENTRIES = [
    ("meta-compute/plans.json", "compare", meta_compute),
    ("meta-compute/on-demand-price.json", "sweep", on_demand_sweep),
    ("price-hike-2026/plans.json", "compare", price_hike),
    ("neocloud/revenue-share.json", "compare", revenue_share),
    ("capex-plans.json", "compare", best_plan),
    ("site-100mw/plans.json", "compare", best_plan),
    ("site-100mw/financing.json", "compare", financing),
    ("spare-capacity/plans.json", "compare", best_plan),
    ("useful-life.json", "compare", useful_life),
]


def question(path):
    """The first sentence of the file's description: its question."""
    text = json.loads(path.read_text())["description"]
    end = text.find("?")
    return text[: end + 1] if end >= 0 else text.split(". ")[0] + "."


def table(aidc, threads):
    lines = ["| file | question | answer | key figure (95% interval) |", "|---|---|---|---|"]
    with tempfile.TemporaryDirectory() as tmp:
        for i, (name, command, fn) in enumerate(ENTRIES):
            path = ROOT / "scenarios" / name
            out = pathlib.Path(tmp) / str(i)
            run = subprocess.run(
                [aidc, command, str(path), "--out", str(out), "-j", str(threads)],
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            if run.returncode != 0:
                sys.exit(f"{aidc} {command} {path} failed ({run.returncode}):\n{run.stderr}")
            answer, key = fn(Comparison(out)) if command == "compare" else fn(out)
            lines.append(f"| `{name}` | {question(path)} | {answer} | {key} |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--aidc", default=str(ROOT / "build" / "release" / "aidc"))
    parser.add_argument("--check", action="store_true", help="exit 1 if the table is stale")
    parser.add_argument("-j", "--threads", type=int, default=2)
    args = parser.parse_args()
    text = README.read_text()
    begin, end = text.find(BEGIN), text.find(END)
    if begin < 0 or end < begin:
        sys.exit(f"{README}: the markers {BEGIN} and {END} are missing")
    fresh = table(args.aidc, args.threads)
    current = text[begin + len(BEGIN):end].strip("\n")
    if args.check:
        if current != fresh:
            print(f"{README}: the answers table is stale; run tools/scenario_answers.py.\n"
                  f"--- in the file\n{current}\n--- from fresh runs\n{fresh}")
            return 1
        return 0
    README.write_text(text[: begin + len(BEGIN)] + "\n" + fresh + "\n" + text[end:])
    return 0


if __name__ == "__main__":
    sys.exit(main())
