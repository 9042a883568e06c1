// A synthetic drive test with a documented truth, for trying `phusong calibrate` on a scenario
// without measurements (docs/models/calibration.md "Synthetic truth").
//
//   build/release/tools/drive_test SCENARIO.toml OUT.csv [--layer NAME] [--walks 40] [--km 12]
//                                  [--k1-offset 10] [--k2 40] [--sigma 8] [--seed 1]
//
// Random walks on the roads a car would take are not known here: each walk starts at a random
// site of the layer and drives 20 m steps, turning by up to ±30° every 200 m and turning back
// at the sites' bounding box. At each step a scanner measures, on each of the 3 nearest sites of
// the layer, the cell that points most towards the car. Their signals are the engine's own
// prediction (calibration::synthesize) under the truth: the SPM form of the layer's model
// (calibration::spm_form: what calibrate starts from) with K1 raised by --k1-offset and K2 set
// to --k2, plus σ of shadowing per cell and grid pixel. A scanner records only what it can
// decode: points below --sensitivity (−140 dBm, the bottom of the RSRP reporting range, TS 36.133 Table 9.1.4-1) are not written, as in a real drive test (the
// weak tail the calibration never sees; docs/models/calibration.md says what that does).
// Writes cell_id,lon,lat,signal_dbm.

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <numbers>

#include "phusong/calibration/calibration.hpp"
#include "phusong/core/error.hpp"
#include "phusong/core/log.hpp"
#include "phusong/geo/gdal.hpp"
#include "phusong/pipeline/stages.hpp"
#include "phusong/calibration/random.hpp"

using namespace phusong;

