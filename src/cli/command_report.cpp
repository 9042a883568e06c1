// `phusong report OUTPUT_DIR`: (re)writes the QGIS project and the HTML report of a previous run's
// output folder from what it holds (pipeline::report).

#include <cstdio>

#include "commands.hpp"
#include "phusong/pipeline/stages.hpp"

namespace phusong::cli {
namespace {

class ReportCommand final : public Command {
public:
    void add_options(CLI::App& app) override {
        app.add_option("dir", m_dir, "output folder of a previous run")->required();
    }

    int execute(const GlobalOptions& /*global*/) override {
        for (const auto& f : pipeline::report(m_dir)) std::printf("%s\n", f.c_str());
        return 0;
    }

private:
    std::filesystem::path m_dir;
};

}  // namespace

std::unique_ptr<Command> make_report_command() { return std::make_unique<ReportCommand>(); }

}  // namespace phusong::cli
