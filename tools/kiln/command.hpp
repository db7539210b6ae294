#pragma once
// Each `kiln` subcommand lives in its own file and registers itself here with
// KILN_CLI_COMMAND(setup), where setup adds a CLI11 subcommand whose callback does the work.
// Callbacks throw kiln::Error for user-facing failures; main() turns that into one line on
// stderr and exit code 1. Usage errors exit 2 (CLI11's parse errors).
#include <CLI/CLI.hpp>

namespace kiln::cli {

using CommandSetup = void (*)(CLI::App& app);
void register_command(CommandSetup setup);

struct CommandRegistrar {
  explicit CommandRegistrar(CommandSetup setup) { register_command(setup); }
};

}  // namespace kiln::cli

#define KILN_CLI_CAT2(a, b) a##b
#define KILN_CLI_CAT(a, b) KILN_CLI_CAT2(a, b)
#define KILN_CLI_COMMAND(setup) \
  static const ::kiln::cli::CommandRegistrar KILN_CLI_CAT(kiln_command_, __LINE__)(setup)