int main(int argc, char** argv) {
    CLI::App app{"write a synthetic drive test with a known SPM truth"};
    std::string scenario_file;
    std::string out_file;
    std::string layer_name;
    int walks = 40;
    double km = 12;
    double k1_offset = 10;
    double k2 = 40;
    double sigma = 8;
    double sensitivity = -140;
    std::uint64_t seed = 1;
    app.add_option("scenario", scenario_file)->required();
    app.add_option("out", out_file)->required();
    app.add_option("--layer", layer_name, "layer to measure (default: the first LTE layer)");
    app.add_option("--walks", walks, "number of walks");
    app.add_option("--km", km, "length of each walk, km");
    app.add_option("--k1-offset", k1_offset, "truth K1 minus the layer's SPM form's, dB");
    app.add_option("--k2", k2, "truth K2, dB/decade");
    app.add_option("--sigma", sigma, "shadowing standard deviation, dB");
    app.add_option("--seed", seed, "random seed");
    app.add_option("--sensitivity", sensitivity, "weaker points are not written, dBm");
    CLI11_PARSE(app, argc, argv);
    try {
        init_logging(Verbosity::quiet);
        const pipeline::Prepared p = pipeline::prepare(scenario_file, ScenarioUse::calibrate);
        const sites::SiteTable& table = p.table;
        std::size_t layer = table.layers.size();
        for (std::size_t l = 0; l < table.layers.size(); ++l) {
            const auto& L = table.layers[l];
            if (layer_name.empty() ? L.tech == radio::Technology::lte : L.name == layer_name) {
                layer = l;
                break;
            }
        }
        if (layer == table.layers.size()) throw UsageError("no such layer: " + layer_name);
        // The layer's sites, in a local metric frame (equirectangular around their centre: a walk
        // needs no more).
        std::vector<std::size_t> sites;
        for (std::size_t s = 0; s < table.sites.size(); ++s) {
            for (std::size_t ci : table.sites[s].cells) {
                if (table.cells[ci].layer == layer) {
                    sites.push_back(s);
                    break;
                }
            }
        }
        double lon0 = 0;
        double lat0 = 0;
        for (std::size_t s : sites) {
            lon0 += table.sites[s].lon_deg / static_cast<double>(sites.size());
            lat0 += table.sites[s].lat_deg / static_cast<double>(sites.size());
        }
        const double mx = 111320.0 * std::cos(lat0 * std::numbers::pi / 180.0);
        const double my = 110574.0;
        double x_lo = 1e18, x_hi = -1e18, y_lo = 1e18, y_hi = -1e18;
        std::vector<std::array<double, 2>> xy;
        for (std::size_t s : sites) {
            xy.push_back({(table.sites[s].lon_deg - lon0) * mx, (table.sites[s].lat_deg - lat0) * my});
            x_lo = std::min(x_lo, xy.back()[0]);
            x_hi = std::max(x_hi, xy.back()[0]);
            y_lo = std::min(y_lo, xy.back()[1]);
            y_hi = std::max(y_hi, xy.back()[1]);
        }
        calibration::SplitMix64 rng(seed);
        calibration::MeasurementTable positions;
        positions.file = "walk";
        char* wkt = nullptr;
        geo::srs_wgs84().exportToWkt(&wkt);
        positions.crs_wkt = wkt;
        CPLFree(wkt);
        std::vector<std::pair<double, std::size_t>> near(sites.size());
        for (int w = 0; w < walks; ++w) {
            const std::size_t start = rng.next() % sites.size();
            double x = xy[start][0] + 50;
            double y = xy[start][1] + 50;
            double heading = 2 * std::numbers::pi * rng.uniform();
            for (int step = 0; step < static_cast<int>(km * 50); ++step) {
                if (step % 10 == 0) heading += (rng.uniform() - 0.5) * std::numbers::pi / 3;
                x += 20 * std::sin(heading);
                y += 20 * std::cos(heading);
                if (x < x_lo || x > x_hi) heading = -heading;
                if (y < y_lo || y > y_hi) heading = std::numbers::pi - heading;
                for (std::size_t i = 0; i < sites.size(); ++i) near[i] = {std::hypot(x - xy[i][0], y - xy[i][1]), i};
                std::partial_sort(near.begin(), near.begin() + std::min<std::ptrdiff_t>(3, static_cast<std::ptrdiff_t>(near.size())),
                                  near.end());
                for (std::size_t k = 0; k < std::min<std::size_t>(3, near.size()); ++k) {
                    const std::size_t i = near[k].second;
                    const double bearing = std::atan2(x - xy[i][0], y - xy[i][1]) * 180.0 / std::numbers::pi;
                    std::size_t best = 0;
                    double best_off = 1e9;
                    for (std::size_t ci : table.sites[sites[i]].cells) {
                        if (table.cells[ci].layer != layer) continue;
                        const double off = std::abs(std::remainder(bearing - table.cells[ci].azimuth_deg, 360.0));
                        if (off < best_off) {
                            best_off = off;
                            best = ci;
                        }
                    }
                    calibration::Measurement m;
                    m.row = positions.points.size() + 1;
                    m.cell_id = table.cells[best].cell_id;
                    m.x = lon0 + x / mx;
                    m.y = lat0 + y / my;
                    positions.points.push_back(m);
                }
            }
        }
        calibration::ModelSet truth = calibration::scenario_models(p.scenario, table);
        radio::ModelConfig& m = truth.layer_models[layer];
        const sites::Cell& first = table.cells[table.layers[layer].cells.front()];
        m.spm = calibration::spm_form(m, first.freq_mhz, p.scenario.prediction.receiver_height_m);
        m.kind = radio::ModelKind::spm;
        const double k1 = m.spm.k1 + k1_offset;
        m.spm.k1 = k1;
        m.spm.k2 = k2;
        const calibration::MeasurementTable drive =
            calibration::synthesize(p.scenario, table, p.antennas, positions, truth, sigma, seed);
        OGRSpatialReference grid_srs;
        grid_srs.importFromWkt(drive.crs_wkt.c_str());
        grid_srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
        const auto to_ll = geo::make_transform(grid_srs, geo::srs_wgs84());
        std::ofstream out(out_file);
        out << "cell_id,lon,lat,signal_dbm\n";
        std::size_t written = 0;
        for (const auto& pt : drive.points) {
            if (pt.signal_dbm < sensitivity) continue;
            ++written;
            double lon = pt.x;
            double lat = pt.y;
            to_ll->Transform(1, &lon, &lat);
            out << fmt::format("{},{:.6f},{:.6f},{:.2f}\n", pt.cell_id, lon, lat, pt.signal_dbm);
        }
        out.close();
        if (!out) throw Error("cannot write " + out_file);
        fmt::print("{}: {} points of {} ({} walks of {} km, {} below {} dBm not written); truth: SPM K1 = {:.3f}, K2 = {}, K3 = {:.3f}, K4 = {}, "
                   "K5 = {:.3f}, K6 = {:.4f}, K7 = {}, sigma {} dB\n",
                   out_file, written, table.layers[layer].name, walks, km, drive.points.size() - written, sensitivity, k1, k2, m.spm.k3, m.spm.k4, m.spm.k5,
                   m.spm.k6, m.spm.k7, sigma);
        return 0;
    } catch (const Error& e) {
        fmt::print(stderr, "drive_test: {}\n", e.what());
        return static_cast<int>(e.exit_code());
    }
}
