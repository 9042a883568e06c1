// `phusong validate SCENARIO.toml`: every check `run` makes before computing, and nothing else:
// the scenario, the site table and its antennas, and that the DEM, the population raster and the
// AOI can be opened and are usable (CRS, north-up, polygons, a projected grid CRS).

#include <cstdio>

#include "commands.hpp"
#include "phusong/core/error.hpp"
#include "phusong/core/scenario.hpp"
#include "phusong/coverage/predict.hpp"
#include "phusong/geo/gdal.hpp"
#include "phusong/geo/grid_inputs.hpp"
#include "phusong/geo/vector.hpp"
#include "phusong/sites/site_table.hpp"

namespace phusong::cli {
namespace {

class ValidateCommand final : public Command {
public:
    void add_options(CLI::App& app) override {
        app.add_option("scenario", m_scenario, "scenario file (TOML)")->required();
    }

    int execute(const GlobalOptions& /*global*/) override {
        const Scenario scenario = load_scenario(m_scenario);
        const sites::SiteTable table = sites::read_site_table(scenario.inputs.sites);
        (void)coverage::load_antennas(scenario.antennas, table, scenario.file);
        // Opening checks CRS and geotransform; nothing is read onto a grid.
        (void)geo::open_raster(scenario.inputs.dem, "DEM");
        (void)geo::open_raster(scenario.inputs.population, "population");
        const geo::PolygonLayer aoi = geo::read_polygons(scenario.inputs.aoi, "AOI", geo::srs_wgs84());
        (void)geo::choose_epsg(*geo::union_all(aoi), scenario.grid);
        std::printf("%s: valid (%zu sites, %zu cells, %zu layers)\n", m_scenario.c_str(),
                    table.sites.size(), table.cells.size(), table.layers.size());
        return 0;
    }

private:
    std::string m_scenario;
};

}  // namespace

std::unique_ptr<Command> make_validate_command() { return std::make_unique<ValidateCommand>(); }

}  // namespace phusong::cli
