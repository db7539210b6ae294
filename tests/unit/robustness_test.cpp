// Hardening against hostile input (issue 13), the library side: names quoted and escaped in
// one place, bounded messages, UTF-8 checks, bounded file reads, the quantization config's
// depth limit, --name checks and all-or-nothing compile output. The CLI side (exit codes, one
// stderr line, limits) is tests/robustness/run_corpus.py.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "codegen/compile.hpp"
#include "codegen/output_files.hpp"
#include "ir/error.hpp"
#include "ir/messages.hpp"
#include "ir/read_file.hpp"
#include "quant/layer_config.hpp"

namespace kiln {
namespace {

namespace fs = std::filesystem;

const std::string kCorpus = std::string(KILN_SOURCE_DIR) + "/tests/robustness/corpus";

class Scratch {
 public:
  Scratch() {
    path_ = fs::path(::testing::TempDir()) /
            ("kiln_robustness_" + std::to_string(getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~Scratch() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(QuoteName, QuotesAndEscapesControlBytesQuotesAndInvalidUtf8) {
  EXPECT_EQ(quote_name("conv1"), "'conv1'");
  EXPECT_EQ(quote_name(""), "''");
  EXPECT_EQ(quote_name("a\nb\tc\rd"), "'a\\nb\\tc\\rd'");
  EXPECT_EQ(quote_name("\x1b[2J"), "'\\x1b[2J'");
  EXPECT_EQ(quote_name("it's a\\b"), "'it\\'s a\\\\b'");
  EXPECT_EQ(quote_name("y\xff"), "'y\\xff'");
  EXPECT_EQ(quote_name("\xc3\xa9t\xc3\xa9"), "'\xc3\xa9t\xc3\xa9'");  // UTF-8 stays as is
  EXPECT_EQ(quote_name("\xc0\xaf"), "'\\xc0\\xaf'");                  // overlong '/'
  EXPECT_EQ(quote_name(std::string("a\0b", 3)), "'a\\x00b'");
}

TEST(QuoteName, ShortensLongNamesKeepingStartEndAndLength) {
  const std::string name = std::string(60, 'h') + std::string(10 << 20, 'm') + "tail";
  const std::string q = quote_name(name);
  EXPECT_LT(q.size(), 2 * kMaxQuotedNameBytes);
  EXPECT_EQ(q.rfind("'hhhh", 0), 0u) << q;
  EXPECT_NE(q.find("...mmmm"), std::string::npos) << q;
  EXPECT_NE(q.find("mtail' (" + std::to_string(name.size()) + " bytes)"), std::string::npos) << q;
  // Exactly the limit is printed whole.
  const std::string limit(kMaxQuotedNameBytes, 'x');
  EXPECT_EQ(quote_name(limit), "'" + limit + "'");
  // Cuts never split a UTF-8 character.
  std::string wide;
  for (int i = 0; i < 100; ++i) wide += "\xe2\x82\xac";  // euro signs
  EXPECT_TRUE(is_valid_utf8(quote_name(wide)));
  // A name of 1 MiB of stray continuation bytes stays short too.
  EXPECT_LT(quote_name(std::string(1 << 20, '\x80')).size(), 4 * (kMaxQuotedNameBytes + 20));
}

TEST(OneLine, EscapesControlBytesAndBoundsTheLength) {
  EXPECT_EQ(one_line("plain message"), "plain message");
  EXPECT_EQ(one_line("two\nlines\x1b[H"), "two\\nlines\\x1b[H");
  const std::string long_message = "start " + std::string(100000, 'x') + " end";
  const std::string line = one_line(long_message, 1000);
  EXPECT_LT(line.size(), 1100u);
  EXPECT_EQ(line.rfind("start ", 0), 0u);
  EXPECT_TRUE(line.ends_with(" end"));
  EXPECT_NE(line.find("bytes elided"), std::string::npos);
}

TEST(Utf8, AcceptsWellFormedAndRejectsMalformedSequences) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("ascii"));
  EXPECT_TRUE(is_valid_utf8("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"));
  EXPECT_FALSE(is_valid_utf8("\xff"));
  EXPECT_FALSE(is_valid_utf8("\xc3"));              // truncated
  EXPECT_FALSE(is_valid_utf8("\xe0\x80\xaf"));      // overlong
  EXPECT_FALSE(is_valid_utf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(is_valid_utf8("\xf4\x90\x80\x80"));  // past U+10FFFF
}

TEST(NumberText, PrintsSmallAndLargeValuesMeaningfully) {
  EXPECT_EQ(number_text(2.5e-7), "2.5e-07");
  EXPECT_EQ(number_text(7.2e35), "7.2e+35");
  EXPECT_EQ(number_text(0.5), "0.5");
}

TEST(ReadBoundedFile, RefusesDevicesDirectoriesMissingAndOversizedFiles) {
  Scratch dir;
  EXPECT_EQ(error_of([] { read_bounded_file("/dev/zero", 100, "config"); }),
            "/dev/zero: config: is not a regular file (a device, pipe or socket)");
  EXPECT_EQ(error_of([&] { read_bounded_file(dir.path(), 100, "config"); }),
            dir.path().string() + ": config: is a directory, not a file");
  EXPECT_EQ(error_of([&] { read_bounded_file(dir.path() / "none", 100, "config"); }),
            (dir.path() / "none").string() + ": config: no such file");
  const fs::path big = dir.path() / "big";
  std::ofstream(big) << std::string(2048, ' ');
  EXPECT_EQ(error_of([&] { read_bounded_file(big, 1024, "config"); }),
            big.string() + ": config: file of 2048 bytes is larger than the 1 KiB limit");
  EXPECT_EQ(read_bounded_file(big, 2048, "config").size(), 2048u);
}

TEST(QuantConfigLimits, DeepNestingIsRefusedWhileParsing) {
  // 100,000 levels used to overflow the stack while the error message printed the value.
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  EXPECT_EQ(error_of([&] { parse_quant_config(deep, "cfg.json"); }),
            "cfg.json: JSON nested deeper than 8 levels (a quantization config needs 3)");
  const std::string under_key = "{\"observer\": " + deep + "}";
  EXPECT_EQ(error_of([&] { parse_quant_config(under_key, "cfg.json"); }),
            "cfg.json: JSON nested deeper than 8 levels (a quantization config needs 3)");
  // The deepest valid config still parses.
  EXPECT_EQ(parse_quant_config(R"({"rules": [{"name": "a", "weights": "int4"}]})", "cfg.json")
                .rules.size(),
            1u);
  EXPECT_EQ(error_of([] { load_quant_config("/dev/zero"); }),
            "/dev/zero: quantization config: is not a regular file (a device, pipe or socket)");
}

TEST(OutputName, MustBeAnIdentifierThatNoKernelFileUses) {
  check_output_name("net");
  check_output_name("_my_net2");
  check_output_name("kiln");  // no kernel file is kiln.c or kiln.h
  for (const char* bad : {"kiln_copy", "kiln_common", "kiln_math", "kiln_conv_f32"}) {
    const std::string message = error_of([&] { check_output_name(bad); });
    EXPECT_NE(message.find("kernel file"), std::string::npos) << message;
  }
  for (const char* bad : {"", "1net", "my-net", "../net", "a b"}) {
    const std::string message = error_of([&] { check_output_name(bad); });
    EXPECT_NE(message.find("not a C identifier"), std::string::npos) << message;
  }
  EXPECT_NE(error_of([] { check_output_name(std::string(41, 'n')); }).find("longer than 40"),
            std::string::npos);
  EXPECT_THROW(check_output_name("kiln_copy"), UsageError);
}

TEST(AtomicOutput, AFailedCompileWritesNothing) {
  Scratch dir;
  const fs::path out = dir.path() / "out";
  // Loads, then fails while lowering the Conv: with fixed-point requantization its multiplier
  // 1e-3 * 1e30 / 1e-3 has no int32 form.
  CompileOptions options;
  options.pipeline.qdq_requant = "fixed";
  const std::string message =
      error_of([&] { compile_model(kCorpus + "/requant_overflow.onnx", options, out); });
  EXPECT_NE(message.find("node 'conv' (Conv): requantization multiplier 1e+30 is too large"),
            std::string::npos)
      << message;
  EXPECT_FALSE(fs::exists(out));
  EXPECT_TRUE(fs::is_empty(dir.path()));  // no temporary directory left behind
}

TEST(AtomicOutput, CompilesIntoNewAndExistingDirectoriesWithoutLeftovers) {
  Scratch dir;
  const fs::path fresh = dir.path() / "a" / "b";
  const CompileResult result =
      compile_model(kCorpus + "/relu_28x28.onnx", CompileOptions{}, fresh.string() + "/");
  for (const fs::path& file : result.files_written) EXPECT_TRUE(fs::exists(file)) << file;
  const fs::path existing = dir.path() / "existing";
  fs::create_directories(existing);
  std::ofstream(existing / "keep.txt") << "user file";
  compile_model(kCorpus + "/relu_28x28.onnx", CompileOptions{}, existing);
  EXPECT_TRUE(fs::exists(existing / "keep.txt"));
  EXPECT_TRUE(fs::exists(existing / "net.c"));
  EXPECT_TRUE(fs::exists(existing / "net_report.json"));
  for (const auto& entry : fs::directory_iterator(dir.path()))
    EXPECT_EQ(entry.path().filename().string().find(".kiln-"), std::string::npos) << entry.path();
  const fs::path file = dir.path() / "file";
  std::ofstream(file) << "x";
  EXPECT_NE(error_of([&] {
              compile_model(kCorpus + "/relu_28x28.onnx", CompileOptions{}, file);
            }).find("is not a directory"),
            std::string::npos);
}

TEST(NamesAtLoad, NonUtf8NamesAreRefusedNamingTheThing) {
  EXPECT_EQ(error_of([] { load_model(kCorpus + "/name_not_utf8_tensor.onnx"); }),
            kCorpus + "/name_not_utf8_tensor.onnx: tensor 'y\\xff': name is not UTF-8");
  EXPECT_EQ(error_of([] { load_model(kCorpus + "/name_not_utf8_node.onnx"); }),
            kCorpus +
                "/name_not_utf8_node.onnx: node 0 'relu\\xfe\\xff': name, op or domain is not "
                "UTF-8");
}

}  // namespace
}  // namespace kiln
