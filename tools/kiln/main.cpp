// kiln: ahead-of-time compiler from trained networks to dependency-free C.
// Exit codes: 0 success, 1 error in the model or its processing, 2 bad command line (CLI11's
// parse errors and kiln::UsageError). Every message is printed as one line (kiln::one_line).
#include <google/protobuf/stubs/common.h>

#include <cstdio>
#include <iostream>
#include <vector>

#include "command.hpp"
#include "ir/error.hpp"
#include "ir/messages.hpp"

namespace kiln::cli {

namespace {
std::vector<CommandSetup>& commands() {
  static std::vector<CommandSetup> list;
  return list;
}
}  // namespace

void register_command(CommandSetup setup) {
  commands().push_back(setup);
}

}  // namespace kiln::cli

int main(int argc, char** argv) {
  CLI::App app{"kiln: ahead-of-time compiler from ONNX and TFLite networks to dependency-free C99",
               "kiln"};
  app.set_version_flag("--version", std::string("kiln ") + KILN_VERSION);
  app.require_subcommand(1);
  // CLI11's parse errors on one line too, like kiln's own messages.
  app.failure_message([](const CLI::App* failed, const CLI::Error& e) {
    return "kiln: error: " + kiln::one_line(e.what()) + " (see " + failed->get_name() +
           " --help)\n";
  });
  for (auto setup : kiln::cli::commands()) setup(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : 2;
  } catch (const kiln::UsageError& e) {
    std::cerr << "kiln: error: " << kiln::one_line(e.what()) << "\n";
    return 2;
  } catch (const kiln::Error& e) {
    std::cerr << "kiln: error: " << kiln::one_line(e.what()) << "\n";
    return 1;
  } catch (const kiln::InternalError& e) {
    std::cerr << "kiln: internal error (please report): " << kiln::one_line(e.what()) << "\n";
    return 1;
  } catch (const std::bad_alloc&) {
    std::cerr << "kiln: error: out of memory\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "kiln: error: " << kiln::one_line(e.what()) << "\n";
    return 1;
  }
  google::protobuf::ShutdownProtobufLibrary();
  return 0;
}
