// `phusong shard SCENARIO.toml --out DIR [--shard-px N] [--overwrite]`: the plan of a sharded run
// and its Slurm scripts (pipeline::shard).

#include "commands.hpp"
#include "summary.hpp"

namespace phusong::cli {
namespace {

class ShardCommand final : public Command {
public:
    void add_options(CLI::App& app) override {
        app.add_option("scenario", m_request.scenario, "scenario file (TOML)")->required();
        app.add_option("-o,--out", m_request.out, "folder of the sharded run")->required();
        app.add_option("--shard-px", m_request.shard_px, "shard edge in pixels, a multiple of grid.tile_size_px")
            ->capture_default_str();
        app.add_flag("--overwrite", m_request.overwrite, "replace the folder if it exists");
    }

    int execute(const GlobalOptions& /*global*/) override {
        print_shard_summary(pipeline::shard(m_request));
        return 0;
    }

private:
    pipeline::ShardRequest m_request;
};

}  // namespace

std::unique_ptr<Command> make_shard_command() { return std::make_unique<ShardCommand>(); }

}  // namespace phusong::cli
