// prepare and validate: every check `run` makes before its first computation.

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <map>

#include "phusong/core/error.hpp"
#include "phusong/geo/gdal.hpp"
#include "phusong/geo/grid_inputs.hpp"
#include "phusong/geo/vector.hpp"
#include "phusong/pipeline/stages.hpp"

namespace phusong::pipeline {

Prepared prepare(const std::filesystem::path& scenario_file, ScenarioUse use) {
    Scenario scenario = load_scenario(scenario_file, use);
    sites::SiteTable table = sites::read_site_table(scenario.inputs);
    coverage::AntennaCatalogue antennas = coverage::load_antennas(scenario.antennas, table, scenario.file);
    coverage::check_model_overrides(scenario.prediction, table);
    coverage::check_cell_bandwidths(scenario.prediction, table);
    if (scenario.plan.enabled) planning::check_plan_antenna(scenario);
    // The plan's cells use [prediction.band.<plan band>] (planning::run_plan): not an unused
    // override when the scenario plans.
    PredictionConfig warned = scenario.prediction;
    if (scenario.plan.enabled) warned.band_models.erase(scenario.plan.band);
    std::vector<std::string> warnings = coverage::prediction_warnings(warned, table);
    for (const std::string& w : warnings) spdlog::warn("{}", w);
    return {std::move(scenario), std::move(table), std::move(antennas), std::move(warnings)};
}

std::uint64_t run_memory_bytes(std::size_t pixels, std::size_t layers_per_operator) {
    // Measured: the demo's run peaks at 1.31 GB on 2,937,220 pixels with 7 layers for its largest
    // operator (docs/performance.md), 447 bytes per pixel. The grid inputs and the analysis take
    // a fixed share; each layer of the operator being predicted adds its accumulator (four best
    // signals, server, power sum: 20 bytes) and its maps (best, second, SINR, throughput, server,
    // overlap, class: about 27 bytes).
    constexpr std::uint64_t kBase = 120;
    constexpr std::uint64_t kPerLayer = 47;
    return static_cast<std::uint64_t>(pixels) * (kBase + kPerLayer * layers_per_operator);
}

std::size_t layers_per_operator(const sites::SiteTable& table) {
    std::map<std::string, std::size_t> layers;
    for (const auto& l : table.layers) ++layers[l.operator_name];
    std::size_t most = 0;
    for (const auto& [op, n] : layers) most = std::max(most, n);
    return most;
}

void check_grid(const Prepared& p, bool predicts_whole_grid) {
    geo::Grid grid;
    try {
        grid = geo::grid_for(p.scenario.inputs, p.scenario.grid);
    } catch (const InputError& e) {
        // The grid's own refusals (no projected CRS, over 2e9 pixels) name no file: the scenario's
        // keys set the grid.
        std::vector<Problem> named = e.problems();
        for (Problem& q : named) {
            if (!q.file.empty()) continue;
            q.file = p.scenario.file.string();
            if (q.where == "grid") q.where = "key grid.resolution_m";
        }
        throw InputError(named);
    }
    if (!predicts_whole_grid) return;
    const std::size_t most = layers_per_operator(p.table);
    const std::uint64_t need = run_memory_bytes(grid.pixel_count(), most);
    const long pages = sysconf(_SC_PHYS_PAGES);
    const long page = sysconf(_SC_PAGE_SIZE);
    if (pages <= 0 || page <= 0) return;  // unknown: nothing to compare with
    const auto have = static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(page);
    if (need > have) {
        throw InputError(p.scenario.file.string(), "key grid.resolution_m",
                         fmt::format("the grid of {} × {} pixels of {:g} m ({} layer(s) for the largest operator) needs "
                                     "about {:.1f} GB, and this machine has {:.1f} GB: use a coarser resolution_m, a "
                                     "smaller margin_m or a smaller AOI",
                                     grid.cols, grid.rows, grid.resolution_m, most, static_cast<double>(need) / 1e9,
                                     static_cast<double>(have) / 1e9));
    }
}

Prepared validate(const std::filesystem::path& scenario_file) {
    Prepared p = prepare(scenario_file);
    // Opening checks CRS and geotransform; nothing is read onto a grid.
    (void)geo::open_raster(p.scenario.inputs.dem, "DEM");
    (void)geo::open_raster(p.scenario.inputs.population, "population");
    if (p.scenario.inputs.clutter) (void)geo::open_raster(*p.scenario.inputs.clutter, "clutter");
    check_grid(p);
    return p;
}

}  // namespace phusong::pipeline
