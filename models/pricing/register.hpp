#pragma once
// Pricing models that live in files of their own; pricing.cpp's registry adds each once.

#include "aidc/pricing/pricing.hpp"

namespace aidc {

/// "market_index": a dated market index per GPU type times (1 + spread) (market_index.cpp).
void register_market_index(Registry<PricingModel>& registry);

}  // namespace aidc
