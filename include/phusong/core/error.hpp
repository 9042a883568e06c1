#pragma once
/// The one error hierarchy of phusong. Only `main` turns these into a message and an exit code
/// (docs/reliability.md): 0 ok, 1 runtime failure, 2 usage, 3 invalid input.

#include <stdexcept>
#include <string>
#include <vector>

namespace phusong {

/// Process exit codes, documented in docs/reliability.md.
enum class ExitCode : int { ok = 0, runtime = 1, usage = 2, invalid_input = 3, interrupted = 130 };

/// Base of every error the engine throws on purpose.
class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
    [[nodiscard]] virtual ExitCode exit_code() const noexcept { return ExitCode::runtime; }
};

/// The command line itself is wrong (unknown option, missing argument).
class UsageError : public Error {
public:
    using Error::Error;
    [[nodiscard]] ExitCode exit_code() const noexcept override { return ExitCode::usage; }
};

/// One problem found in an input: which file, where in it (row/field/key/pixel), what and the fix.
struct Problem {
    std::string file;     ///< path of the input as the user gave it
    std::string where;    ///< "row 17, field azimuth_deg", "key grid.resolution_m", "" if whole file
    std::string message;  ///< what is wrong and what is expected
    [[nodiscard]] std::string to_string() const;
};

/// Invalid input. Carries every problem found, so the user can fix them all at once.
class InputError : public Error {
public:
    explicit InputError(std::vector<Problem> problems);
    InputError(std::string file, std::string where, std::string message);
    [[nodiscard]] ExitCode exit_code() const noexcept override { return ExitCode::invalid_input; }
    [[nodiscard]] const std::vector<Problem>& problems() const noexcept { return m_problems; }

private:
    std::vector<Problem> m_problems;
};

/// A GDAL/OGR call failed on something that is not the user's input (e.g. writing an output).
class GdalError : public Error {
public:
    using Error::Error;
};

/// A broken invariant inside the engine: a bug.
class InternalError : public Error {
public:
    using Error::Error;
};

/// The run was interrupted by SIGINT, SIGTERM or SIGHUP; outputs were not moved into place.
class Interrupted : public Error {
public:
    Interrupted() : Error("interrupted by signal; no outputs were written") {}
    [[nodiscard]] ExitCode exit_code() const noexcept override { return ExitCode::interrupted; }
};

/// Collects problems while validating and throws them together.
class ProblemList {
public:
    void add(std::string file, std::string where, std::string message);
    void append(const ProblemList& other);
    [[nodiscard]] bool empty() const noexcept { return m_problems.empty(); }
    [[nodiscard]] std::size_t size() const noexcept { return m_problems.size(); }
    [[nodiscard]] const std::vector<Problem>& items() const noexcept { return m_problems; }
    /// Throws InputError with every problem collected so far, if there is any.
    void throw_if_any() const;

private:
    std::vector<Problem> m_problems;
};

}  // namespace phusong
