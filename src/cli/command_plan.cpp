// `phusong plan OUT_DIR [--scenario FILE] [--check]`: the 5G planning stage alone, on the outputs
// of a previous `phusong run` (pipeline::plan).

#include "commands.hpp"
#include "summary.hpp"

namespace phusong::cli {
namespace {

class PlanCommand final : public Command {
public:
    void add_options(CLI::App& app) override {
        app.add_option("dir", m_request.dir, "output folder of a previous run")->required();
        app.add_option("--scenario", m_request.scenario,
                       "scenario file (default: the one the manifest records); only [plan], [analysis] and the admin "
                       "inputs may differ");
        app.add_flag("--check", m_request.check,
                     "re-analyse: predict the existing NR cells plus the chosen sites on the full grid and compare "
                     "the covered share with the curve's last point (slow: a prediction of every chosen site)");
    }

    int execute(const GlobalOptions& /*global*/) override {
        print_plan_summary(pipeline::plan(m_request));
        return 0;
    }

private:
    pipeline::PlanRequest m_request;
};

}  // namespace

std::unique_ptr<Command> make_plan_command() { return std::make_unique<PlanCommand>(); }

}  // namespace phusong::cli
