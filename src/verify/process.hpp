#pragma once
// Running an external program (the host C compiler, a generated test harness) and capturing its
// combined stdout/stderr, without a shell, so paths need no quoting.
#include <chrono>
#include <string>
#include <vector>

namespace kiln {

struct ProcessResult {
  int exit_code = -1;  // the program's exit status; -1 if it could not start or was killed
  int signal = 0;      // the signal that ended it (e.g. SIGSEGV), 0 if it exited
  bool timed_out = false;
  std::string output;  // stdout and stderr, interleaved
  bool ok() const { return exit_code == 0; }
  // "exit code 3", "killed by signal 11", "timed out".
  std::string status_text() const;
};

// Runs argv[0] (searched in PATH) with the arguments. Kills it after `timeout`.
ProcessResult run_process(const std::vector<std::string>& argv,
                          std::chrono::milliseconds timeout = std::chrono::minutes(5));

// "cc -O2 ..." for messages.
std::string command_line(const std::vector<std::string>& argv);

}  // namespace kiln
