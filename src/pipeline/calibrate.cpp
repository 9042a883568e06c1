// calibrate: measurements in, a scored and (unless --no-fit) calibrated model out.

#include <spdlog/spdlog.h>

#include <chrono>
#include <set>

#include "phusong/core/interrupt.hpp"
#include "phusong/core/manifest.hpp"
#include "phusong/io/calibration_writer.hpp"
#include "phusong/io/output_dir.hpp"
#include "phusong/pipeline/stages.hpp"
#include "destination.hpp"

namespace phusong::pipeline {

CalibrateSummary calibrate(const CalibrateRequest& request) {
    const auto start = std::chrono::steady_clock::now();
    Manifest manifest;
    const Prepared prepared = prepare(request.scenario, ScenarioUse::calibrate);
    const Scenario& scenario = prepared.scenario;
    const sites::SiteTable& table = prepared.table;
    const std::filesystem::path dest =
        request.out.empty() ? std::filesystem::path("out") / (scenario.file.stem().string() + "_calibration") : request.out;
    check_destination(dest, request.overwrite, scenario, {request.measurements});
    io::OutputDir out(dest, request.overwrite);
    const calibration::MeasurementTable measurements =
        calibration::read_measurements(request.measurements, scenario.calibration.measurement_epsg);
    spdlog::info("{}: {} measured points", request.measurements.string(), measurements.points.size());

    const calibration::Observations obs =
        calibration::observe(scenario, table, prepared.antennas, measurements);
    const calibration::Calibration result = calibration::calibrate(scenario, table, obs, request.fit);

    out.open();
    manifest.set_config(scenario.file, scenario.config_hash);
    manifest.add_input("dem", scenario.inputs.dem);
    manifest.add_input("sites", scenario.inputs.sites);
    if (scenario.inputs.clutter) manifest.add_input("clutter", *scenario.inputs.clutter);
    manifest.add_input("measurements", request.measurements);
    const io::CalibrationInputs inputs{scenario, table, obs, result, request.measurements};
    for (const auto& f : io::write_calibration(out.file(""), inputs)) manifest.add_output(f.path, f.description);
    CalibrateSummary summary;
    summary.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    manifest.add_stage("calibrate", summary.wall_s);
    manifest.write(out.file("manifest.json"));
    throw_if_interrupted();
    out.commit();

    summary.points_read = obs.points_read;
    summary.points_used = obs.points_used;
    summary.observations = obs.items.size();
    std::set<std::size_t> cells;
    std::set<std::string> sites;
    for (const auto& o : obs.items) {
        cells.insert(o.cell);
        sites.insert(table.cells[o.cell].site_id);
    }
    summary.cells = cells.size();
    summary.sites = sites.size();
    for (const auto& l : result.layers) summary.layers.push_back(table.layers[l.layer].name);
    summary.before = result.stats_before;
    summary.after = result.stats_after;
    summary.fitted = result.fitted;
    summary.folds = result.folds;
    for (const auto& l : result.layers) {
        for (const auto& t : l.terms) {
            if (t.fitted && std::find(summary.fitted_terms.begin(), summary.fitted_terms.end(), t.name) == summary.fitted_terms.end()) {
                summary.fitted_terms.push_back(t.name);
            }
        }
    }
    for (const auto& c : result.clutter) {
        if (c.loss.fitted) summary.fitted_terms.push_back(c.loss.name);
    }
    if (result.antenna_weight) summary.fitted_terms.push_back("antenna_weight");
    summary.outputs = out.destination();
    return summary;
}

}  // namespace phusong::pipeline
