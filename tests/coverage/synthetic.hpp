#pragma once
// Synthetic terrain and networks shared by the coverage tests.

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "phusong/coverage/predict.hpp"
#include "phusong/geo/grid.hpp"
#include "phusong/radio/antenna.hpp"

namespace phusong::coverage::test {

/// A square 30 m grid of `pixels` × `pixels`, origin (0, 30·pixels), terrain from `height(x, y)`.
template <typename F>
geo::Grid make_terrain(std::vector<float>& dem, F height, int pixels) {
    geo::Grid g;
    g.epsg = 32648;
    g.origin_x_m = 0;
    g.origin_y_m = 30.0 * pixels;
    g.resolution_m = 30;
    g.cols = pixels;
    g.rows = pixels;
    g.tile_size_px = 128;
    dem.resize(g.pixel_count());
    for (int r = 0; r < g.rows; ++r) {
        for (int c = 0; c < g.cols; ++c) {
            dem[g.index(c, r)] = static_cast<float>(height(g.col_center_x(c), g.row_center_y(r)));
        }
    }
    return g;
}

/// Everything predict() needs.
struct Network {
    geo::Grid grid;
    std::vector<float> dem;
    sites::SiteTable table;
    std::vector<sites::SitePlacement> placements;
    AntennaCatalogue antennas;
    PredictionConfig config;
    std::optional<std::array<double, 4>> zone_thresholds_dbm;  ///< PredictionInputs'
};

/// Flat 10 km × 10 km at 50 m, ground 0 m; LTE B3 cells (1815 MHz, 20 MHz, 46 dBm, 18 dBi, 30 m,
/// no tilt), free space without diffraction to 8 km.
inline Network make_network(const std::vector<std::array<double, 3>>& cells /* x, y, azimuth */) {
    Network n;
    n.grid.epsg = 32648;
    n.grid.origin_x_m = 0;
    n.grid.origin_y_m = 10000;
    n.grid.resolution_m = 50;
    n.grid.cols = 200;
    n.grid.rows = 200;
    n.grid.tile_size_px = 64;
    n.dem.assign(n.grid.pixel_count(), 0.0f);
    n.table.file = "synthetic";
    n.table.layers.push_back({"Op LTE B3", "Op", radio::Technology::lte, "B3", {}});
    for (std::size_t i = 0; i < cells.size(); ++i) {
        sites::Cell c;
        c.site_id = "S" + std::to_string(i);
        c.cell_id = c.site_id + "-1";
        c.operator_name = "Op";
        c.height_agl_m = 30;
        c.azimuth_deg = cells[i][2];
        c.tech = radio::Technology::lte;
        c.band = "B3";
        c.freq_mhz = 1815;
        c.bandwidth_mhz = 20;
        c.tx_power_dbm = 46;
        c.antenna = "panel";
        c.row = i + 1;
        n.table.cells.push_back(c);
        n.table.layers[0].cells.push_back(i);
        n.table.sites.push_back({c.site_id, "Op", 0, 0, {i}});
        n.placements.push_back({cells[i][0], cells[i][1], 0.0, true});
    }
    n.antennas["panel"] = std::make_shared<const radio::AntennaPattern>(
        radio::AntennaPattern::sector({18.0, 65.0, 6.0, 25.0, 20.0}));
    n.config.model.kind = radio::ModelKind::free_space;
    n.config.diffraction = DiffractionMethod::none;
    n.config.max_radius_m = 8000;
    // Every pixel to the floor: the tests of the zones set theirs.
    n.config.zones = ZoneMode::exact;
    return n;
}

/// predict()'s layers, and its statistics into `stats` when given.
inline std::vector<LayerResult> run(const Network& n, PredictionStats* stats = nullptr) {
    std::vector<LayerResult> out;
    const PredictionInputs in{n.grid, n.dem, n.table, n.placements, n.config, n.antennas, {}, n.zone_thresholds_dbm};
    const PredictionStats s = predict(in, [&](LayerResult&& r) { out.push_back(std::move(r)); });
    if (stats != nullptr) *stats = s;
    return out;
}

}  // namespace phusong::coverage::test
