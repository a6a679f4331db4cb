#!/usr/bin/env python3
"""Regenerate models/catalog.json from the shared reference catalog, on one basis per column.

The project ships its own copy so that it builds and runs where the reference is absent.
Run from the project root:  python3 tools/import_catalog.py ../shared/reference/catalog.json
The market indexes (market_indexes) are kept as they are in models/catalog.json.

The bases (see the catalog's description and docs/scenario-reference.md):
  price_usd             the GPU (the chip, or the GPU's share of a rack's GPUs) alone;
  allin_capex_usd       per GPU: the server, its share of the cluster network and installation,
                        without the building (power, cooling, shell), which a finance section
                        charges as facility_usd_per_kw_month;
  server_power_kw       per GPU at the server (its share of CPUs, fans, NICs, switches), busy;
  server_idle_power_kw  the same, idle;
  on_demand, spot       one neocloud's list: Spheron, March-May 2026;
  reserved              one-year contract prices;
  inference_factor      inference work per GPU-hour relative to an H100;
  mtbf_hours            mean time between interruptions of one GPU, where published.
A figure without a source of its own is derived on a stated basis: its source text begins
with "assumption: ". A missing figure (null) has a source text that begins with "null: "
and says why. Every other source text cites the figure's source.
"""
import json
import sys

SHORT_IDS = {
    "nvidia-a100-sxm4-80gb": "A100", "nvidia-h100-sxm5": "H100", "nvidia-h200-sxm": "H200",
    "nvidia-b200-hgx": "B200", "nvidia-gb200-nvl72-per-gpu": "GB200", "nvidia-gb300-b300": "GB300",
    "amd-mi300x": "MI300X", "amd-mi325x": "MI325X", "amd-mi355x": "MI355X",
    "google-tpu-v5e": "TPU-v5e", "google-tpu-v5p": "TPU-v5p", "google-tpu-v6e-trillium": "TPU-v6e",
    "google-tpu-v7-ironwood": "TPU-v7", "aws-trainium2": "Trainium2", "aws-trainium3": "Trainium3",
    "huawei-ascend-910b": "Ascend-910B", "huawei-ascend-910c": "Ascend-910C",
    "alibaba-thead-ppu": "T-Head-PPU",
}

# Used-GPU price curves, share(age) = initial_share x (1 - decline_per_year)^age, fitted by hand
# to the reference catalog's depreciation.resale_values: every point of the curve lies inside
# the published range at each age (H100: 1 y 0.60-0.65 -> 0.637, 2 y 0.40-0.45 -> 0.426,
# 3 y 0.25-0.35 -> 0.286, 4 y 0.15-0.20 -> 0.191, 5 y 0.10-0.15 -> 0.128; A100: 1 y 0.50-0.55
# -> 0.536, 3 y 0.20-0.25 -> 0.213). Types without data of their own take the H100 curve.
H100_CURVE = {"initial_share": 0.95, "decline_per_year": 0.33}
A100_CURVE = {"initial_share": 0.85, "decline_per_year": 0.37}

# The H100's figures on which derivations rest.
H100_CHIP = 27500  # Raymond James, $25,000-30,000
H100_ALLIN = 50000  # Eugene Cheah, servers and InfiniBand
H100_TDP_KW = 0.7
H100_SERVER_KW = 10.2 / 8  # DGX H100, 10.2 kW max input / 8 GPUs
H100_BF16 = 989
IDLE_SHARE = 0.3
# Spheron's list (on-demand and spot) and the SemiAnalysis one-year contract index.
H100_ON_DEMAND = 2.90
H100_SPOT = 0.80
H100_RESERVED = 2.35
# Bernstein's GB200 NVL72 rack: $5.9M all-in = $3.4M compute + $2.5M physical infrastructure;
# GPUs 39% of the all-in.
GB200_RACK_ALLIN = 5.9e6
GB200_RACK_COMPUTE = 3.4e6
GB200_GPU_SHARE = 0.39

ASSUMED_IDLE = ("assumption: 30% of the busy server power, 0.3 x {busy:g} = {idle:g} kW (no idle "
                "measurement in the sources; 0.3 is the share of busy power the finance section "
                "applied to every type before the catalog had idle power)")


def money(x):
    return int(round(x))


def kw(x):
    return round(x, 4)


def usd_h(x):
    return round(x, 4)


def cite(obj):
    return f'{obj["source"]} ({obj["date"]})'


