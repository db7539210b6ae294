#pragma once
// kiln reports every user-facing failure (bad model, unsupported op, bad shape) as kiln::Error.
// The message is one line and names the thing at fault; the CLI prints it and exits 1.
#include <stdexcept>
#include <string>

namespace kiln {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

// The model is valid but uses something kiln does not implement (an op, a dtype, an attribute
// value such as Resize's cubic mode). Distinct from Error so the conformance report can count
// such tests as unsupported rather than failed. Message format as for Error.
class UnsupportedError : public Error {
 public:
  explicit UnsupportedError(const std::string& message) : Error(message) {}
};

// A broken internal invariant (a kiln bug, not bad input). Reported distinctly so users can file
// it.
class InternalError : public std::logic_error {
 public:
  explicit InternalError(const std::string& message) : std::logic_error(message) {}
};

}  // namespace kiln
