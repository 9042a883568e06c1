// `phusong calibrate SCENARIO.toml MEASUREMENTS [--out DIR] [--overwrite] [--no-fit]`: score the
// scenario's models against measurements and fit the SPM (pipeline::calibrate).

#include "commands.hpp"
#include "summary.hpp"

namespace phusong::cli {
namespace {

class CalibrateCommand final : public Command {
public:
    void add_options(CLI::App& app) override {
        app.add_option("scenario", m_request.scenario, "scenario file (TOML)")->required();
        app.add_option("measurements", m_request.measurements,
                       "measured points: CSV (cell_id, lon, lat, signal_dbm) or any OGR point layer")
            ->required();
        app.add_option("-o,--out", m_request.out, "output folder (default: out/<scenario file name>_calibration)");
        app.add_flag("--overwrite", m_request.overwrite, "replace the output folder if it exists");
        app.add_flag("--no-fit", m_no_fit, "only score the scenario's models against the measurements");
    }

    int execute(const GlobalOptions&) override {
        m_request.fit = !m_no_fit;
        print_calibrate_summary(pipeline::calibrate(m_request));
        return 0;
    }

private:
    pipeline::CalibrateRequest m_request;
    bool m_no_fit = false;
};

}  // namespace

std::unique_ptr<Command> make_calibrate_command() { return std::make_unique<CalibrateCommand>(); }

}  // namespace phusong::cli
