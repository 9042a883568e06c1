// prepare and validate: every check `run` makes before its first computation.

#include <spdlog/spdlog.h>

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

Prepared validate(const std::filesystem::path& scenario_file) {
    Prepared p = prepare(scenario_file);
    // Opening checks CRS and geotransform; nothing is read onto a grid.
    (void)geo::open_raster(p.scenario.inputs.dem, "DEM");
    (void)geo::open_raster(p.scenario.inputs.population, "population");
    if (p.scenario.inputs.clutter) (void)geo::open_raster(*p.scenario.inputs.clutter, "clutter");
    const geo::PolygonLayer aoi = geo::read_polygons(p.scenario.inputs.aoi, "AOI", geo::srs_wgs84());
    (void)geo::choose_epsg(*geo::union_all(aoi), p.scenario.grid);
    return p;
}

}  // namespace phusong::pipeline