def resale(short_id, ref):
    values = ref["depreciation"]["resale_values"]
    shares = next(v for v in values if "h100_residual_share_of_new_by_age_years" in v["value"])
    source = f'{shares["source"]} ({shares["date"]}; {shares["note"]})'
    if short_id == "A100":
        return A100_CURVE, ("A100: first-year loss 45-50%, 20-25% of new at 3 years; fitted: "
                            "0.85 x 0.63^age. " + source)
    if short_id in ("H100", "H200"):
        return H100_CURVE, ("H100 residual share of new by age; fitted: 0.95 x 0.67^age. " + source)
    return H100_CURVE, ("assumption: the H100 curve (0.95 x 0.67^age), for want of data on this "
                        "type. " + source)


def basis(ref):
    """Per type: the figures and their source texts, on the catalog's bases."""
    acc = {SHORT_IDS[a["id"]]: a for a in ref["accelerators"]}
    rent = {k: a.get("rental_usd_per_hr") or {} for k, a in acc.items()}
    llama = ref["reliability"]["llama3_405b"]
    spheron_a100_h100 = rent["A100"]["spot"]["source"] + " (2026-05-01)"
    spheron_blackwell = (rent["GB200"]["on_demand"]["source"].split(" ; https://www.spheron")[0]
                         + " (2026-03-17)")
    bernstein = acc["GB200"]["allin_capex_per_gpu_usd_est"]["source"]
    semianalysis = rent["H100"]["reserved"]["source"]
    chip_ratio = H100_ALLIN / H100_CHIP
    power_ratio = H100_SERVER_KW / H100_TDP_KW
    reserved_ratio = H100_RESERVED / H100_ON_DEMAND
    spot_ratio = H100_SPOT / H100_ON_DEMAND
    gb_chip_share = GB200_GPU_SHARE * GB200_RACK_ALLIN / GB200_RACK_COMPUTE

    def allin_by_h100(name, chip, server):
        return money(chip * chip_ratio), (
            f"assumption: the chip price times the H100's all-in/chip ratio, {chip:,} x 50,000 / "
            f"27,500 = {money(chip * chip_ratio):,} ({server}; no {name} all-in figure in the "
            "sources)")

    def power_by_h100(name, tdp_w):
        busy = kw(tdp_w / 1000 * power_ratio)
        return busy, (f"assumption: the board power times the H100's server-to-board ratio, "
                      f"{tdp_w:g} W x 1.275 kW / 700 W = {busy:g} kW (no {name} server figure in "
                      "the sources)")

    def reserved_by_h100(on_demand, why):
        value = usd_h(on_demand * reserved_ratio)
        return value, (f"assumption: the on-demand price times the H100's one-year contract to "
                       f"on-demand ratio, {on_demand:g} x 2.35 / 2.90 = {value:g} ({why})")

    def spot_by_h100(on_demand, why):
        value = usd_h(on_demand * spot_ratio)
        return value, (f"assumption: the on-demand price times the H100's spot to on-demand "
                       f"ratio at Spheron, {on_demand:g} x 0.80 / 2.90 = {value:g} ({why})")

    def nvl72_power(name):
        obj = acc[name]["server_power_kw_per_gpu"]
        return obj["value"], (cite(obj) + "; about 120 kW per NVL72 rack / 72 GPUs = 1.667, as "
                              "the reference rounds it")

    mi300x_on_demand = usd_h(H100_ON_DEMAND * 1.99 / 2.95)
    mi300x_median = rent["MI300X"]["on_demand"]["source"]
    aimultiple = rent["H100"]["on_demand"]["source"].split(" ; HF dataset")[0]

    t = {}
    t["A100"] = {
        "allin_capex_usd": allin_by_h100("A100", 10000, "an 8-GPU HGX server with InfiniBand, "
                                         "as for the H100"),
        "server_power_kw": power_by_h100("A100", 400),
        "on_demand": (1.64, spheron_a100_h100),
        "reserved": reserved_by_h100(1.64, "no one-year A100 contract price in the sources; "
                                     "AWS's capacity block at 1.844 (2024) is a short "
                                     "reservation, another kind of price"),
        "spot": (0.45, spheron_a100_h100),
        "mtbf_hours": (None, "null: no A100 failure rate in the sources (the Llama 3 rate is for "
                       "H100s; Cui et al. compare only the two types' memory errors)"),
    }
    t["H100"] = {
        "allin_capex_usd": (H100_ALLIN, cite(acc["H100"]["allin_capex_per_gpu_usd_est"])
                            + "; servers and InfiniBand fabric, without the building"),
        "server_power_kw": (kw(H100_SERVER_KW), cite(acc["H100"]["server_power_kw_per_gpu"])
                            + "; 10.2 kW max input per DGX H100 / 8 GPUs"),
        "on_demand": (H100_ON_DEMAND, spheron_a100_h100),
        "reserved": (H100_RESERVED, semianalysis + " (2026-03; the March 2026 point of the "
                     "one-year contract index)"),
        "spot": (H100_SPOT, spheron_a100_h100),
        "inference_factor": (None, "1 by definition: inference factors are relative to an H100"),
        "mtbf_hours": (money(llama["value"]["gpus"] * llama["value"]["days"] * 24
                             / llama["value"]["unexpected"]),
                       "Meta, 'The Llama 3 Herd of Models': 419 unexpected interruptions in 54 "
                       "days of training on 16,384 H100s, 16,384 x 54 x 24 / 419 = 50,677 h per "
                       "GPU (interruptions from every cause, 58.7% of them GPU-related, not only "
                       "failures of the GPU); " + llama["source"] + " (" + llama["date"] + ")"),
    }
    t["H200"] = {
        "allin_capex_usd": allin_by_h100("H200", 30000, "an HGX H200 server is an HGX H100 "
                                         "server with another GPU; Bizety's estimate of about "
                                         "$5M for Exa Labs' 144 H200s, 34,700 per GPU, is a small "
                                         "cluster's hardware of unstated scope"),
        "server_power_kw": (kw(H100_SERVER_KW), cite(acc["H200"]["server_power_kw_per_gpu"])
                            + "; 10.2 kW max input per DGX H200 / 8 GPUs"),
        "on_demand": (4.54, spheron_blackwell),
        "reserved": reserved_by_h100(4.54, "no one-year H200 contract price in the sources; "
                                     "AWS's capacity blocks, 4.975 from January 2026, are short "
                                     "reservations, another kind of price"),
        "spot": spot_by_h100(4.54, "no Spheron H200 spot price in the sources; AWS's p5en spot, "
                             "3.32 in August 2026, is a hyperscaler's, another kind of price"),
        "mtbf_hours": (None, "null: no H200 failure rate in the sources (Crusoe's 205 failures "
                       "in 4 months come without the fleet's size)"),
    }
    t["B200"] = {
        "allin_capex_usd": allin_by_h100("B200", 35000, "an 8-GPU HGX B200 server with "
                                         "InfiniBand, as for the H100"),
        "server_power_kw": (acc["B200"]["server_power_kw_per_gpu"]["value"],
                            cite(acc["B200"]["server_power_kw_per_gpu"]) + "; 14.3 kW max input "
                            "per DGX B200 / 8 GPUs = 1.7875, as the reference rounds it"),
        "on_demand": (6.03, spheron_blackwell),
        "reserved": reserved_by_h100(6.03, "no one-year B200 contract price in the sources; "
                                     "Inworld's 2.65 is the lowest reserved quote it saw, of "
                                     "unstated term"),
        "spot": (2.25, spheron_blackwell),
        "mtbf_hours": (None, "null: no B200 failure rate in the sources"),
    }
    gb200_chip = money(GB200_GPU_SHARE * GB200_RACK_ALLIN / 72)
    t["GB200"] = {
        "price_usd": (gb200_chip, bernstein + " (2025); the GPUs' 39% of the $5.9M all-in rack "
                      "over 72 GPUs, 0.39 x 5,900,000 / 72 = 31,958 (the reference's 47,200 is "
                      "the rack's compute hardware over 72, Grace CPUs and NVLink switches "
                      "included: the all-in below)"),
        "allin_capex_usd": (money(GB200_RACK_COMPUTE / 72), bernstein + " (2025); the rack's "
                            "$3.4M of compute hardware over 72 GPUs, 3,400,000 / 72 = 47,222, "
                            "without its $2.5M of physical infrastructure (power, cooling, "
                            "building), which the reference's 81,900 includes"),
        "server_power_kw": nvl72_power("GB200"),
        "on_demand": (4.54, spheron_blackwell + "; 9.08 per superchip of 2 GPUs / 2"),
        "reserved": reserved_by_h100(4.54, "no one-year GB200 contract price in the sources"),
        "spot": spot_by_h100(4.54, "no GB200 spot price in the sources"),
        "mtbf_hours": (None, "null: no GB200 failure rate in the sources"),
    }
    gb300_allin = acc["GB300"]["price_usd_est"]["value"]
    t["GB300"] = {
        "price_usd": (money(gb300_allin * gb_chip_share),
                      f"assumption: the all-in times the GB200's GPU share of its all-in "
                      f"(Bernstein: 0.39 x 5.9M / 3.4M = {gb_chip_share:.4f}), {gb300_allin:,} x "
                      f"{gb_chip_share:.4f} = {money(gb300_allin * gb_chip_share):,} (no GB300 "
                      "chip price in the sources)"),
        "allin_capex_usd": (gb300_allin, cite(acc["GB300"]["price_usd_est"]) + "; a Blackwell "
                            "NVL72 rack at about $3.5-4M over 72 GPUs, 48,600-55,600, taken on "
                            "the GB200's basis (a rack's compute hardware, without the "
                            "building)"),
        "server_power_kw": nvl72_power("GB300"),
        "on_demand": (None, "null: no GB300 or B300 on-demand price in Spheron's list or "
                      "elsewhere in the sources"),
        "reserved": (None, "null: the sources' one B300 reservation, iforels' entry rate of "
                     "3.25 (5-year term, 20% prepaid), is not a one-year contract price"),
        "spot": (None, "null: no GB300 or B300 spot price in the sources"),
        "mtbf_hours": (None, "null: no GB300 failure rate in the sources"),
    }
    t["MI300X"] = {
        "allin_capex_usd": allin_by_h100("MI300X", 12500, "an 8-GPU OAM server with a cluster "
                                         "network, as the H100's HGX"),
        "server_power_kw": power_by_h100("MI300X", 750),
        "on_demand": (mi300x_on_demand,
                      f"assumption: Spheron's H100 price times the ratio of the two types' "
                      f"medians across providers in May 2026, 2.90 x 1.99 / 2.95 = "
                      f"{mi300x_on_demand:g} (Spheron's list in the sources has no MI300X). "
                      f"MI300X median: {mi300x_median} (2026-05-18); H100 median: {aimultiple} "
                      "(2026-05-20)"),
        "reserved": reserved_by_h100(mi300x_on_demand, "no MI300X contract price in the sources"),
        "spot": spot_by_h100(mi300x_on_demand, "no Spheron MI300X spot price in the sources; "
                             "Crusoe's 1.71 is another provider's"),
        "mtbf_hours": (None, "null: no MI300X failure rate in the sources"),
    }
    t["MI325X"] = {
        "on_demand": (None, "null: Spheron's list in the sources has no MI325X; TensorWave's "
                      "1.95 (Cliff Center, 2026-05-18) is another provider's list price"),
    }
    t["TPU-v6e"] = {
        "on_demand": (None, "null: Spheron's list has no TPU; Google's list price, from 2.70 "
                      "per chip-hour (Neowin, December 2024), is a hyperscaler's, another kind "
                      "of price"),
        "reserved": (1.89, cite(rent["TPU-v6e"]["reserved"]) + "; the one-year commitment price "
                     "per chip-hour"),
    }
    t["Ascend-910C"] = {
        "inference_factor": (0.6, acc["Ascend-910C"]["spec_source"].split(" ; ")[-1]
                             .replace("DIGITIMES/FT", "DIGITIMES/FT (DeepSeek's research, via "
                                      "Tom's Hardware)") + " (2025-02): about 60% of an H100's "
                             "inference performance"),
    }
    return t


