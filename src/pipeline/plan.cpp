// plan: the 5G planning stage alone, on the outputs of a previous `phusong run` whose stamp
// (prediction settings, input checksums, grid) matches. Writes DIR/plan/ atomically and adds the
// "plan" section to DIR/manifest.json.

#include <chrono>

#include "phusong/core/interrupt.hpp"
#include "phusong/core/output_file.hpp"
#include "phusong/geo/gdal.hpp"
#include "phusong/geo/grid_inputs.hpp"
#include "phusong/geo/vector.hpp"
#include "phusong/io/output_dir.hpp"
#include "phusong/io/plan_writer.hpp"
#include "phusong/io/qgs_project.hpp"
#include "phusong/pipeline/run_folder.hpp"
#include "phusong/pipeline/stages.hpp"
#include "phusong/sites/placement.hpp"

namespace phusong::pipeline {

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

PlanSummary plan(const PlanRequest& request) {
    RunFolder folder(request.dir);
    const Scenario scenario = load_scenario(folder.scenario_file(request.scenario));
    const sites::SiteTable table = sites::read_site_table(scenario.inputs);
    planning::check_plan_antenna(scenario);
    folder.check_stamp(scenario);
    io::OutputDir out(folder.inside("plan", "plan"), true);

    auto t0 = std::chrono::steady_clock::now();
    const geo::GridInputs g = geo::build_grid_inputs(scenario.inputs, scenario.grid, scenario.clutter);
    folder.check_grid(g.grid);
    const auto placements = sites::place_sites(table, g.grid, g.dem_m, g.aoi_mask);
    std::optional<geo::PolygonLayer> admin;
    if (scenario.inputs.admin) {
        admin = geo::read_polygons(*scenario.inputs.admin, "admin", geo::srs_from_epsg(g.grid.epsg));
    }
    folder.add_stage("plan_inputs", seconds_since(t0));

    t0 = std::chrono::steady_clock::now();
    const planning::PlanInputs pin{scenario, g, table, placements, admin ? &*admin : nullptr};
    PlanSummary summary;
    summary.plan = planning::run_plan(pin);
    summary.plan_s = seconds_since(t0);
    folder.add_stage("plan", summary.plan_s);
    nlohmann::ordered_json section = io::plan_manifest_section(summary.plan, scenario.plan);
    if (request.check) {
        summary.check = planning::reanalyse_plan(pin, summary.plan);
        const double curve = summary.plan.ranking.empty() ? 0.0 : summary.plan.ranking.back().covered_share;
        section["check"] = {{"sites", summary.check->sites},
                            {"reanalysed_share", summary.check->covered_share},
                            {"curve_share", curve},
                            {"difference", summary.check->covered_share - curve},
                            {"wall_s", summary.check->wall_s}};
    }

    out.open();
    std::vector<std::pair<std::string, std::string>> listed;
    for (const auto& [name, what] : io::write_plan(out.file(""), summary.plan, scenario.analysis.geopackage)) listed.emplace_back("plan/" + name, what);
    write_file_atomically(out.file("plan.json"), section.dump(2) + "\n");
    listed.emplace_back("plan/plan.json", kPlanJsonDescription);
    throw_if_interrupted();
    out.commit();

    // The run's manifest gains the plan section, replaced atomically.
    folder.section("plan") = section;
    folder.add_outputs(listed);
    folder.save();
    summary.grid_resolution_m = g.grid.resolution_m;
    summary.outputs = out.destination();
    return summary;
}

}  // namespace phusong::pipeline
