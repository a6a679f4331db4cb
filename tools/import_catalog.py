#!/usr/bin/env python3
"""Regenerate models/catalog.json from the shared reference catalog.

The project ships its own copy so that it builds and runs where the reference
is absent. Run from the project root:  python3 tools/import_catalog.py ../shared/reference/catalog.json
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


def resale(short_id, ref):
    values = ref["depreciation"]["resale_values"]
    shares = next(v for v in values if "h100_residual_share_of_new_by_age_years" in v["value"])
    cite = f'{shares["source"]} ({shares["date"]}; {shares["note"]})'
    if short_id == "A100":
        return A100_CURVE, ("A100: first-year loss 45-50%, 20-25% of new at 3 years; fitted: "
                            "0.85 x 0.63^age. " + cite)
    if short_id in ("H100", "H200"):
        return H100_CURVE, ("H100 residual share of new by age; fitted: 0.95 x 0.67^age. " + cite)
    return H100_CURVE, ("assumption: the H100 curve (0.95 x 0.67^age), for want of data on this "
                        "type. " + cite)


def value(obj):
    return None if obj is None else obj.get("value")


def source(obj):
    return None if obj is None else f'{obj.get("source")} ({obj.get("date")})'


def main(path):
    ref = json.load(open(path))
    gpus = {}
    for a in ref["accelerators"]:
        rent = a.get("rental_usd_per_hr") or {}
        sources = {"spec": a.get("spec_source")}
        for key, obj in (("price_usd", a.get("price_usd_est")),
                         ("allin_capex_usd", a.get("allin_capex_per_gpu_usd_est")),
                         ("server_power_kw", a.get("server_power_kw_per_gpu"))):
            if obj:
                sources[key] = source(obj)
        for kind in ("on_demand", "reserved", "spot"):
            if rent.get(kind):
                sources[f"rental_{kind}"] = source(rent[kind])
        short_id = SHORT_IDS[a["id"]]
        curve, sources["resale"] = resale(short_id, ref)
        gpus[short_id] = {
            "name": a["name"], "vendor": a["vendor"], "year": a["year"],
            "reference_id": a["id"],
            "tdp_w": a.get("tdp_w"), "bf16_tflops": a.get("bf16_tflops"), "hbm_gb": a.get("hbm_gb"),
            "price_usd": value(a.get("price_usd_est")),
            "allin_capex_usd": value(a.get("allin_capex_per_gpu_usd_est")),
            "server_power_kw": value(a.get("server_power_kw_per_gpu")),
            "rental_usd_per_gpu_hour": {k: value(rent.get(k)) for k in ("on_demand", "reserved", "spot")},
            "resale": curve,
            "sources": sources,
        }
    out = {
        "description": "Built-in accelerator catalog. Copied from the project's reference catalog "
                       f"(compiled {ref.get('compiled_utc')}); every figure keeps its source. "
                       "null means the figure was not found in the sources.",
        "gpus": gpus,
    }
    with open("models/catalog.json", "w") as f:
        json.dump(out, f, indent=2, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "../shared/reference/catalog.json")