def entry(short_id, a, ref, special):
    price_obj = a.get("price_usd_est")
    rent = a.get("rental_usd_per_hr") or {}
    name = short_id
    sources = {"spec": a.get("spec_source")}
    values = {}

    def put(key, default):
        value, text = special.get(key, default)
        values[key] = value
        sources[key] = text

    if price_obj:
        chip = cite(price_obj)
        low, high = price_obj.get("low"), price_obj.get("high")
        if low is not None and high is not None and (low + high) / 2 == price_obj["value"]:
            chip += f"; the midpoint of {low:,}-{high:,}"
        put("price_usd", (price_obj["value"], chip))
    else:
        put("price_usd", (None, f"null: no {name} purchase price in the sources"))
    put("allin_capex_usd", (None, f"null: no {name} all-in figure in the sources, nor a chip "
                            "price to derive one from" if not price_obj else
                            f"null: no {name} all-in figure in the sources"))
    put("server_power_kw", (None, f"null: no {name} server power in the sources"))
    busy = values["server_power_kw"]
    put("server_idle_power_kw",
        (kw(IDLE_SHARE * busy), ASSUMED_IDLE.format(busy=busy, idle=kw(IDLE_SHARE * busy)))
        if busy is not None else (None, "null: no server power to take an idle share of"))
    put("on_demand", (None, f"null: no {name} price in Spheron's list in the sources"))
    put("reserved", (None, f"null: no one-year {name} contract price in the sources"))
    put("spot", (None, f"null: no {name} price in Spheron's spot list in the sources"))
    bf16 = a.get("bf16_tflops")
    put("inference_factor", (None, f"assumption: the ratio of dense BF16 peaks, {bf16:g} / 989 = "
                             f"{bf16 / H100_BF16:.4f} (spec above; no inference benchmark in the "
                             "sources)" if bf16 else
                             "assumption: 1, the default for a type without a BF16 figure "
                             "(no inference benchmark in the sources)"))
    put("mtbf_hours", (None, f"null: no {name} failure rate in the sources"))
    curve, sources["resale"] = resale(short_id, ref)

    out = {
        "name": a["name"], "vendor": a["vendor"], "year": a["year"], "reference_id": a["id"],
        "tdp_w": a.get("tdp_w"), "bf16_tflops": bf16, "hbm_gb": a.get("hbm_gb"),
        "price_usd": values["price_usd"],
        "allin_capex_usd": values["allin_capex_usd"],
        "server_power_kw": values["server_power_kw"],
        "server_idle_power_kw": values["server_idle_power_kw"],
        "rental_usd_per_gpu_hour": {k: values[k] for k in ("on_demand", "reserved", "spot")},
    }
    if values["inference_factor"] is not None:
        out["inference_factor"] = values["inference_factor"]
    out["mtbf_hours"] = values["mtbf_hours"]
    out["resale"] = curve
    out["sources"] = {
        "spec": sources["spec"],
        "price_usd": sources["price_usd"],
        "allin_capex_usd": sources["allin_capex_usd"],
        "server_power_kw": sources["server_power_kw"],
        "server_idle_power_kw": sources["server_idle_power_kw"],
        "rental_on_demand": sources["on_demand"],
        "rental_reserved": sources["reserved"],
        "rental_spot": sources["spot"],
        "inference_factor": sources["inference_factor"],
        "mtbf_hours": sources["mtbf_hours"],
        "resale": sources["resale"],
    }
    return out


