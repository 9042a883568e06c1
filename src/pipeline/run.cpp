// run: every stage, outputs moved into place only when all of them succeed.

#include <spdlog/spdlog.h>
#include <tbb/task_group.h>

#include <cmath>
#include <set>

#include "phusong/core/error.hpp"
#include "phusong/core/interrupt.hpp"
#include "phusong/core/manifest.hpp"
#include "phusong/core/output_file.hpp"
#include "phusong/core/text.hpp"
#include "phusong/geo/gdal.hpp"
#include "phusong/geo/grid_inputs.hpp"
#include "phusong/geo/vector.hpp"
#include "phusong/io/geotiff.hpp"
#include "phusong/io/layer_writer.hpp"
#include "phusong/io/output_dir.hpp"
#include "phusong/io/plan_writer.hpp"
#include "phusong/io/qgis_style.hpp"
#include "phusong/io/qgs_project.hpp"
#include "phusong/io/report.hpp"
#include "phusong/io/vector_writer.hpp"
#include "phusong/pipeline/stages.hpp"
#include "destination.hpp"
#include "run_stages.hpp"
#include "phusong/sites/placement.hpp"

namespace phusong::pipeline {

namespace fs = std::filesystem;

/// Voids this close to a site are reported by name: within it a void shadows much of the cell's
/// best-served area.
constexpr double kVoidWarningRadius_m = 3000.0;

RunSummary run(const RunRequest& request) {
    // Validate everything before any work: scenario, site table, antennas, output folder.
    Manifest manifest;
    StageTimer validate_timer(manifest, "validate");
    const Prepared prepared = prepare(request.scenario);
    const std::filesystem::path dest =
        request.out.empty() ? std::filesystem::path("out") / prepared.scenario.file.stem() : request.out;
    check_destination(dest, request.overwrite, prepared.scenario);
    check_grid(prepared);
    io::OutputDir out(dest, request.overwrite);
    validate_timer.stop();
    const LayerSource predict = [&](const geo::GridInputs& g, std::span<const sites::SitePlacement> placements,
                                    const std::function<void(coverage::LayerResult&&)>& on_layer) {
        coverage::PredictionInputs pin{g.grid,          g.dem_m,           prepared.table, placements,
                                       prepared.scenario.prediction, prepared.antennas, g.clutter_loss_db};
        pin.zone_thresholds_dbm = coverage::zone_thresholds_dbm(prepared.scenario.analysis, prepared.scenario.plan);
        return coverage::predict(pin, on_layer);
    };
    return run_stages(prepared, out, manifest, {predict, request.threads, {}});
}

RunSummary run_stages(const Prepared& prepared, io::OutputDir& out, Manifest& manifest, const RunStagesOptions& options) {
    const Scenario& scenario = prepared.scenario;
    const sites::SiteTable& table = prepared.table;
    spdlog::info("scenario \"{}\": {} sites, {} cells, {} layers", scenario.name, table.sites.size(),
                 table.cells.size(), table.layers.size());

    manifest.set_config(scenario.file, scenario.config_hash);
    manifest.add_input("dem", scenario.inputs.dem);
    manifest.add_input("population", scenario.inputs.population);
    manifest.add_input("aoi", scenario.inputs.aoi);
    manifest.add_input("sites", scenario.inputs.sites);
    if (scenario.inputs.admin) manifest.add_input("admin", *scenario.inputs.admin);
    manifest.section("threads") = options.threads;

    StageTimer grid_timer(manifest, "grid");
    const geo::GridInputs g = geo::build_grid_inputs(scenario.inputs, scenario.grid, scenario.clutter);
    const auto placements = sites::place_sites(table, g.grid, g.dem_m, g.aoi_mask);
    grid_timer.stop();
    // Analysis set-up before the long prediction, so that its input errors come first.
    StageTimer prepare_timer(manifest, "analysis_setup");
    analysis::Prepared prep = analysis::prepare(scenario, g.grid, g.population, g.aoi_mask);
    const analysis::AdminUnits* admin_units = prep.admin ? &*prep.admin : nullptr;
    analysis::Accumulator accumulator({g.grid, prep.population, g.aoi_mask, admin_units, analysis::layer_infos(table),
                                       analysis::site_points(table, g.grid), scenario.analysis,
                                       analysis::cell_infos(table, g.grid)});
    prepare_timer.stop();
    const auto outside = std::count_if(placements.begin(), placements.end(),
                                       [](const sites::SitePlacement& p) { return !p.in_aoi; });
    if (outside > 0) spdlog::warn("{} sites lie outside the AOI (kept: they serve it from outside)", outside);
    if (const auto near = sites::sites_near_voids(table, placements, g.grid, g.dem_m, kVoidWarningRadius_m); !near.empty()) {
        std::string names;
        for (std::size_t k = 0; k < near.size() && k < 10; ++k) names += (k ? ", " : "") + table.sites[near[k]].site_id;
        if (near.size() > 10) names += ", …";
        spdlog::warn("{}: DEM voids within {:g} km of {} site(s): {}. Their rays stop at a void, so the pixels behind "
                     "it get no signal from them: fill the voids (e.g. gdal_fillnodata.py) for these sites' coverage",
                     scenario.inputs.dem.string(), kVoidWarningRadius_m / 1000.0, near.size(), names);
    }

    out.open();
    StageTimer write_timer(manifest, "write");
    const std::map<std::string, std::string> tags = {{"PHUSONG_VERSION", engine_version()},
                                                     {"PHUSONG_CONFIG_SHA256", scenario.config_hash}};
    io::write_cog(out.file("dem.tif"), g.grid, g.dem_m, {"terrain height (DEM, bilinear onto the grid)", "m", false, tags});
    io::write_raster_style(out.file("dem.tif"), io::RasterStyle::terrain_m);
    manifest.add_output("dem.tif", "terrain height on the analysis grid, m");
    io::write_cog(out.file("population.tif"), g.grid, g.population,
                  {"people per pixel (" + g.population_method + ")", "people", false, tags});
    io::write_raster_style(out.file("population.tif"), io::RasterStyle::people);
    manifest.add_output("population.tif", "people per pixel on the analysis grid");
    io::write_cells_csv(out.file("cells.csv"), table);
    manifest.add_output("cells.csv", "cell lookup table: the values of every server.tif are its index");
    write_timer.stop();

    StageTimer predict_timer(manifest, "predict");
    // Each finished layer is written while the next operator is predicted.
    std::vector<nlohmann::ordered_json> layer_entries(table.layers.size());
    io::AnalysisWriteOptions analysis_options{tags, analysis::thresholds_json(scenario.analysis),
                                              scenario.analysis.geopackage};
    tbb::task_group writers;
    coverage::PredictionStats pstats;
    try {
        pstats = options.layers(g, placements, [&](coverage::LayerResult&& result) {
            writers.run([&, r = std::move(result)] {
                const io::LayerWriteOptions options{tags, std::string(radio::to_string(r.model.kind)),
                                                    scenario.prediction.load};
                const std::string dir = "layers/" + slug(r.name);
                layer_entries[r.layer] = io::write_layer(out.file(dir), dir, g.grid, r, table, options);
                // The analysis keeps what it needs of the layer (statistics, gaps, its share of
                // the unions) before the layer is freed.
                const auto classes = accumulator.add_layer(r.layer, {r.best_dbm, r.sinr_db, r.throughput_mbps, r.server});
                io::write_class_raster(out.file(dir) / "coverage_class.tif", g.grid, classes, r.name, analysis_options);
            });
        });
    } catch (...) {
        writers.wait();  // no writer may outlive the temporary folder
        throw;
    }
    writers.wait();
    RunSummary summary;
    summary.predict_s = predict_timer.stop();
    manifest.section("layers") = layer_entries;
    for (const auto& l : table.layers) {
        const std::string dir = "layers/" + slug(l.name);
        manifest.add_output(dir + "/coverage_class.tif", "coverage class of " + l.name + " (0 none, 1 fair, 2 good)");
    }

    StageTimer analyse_timer(manifest, "analyse");
    summary.analysis = accumulator.finish();
    for (const auto& [path, what] : io::write_analysis_outputs(out.file(""), g.grid, summary.analysis, accumulator,
                                                               admin_units, prep.census, scenario.analysis,
                                                               analysis_options)) {
        manifest.add_output(path, what);
    }
    manifest.section("analysis") =
        analysis::manifest_section(summary.analysis, scenario.analysis, prep.census, admin_units);
    summary.analyse_s = analyse_timer.stop();

    // 5G planning when the scenario asks for it: the stage `phusong plan` runs alone.
    if (scenario.plan.enabled) {
        StageTimer plan_timer(manifest, "plan");
        std::optional<geo::PolygonLayer> admin;
        if (scenario.inputs.admin) {
            admin = geo::read_polygons(*scenario.inputs.admin, "admin", geo::srs_from_epsg(g.grid.epsg));
        }
        summary.plan = planning::run_plan({scenario, g, table, placements, admin ? &*admin : nullptr});
        for (const auto& [name, what] : io::write_plan(out.file("plan"), *summary.plan, scenario.analysis.geopackage)) {
            manifest.add_output("plan/" + name, what);
        }
        manifest.section("plan") = io::plan_manifest_section(*summary.plan, scenario.plan);
        // The same plan/plan.json as `phusong plan` writes (docs/outputs.md#plan).
        write_file_atomically(out.file("plan/plan.json"), manifest.section("plan").dump(2) + "\n");
        manifest.add_output("plan/plan.json", kPlanJsonDescription);
        plan_timer.stop();
    }
    // What `phusong analyse` and `phusong plan` check before reusing these layers (RunFolder::check_stamp).
    manifest.section("scenario")["path"] = std::filesystem::absolute(scenario.file).lexically_normal().string();
    manifest.section("scenario")["prediction_config_sha256"] = prediction_config_hash(scenario.file);
    // The exact zones were chosen for these thresholds: `analyse` refuses lower ones.
    if (scenario.prediction.zones == ZoneMode::thresholds) {
        const auto zt = coverage::zone_thresholds_dbm(scenario.analysis, scenario.plan);
        manifest.section("scenario")["zone_thresholds_dbm"] = {
            {"GSM", zt[0]}, {"UMTS", zt[1]}, {"LTE", zt[2]}, {"NR", zt[3]}};
    }
    manifest.section("prediction") = {{"sources", pstats.sources},
                                      {"cells", pstats.cells},
                                      {"pixel_evaluations", pstats.pixel_evaluations},
                                      {"extended_zone_evaluations", pstats.extended_evaluations},
                                      {"max_radius_m", pstats.max_radius_m},
                                      {"mean_radius_m", pstats.mean_radius_m},
                                      {"cells_outside_model_validity", pstats.model_warnings},
                                      {"wall_s", summary.predict_s}};
    if (!options.shards.is_null()) manifest.section("shards") = options.shards;

    std::set<std::string> operators;
    for (const auto& s : table.sites) operators.insert(s.operator_name);
    const double rel =
        g.people_in_aoi_source > 0 ? (g.people_in_aoi - g.people_in_aoi_source) / g.people_in_aoi_source : 0.0;
    manifest.section("grid") = {{"epsg", g.grid.epsg},
                                {"cols", g.grid.cols},
                                {"rows", g.grid.rows},
                                {"resolution_m", g.grid.resolution_m},
                                {"origin_x_m", g.grid.origin_x_m},
                                {"origin_y_m", g.grid.origin_y_m},
                                {"tile_size_px", g.grid.tile_size_px},
                                {"tiles", g.grid.tiles().size()}};
    manifest.section("counts") = {{"sites", table.sites.size()},
                                  {"cells", table.cells.size()},
                                  {"layers", table.layers.size()},
                                  {"operators", operators.size()},
                                  {"sites_outside_aoi", outside}};
    manifest.section("population") = {{"people_in_aoi", std::round(g.people_in_aoi)},
                                      {"source_people_in_aoi", std::round(g.people_in_aoi_source)},
                                      {"relative_difference", rel},
                                      {"method", g.population_method},
                                      {"aoi_area_km2", g.aoi_area_km2}};
    manifest.section("scenario")["name"] = scenario.name;
    // What `phusong report` reads to write the same files again.
    nlohmann::ordered_json languages = nlohmann::ordered_json::array();
    for (const ReportLanguage l : scenario.report.languages) languages.push_back(l == ReportLanguage::vi ? "vi" : "en");
    manifest.section("report") = {{"languages", languages}};
    StageTimer present_timer(manifest, "present");
    for (const auto& f : io::write_presentation(out.file(""), manifest.json())) manifest.add_output(f.path, f.description);
    present_timer.stop();
    manifest.write(out.file("manifest.json"));
    throw_if_interrupted();  // a signal at any point before here leaves the destination as it was
    out.commit();

    summary.scenario_name = scenario.name;
    summary.grid = g.grid;
    summary.sites = table.sites.size();
    summary.cells = table.cells.size();
    summary.layers = table.layers.size();
    summary.operators = operators.size();
    summary.aoi_area_km2 = g.aoi_area_km2;
    summary.people_in_aoi = g.people_in_aoi;
    summary.people_in_aoi_source = g.people_in_aoi_source;
    summary.prediction = pstats;
    summary.analysis_config = scenario.analysis;
    summary.budget_kind = scenario.plan.budget_kind;
    summary.outputs = out.destination();
    return summary;
}

}  // namespace phusong::pipeline
