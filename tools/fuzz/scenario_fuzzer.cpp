// libFuzzer target: bytes as a scenario file, through the reader and loader of `aidc run`.
// Built by `make fuzz` (clang, ASan and UBSan); see docs/reliability.md.

#include "fuzz_input.hpp"
#include "json_mutator.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  aidc::fuzz::load_scenario_text(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}

extern "C" size_t LLVMFuzzerCustomMutator(uint8_t* data, size_t size, size_t max_size,
                                          unsigned int seed) {
  return aidc::fuzz::mutate(data, size, max_size, seed);
}
