// Setting the analysis up from a scenario and a site table: shared by `run` and `analyse`.

#include <spdlog/spdlog.h>

#include <cctype>

#include "phusong/analysis/analysis.hpp"
#include "phusong/core/error.hpp"
#include "phusong/core/text.hpp"
#include "phusong/geo/gdal.hpp"

namespace phusong::analysis {

std::vector<LayerInfo> layer_infos(const sites::SiteTable& table) {
    std::vector<LayerInfo> out;
    for (const sites::Layer& l : table.layers) {
        // The signal each technology's best-server raster holds (coverage::LayerResult::signal).
        const char* signal = l.tech == radio::Technology::gsm ? "RxLev" : l.tech == radio::Technology::umts ? "RSCP" : "RSRP";
        out.push_back({l.name, slug(l.name), l.operator_name, l.tech, l.band, signal});
    }
    return out;
}

std::vector<SitePoint> site_points(const sites::SiteTable& table, const geo::Grid& grid) {
    geo::TransformPtr t = geo::make_transform(geo::srs_wgs84(), geo::srs_from_epsg(grid.epsg));
    std::vector<SitePoint> out;
    for (const sites::Site& s : table.sites) {
        double x = s.lon_deg;
        double y = s.lat_deg;
        if (!t->Transform(1, &x, &y)) throw GdalError("cannot transform site " + s.site_id + " to the grid CRS");
        out.push_back({s.operator_name, x, y});
    }
    return out;
}

std::vector<CellInfo> cell_infos(const sites::SiteTable& table, const geo::Grid& grid) {
    geo::TransformPtr t = geo::make_transform(geo::srs_wgs84(), geo::srs_from_epsg(grid.epsg));
    std::vector<CellInfo> out;
    out.reserve(table.cells.size());
    for (const sites::Cell& c : table.cells) {
        double x = c.lon_deg;
        double y = c.lat_deg;
        if (!t->Transform(1, &x, &y)) throw GdalError("cannot transform cell " + c.cell_id + " to the grid CRS");
        out.push_back({c.cell_id, c.site_id, c.operator_name, c.layer, c.tech, c.band, c.lon_deg, c.lat_deg, x, y,
                       c.azimuth_deg, c.height_agl_m});
    }
    return out;
}

Prepared prepare(const Scenario& scenario, const geo::Grid& grid, std::vector<float> population,
                 std::span<const std::uint8_t> aoi_mask) {
    Prepared p;
    if (scenario.inputs.admin) {
        p.admin = load_admin_units(*scenario.inputs.admin, scenario.inputs.admin_name_field,
                                   scenario.inputs.admin_code_field, grid, aoi_mask);
        for (const auto& r : p.admin->repaired) spdlog::warn("{}: {}", p.admin->file, r);
    }
    p.census = apply_census(scenario.analysis.census, population, aoi_mask, p.admin ? &*p.admin : nullptr,
                            scenario.file.string());
    p.population = std::move(population);
    return p;
}

}  // namespace phusong::analysis
