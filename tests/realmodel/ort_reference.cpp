#include "ort_reference.hpp"

#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

namespace kiln::realmodel {
namespace {

fs::path reference_dir() {
  return source_dir() / "tests" / "data" / "ort_int8";
}

const nlohmann::json& manifest() {
  static const nlohmann::json parsed =
      nlohmann::json::parse(read_text(reference_dir() / "manifest.json"));
  return parsed;
}

// A manifest path is relative to the repository root; "../shared/..." is the shared data beside
// it, which the build knows as shared_dir().
fs::path resolve_model(const std::string& relative) {
  const std::string shared_prefix = "../shared/";
  if (relative.rfind(shared_prefix, 0) == 0)
    return shared_dir() / relative.substr(shared_prefix.size());
  return source_dir() / relative;
}

std::vector<uint8_t> read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path.string() + ": cannot open");
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

struct IoSpec {
  std::string name;
  DType dtype;
  Shape shape;
};

std::vector<IoSpec> io_specs(const nlohmann::json& list) {
  std::vector<IoSpec> specs;
  for (const nlohmann::json& entry : list)
    specs.push_back({entry.at("name").get<std::string>(),
                     dtype_from_ort_name(entry.at("dtype").get<std::string>()),
                     entry.at("shape").get<Shape>()});
  return specs;
}

// Cuts `bytes` (samples back to back, each the tensors of `specs` in order) into tensors.
std::vector<std::vector<Tensor>> split_samples(const fs::path& file, int samples,
                                               const std::vector<IoSpec>& specs) {
  const std::vector<uint8_t> bytes = read_bytes(file);
  size_t per_sample = 0;
  for (const IoSpec& spec : specs)
    per_sample += static_cast<size_t>(shape_elements(spec.shape)) * dtype_size(spec.dtype);
  if (bytes.size() != per_sample * static_cast<size_t>(samples))
    throw std::runtime_error(file.string() + ": " + std::to_string(bytes.size()) +
                             " bytes, the manifest gives " + std::to_string(samples) + " x " +
                             std::to_string(per_sample));
  std::vector<std::vector<Tensor>> result(static_cast<size_t>(samples));
  size_t offset = 0;
  for (std::vector<Tensor>& sample : result)
    for (const IoSpec& spec : specs) {
      Tensor tensor;
      tensor.name = spec.name;
      tensor.dtype = spec.dtype;
      tensor.shape = spec.shape;
      tensor.shape_known = true;
      const size_t size = static_cast<size_t>(tensor.bytes());
      tensor.data.assign(bytes.begin() + static_cast<std::ptrdiff_t>(offset),
                         bytes.begin() + static_cast<std::ptrdiff_t>(offset + size));
      offset += size;
      sample.push_back(std::move(tensor));
    }
  return result;
}

}  // namespace

OrtReference load_ort_reference(const std::string& name) {
  for (const nlohmann::json& entry : manifest().at("models")) {
    if (entry.at("name").get<std::string>() != name) continue;
    const int samples = entry.at("samples").get<int>();
    const std::vector<IoSpec> inputs = io_specs(entry.at("inputs"));
    const std::vector<IoSpec> outputs = io_specs(entry.at("outputs"));
    const fs::path dir = reference_dir() / name;
    OrtReference reference;
    reference.name = name;
    reference.model = resolve_model(entry.at("model").get<std::string>());
    reference.inputs = split_samples(dir / "inputs.bin", samples, inputs);
    reference.ort_all = split_samples(dir / "ort_all.bin", samples, outputs);
    reference.ort_basic = split_samples(dir / "ort_basic.bin", samples, outputs);
    return reference;
  }
  throw std::runtime_error((reference_dir() / "manifest.json").string() + ": no model '" + name +
                           "'");
}

