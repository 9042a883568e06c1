// `phusong run SCENARIO.toml [--out DIR] [--overwrite]`: every stage, outputs moved into place
// only when all of them succeed.

#include <fmt/format.h>
#include <tbb/task_group.h>
#include <spdlog/spdlog.h>

#include <cmath>
#include <cstdio>
#include <optional>
#include <set>

#include "commands.hpp"
#include "phusong/analysis/analysis.hpp"
#include "phusong/core/error.hpp"
#include "phusong/core/interrupt.hpp"
#include "phusong/core/manifest.hpp"
#include "phusong/core/scenario.hpp"
#include "phusong/core/text.hpp"
#include "phusong/coverage/predict.hpp"
#include "phusong/geo/gdal.hpp"
#include "phusong/geo/grid_inputs.hpp"
#include "phusong/geo/vector.hpp"
#include "phusong/io/geotiff.hpp"
#include "phusong/io/layer_writer.hpp"
#include "phusong/io/output_dir.hpp"
#include "phusong/io/plan_writer.hpp"
#include "phusong/io/qgis_style.hpp"
#include "phusong/io/report.hpp"
#include "phusong/io/vector_writer.hpp"
#include "phusong/planning/plan.hpp"
#include "phusong/sites/placement.hpp"
#include "phusong/sites/site_table.hpp"

namespace phusong::cli {
namespace {

std::string thousands(double v) {
    std::string digits = fmt::format("{:.0f}", v);
    std::string out;
    const std::size_t start = digits.front() == '-' ? 1 : 0;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > start && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return out;
}

}  // namespace

/// "  coverage    LTE 97.1% of people (Viettel 95.0%, VNPT 80.2%)" per technology: the people
/// covered (fair or better) by any operator, then by each.
std::vector<std::string> coverage_summary_lines(const analysis::AnalysisResult& r) {
    std::vector<std::string> lines;
    for (const auto& all : r.views) {
        if (all.view.kind != analysis::ViewKind::technology_union) continue;
        const auto pct = [&](const analysis::ClassStats& s) {
            return r.aoi_population > 0 ? 100.0 * s.covered_population() / r.aoi_population : 0.0;
        };
        std::string ops;
        for (const auto& v : r.views) {
            if (v.view.kind != analysis::ViewKind::operator_union || v.view.tech != all.view.tech) continue;
            ops += fmt::format("{}{} {:.1f}%", ops.empty() ? "" : ", ", v.view.operator_name, pct(v.aoi));
        }
        lines.push_back(fmt::format("  coverage    {} {:.1f}% of people ({} covered; {})",
                                    radio::to_string(all.view.tech), pct(all.aoi),
                                    thousands(all.aoi.covered_population()), ops));
    }
    return lines;
}

namespace {

class RunCommand final : public Command {
public:
    void add_options(CLI::App& app) override {
        app.add_option("scenario", m_scenario, "scenario file (TOML)")->required();
        app.add_option("-o,--out", m_out, "output folder (default: out/<scenario file name>)");
        app.add_flag("--overwrite", m_overwrite, "replace the output folder if it exists");
    }

