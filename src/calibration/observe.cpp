// Measurements onto a grid, filtered and binned, with each observation's prediction terms.

#include <ogr_geometry.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <unordered_map>

#include "phusong/calibration/calibration.hpp"
#include "phusong/core/error.hpp"
#include "phusong/core/interrupt.hpp"
#include "phusong/core/parallel.hpp"
#include "phusong/coverage/gain_table.hpp"
#include "phusong/coverage/sweep.hpp"
#include "phusong/geo/gdal.hpp"
#include "phusong/geo/raster.hpp"
#include "phusong/radio/link_budget.hpp"

namespace phusong::calibration {

namespace {

constexpr double kRadToDeg = 180.0 / std::numbers::pi;

double floor_of(radio::Technology t, const PredictionConfig& c) {
    switch (t) {
        case radio::Technology::gsm: return c.rxlev_floor_dbm;
        case radio::Technology::umts: return c.rscp_floor_dbm;
        default: return c.rsrp_floor_dbm;
    }
}

std::string num(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}

/// A point of a measured cell, in the grid CRS, before binning.
struct Point {
    std::size_t cell;
    double x, y;
    double signal_dbm;
    double rx_height_m;
};

}  // namespace

Observations observe(const Scenario& scenario, const sites::SiteTable& table,
                     const coverage::AntennaCatalogue& antennas, const MeasurementTable& measurements) {
    const CalibrationConfig& cc = scenario.calibration;
    const PredictionConfig& pc = scenario.prediction;

    // Cell ids: every one must be in the site table.
    std::unordered_map<std::string, std::size_t> cell_index;
    for (std::size_t i = 0; i < table.cells.size(); ++i) cell_index.emplace(table.cells[i].cell_id, i);
    {
        std::map<std::string, std::pair<std::size_t, std::size_t>> unknown;  // id → first row, count
        for (const Measurement& m : measurements.points) {
            if (cell_index.count(m.cell_id) == 0) {
                auto [it, fresh] = unknown.emplace(m.cell_id, std::pair{m.row, std::size_t{0}});
                ++it->second.second;
            }
        }
        if (!unknown.empty()) {
            std::string list;
            std::size_t shown = 0;
            for (const auto& [id, first] : unknown) {
                if (shown++ == 20) {
                    list += ", …";
                    break;
                }
                list += (list.empty() ? "\"" : ", \"") + id + "\" (row " + std::to_string(first.first) +
                        (first.second > 1 ? ", " + std::to_string(first.second) + " points" : "") + ")";
            }
            throw InputError(measurements.file, "field cell_id",
                             std::to_string(unknown.size()) + " cell id(s) not in the site table " + table.file + ": " +
                                 list + "; measure cells of the site table, or add them to it");
        }
    }

    // The grid: the scenario's CRS (or the UTM zone of the points) over the points and the sites
    // of their cells, at the scenario's resolution.
    const OGRSpatialReference src_srs = [&] {
        OGRSpatialReference s;
        s.importFromWkt(measurements.crs_wkt.c_str());
        s.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
        return s;
    }();
    const auto to_wgs84 = geo::make_transform(src_srs, geo::srs_wgs84());
    double lon_sum = 0;
    double lat_sum = 0;
    std::vector<std::array<double, 2>> ll(measurements.points.size());
    for (std::size_t i = 0; i < ll.size(); ++i) {
        double x = measurements.points[i].x;
        double y = measurements.points[i].y;
        if (!to_wgs84->Transform(1, &x, &y) || std::abs(y) > 90 || std::abs(x) > 180) {
            throw InputError(measurements.file, "row " + std::to_string(measurements.points[i].row),
                             "the point cannot be transformed to WGS 84: check its coordinates and the table's CRS");
        }
        ll[i] = {x, y};
        lon_sum += x;
        lat_sum += y;
    }
    const int epsg = scenario.grid.epsg.value_or(
        geo::utm_epsg_for(lon_sum / static_cast<double>(ll.size()), lat_sum / static_cast<double>(ll.size())));
    const OGRSpatialReference grid_srs = geo::srs_from_epsg(epsg);
    const auto ll_to_grid = geo::make_transform(geo::srs_wgs84(), grid_srs);
    auto project = [&](double lon, double lat) {
        double x = lon;
        double y = lat;
        ll_to_grid->Transform(1, &x, &y);
        return std::array<double, 2>{x, y};
    };
    std::vector<std::array<double, 2>> xy(ll.size());
    geo::Bounds b{std::numeric_limits<double>::infinity(), std::numeric_limits<double>::infinity(),
                  -std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity()};
    auto extend = [&b](const std::array<double, 2>& p) {
        b.min_x = std::min(b.min_x, p[0]);
        b.min_y = std::min(b.min_y, p[1]);
        b.max_x = std::max(b.max_x, p[0]);
        b.max_y = std::max(b.max_y, p[1]);
    };
    std::vector<std::uint8_t> measured_site(table.sites.size(), 0);
    std::map<std::string, std::size_t> site_index;
    for (std::size_t s = 0; s < table.sites.size(); ++s) site_index.emplace(table.sites[s].site_id, s);
    for (std::size_t i = 0; i < ll.size(); ++i) {
        xy[i] = project(ll[i][0], ll[i][1]);
        extend(xy[i]);
        measured_site[site_index.at(table.cells[cell_index.at(measurements.points[i].cell_id)].site_id)] = 1;
    }
    std::vector<std::array<double, 2>> site_xy(table.sites.size());
    for (std::size_t s = 0; s < table.sites.size(); ++s) {
        if (measured_site[s] == 0) continue;
        site_xy[s] = project(table.sites[s].lon_deg, table.sites[s].lat_deg);
        extend(site_xy[s]);
    }
    char* wkt = nullptr;
    const char* wkt_options[] = {"FORMAT=WKT2", nullptr};
    grid_srs.exportToWkt(&wkt, wkt_options);
    const std::string crs_wkt = wkt != nullptr ? wkt : "";
    CPLFree(wkt);
    Observations out;
    out.grid = geo::make_grid(b, 4 * scenario.grid.resolution_m, scenario.grid.resolution_m,
                              scenario.grid.tile_size_px, epsg, crs_wkt);
    const geo::Grid& grid = out.grid;
    spdlog::info("calibration grid: EPSG:{}, {} × {} pixels of {} m", epsg, grid.cols, grid.rows, grid.resolution_m);

    const geo::DemOnGrid dem = geo::warp_dem_to_grid(scenario.inputs.dem, grid);
    if (dem.voids > 0) {
        spdlog::warn("{}: {} pixels hold void values and the file declares no nodata: taken as voids ({})",
                     scenario.inputs.dem.string(), dem.voids, dem.voids_where);
    }
    std::vector<float> clutter;
    if (scenario.inputs.clutter) {
        clutter = geo::warp_to_grid(*scenario.inputs.clutter, "clutter", grid, geo::Resampling::mode);
    }
    std::vector<double> site_ground(table.sites.size(), 0.0);
    for (std::size_t s = 0; s < table.sites.size(); ++s) {
        if (measured_site[s] == 0) continue;
        site_ground[s] = geo::sample_bilinear(grid, dem.height_m, grid.fcol(site_xy[s][0]), grid.frow(site_xy[s][1]));
        if (!std::isfinite(site_ground[s])) {
            const sites::Cell& c = table.cells[table.sites[s].cells.front()];
            throw InputError(table.file, "row " + std::to_string(c.row),
                             "site " + table.sites[s].site_id + " stands where the DEM has no data");
        }
    }

    // Filters, in order; then binning per cell and pixel.
    auto has_terrain = [&](double x, double y) {
        return grid.pixel_of(x, y) && std::isfinite(geo::sample_bilinear(grid, dem.height_m, grid.fcol(x), grid.frow(y)));
    };
    const double max_distance = cc.max_distance_m.value_or(pc.max_radius_m);
    std::size_t near = 0, far = 0, weak = 0, strong = 0, off_dem = 0, few = 0;
    std::vector<Point> kept;
    kept.reserve(ll.size());
    for (std::size_t i = 0; i < ll.size(); ++i) {
        const Measurement& m = measurements.points[i];
        const std::size_t ci = cell_index.at(m.cell_id);
        const sites::Cell& c = table.cells[ci];
        const std::size_t s = site_index.at(c.site_id);
        const double d = std::hypot(xy[i][0] - site_xy[s][0], xy[i][1] - site_xy[s][1]);
        if (d < cc.min_distance_m) {
            ++near;
        } else if (d > max_distance) {
            ++far;
        } else if (m.signal_dbm < cc.min_signal_dbm.value_or(floor_of(c.tech, pc))) {
            ++weak;
        } else if (m.signal_dbm > cc.max_signal_dbm) {
            ++strong;
        } else if (!has_terrain(xy[i][0], xy[i][1])) {
            ++off_dem;
        } else {
            kept.push_back({ci, xy[i][0], xy[i][1], m.signal_dbm, m.rx_height_m.value_or(pc.receiver_height_m)});
        }
    }
    {
        std::vector<std::size_t> per_cell(table.cells.size(), 0);
        for (const Point& p : kept) ++per_cell[p.cell];
        const auto end = std::remove_if(kept.begin(), kept.end(), [&](const Point& p) {
            return per_cell[p.cell] < static_cast<std::size_t>(cc.min_points_per_cell);
        });
        few = static_cast<std::size_t>(kept.end() - end);
        kept.erase(end, kept.end());
    }
    const std::string min_signal = cc.min_signal_dbm ? num(*cc.min_signal_dbm) + " dBm" : "the layer's floor";
    out.filters = {{"calibration.min_distance_m", num(cc.min_distance_m) + " m", near},
                   {"calibration.max_distance_m", num(max_distance) + " m", far},
                   {"calibration.min_signal_dbm", min_signal, weak},
                   {"calibration.max_signal_dbm", num(cc.max_signal_dbm) + " dBm", strong},
                   {"(off the DEM)", "no terrain data at the point", off_dem},
                   {"calibration.min_points_per_cell", std::to_string(cc.min_points_per_cell) + " points", few}};
    out.points_read = ll.size();
    out.points_used = kept.size();
    if (kept.empty()) {
        throw InputError(measurements.file, "",
                         "no measurement is left after the filters ([calibration] keys, docs/models/calibration.md): " +
                             std::to_string(near) + " too close, " + std::to_string(far) + " too far, " +
                             std::to_string(weak) + " too weak, " + std::to_string(strong) + " too strong, " +
                             std::to_string(off_dem) + " off the DEM, " + std::to_string(few) +
                             " of cells with too few points");
    }

    // Binning: the mean in dB of each cell's points in each pixel, at the points' centroid (not
    // the pixel's centre: near the site, half a pixel is a large error in log d, and an error in
    // the regressor biases the fitted slope toward zero).
    std::vector<Observation> items;
    if (cc.bin_to_pixels) {
        std::map<std::pair<std::size_t, std::size_t>, std::array<double, 5>> bins;  // Σ dBm, Σ h_rx, Σ x, Σ y, n
        for (const Point& p : kept) {
            const auto px = grid.pixel_of(p.x, p.y);
            auto& acc = bins[{p.cell, grid.index((*px)[0], (*px)[1])}];
            acc[0] += p.signal_dbm;
            acc[1] += p.rx_height_m;
            acc[2] += p.x;
            acc[3] += p.y;
            acc[4] += 1;
        }
        items.reserve(bins.size());
        for (const auto& [key, acc] : bins) {
            Observation o;
            o.cell = key.first;
            o.x_m = acc[2] / acc[4];
            o.y_m = acc[3] / acc[4];
            o.points = static_cast<std::size_t>(acc[4]);
            o.measured_dbm = acc[0] / acc[4];
            o.h_rx_m = acc[1] / acc[4];
            items.push_back(o);
        }
    } else {
        std::stable_sort(kept.begin(), kept.end(), [](const Point& a, const Point& b) { return a.cell < b.cell; });
        for (const Point& p : kept) {
            Observation o;
            o.cell = p.cell;
            o.x_m = p.x;
            o.y_m = p.y;
            o.measured_dbm = p.signal_dbm;
            o.h_rx_m = p.rx_height_m;
            items.push_back(o);
        }
    }

    // The prediction's terms of every observation: distance, diffraction on the exact profile,
    // antenna gain from the same gain table as the area prediction, clutter class.
    std::map<std::tuple<std::string, double, double>, std::unique_ptr<coverage::GainTable>> gains;
    for (const Observation& o : items) {
        const sites::Cell& c = table.cells[o.cell];
        auto& g = gains[{c.antenna, c.mech_tilt_deg, c.elec_tilt_deg}];
        // Weight 1: the observation keeps the pattern's own attenuation (the models apply theirs).
        if (!g) g = std::make_unique<coverage::GainTable>(antennas.at(c.antenna), c.mech_tilt_deg, c.elec_tilt_deg);
    }
    parallel_for(std::size_t{0}, items.size(), [&](std::size_t i) {
        if (i % 1024 == 0) throw_if_interrupted();
        Observation& o = items[i];
        const sites::Cell& c = table.cells[o.cell];
        const std::size_t s = site_index.at(c.site_id);
        coverage::SweepSource src;
        src.x_m = site_xy[s][0];
        src.y_m = site_xy[s][1];
        src.ground_m = site_ground[s];
        src.height_agl_m = c.height_agl_m;
        coverage::SweepSettings settings = coverage::SweepSettings::of(pc);
        settings.rx_height_m = o.h_rx_m;
        const double dx = o.x_m - src.x_m;
        const double dy = o.y_m - src.y_m;
        o.distance_m = std::hypot(dx, dy);
        o.freq_mhz = c.freq_mhz;
        o.h_tx_m = c.height_agl_m;
        const double diff =
            coverage::exact_profile_loss_db(src, o.x_m, o.y_m, c.freq_mhz, grid, dem.height_m, settings, grid.resolution_m);
        o.diffraction_db = std::isfinite(diff) ? diff : 0.0;
        const double rx_ground = geo::sample_bilinear(grid, dem.height_m, grid.fcol(o.x_m), grid.frow(o.y_m));
        const double hts = src.ground_m + src.height_agl_m;
        const auto depression = static_cast<float>(std::atan2(hts - (rx_ground + o.h_rx_m), std::max(o.distance_m, 1.0)) * kRadToDeg);
        const auto azimuth = static_cast<float>(std::atan2(dx, dy) * kRadToDeg);
        const coverage::GainTable& g = *gains.at({c.antenna, c.mech_tilt_deg, c.elec_tilt_deg});
        const double gain = g.gain_dbi(azimuth - static_cast<float>(c.azimuth_deg), depression);
        o.max_gain_dbi = antennas.at(c.antenna)->max_gain_dbi();
        o.attenuation_db = o.max_gain_dbi - gain;
        o.power_dbm = sites::reference_signal_power_dbm(c, pc.nr_scs_khz) - pc.feeder_loss_db;
        if (!clutter.empty()) {
            const auto px = grid.pixel_of(o.x_m, o.y_m);
            const float code = clutter[grid.index((*px)[0], (*px)[1])];
            o.clutter = std::isfinite(code) ? static_cast<int>(std::lround(code)) : -1;
        }
    });
    throw_if_interrupted();
    // A centroid between points on the terrain's edge can fall next to nodata: dropped with them.
    {
        const auto end = std::remove_if(items.begin(), items.end(), [&](const Observation& o) {
            if (std::isfinite(o.attenuation_db)) return false;
            out.filters[4].removed += o.points;
            out.points_used -= o.points;
            return true;
        });
        items.erase(end, items.end());
    }
    for (const Observation& o : items) {
        if (o.clutter >= 0 && scenario.clutter.count(o.clutter) == 0) ++out.unknown_clutter[o.clutter];
    }
    if (!out.unknown_clutter.empty()) {
        std::string list;
        for (const auto& [code, n] : out.unknown_clutter) {
            list += (list.empty() ? "" : ", ") + std::to_string(code) + " (" + std::to_string(n) + " observations)";
        }
        spdlog::warn("{}: clutter code(s) without a [clutter.<code>] entry, counted with 0 dB loss: {}",
                     scenario.inputs.clutter->string(), list);
    }
    out.items = std::move(items);
    return out;
}

}  // namespace phusong::calibration
