// `phusong report OUTPUT_DIR`: placeholder until its stage lands.

#include "commands.hpp"
#include "phusong/core/error.hpp"

namespace phusong::cli {
namespace {

class ReportCommand final : public Command {
public:
    void add_options(CLI::App& app) override { app.add_option("dir", m_dir, "output folder of a previous run")->required(); }
    int execute(const GlobalOptions& /*global*/) override { throw UsageError("phusong report: not available yet"); }

private:
    std::string m_dir;
};

}  // namespace

std::unique_ptr<Command> make_report_command() { return std::make_unique<ReportCommand>(); }

}  // namespace phusong::cli
