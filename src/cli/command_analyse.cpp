// `phusong analyse OUTPUT_DIR [--scenario SCENARIO.toml]`: the analysis stage alone, on the layers
// of a previous `phusong run` (pipeline::analyse).

#include "commands.hpp"
#include "summary.hpp"

namespace phusong::cli {
namespace {

class AnalyseCommand final : public Command {
public:
    void add_options(CLI::App& app) override {
        app.add_option("dir", m_request.dir, "output folder of a previous run")->required();
        app.add_option("-s,--scenario", m_request.scenario,
                       "scenario file (default: the one the manifest records); only [analysis] and the admin inputs may differ");
    }

    int execute(const GlobalOptions& /*global*/) override {
        print_analyse_summary(pipeline::analyse(m_request));
        return 0;
    }

private:
    pipeline::AnalyseRequest m_request;
};

}  // namespace

std::unique_ptr<Command> make_analyse_command() { return std::make_unique<AnalyseCommand>(); }

}  // namespace phusong::cli
