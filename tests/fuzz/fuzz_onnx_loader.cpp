// libFuzzer target for the ONNX frontend: any byte string must either load or be rejected with
// kiln::Error. Everything else (a crash, a sanitizer report, kiln::InternalError, another
// exception escaping) is a bug: this function lets it propagate so libFuzzer records the input.
#include <cstddef>
#include <cstdint>
#include <span>

#include "frontend/load_model.hpp"
#include "ir/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    kiln::Graph graph = kiln::load_model_from_memory(std::span(data, size), "fuzz.onnx");
    graph.verify();  // a model that loads must satisfy every IR invariant
  } catch (const kiln::Error&) {
    // Rejecting bad input with a clear message is the expected outcome.
  }
  return 0;
}
