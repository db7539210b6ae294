#pragma once
// Each `kiln` subcommand lives in its own file and registers itself here with
// KILN_CLI_COMMAND(setup), where setup adds a CLI11 subcommand whose callback does the work.
// Callbacks throw kiln::Error for user-facing failures; main() turns that into one line on
// stderr and exit code 1. Usage errors exit 2 (CLI11's parse errors, kiln::UsageError).
#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdint>
#include <string>

#include "ir/messages.hpp"

namespace kiln::cli {

using CommandSetup = void (*)(CLI::App& app);
void register_command(CommandSetup setup);

struct CommandRegistrar {
  explicit CommandRegistrar(CommandSetup setup) { register_command(setup); }
};

// Runs `check`, which validates a command-line value with a library function, and reports its
// Error as a UsageError (exit 2): the value, not a model, is at fault.
template <typename F>
void check_usage(F&& check) {
  try {
    check();
  } catch (const UsageError&) {
    throw;
  } catch (const Error& e) {
    throw UsageError(e.what());
  }
}

// Runs `step` (work on a loaded model: optimize, quantize, plan, generate) and prefixes the
// message of an Error it throws with `model_path` unless the message already starts with it, so
// every error about a model names the file.
template <typename F>
decltype(auto) naming_model(const std::string& model_path, F&& step) {
  const auto prefixed = [&](const char* what) {
    const std::string prefix = model_path + ": ";
    const std::string text = what;
    return text.starts_with(prefix) ? text : prefix + text;
  };
  try {
    return step();
  } catch (const UsageError&) {
    throw;
  } catch (const UnsupportedError& e) {
    throw UnsupportedError(prefixed(e.what()));
  } catch (const Error& e) {
    throw Error(prefixed(e.what()));
  } catch (const InternalError& e) {
    throw InternalError(prefixed(e.what()));
  }
}

// CLI11 validators for values CLI11's own checks let through: NaN passes NonNegativeNumber, and
// "-1" converts to a huge unsigned number.
inline const CLI::Validator kFiniteNonNegative(
    [](std::string& text) -> std::string {
      double value = 0.0;
      if (!CLI::detail::lexical_cast(text, value) || !std::isfinite(value) || value < 0.0)
        return "must be a finite number >= 0, got " + text;
      return {};
    },
    "FINITE >= 0");
inline const CLI::Validator kNonNegativeInteger(
    [](std::string& text) -> std::string {
      uint64_t value = 0;
      if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos ||
          !CLI::detail::lexical_cast(text, value))
        return "must be an integer >= 0, got " + text;
      return {};
    },
    "UINT");

}  // namespace kiln::cli

#define KILN_CLI_CAT2(a, b) a##b
#define KILN_CLI_CAT(a, b) KILN_CLI_CAT2(a, b)
#define KILN_CLI_COMMAND(setup) \
  static const ::kiln::cli::CommandRegistrar KILN_CLI_CAT(kiln_command_, __LINE__)(setup)
