// `phusong run SCENARIO.toml [--out DIR] [--overwrite]`: every stage (pipeline::run);
// `phusong run SCENARIO.toml --shard K --out DIR`: shard K of a sharded run (pipeline::run_shard).

#include <optional>

#include "commands.hpp"
#include "phusong/core/error.hpp"
#include "summary.hpp"

namespace phusong::cli {
namespace {

class RunCommand final : public Command {
public:
    void add_options(CLI::App& app) override {
        app.add_option("scenario", m_request.scenario, "scenario file (TOML)")->required();
        app.add_option("-o,--out", m_request.out, "output folder (default: out/<scenario file name>); with --shard, "
                                                  "the folder `phusong shard` made");
        app.add_flag("--overwrite", m_request.overwrite, "replace the output folder if it exists");
        app.add_option("--shard", m_shard, "run only shard K of the plan in --out (DIR/shards/K)");
    }

    int execute(const GlobalOptions& global) override {
        if (m_shard) {
            if (m_request.out.empty()) throw UsageError("--shard needs --out DIR, the folder `phusong shard` made");
            print_shard_run_summary(pipeline::run_shard({m_request.scenario, m_request.out, *m_shard, global.threads}));
            return 0;
        }
        m_request.threads = global.threads;
        print_run_summary(pipeline::run(m_request));
        return 0;
    }

private:
    pipeline::RunRequest m_request;
    std::optional<int> m_shard;
};

}  // namespace

std::unique_ptr<Command> make_run_command() { return std::make_unique<RunCommand>(); }

}  // namespace phusong::cli
