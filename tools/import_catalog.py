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
        gpus[SHORT_IDS[a["id"]]] = {
            "name": a["name"], "vendor": a["vendor"], "year": a["year"],
            "reference_id": a["id"],
            "tdp_w": a.get("tdp_w"), "bf16_tflops": a.get("bf16_tflops"), "hbm_gb": a.get("hbm_gb"),
            "price_usd": value(a.get("price_usd_est")),
            "allin_capex_usd": value(a.get("allin_capex_per_gpu_usd_est")),
            "server_power_kw": value(a.get("server_power_kw_per_gpu")),
            "rental_usd_per_gpu_hour": {k: value(rent.get(k)) for k in ("on_demand", "reserved", "spot")},
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