std::string ort_reference_provenance() {
  const nlohmann::json& m = manifest();
  std::string features;
  for (const nlohmann::json& feature : m.at("cpu").at("features"))
    features += (features.empty() ? "" : " ") + feature.get<std::string>();
  return "ONNX Runtime " + m.at("onnxruntime_node").get<std::string>() + " (onnxruntime-node) on " +
         m.at("cpu").at("model").get<std::string>() + " [" + features + "], " +
         m.at("date").get<std::string>() + ", probe " +
         (m.at("probe").at("mismatches_vs_spec").get<int>() == 0 ? "exact" : "NOT exact");
}

const OrtInt8Probe& probe_live_ort_int8() {
  static const OrtInt8Probe probe = [] {
    const nlohmann::json& spec = manifest().at("probe");
    const int samples = spec.at("samples").get<int>();
    const std::vector<IoSpec> outputs = io_specs(spec.at("outputs"));
    const std::vector<std::vector<Tensor>> inputs =
        split_samples(reference_dir() / "probe_inputs.bin", samples, io_specs(spec.at("inputs")));
    const std::vector<std::vector<Tensor>> expected =
        split_samples(reference_dir() / "probe_spec.bin", samples, outputs);
    const std::vector<uint8_t> saturated = read_bytes(reference_dir() / "probe_saturated.bin");

    TempDir work("ort-int8-probe");
    const std::vector<std::vector<Tensor>> actual =
        run_ort_typed(reference_dir() / "probe.onnx", inputs, work.path(), "all");

    OrtInt8Probe result;
    int64_t mismatches = 0, elements = 0;
    // Saturation explains the probe when every output's first element (the all-127 row) is the
    // specification's or the saturation model's value, and at least one is the latter. (MLAS's
    // depthwise kernel does not sum pairs and stays exact on the saturating path.)
    bool explained_by_saturation = saturated.size() == outputs.size();
    bool any_saturated = false;
    std::ostringstream firsts;
    for (int s = 0; s < samples; ++s)
      for (size_t j = 0; j < outputs.size(); ++j) {
        const Tensor& got = actual.at(static_cast<size_t>(s)).at(j);
        const Tensor& want = expected[static_cast<size_t>(s)][j];
        if (got.elements() != want.elements())
          throw std::runtime_error("probe output " + want.name + ": ONNX Runtime gave " +
                                   std::to_string(got.elements()) + " elements");
        for (int64_t i = 0; i < want.elements(); ++i, ++elements)
          if (element_as_int(got, i) != element_as_int(want, i)) ++mismatches;
        if (s != 0 || j >= saturated.size()) continue;
        const int64_t first = element_as_int(got, 0);
        const int64_t spec_first = element_as_int(want, 0);
        const int64_t saturated_first = static_cast<int8_t>(saturated[j]);
        firsts << (j ? ", " : "") << want.name << " " << first << " (spec " << spec_first
               << ", saturating " << saturated_first << ")";
        if (first == saturated_first && first != spec_first) any_saturated = true;
        if (first != spec_first && first != saturated_first) explained_by_saturation = false;
      }
    result.exact = mismatches == 0;
    result.saturation = !result.exact && explained_by_saturation && any_saturated;
    std::ostringstream text;
    text << "int8 kernel probe (tests/data/ort_int8/probe.onnx: QLinearConv 1x1 / depthwise, "
            "QGemm, QLinearMatMul, all-127 activations and weights): "
         << mismatches << "/" << elements << " elements differ from the ONNX specification; "
         << firsts.str() << ". ";
    if (result.exact)
      text << "This ONNX Runtime computes int8 products exactly on this CPU.";
    else if (result.saturation)
      text << "This ONNX Runtime's int8 kernels sum int16 pairs with saturation on this CPU "
              "(MLAS's AVX2 u8s8 path, VPMADDUBSW, used without AVX-512 VNNI / AVX-VNNI); its "
              "results are not the specification's where a pair of products exceeds 32767.";
    else
      text << "This ONNX Runtime's int8 kernels deviate from the specification on this CPU in a "
              "way the int16 pair-saturation model does not explain.";
    result.explanation = text.str();
    return result;
  }();
  return probe;
}

}  // namespace kiln::realmodel
