// `phusong merge DIR [-o OUT] [--overwrite]`: the shards of DIR assembled into the folder a single
// run writes (pipeline::merge).

#include "commands.hpp"
#include "summary.hpp"

namespace phusong::cli {
namespace {

class MergeCommand final : public Command {
public:
    void add_options(CLI::App& app) override {
        app.add_option("dir", m_request.dir, "folder of a sharded run (`phusong shard`), every shard finished")
            ->required();
        app.add_option("-o,--out", m_request.out, "output folder (default: DIR/merged)");
        app.add_flag("--overwrite", m_request.overwrite, "replace the output folder if it exists");
    }

    int execute(const GlobalOptions& global) override {
        m_request.threads = global.threads;
        print_run_summary(pipeline::merge(m_request));
        return 0;
    }

private:
    pipeline::MergeRequest m_request;
};

}  // namespace

std::unique_ptr<Command> make_merge_command() { return std::make_unique<MergeCommand>(); }

}  // namespace phusong::cli
