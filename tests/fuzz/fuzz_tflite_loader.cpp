// libFuzzer target for the TFLite frontend: any byte string handed to the loader must either
// load into a graph that satisfies every IR invariant or be rejected with kiln::Error. A crash,
// a sanitizer report, kiln::InternalError or any other exception is a bug and propagates so
// libFuzzer records the input. Inputs that lack the "TFL3" identifier get it (and a root
// offset) spliced in, so mutations stay on the flatbuffer path instead of the ONNX one.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include "frontend/load_model.hpp"
#include "ir/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<uint8_t> bytes(data, data + size);
  if (bytes.size() < 8) bytes.resize(8, 0);
  std::memcpy(bytes.data() + 4, "TFL3", 4);
  try {
    kiln::Graph graph = kiln::load_model_from_memory(bytes, "fuzz.tflite");
    graph.verify();
  } catch (const kiln::Error&) {
    // Rejecting bad input with a clear message is the expected outcome.
  }
  return 0;
}
