#pragma once
// The subcommands, registered in one explicit list (commands.cpp) that --help and the tests walk.

#include <CLI/CLI.hpp>

#include <memory>
#include <span>

#include "phusong/core/log.hpp"

namespace phusong::cli {

struct GlobalOptions {
    int threads = 0;  ///< 0 = all cores
    Verbosity verbosity = Verbosity::normal;
};

class Command {
public:
    virtual ~Command() = default;
    virtual void add_options(CLI::App& app) = 0;
    /// Runs the command; throws phusong::Error subclasses on failure. Returns the exit code.
    virtual int execute(const GlobalOptions& global) = 0;
};

struct CommandEntry {
    const char* name;
    const char* summary;
    std::unique_ptr<Command> (*make)();
};

std::unique_ptr<Command> make_run_command();
std::unique_ptr<Command> make_validate_command();
std::unique_ptr<Command> make_analyse_command();
std::unique_ptr<Command> make_plan_command();
std::unique_ptr<Command> make_report_command();
std::unique_ptr<Command> make_calibrate_command();
std::unique_ptr<Command> make_info_command();
std::unique_ptr<Command> make_shard_command();
std::unique_ptr<Command> make_merge_command();

/// Every subcommand, in --help order.
[[nodiscard]] std::span<const CommandEntry> commands();

}  // namespace phusong::cli
