// `phusong validate SCENARIO.toml`: every check `run` makes before computing, and nothing else.

#include <cstdio>

#include "commands.hpp"
#include "phusong/core/scenario.hpp"
#include "phusong/sites/site_table.hpp"

namespace phusong::cli {
namespace {

class ValidateCommand final : public Command {
public:
    void add_options(CLI::App& app) override {
        app.add_option("scenario", m_scenario, "scenario file (TOML)")->required();
    }

    int execute(const GlobalOptions& /*global*/) override {
        const Scenario scenario = load_scenario(m_scenario);
        const sites::SiteTable table = sites::read_site_table(scenario.inputs.sites);
        std::printf("%s: valid (%zu sites, %zu cells, %zu layers)\n", m_scenario.c_str(),
                    table.sites.size(), table.cells.size(), table.layers.size());
        return 0;
    }

private:
    std::string m_scenario;
};

}  // namespace

std::unique_ptr<Command> make_validate_command() { return std::make_unique<ValidateCommand>(); }

}  // namespace phusong::cli
