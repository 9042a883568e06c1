// `phusong validate SCENARIO.toml`: every check `run` makes before computing, and nothing else
// (pipeline::validate).

#include <cstdio>
#include <string>

#include "commands.hpp"
#include "phusong/pipeline/stages.hpp"

namespace phusong::cli {
namespace {

class ValidateCommand final : public Command {
public:
    void add_options(CLI::App& app) override {
        app.add_option("scenario", m_scenario, "scenario file (TOML)")->required();
    }

    int execute(const GlobalOptions& /*global*/) override {
        const pipeline::Prepared p = pipeline::validate(m_scenario);
        const std::string note = p.warnings.empty()      ? ""
                                 : p.warnings.size() == 1 ? ", with the warning above"
                                                          : ", with the " + std::to_string(p.warnings.size()) +
                                                                " warnings above";
        std::printf("%s: valid (%zu sites, %zu cells, %zu layers)%s\n", m_scenario.c_str(), p.table.sites.size(),
                    p.table.cells.size(), p.table.layers.size(), note.c_str());
        return 0;
    }

private:
    std::string m_scenario;
};

}  // namespace

std::unique_ptr<Command> make_validate_command() { return std::make_unique<ValidateCommand>(); }

}  // namespace phusong::cli