    int execute(const GlobalOptions& global) override {
        // Validate everything before any work: scenario, site table, output folder.
        Manifest manifest;
        StageTimer validate_timer(manifest, "validate");
        const Scenario scenario = load_scenario(m_scenario);
        const sites::SiteTable table = sites::read_site_table(scenario.inputs.sites);
        const std::filesystem::path dest =
            m_out.empty() ? std::filesystem::path("out") / scenario.file.stem() : std::filesystem::path(m_out);
        io::OutputDir out(dest, m_overwrite);
        const coverage::AntennaCatalogue antennas =
            coverage::load_antennas(scenario.antennas, table, scenario.file);
        validate_timer.stop();
        spdlog::info("scenario \"{}\": {} sites, {} cells, {} layers", scenario.name,
                     table.sites.size(), table.cells.size(), table.layers.size());

        manifest.set_config(scenario.file, scenario.config_hash);
        manifest.add_input("dem", scenario.inputs.dem);
        manifest.add_input("population", scenario.inputs.population);
        manifest.add_input("aoi", scenario.inputs.aoi);
        manifest.add_input("sites", scenario.inputs.sites);
        if (scenario.inputs.admin) manifest.add_input("admin", *scenario.inputs.admin);
        manifest.section("threads") = global.threads;

        StageTimer grid_timer(manifest, "grid");
        const geo::GridInputs g = geo::build_grid_inputs(scenario.inputs, scenario.grid);
        const auto placements = sites::place_sites(table, g.grid, g.dem_m, g.aoi_mask);
        grid_timer.stop();
        // Analysis set-up before the long prediction, so that its input errors come first.
        StageTimer prepare_timer(manifest, "analysis_setup");
        analysis::Prepared prep = analysis::prepare(scenario, g.grid, g.population, g.aoi_mask);
        analysis::Accumulator accumulator({g.grid, prep.population, g.aoi_mask, prep.admin ? &*prep.admin : nullptr,
                                           analysis::layer_infos(table), analysis::site_points(table, g.grid),
                                           scenario.analysis});
        prepare_timer.stop();
        const auto outside = std::count_if(placements.begin(), placements.end(),
                                           [](const sites::SitePlacement& p) { return !p.in_aoi; });
        if (outside > 0) spdlog::warn("{} sites lie outside the AOI (kept: they serve it from outside)", outside);

        out.open();
        StageTimer write_timer(manifest, "write");
        const std::map<std::string, std::string> tags = {
            {"PHUSONG_VERSION", engine_version()}, {"PHUSONG_CONFIG_SHA256", scenario.config_hash}};
        io::write_cog(out.file("dem.tif"), g.grid, g.dem_m,
                      {"terrain height (DEM, bilinear onto the grid)", "m", false, tags});
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
        const coverage::PredictionInputs pin{g.grid, g.dem_m, table, placements, scenario.prediction, antennas};
        coverage::PredictionStats pstats;
        try {
            pstats = coverage::predict(pin, [&](coverage::LayerResult&& result) {
                writers.run([&, r = std::move(result)] {
                    const io::LayerWriteOptions options{tags, std::string(radio::to_string(r.model.kind)),
                                                        scenario.prediction.load};
                    const std::string dir = "layers/" + slug(r.name);
                    layer_entries[r.layer] = io::write_layer(out.file(dir), dir, g.grid, r, table, options);
                    // The analysis keeps what it needs of the layer (statistics, gaps, its share of
                    // the unions) before the layer is freed.
                    const auto classes = accumulator.add_layer(r.layer, {r.best_dbm, r.sinr_db, r.throughput_mbps});
                    io::write_class_raster(out.file(dir) / "coverage_class.tif", g.grid, classes, r.name, analysis_options);
                });
            });
        } catch (...) {
            writers.wait();  // no writer may outlive the temporary folder
            throw;
        }
        writers.wait();
        const double predict_s = predict_timer.stop();
        manifest.section("layers") = layer_entries;
        for (const auto& l : table.layers) {
            const std::string dir = "layers/" + slug(l.name);
            manifest.add_output(dir + "/coverage_class.tif", "coverage class of " + l.name + " (0 none, 1 fair, 2 good)");
        }

        StageTimer analyse_timer(manifest, "analyse");
        const analysis::AnalysisResult analysed = accumulator.finish();
        for (const auto& [path, what] :
             io::write_analysis_outputs(out.file(""), g.grid, analysed, accumulator, prep.admin ? &*prep.admin : nullptr,
                                        prep.census, scenario.analysis, analysis_options)) {
            manifest.add_output(path, what);
        }
        manifest.section("analysis") =
            analysis::manifest_section(analysed, scenario.analysis, prep.census, prep.admin ? &*prep.admin : nullptr);
        const double analyse_s = analyse_timer.stop();

        // 5G planning when the scenario asks for it: the stage `phusong plan` runs alone.
        std::optional<planning::PlanResult> plan;
        if (scenario.plan.enabled) {
            StageTimer plan_timer(manifest, "plan");
            std::optional<geo::PolygonLayer> admin;
            if (scenario.inputs.admin) {
                admin = geo::read_polygons(*scenario.inputs.admin, "admin", geo::srs_from_epsg(g.grid.epsg));
            }
            plan = planning::run_plan({scenario, g, table, placements, admin ? &*admin : nullptr});
            for (const auto& [name, what] : io::write_plan(out.file("plan"), *plan)) {
                manifest.add_output("plan/" + name, what);
            }
            manifest.section("plan") = io::plan_manifest_section(*plan, scenario.plan);
            plan_timer.stop();
        }
        // What `phusong analyse` checks before reusing these layers (README "phusong analyse").
        manifest.section("scenario")["path"] = std::filesystem::absolute(scenario.file).lexically_normal().string();
        manifest.section("scenario")["prediction_config_sha256"] = prediction_config_hash(scenario.file);
        manifest.section("prediction") = {{"sources", pstats.sources},
                                          {"cells", pstats.cells},
                                          {"pixel_evaluations", pstats.pixel_evaluations},
                                          {"max_radius_m", pstats.max_radius_m},
                                          {"mean_radius_m", pstats.mean_radius_m},
                                          {"cells_outside_model_validity", pstats.model_warnings},
                                          {"wall_s", predict_s}};

        std::set<std::string> operators;
        for (const auto& s : table.sites) operators.insert(s.operator_name);
        const double rel = g.people_in_aoi_source > 0
                               ? (g.people_in_aoi - g.people_in_aoi_source) / g.people_in_aoi_source
                               : 0.0;
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
        StageTimer present_timer(manifest, "present");
        for (const auto& f : io::write_presentation(out.file(""), manifest.json())) {
            manifest.add_output(f.path, f.description);
        }
        present_timer.stop();
        manifest.write(out.file("manifest.json"));
        throw_if_interrupted();  // a signal at any point before here leaves the destination as it was
        out.commit();

        std::printf("phusong run: %s\n", scenario.name.c_str());
        std::printf("  grid        EPSG:%d, %d x %d pixels of %g m, %zu tiles\n", g.grid.epsg,
                    g.grid.cols, g.grid.rows, g.grid.resolution_m, g.grid.tiles().size());
        std::printf("  sites       %zu sites, %zu cells, %zu layers, %zu operators\n",
                    table.sites.size(), table.cells.size(), table.layers.size(), operators.size());
        std::printf("  AOI         %.1f km2\n", g.aoi_area_km2);
        std::printf("  population  %s people inside the AOI (source raster, area-weighted: %s; %+.2f%%)\n",
                    thousands(g.people_in_aoi).c_str(), thousands(g.people_in_aoi_source).c_str(), rel * 100);
        std::printf("  prediction  %zu sources (site x antenna height), %zu cells, mean radius %.1f km, %.1f s (%.0f sites/s)\n",
                    pstats.sources, pstats.cells, pstats.mean_radius_m / 1000.0, predict_s,
                    static_cast<double>(table.sites.size()) / std::max(predict_s, 1e-9));
        for (const auto& line : coverage_summary_lines(analysed)) std::printf("%s\n", line.c_str());
        std::printf("  analysis    %zu gaps (≥ %g km2, ≥ %g people), %.1f s\n", analysed.gaps.size(),
                    scenario.analysis.gap_min_area_km2, scenario.analysis.gap_min_population, analyse_s);
        if (plan) {
            const auto& p = *plan;
            std::printf("  plan        %zu candidates, %zu sites to %.2f%% covered, cost %g%s\n", p.candidates.size(),
                        p.ranking.size(), 100 * (p.ranking.empty() ? 0.0 : p.ranking.back().covered_share),
                        p.ranking.empty() ? 0.0 : p.ranking.back().cumulative_cost,
                        p.target_reached ? "" : " (target not reached)");
            for (const auto& b : p.bounds) {
                std::printf("  plan bound  %d %s: greedy/optimal %s %.4f (%s)\n", b.budget,
                            scenario.plan.budget_kind == PlanBudgetKind::sites ? "sites" : "cost units",
                            b.bound_source == planning::BoundSource::ilp_optimal ? "=" : "≥", b.ratio,
                            planning::to_string(b.bound_source));
            }
        }
        std::printf("  outputs     %s\n", out.destination().c_str());
        return 0;
    }

private:
    std::string m_scenario;
    std::string m_out;
    bool m_overwrite = false;
};

}  // namespace

std::unique_ptr<Command> make_run_command() { return std::make_unique<RunCommand>(); }

}  // namespace phusong::cli