DESCRIPTION = (
    "Built-in accelerator catalog, from the project's reference catalog (compiled {compiled}), "
    "on one basis per column. price_usd: the GPU alone. allin_capex_usd: per GPU, the server, "
    "its share of the cluster network and installation, without the building (power, cooling, "
    "shell), which a finance section charges as facility_usd_per_kw_month. server_power_kw and "
    "server_idle_power_kw: per GPU at the server (its share of CPUs, fans, NICs and switches), "
    "busy and idle, before PUE. rental_usd_per_gpu_hour, per GPU-hour: on_demand and spot from "
    "one neocloud's list (Spheron, March-May 2026), reserved from one-year contract prices. "
    "inference_factor: inference work per GPU-hour relative to an H100 (absent: dense BF16 "
    "TFLOPS / 989). mtbf_hours: mean time between interruptions of one GPU, where published. "
    "Every figure has its source in the entry's sources: a source text that begins "
    "'assumption: ' marks a figure derived on the stated basis, not published; one that begins "
    "'null: ' says why the figure is missing (null).")


def main(path):
    ref = json.load(open(path))
    special = basis(ref)
    gpus = {}
    for a in ref["accelerators"]:
        short_id = SHORT_IDS[a["id"]]
        gpus[short_id] = entry(short_id, a, ref, special.get(short_id, {}))
    with open("models/catalog.json") as f:
        kept = json.load(f).get("market_indexes")
    out = {"description": DESCRIPTION.format(compiled=ref.get("compiled_utc")), "gpus": gpus}
    if kept is not None:
        out["market_indexes"] = kept
    with open("models/catalog.json", "w") as f:
        json.dump(out, f, indent=2, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "../shared/reference/catalog.json")
