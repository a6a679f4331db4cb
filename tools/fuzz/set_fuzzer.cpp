// libFuzzer target: each line of the input a `--set /pointer=VALUE` assignment applied to a
// small scenario, then loaded. Built by `make fuzz`; see docs/reliability.md.

#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  aidc::fuzz::load_with_overrides(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
