#include "codegen/generate_c.hpp"

#include <algorithm>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include "codegen/c_literals.hpp"
#include "codegen/embedded_kernels.hpp"
#include "codegen/kernel_select.hpp"
#include "ir/error.hpp"
#include "ir/messages.hpp"
#include "ops/lower_node.hpp"
#include "ops/op_registry.hpp"

namespace kiln {

using codegen::c_comment;
using codegen::c_float;
using codegen::c_identifier;
using codegen::c_int32;
using codegen::c_macro_prefix;
using codegen::c_string;

std::vector<std::string> kernel_files_for(const std::vector<std::string>& functions) {
  const auto& sources = embedded_kernel_sources();
  std::set<std::string> files;
  std::vector<std::string> pending;
  auto require = [&](const std::string& file, const std::string& why) {
    if (sources.find(file) == sources.end())
      throw InternalError("kernel source " + file + " (" + why + ") is not in src/kernels");
    if (files.insert(file).second) pending.push_back(file);
  };
  for (const std::string& fn : functions) {
    require(fn + ".c", "defines " + fn);
    require(fn + ".h", "declares " + fn);
  }
  static const std::regex include_re(R"re(#\s*include\s*"([^"]+)")re");
  while (!pending.empty()) {
    const std::string file = pending.back();
    pending.pop_back();
    const std::string text(sources.at(file));
    for (std::sregex_iterator it(text.begin(), text.end(), include_re), end; it != end; ++it) {
      const std::string header = (*it)[1];
      require(header, "included by " + file);
      // A header whose functions are defined in a .c of the same name needs that .c too.
      if (header.size() > 2 && header.ends_with(".h")) {
        const std::string body = header.substr(0, header.size() - 2) + ".c";
        if (sources.find(body) != sources.end() && files.insert(body).second)
          pending.push_back(body);
      }
    }
  }
  return {files.begin(), files.end()};
}

namespace {

std::string shape_list(const Shape& shape) {
  std::string out;
  for (size_t i = 0; i < shape.size(); ++i) out += (i ? ", " : "") + std::to_string(shape[i]);
  return out;
}

std::string describe_tensor(const Tensor& t) {
  return std::string(dtype_name(t.dtype)) + " [" + shape_list(t.shape) + "]";
}

// Appends comma-separated items, wrapping lines at ~100 columns (no trailing spaces).
class ListWriter {
 public:
  explicit ListWriter(std::ostringstream& out) : out_(out) {}
  void add(const std::string& item) {
    if (column_ != 0 && column_ + item.size() + 2 > 99) {
      out_ << "\n";
      column_ = 0;
    }
    if (column_ == 0) {
      out_ << "    ";
      column_ = 4;
    } else {
      out_ << " ";
      ++column_;
    }
    out_ << item << ",";
    column_ += item.size() + 1;
  }
  void finish() {
    if (column_ != 0) out_ << "\n";
  }

 private:
  std::ostringstream& out_;
  size_t column_ = 0;
};

// Names in comments are shortened: exporters produce names of hundreds of characters.
std::string short_name(const std::string& name) {
  constexpr size_t kMax = 64;
  if (name.size() <= kMax) return c_comment(name);
  return c_comment(name.substr(0, kMax - 3)) + "...";
}

class Generator {
 public:
  Generator(const Graph& graph, const MemoryPlan& plan, const CodegenOptions& options)
      : graph_(graph), plan_(plan), options_(options) {
    name_ = c_identifier(options.name.empty() ? "net" : options.name, 40);
    macro_ = c_macro_prefix(name_);
    for (size_t k = graph.inputs.size(); k-- > 0;)
      input_index_[graph.inputs[k]] = static_cast<int>(k);
    for (size_t k = graph.outputs.size(); k-- > 0;)
      output_index_[graph.outputs[k]] = static_cast<int>(k);
    lagged_.insert(plan.liveness.lagged_nodes.begin(), plan.liveness.lagged_nodes.end());
  }

  GeneratedCode run() {
    check_schedule();
    lower_schedule();
    name_weights();
    std::string body = emit_body();  // first: collects parameter arrays and used kernels
    GeneratedCode code;
    code.name = name_;
    code.kernel_set = options_.kernels;
    std::vector<std::string> functions(kernels_.begin(), kernels_.end());
    code.kernel_functions = functions;
    const auto& sources = embedded_kernel_sources();
    std::vector<std::string> kernel_files = kernel_files_for(functions);
    for (const std::string& file : kernel_files) {
      const std::string_view text = sources.at(file);
      if (text.find("#include <math.h>") != std::string_view::npos) code.libm_users.push_back(file);
    }
    code.c_sources.push_back(name_ + ".c");
    for (const std::string& file : kernel_files)
      if (file.ends_with(".c")) code.c_sources.push_back(file);

    code.files.push_back({name_ + ".h", emit_header(code)});
    code.files.push_back({name_ + ".c", emit_source(body)});
    for (const std::string& file : kernel_files)
      code.files.push_back({file, std::string(sources.at(file))});
    code.files.push_back({name_ + ".cmake", emit_cmake(code)});
    code.files.push_back({name_ + ".mk", emit_make(code)});
    return code;
  }

 private:
  struct ScheduledCall {
    size_t node_index;
    KernelCall call;
  };

  // The memory plan is only valid for the node order it was made for (liveness, in-place
  // aliasing): the graph must still be in that order.
  void check_schedule() const {
    bool same = plan_.schedule.size() == graph_.nodes.size();
    for (size_t i = 0; same && i < graph_.nodes.size(); ++i)
      same = plan_.schedule[i] == graph_.nodes[i].name;
    if (!same)
      throw InternalError("the memory plan was made for another node order than graph " +
                          quote_name(graph_.name) + " has");
  }

  void lower_schedule() {
    for (size_t i = 0; i < graph_.nodes.size(); ++i) {
      const Node& node = graph_.nodes[i];
      if (!is_runtime_node(node, graph_)) continue;
      // The op lowers to its reference kernel; the kernel set may swap in a fast kernel with
      // the same signature and results.
      KernelCall call = select_kernel(lower_node(node, graph_), options_.kernels);
      for (const KernelArg& arg : call.args) {
        if ((arg.kind == KernelArg::Kind::Input || arg.kind == KernelArg::Kind::Output) &&
            !arg.tensor.empty() && graph_.find_tensor(arg.tensor) == nullptr)
          throw InternalError(node.describe() + ": lowered to a call on unknown tensor " +
                              quote_name(arg.tensor));
        if (arg.kind == KernelArg::Kind::Output && !arg.tensor.empty() &&
            graph_.tensor(arg.tensor).constant)
          throw InternalError(node.describe() + ": lowered to a call writing constant " +
                              quote_name(arg.tensor));
      }
      // A node the plan runs in place with a lag (output overlapping its input) must call a
      // kernel whose loop order allows it: checked on the kernel actually emitted.
      if (lagged_.count(node.name) && !kernel_processes_planes_in_order(call.function))
        throw InternalError(node.describe() + ": planned in place with a lag but lowered to " +
                            call.function + ", whose loop order does not allow it");
      schedule_.push_back({i, std::move(call)});
    }
  }

  void name_weights() {
    std::vector<const Tensor*> weights;
    for (const auto& [name, tensor] : graph_.tensors)
      if (tensor.placement.region == "flash") weights.push_back(&tensor);
    std::stable_sort(weights.begin(), weights.end(), [](const Tensor* a, const Tensor* b) {
      return a->placement.offset < b->placement.offset;
    });
    // Constants the plan gave one placement (equal bytes) share the first one's array.
    std::map<int64_t, std::string> symbol_at;
    for (const Tensor* w : weights) {
      auto [it, added] = symbol_at.try_emplace(w->placement.offset);
      if (added) {
        it->second = "w" + std::to_string(weight_order_.size()) + "_" + c_identifier(w->name, 32);
        weight_order_.push_back(w);
      } else {
        weight_aliases_[it->second].push_back(w->name);
      }
      weight_symbol_[w->name] = it->second;
    }
  }

  std::string c_type(const Tensor& t) const { return std::string(dtype_c_type(t.dtype)); }

  // First index of `name` among the graph inputs (outputs), or -1; hash lookups, so graphs with
  // thousands of inputs or outputs cost no scan per kernel argument.
  static int index_in(const std::unordered_map<std::string, int>& index, const std::string& name) {
    auto it = index.find(name);
    return it == index.end() ? -1 : it->second;
  }

  std::string tensor_pointer(const std::string& name, bool writable, const std::string& where) {
    if (name.empty()) return "NULL";
    const Tensor& t = graph_.tensor(name);
    if (t.constant) {
      if (writable) throw InternalError(where + ": writes constant " + quote_name(name));
      auto it = weight_symbol_.find(name);
      if (it == weight_symbol_.end())
        throw InternalError(where + ": constant " + quote_name(name) +
                            " was not planned into flash");
      return it->second;
    }
    if (int k = index_in(input_index_, name); k >= 0) {
      if (writable) throw InternalError(where + ": writes graph input " + quote_name(name));
      used_params_.insert("input" + std::to_string(k));
      return "input" + std::to_string(k);
    }
    if (int k = index_in(output_index_, name); k >= 0) {
      used_params_.insert("output" + std::to_string(k));
      return "output" + std::to_string(k);
    }
    if (t.placement.region != "arena" || t.placement.offset < 0)
      throw InternalError(where + ": tensor " + quote_name(name) + " has no arena placement");
    uses_arena_ = true;
    return std::string("(") + (writable ? "" : "const ") + c_type(t) + "*)(mem + " +
           std::to_string(t.placement.offset) + ")";
  }

  std::string param_array(const KernelArg& arg) {
    std::string key, type, values;
    size_t count = 0;
    if (arg.kind == KernelArg::Kind::Ints) {
      type = "int32_t";
      count = arg.ints.size();
      for (size_t i = 0; i < arg.ints.size(); ++i) values += (i ? ", " : "") + c_int32(arg.ints[i]);
      key = "i:" + values;
    } else {
      type = "float";
      count = arg.floats.size();
      for (size_t i = 0; i < arg.floats.size(); ++i)
        values += (i ? ", " : "") + c_float(arg.floats[i], &needs_math_h_);
      key = "f:" + values;
    }
    if (count == 0) return "NULL";
    auto it = param_symbol_.find(key);
    if (it != param_symbol_.end()) return it->second;
    const std::string symbol = (type == "float" ? "f" : "k") + std::to_string(param_symbol_.size());
    param_symbol_[key] = symbol;
    params_ << "static const " << type << " " << symbol << "[" << count << "] = {" << values
            << "};\n";
    return symbol;
  }

  std::string emit_body() {
    std::ostringstream body;
    for (const ScheduledCall& sc : schedule_) {
      const Node& node = graph_.nodes[sc.node_index];
      kernels_.insert(sc.call.function);
      body << "  /* " << sc.node_index << ": " << short_name(node.name) << " ("
           << c_comment(node.op_type) << ")";
      if (node.activation.kind != Activation::None) body << " + fused activation";
      for (const std::string& out : node.outputs)
        if (!out.empty())
          body << (out == node.outputs.front() ? " -> " : ", ") << short_name(out) << " "
               << describe_tensor(graph_.tensor(out));
      body << " */\n";
      body << "  " << sc.call.function << "(";
      for (size_t i = 0; i < sc.call.args.size(); ++i) {
        const KernelArg& arg = sc.call.args[i];
        if (i) body << ", ";
        switch (arg.kind) {
          case KernelArg::Kind::Input:
            body << tensor_pointer(arg.tensor, false, node.describe());
            break;
          case KernelArg::Kind::Output:
            body << tensor_pointer(arg.tensor, true, node.describe());
            break;
          case KernelArg::Kind::Int: body << c_int32(static_cast<int32_t>(arg.int_value)); break;
          case KernelArg::Kind::Float: body << c_float(arg.float_value, &needs_math_h_); break;
          case KernelArg::Kind::Ints:
          case KernelArg::Kind::Floats: body << param_array(arg); break;
        }
      }
      body << ");\n";
    }
    // Outputs no kernel wrote directly: a constant, a graph input, or a repeated output name.
    for (size_t k = 0; k < graph_.outputs.size(); ++k) {
      const std::string& name = graph_.outputs[k];
      const Tensor& t = graph_.tensor(name);
      const bool written_in_place = !t.constant && index_in(input_index_, name) < 0 &&
                                    index_in(output_index_, name) == static_cast<int>(k);
      if (written_in_place) continue;
      std::string source;
      if (t.constant) {
        source = tensor_pointer(name, false, "graph output");
      } else if (int j = index_in(input_index_, name); j >= 0) {
        source = "input" + std::to_string(j);
        used_params_.insert(source);
      } else {
        source = "output" + std::to_string(index_in(output_index_, name));
        used_params_.insert(source);
      }
      kernels_.insert("kiln_copy");
      used_params_.insert("output" + std::to_string(k));
      body << "  /* graph output " << k << " '" << c_comment(name) << "' is a copy of "
           << (t.constant ? "a constant" : "another I/O buffer") << " */\n";
      body << "  kiln_copy(" << source << ", output" << k << ", " << t.bytes() << ");\n";
    }
    return body.str();
  }

  std::string signature(bool with_arena) const {
    std::string sig = "int " + name_ + (with_arena ? "_run_with_arena(void* arena" : "_run(");
    bool first = !with_arena;
    for (size_t k = 0; k < graph_.inputs.size(); ++k) {
      sig += first ? "" : ", ";
      first = false;
      sig += "const " + c_type(graph_.tensor(graph_.inputs[k])) + "* input" + std::to_string(k);
    }
    for (size_t k = 0; k < graph_.outputs.size(); ++k) {
      sig += first ? "" : ", ";
      first = false;
      sig += c_type(graph_.tensor(graph_.outputs[k])) + "* output" + std::to_string(k);
    }
    if (first) sig += "void";
    return sig + ")";
  }

  void io_macros(std::ostringstream& h, const std::string& kind, size_t index,
                 const Tensor& t) const {
    const std::string m = macro_ + "_" + kind + "_" + std::to_string(index);
    h << "/* " << (kind == "INPUT" ? "input" : "output") << " " << index << ": '"
      << c_comment(t.name) << "', " << describe_tensor(t) << " */\n";
    h << "#define " << m << "_NAME " << c_string(t.name) << "\n";
    h << "#define " << m << "_DTYPE " << c_string(dtype_name(t.dtype)) << "\n";
    h << "#define " << m << "_TYPE " << c_type(t) << "\n";
    h << "#define " << m << "_SIZE " << t.elements() << " /* elements */\n";
    h << "#define " << m << "_BYTES " << t.bytes() << "\n";
    h << "#define " << m << "_RANK " << t.shape.size() << "\n";
    if (!t.shape.empty()) h << "#define " << m << "_SHAPE {" << shape_list(t.shape) << "}\n";
    for (size_t d = 0; d < t.shape.size(); ++d)
      h << "#define " << m << "_DIM_" << d << " " << t.shape[d] << "\n";
    h << "\n";
  }

  std::string emit_header(const GeneratedCode& code) const {
    std::ostringstream h;
    const std::string guard = macro_ + "_H_";
    h << "/* " << name_ << ".h: generated by kiln " << KILN_VERSION << " from "
      << c_comment(options_.model_path.empty() ? graph_.name : options_.model_path)
      << ". Do not edit.\n"
      << " *\n"
      << " * A dependency-free C99 implementation of the network: no malloc, no global state\n"
      << " * besides the optional static arena, no I/O.\n"
      << " *\n"
      << " * Files: " << name_ << ".h (this API), " << name_ << ".c (weights and schedule), the\n"
      << " * kiln_*.c/.h kernels it calls, and the build fragments " << name_ << ".cmake and "
      << name_ << ".mk.\n"
      << " *\n"
      << " * Build: compile every .c file of this directory as C99, for example\n"
      << " *     cc -std=c99 -O2 -ffp-contract=off -c";
    for (const std::string& src : code.c_sources) h << " " << src;
    h << "\n"
      << " * or in CMake: include(<dir>/" << name_ << ".cmake) and link your target with " << name_
      << ",\n"
      << " * or in make: include <dir>/" << name_ << ".mk and build $(" << macro_ << "_SRCS).\n";
    if (code.needs_libm()) {
      h << " * Link with libm (-lm): ";
      for (size_t i = 0; i < code.libm_users.size(); ++i)
        h << (i ? ", " : "") << code.libm_users[i];
      h << " include <math.h>.\n";
    } else {
      h << " * No library is needed (not even libm).\n";
    }
    h << " *\n"
      << " * Use:\n"
      << " *     static "
      << (graph_.inputs.empty() ? "float" : c_type(graph_.tensor(graph_.inputs[0]))) << " in["
      << macro_ << "_INPUT_0_SIZE];  (one buffer per input and output)\n"
      << " *     ... fill the inputs ...\n"
      << " *     if (" << name_ << "_run(in, ..., out, ...) != 0) { handle the error }\n"
      << " * " << name_ << "_run() uses a static arena of " << macro_ << "_ARENA_SIZE bytes inside "
      << name_ << ".c, so\n"
      << " * it is not reentrant. " << name_
      << "_run_with_arena() takes the caller's arena instead: at least\n"
      << " * " << macro_ << "_ARENA_SIZE bytes, aligned to " << macro_
      << "_ARENA_ALIGNMENT bytes (may be NULL when the size is 0);\n"
      << " * separate arenas allow concurrent runs. Its contents need not be kept between runs.\n"
      << " * Inputs are only read. Outputs are written (and may be read back by later layers),\n"
      << " * so no output may overlap an input, another output or the arena.\n"
      << " * Both functions return 0 on success and -1 when a pointer is NULL or the arena is\n"
      << " * misaligned.\n"
      << " */\n"
      << "#ifndef " << guard << "\n#define " << guard << "\n\n#include <stdint.h>\n\n"
      << "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n";
    h << "#define " << macro_ << "_NUM_INPUTS " << graph_.inputs.size() << "\n";
    h << "#define " << macro_ << "_NUM_OUTPUTS " << graph_.outputs.size() << "\n\n";
    for (size_t k = 0; k < graph_.inputs.size(); ++k)
      io_macros(h, "INPUT", k, graph_.tensor(graph_.inputs[k]));
    for (size_t k = 0; k < graph_.outputs.size(); ++k)
      io_macros(h, "OUTPUT", k, graph_.tensor(graph_.outputs[k]));
    h << "/* Working memory for intermediate tensors, in bytes (liveness lower bound: "
      << plan_.lower_bound << "). */\n";
    h << "#define " << macro_ << "_ARENA_SIZE " << plan_.arena_bytes << "\n";
    h << "#define " << macro_ << "_ARENA_ALIGNMENT " << kArenaAlignment << "\n";
    h << "/* Bytes of constant data (weights) in " << name_ << ".c. */\n";
    h << "#define " << macro_ << "_WEIGHT_BYTES " << plan_.weight_bytes << "\n\n";
    h << "/* Runs the network with the static arena. */\n" << signature(false) << ";\n\n";
    h << "/* Runs the network with a caller-provided arena (see above). */\n"
      << signature(true) << ";\n\n";
    h << "#ifdef __cplusplus\n}\n#endif\n\n#endif /* " << guard << " */\n";
    return h.str();
  }

  std::string emit_weights() {
    std::ostringstream w;
    for (const Tensor* t : weight_order_) {
      // Packed int4 weights hold two values per byte: the array has bytes(), not elements().
      const int64_t n = t->quant && t->quant->packed_int4() ? t->bytes() : t->elements();
      if (static_cast<int64_t>(t->data.size()) < n * static_cast<int64_t>(dtype_size(t->dtype)))
        throw InternalError("weight " + quote_name(t->name) + " holds " +
                            std::to_string(t->data.size()) + " bytes, its array needs " +
                            std::to_string(n) + " elements");
      const std::string& symbol = weight_symbol_.at(t->name);
      w << "/* " << short_name(t->name) << ": " << describe_tensor(*t);
      if (auto aliases = weight_aliases_.find(symbol); aliases != weight_aliases_.end()) {
        w << "; also";
        for (const std::string& alias : aliases->second) w << " " << short_name(alias);
        w << " (same bytes)";
      }
      w << " */\n";
      w << "static const " << c_type(*t) << " " << symbol << "[" << std::max<int64_t>(n, 1) << "] "
        << macro_ << "_ALIGNED = {\n";
      ListWriter list(w);
      if (n == 0) list.add("0");  // C forbids empty arrays; never read (the tensor is empty)
      for (int64_t i = 0; i < n; ++i)
        list.add(codegen::c_element(t->dtype, t->data.data(), i, &needs_math_h_));
      list.finish();
      w << "};\n\n";
    }
    return w.str();
  }

  std::string emit_source(const std::string& body) {
    const std::string weights = emit_weights();  // sets needs_math_h_ before the includes
    std::ostringstream c;
    c << "/* " << name_ << ".c: generated by kiln " << KILN_VERSION << " from "
      << c_comment(options_.model_path.empty() ? graph_.name : options_.model_path)
      << ". Do not edit.\n"
      << " * Weights, then the schedule: one kernel call per node, in order. Intermediate\n"
      << " * tensors live at fixed offsets of the arena (the memory plan). */\n";
    c << "#include \"" << name_ << ".h\"\n\n";
    c << "#include <stddef.h>\n#include <stdint.h>\n";
    if (needs_math_h_) c << "#include <math.h> /* INFINITY / NAN constants */\n";
    c << "\n";
    for (const std::string& fn : kernels_) c << "#include \"" << fn << ".h\"\n";
    c << "\n#if defined(__GNUC__) || defined(__clang__)\n"
      << "#define " << macro_ << "_ALIGNED __attribute__((aligned(" << kArenaAlignment
      << ")))\n#else\n#define " << macro_ << "_ALIGNED\n#endif\n\n";
    c << weights;
    if (!params_.str().empty()) c << "/* Constant kernel arguments. */\n" << params_.str() << "\n";
    c << "static uint8_t " << name_ << "_arena[" << std::max<int64_t>(plan_.arena_bytes, 16) << "] "
      << macro_ << "_ALIGNED;\n\n";

    c << signature(true) << " {\n";
    if (plan_.arena_bytes > 0) {
      c << "  uint8_t* const mem = (uint8_t*)arena;\n";
      c << "  if (mem == NULL || ((uintptr_t)mem % " << kArenaAlignment << "u) != 0u) return -1;\n";
      if (!uses_arena_) c << "  (void)mem;\n";
    } else if (uses_arena_) {
      // Only zero-byte intermediates are "in the arena": point them at the static buffer, which
      // is never read or written through them, so concurrent runs stay safe.
      c << "  uint8_t* const mem = " << name_ << "_arena;\n";
      c << "  (void)arena; /* no intermediate needs arena bytes */\n";
    } else {
      c << "  (void)arena; /* every intermediate lives in the I/O buffers */\n";
    }
    std::vector<std::string> params;
    for (size_t k = 0; k < graph_.inputs.size(); ++k) params.push_back("input" + std::to_string(k));
    for (size_t k = 0; k < graph_.outputs.size(); ++k)
      params.push_back("output" + std::to_string(k));
    for (const std::string& p : params) {
      if (used_params_.count(p))
        c << "  if (" << p << " == NULL) return -1;\n";
      else
        c << "  (void)" << p << "; /* not read by any kernel */\n";
    }
    c << "\n" << body << "  return 0;\n}\n\n";

    c << signature(false) << " {\n  return " << name_ << "_run_with_arena(" << name_ << "_arena";
    for (const std::string& p : params) c << ", " << p;
    c << ");\n}\n";
    return c.str();
  }

  std::string emit_cmake(const GeneratedCode& code) const {
    std::ostringstream m;
    m << "# " << name_ << ".cmake: generated by kiln " << KILN_VERSION << ". Do not edit.\n"
      << "# Adds the network as a static library:\n"
      << "#   include(path/to/" << name_ << ".cmake)\n"
      << "#   target_link_libraries(my_app PRIVATE " << name_ << ")\n"
      << "add_library(" << name_ << " STATIC\n";
    for (const std::string& src : code.c_sources)
      m << "  ${CMAKE_CURRENT_LIST_DIR}/" << src << "\n";
    m << ")\n"
      << "target_include_directories(" << name_ << " PUBLIC ${CMAKE_CURRENT_LIST_DIR})\n"
      << "set_target_properties(" << name_ << " PROPERTIES C_STANDARD 99 C_STANDARD_REQUIRED ON)\n"
      << "# No fused multiply-add: float kernels then round exactly as kiln's interpreter does.\n"
      << "if(CMAKE_C_COMPILER_ID MATCHES \"GNU|Clang\")\n"
      << "  target_compile_options(" << name_ << " PRIVATE -ffp-contract=off)\n"
      << "endif()\n";
    if (code.needs_libm()) {
      m << "# libm: ";
      for (size_t i = 0; i < code.libm_users.size(); ++i)
        m << (i ? ", " : "") << code.libm_users[i];
      m << " include <math.h>.\nif(NOT MSVC)\n  target_link_libraries(" << name_
        << " PUBLIC m)\nendif()\n";
    } else {
      m << "# No kernel uses <math.h>: libm is not needed.\n";
    }
    return m.str();
  }

  std::string emit_make(const GeneratedCode& code) const {
    std::ostringstream m;
    m << "# " << name_ << ".mk: generated by kiln " << KILN_VERSION << ". Do not edit.\n"
      << "# Usage from a Makefile:\n"
      << "#   include path/to/" << name_ << ".mk\n"
      << "#   CFLAGS += $(" << macro_ << "_CFLAGS)\n"
      << "#   compile $(" << macro_ << "_SRCS) with your sources and link with $(" << macro_
      << "_LDLIBS)\n"
      << macro_ << "_DIR := $(dir $(lastword $(MAKEFILE_LIST)))\n"
      << macro_ << "_SRCS :=";
    for (const std::string& src : code.c_sources) m << " $(" << macro_ << "_DIR)" << src;
    // No fused multiply-add: float kernels then round exactly as kiln's interpreter does.
    m << "\n" << macro_ << "_CFLAGS := -std=c99 -ffp-contract=off -I$(" << macro_ << "_DIR)\n";
    if (code.needs_libm()) {
      m << "# libm: ";
      for (size_t i = 0; i < code.libm_users.size(); ++i)
        m << (i ? ", " : "") << code.libm_users[i];
      m << " include <math.h>.\n" << macro_ << "_LDLIBS := -lm\n";
    } else {
      m << "# No kernel uses <math.h>: libm is not needed.\n" << macro_ << "_LDLIBS :=\n";
    }
    return m.str();
  }

  const Graph& graph_;
  const MemoryPlan& plan_;
  const CodegenOptions& options_;
  std::string name_;
  std::string macro_;
  std::vector<ScheduledCall> schedule_;
  std::unordered_map<std::string, int> input_index_;   // first index of each graph input
  std::unordered_map<std::string, int> output_index_;  // first index of each graph output
  std::unordered_set<std::string> lagged_;             // plan_.liveness.lagged_nodes
  std::vector<const Tensor*> weight_order_;
  std::map<std::string, std::string> weight_symbol_;
  // Array symbol -> the other constants it holds (equal bytes share one placement).
  std::map<std::string, std::vector<std::string>> weight_aliases_;
  std::map<std::string, std::string> param_symbol_;
  std::ostringstream params_;
  std::set<std::string> kernels_;
  std::set<std::string> used_params_;
  bool uses_arena_ = false;
  bool needs_math_h_ = false;
};

}  // namespace

GeneratedCode generate_c(const Graph& graph, const MemoryPlan& plan,
                         const CodegenOptions& options) {
  return Generator(graph, plan, options).run();
}

}  // namespace kiln
