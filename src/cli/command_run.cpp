// `phusong run SCENARIO.toml [--out DIR] [--overwrite]`: every stage (pipeline::run).

#include "commands.hpp"
#include "summary.hpp"

namespace phusong::cli {
namespace {

class RunCommand final : public Command {
public:
    void add_options(CLI::App& app) override {
        app.add_option("scenario", m_request.scenario, "scenario file (TOML)")->required();
        app.add_option("-o,--out", m_request.out, "output folder (default: out/<scenario file name>)");
        app.add_flag("--overwrite", m_request.overwrite, "replace the output folder if it exists");
    }

    int execute(const GlobalOptions& global) override {
        m_request.threads = global.threads;
        print_run_summary(pipeline::run(m_request));
        return 0;
    }

private:
    pipeline::RunRequest m_request;
};

}  // namespace

std::unique_ptr<Command> make_run_command() { return std::make_unique<RunCommand>(); }

}  // namespace phusong::cli
