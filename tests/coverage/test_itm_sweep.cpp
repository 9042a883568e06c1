// ITM in the area sweep (issue #8): ItmRays against its definition (itm::p2p on the ray's prefix,
// the last sample's ground replaced by the pixel's, plus the free-space shift to the pixel's own
// distance), several bands in one pass, and predict() with model = "itm".
#include <doctest/doctest.h>
#include <tbb/global_control.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <numbers>
#include <span>
#include <string>
#include <vector>

#include "phusong/coverage/itm_sweep.hpp"
#include "phusong/coverage/predict.hpp"
#include "phusong/coverage/sweep.hpp"
#include "phusong/radio/itm.hpp"
#include "phusong/radio/pathloss.hpp"
#include "synthetic.hpp"

using namespace phusong;
using namespace phusong::coverage;
namespace itm = phusong::radio::itm;

namespace {

/// A 30 m grid of 300 × 300 pixels (9 km): terrain from `height(x, y)`.
template <typename F>
geo::Grid make_terrain(std::vector<float>& dem, F height) {
    return test::make_terrain(dem, height, 300);
}

/// Rolling hills, 40–200 m: sums of sines (deterministic, no flat stretch, slopes up to ~25 %).
double hills_m(double x, double y) {
    return 120.0 + 60.0 * std::sin(x / 900.0) * std::cos(y / 700.0) + 25.0 * std::sin(x / 230.0 + y / 410.0) +
           10.0 * std::cos(x / 97.0 - y / 150.0);
}

/// A queued pixel: where ItmRays is told it is.
struct Queued {
    int ray;
    double distance_m;
    float ground_m;
};

/// What ItmRays is defined to compute for one pixel (itm_sweep.hpp): ITM on the ray's samples
/// 0..k, k = lround(d/step) (at least 1), sample k's elevation replaced by the pixel's own
/// ground, then moved from k·step to d by the free-space term 20·log10(d/(k·step)).
double direct_loss_db(const RadialSweep& sweep, const Queued& q, const itm::Params& params) {
    const double step = sweep.step_m();
    const long k = std::max(1L, std::lround(q.distance_m / step));
    const std::span<const float> heights = sweep.ray_heights(q.ray);
    REQUIRE(static_cast<std::size_t>(k) < heights.size());
    std::vector<double> z(heights.begin(), heights.begin() + k + 1);
    z.back() = q.ground_m;
    const itm::PathGeometry g = itm::analyse_profile(z, step, params.h_tx_m, params.h_rx_m, params.n0);
    return itm::p2p(g, params).loss_db + 20.0 * std::log10(q.distance_m / (static_cast<double>(k) * step));
}

/// ItmRays stores its losses as float: the comparison allows 1e-6 dB beyond that rounding.
double float_tolerance_db(double loss_db) {
    return 1e-6 + 0.5 * std::abs(loss_db) * std::numeric_limits<float>::epsilon();
}

itm::Params band_params(double freq_mhz, double n0, double h_tx_m) {
    itm::Params p;
    p.freq_mhz = freq_mhz;
    p.n0 = n0;
    p.h_tx_m = h_tx_m;
    p.h_rx_m = 1.5;
    return p;
}

/// A source at the centre pixel of the hilly grid, its sweep, and pixels queued on exact ray
/// directions (on samples and between them, on the ray's ground and off it, within one step of
/// the site) and at pixel centres off the rays.
struct HillySweep {
    std::vector<float> dem;
    geo::Grid grid;
    SweepSource source;
    RadialSweep sweep;
    std::vector<Queued> pixels;

    HillySweep() {
        grid = make_terrain(dem, hills_m);
        source.x_m = grid.col_center_x(150);
        source.y_m = grid.row_center_y(150);
        source.ground_m = dem[grid.index(150, 150)];
        source.height_agl_m = 25;
        source.radius_m = 4000;
        source.freqs_mhz = {1815.0};
        sweep.run(source, grid, dem, SweepSettings{});
        const double step = sweep.step_m();
        // On the rays' own directions: the sample itself, between samples, near the site.
        for (const int ray : {0, 1, sweep.rays() / 8, sweep.rays() / 3 + 5, sweep.rays() - 1}) {
            const std::span<const float> h = sweep.ray_heights(ray);
            const double az = 2.0 * std::numbers::pi * ray / sweep.rays();
            REQUIRE(sweep.ray_of(az) == ray);
            for (const double d : {7.0, 0.6 * step, step, 2.0 * step, 5.4 * step, 40.0 * step, 41.49 * step,
                                   99.51 * step, 130.0 * step}) {
                const auto k = static_cast<std::size_t>(std::max(1L, std::lround(d / step)));
                REQUIRE(sweep.reaches(ray, d));
                pixels.push_back({ray, d, h[k]});          // the ray's own ground
                pixels.push_back({ray, d, h[k] + 12.5f});  // a pixel on a mound beside it
                pixels.push_back({ray, d, h[k] - 30.0f});  // in a hollow
            }
        }
        // Pixel centres (as predict queues them): every 7th pixel, within the radius.
        for (int row = 20; row < grid.rows - 20; row += 7) {
            for (int col = 20; col < grid.cols - 20; col += 7) {
                const double dx = grid.col_center_x(col) - source.x_m;
                const double dy = grid.row_center_y(row) - source.y_m;
                const double d = std::hypot(dx, dy);
                if (d < 1.0 || d > source.radius_m) continue;
                const int ray = sweep.ray_of(std::atan2(dx, dy));
                if (!sweep.reaches(ray, d)) continue;
                pixels.push_back({ray, d, dem[grid.index(col, row)]});
            }
        }
    }

    /// ItmRays' losses for `bands` over every queued pixel: out[b·n + i].
    std::vector<float> evaluate(std::span<const itm::Params> bands, std::size_t* failed = nullptr) const {
        ItmRays rays;
        rays.reset(sweep);
        for (std::size_t i = 0; i < pixels.size(); ++i) {
            rays.add(static_cast<std::uint32_t>(i), pixels[i].ray, pixels[i].distance_m, pixels[i].ground_m);
        }
        std::vector<float> out(bands.size() * pixels.size(), std::numeric_limits<float>::quiet_NaN());
        const std::size_t f = rays.evaluate(sweep, bands, pixels.size(), out);
        if (failed) *failed = f;
        return out;
    }
};

// --- predict() on small synthetic networks (as tests/coverage/test_predict.cpp) --------------

using test::Network;
using test::run;

/// test::make_network's cells (flat, 30 m masts, 1815 MHz), predicted with ITM's defaults to 4 km.
Network make_network(const std::vector<std::array<double, 3>>& cells /* x, y, azimuth */) {
    Network n = test::make_network(cells);
    n.config.model.kind = radio::ModelKind::itm;
    n.config.max_radius_m = 4000;
    return n;
}

/// Signals are stored in 0.01 dB steps, and the antenna's gain comes from a table every 0.5° of
/// depression, linearly interpolated: 12·(θ/6°)² is off by up to 12/36·0.25²/4 = 0.021 dB.
constexpr double kBudgetTolerance_db = 0.03;

/// ITM's loss on flat ground at 0 m, `d_m` from a 30 m mast at 1815 MHz (profile every 50 m).
double flat_itm_loss_db(double d_m, const itm::Params& model) {
    const auto k = static_cast<std::size_t>(std::lround(d_m / 50.0));
    itm::Params p = model;
    p.freq_mhz = 1815;
    p.h_tx_m = 30;
    p.h_rx_m = 1.5;
    return itm::p2p(std::vector<double>(k + 1, 0.0), 50.0, p).loss_db;
}

}  // namespace

TEST_CASE("ItmRays equals p2p on the ray's prefix with the pixel's ground, shifted to its distance") {
    const HillySweep h;
    REQUIRE(h.pixels.size() > 1000);
    const itm::Params band = band_params(1815.0, 301.0, h.source.height_agl_m);
    std::size_t failed = 99;
    const std::vector<float> out = h.evaluate(std::span(&band, 1), &failed);
    CHECK(failed == 0);
    double largest_shift = 0;  // the test must see the free-space shift and the own ground matter
    double largest_ground_effect = 0;
    for (std::size_t i = 0; i < h.pixels.size(); ++i) {
        const Queued& q = h.pixels[i];
        const double expected = direct_loss_db(h.sweep, q, band);
        INFO("pixel ", i, ": ray ", q.ray, ", d = ", q.distance_m, " m, ground ", q.ground_m, " m");
        REQUIRE(std::isfinite(out[i]));
        REQUIRE(std::abs(out[i] - expected) <= float_tolerance_db(expected));
        const double k = std::max(1.0, std::round(q.distance_m / h.sweep.step_m()));
        largest_shift = std::max(largest_shift, std::abs(20.0 * std::log10(q.distance_m / (k * h.sweep.step_m()))));
        // Against the ray's own ground at sample k (the sample's elevation, not the pixel's).
        const std::span<const float> heights = h.sweep.ray_heights(q.ray);
        const Queued on_ray{q.ray, q.distance_m, heights[static_cast<std::size_t>(k)]};
        largest_ground_effect = std::max(largest_ground_effect, std::abs(direct_loss_db(h.sweep, on_ray, band) - expected));
    }
    CHECK(largest_shift > 1.0);          // 7 m against a 30 m sample: 12.6 dB
    CHECK(largest_ground_effect > 1.0);  // a 30 m hollow changes ITM's loss by dB, not by rounding
}

TEST_CASE("ItmRays: bands with different N_0 and frequencies in one pass equal separate passes") {
    const HillySweep h;
    const double h_tx = h.source.height_agl_m;
    // Bands 0 and 2 share N_0 (one profile), band 1 has its own, band 3 another climate.
    std::vector<itm::Params> bands = {band_params(1815.0, 301.0, h_tx), band_params(763.0, 360.0, h_tx),
                                      band_params(2650.0, 301.0, h_tx), band_params(3500.0, 250.0, h_tx)};
    bands[3].climate = itm::Climate::equatorial;
    bands[3].time_pct = 10.0;
    const std::vector<float> together = h.evaluate(bands);
    const std::size_t n = h.pixels.size();
    for (std::size_t b = 0; b < bands.size(); ++b) {
        CAPTURE(b);
        const std::vector<float> alone = h.evaluate(std::span(&bands[b], 1));
        REQUIRE(alone.size() == n);
        CHECK(std::memcmp(alone.data(), &together[b * n], n * sizeof(float)) == 0);
        // And each band is its own (not another band's profile or parameters).
        std::size_t checked = 0;
        for (std::size_t i = 0; i < n; i += 17, ++checked) {
            const double expected = direct_loss_db(h.sweep, h.pixels[i], bands[b]);
            REQUIRE(std::abs(together[b * n + i] - expected) <= float_tolerance_db(expected));
        }
        CHECK(checked > 50);
    }
    // The bands do differ (the comparison above is not between equal numbers).
    CHECK(std::abs(together[5] - together[n + 5]) > 1.0f);
}

TEST_CASE("ITM prediction: hand-computed RSRP on flat ground, and the same bytes with 1 and 2 threads") {
    SUBCASE("flat ground: the link budget with itm::p2p on the flat profile") {
        // Site at the centre of pixel (40, 100), facing east; receivers at pixels (80, 100) and
        // (160, 100): 2,000 m and 6,000 m, 40 and 120 grid steps (no free-space shift).
        Network n = make_network({{2025.0, 4975.0, 90.0}});
        n.config.max_radius_m = 7000;
        const LayerResult l = run(n)[0];
        // RS EPRE − feeder = 13.2082 dBm and the antenna's 17.7778 dBi toward the 2 km pixel
        // (test_predict.cpp, first case), less ITM's loss over 41 samples at 0 m. (At 2 km ITM's
        // median is free space, A_ref = 0, on this flat path.)
        const double loss_2km = flat_itm_loss_db(2000.0, n.config.model.itm);
        CHECK(std::abs(l.best_dbm[n.grid.index(80, 100)] - (13.2082 + 17.7778 - loss_2km)) < kBudgetTolerance_db);
        // At 6 km A_ref = 5.0 dB [Alg §4, line of sight], and it depends on the heights (2.7 dB
        // with the receiver at 2 m): depression atan(28.5/6000) = 0.2722°, A_V = 0.0247 dB.
        const double loss_6km = flat_itm_loss_db(6000.0, n.config.model.itm);
        CHECK(loss_6km - radio::free_space_loss_db(6000.0, 1815.0) == doctest::Approx(5.02).epsilon(0.01));
        CHECK(std::abs(l.best_dbm[n.grid.index(160, 100)] - (13.2082 + 18.0 - 0.0247 - loss_6km)) < kBudgetTolerance_db);
        // 1,500 m (30 steps) behind the antenna: 18 dBi less the 25 dB front-to-back.
        const std::size_t back = n.grid.index(10, 100);
        CHECK(std::abs(l.best_dbm[back] - (13.2082 + 18.0 - 25.0 - flat_itm_loss_db(1500.0, n.config.model.itm))) <
              kBudgetTolerance_db);
    }
    SUBCASE("hills: 1 and 2 threads, with and without the far zone") {
        Network n = make_network({{1025.0, 4975.0, 90.0}, {5025.0, 4975.0, 270.0}, {3025.0, 7025.0, 180.0},
                                  {3025.0, 2025.0, 30.0}});
        n.config.zones = ZoneMode::distance;
        n.config.near_radius_m = 2000;
        n.table.cells[2].height_agl_m = 20;  // two antenna heights: two RayProfile set-ups
        for (int row = 0; row < n.grid.rows; ++row) {
            for (int col = 0; col < n.grid.cols; ++col) {
                n.dem[n.grid.index(col, row)] =
                    static_cast<float>(hills_m(n.grid.col_center_x(col), n.grid.row_center_y(row)));
            }
        }
        for (std::size_t i = 0; i < n.placements.size(); ++i) {
            const auto px = n.grid.pixel_of(n.placements[i].x_m, n.placements[i].y_m);
            n.placements[i].ground_m = n.dem[n.grid.index((*px)[0], (*px)[1])];
        }
        for (const int block : {1, 3}) {
            CAPTURE(block);
            n.config.far_block_px = block;
            std::vector<LayerResult> one;
            std::vector<LayerResult> two;
            PredictionStats s1;
            PredictionStats s2;
            {
                tbb::global_control c(tbb::global_control::max_allowed_parallelism, 1);
                one = run(n, &s1);
            }
            {
                tbb::global_control c(tbb::global_control::max_allowed_parallelism, 2);
                two = run(n, &s2);
            }
            REQUIRE(one.size() == 1);
            REQUIRE(two.size() == 1);
            std::size_t covered = 0;
            for (float v : one[0].best_dbm) covered += std::isfinite(v) ? 1 : 0;
            CHECK(covered > n.grid.pixel_count() / 3);
            CHECK(std::memcmp(one[0].best_dbm.data(), two[0].best_dbm.data(), one[0].best_dbm.size() * 4) == 0);
            CHECK(std::memcmp(one[0].second_dbm.data(), two[0].second_dbm.data(), one[0].second_dbm.size() * 4) == 0);
            CHECK(std::memcmp(one[0].sinr_db.data(), two[0].sinr_db.data(), one[0].sinr_db.size() * 4) == 0);
            CHECK(one[0].server == two[0].server);
            CHECK(s1.pixel_evaluations == s2.pixel_evaluations);
            CHECK(s1.itm_undefined == 0);
        }
    }
}

TEST_CASE("an ITM cell reaches max_radius_m: its loss has no bound from the distance alone") {
    // ITM's variability takes its loss below free space (here a 1 % quantile of time, location
    // and situation on a flat link). With a floor of −68 dBm, free space as the bound (what
    // ModelKind::itm gives path_loss_db's callers, pathloss.hpp) would end the cell where the
    // boresight signal 13.2082 + 18 dBm − FSPL falls below it, ~1.2 km; ITM keeps pixels above
    // the floor beyond that, and every one of them must get its signal.
    Network n = make_network({{2025.0, 4975.0, 90.0}});
    n.config.rsrp_floor_dbm = -68.0;
    n.config.model.itm.time_pct = 1.0;
    n.config.model.itm.location_pct = 1.0;
    n.config.model.itm.situation_pct = 1.0;
    PredictionStats stats;
    const LayerResult l = run(n, &stats)[0];
    CHECK(stats.max_radius_m == n.config.max_radius_m);
    const double boresight_dbm = 13.2082 + 18.0;
    // Free-space reach: boresight_dbm − FSPL(d) = floor (P.525: 32.45 + 20·log10(f·d_km)).
    const double free_space_reach_m =
        1000.0 * std::pow(10.0, (boresight_dbm - n.config.rsrp_floor_dbm - 32.4478 - 20.0 * std::log10(1815.0)) / 20.0);
    CHECK(free_space_reach_m == doctest::Approx(1200.0).epsilon(0.05));
    std::size_t beyond_free_space = 0;
    for (int col = 41; col < n.grid.cols; ++col) {
        const double d = (col - 40) * 50.0;  // on the row of the site, east: boresight
        if (d > n.config.max_radius_m) {
            CHECK(std::isnan(l.best_dbm[n.grid.index(col, 100)]));
            continue;
        }
        const double dep = std::atan2(28.5, d) * 180.0 / std::numbers::pi;
        const double expected = boresight_dbm - 12.0 * (dep / 6.0) * (dep / 6.0) - flat_itm_loss_db(d, n.config.model.itm);
        if (expected < n.config.rsrp_floor_dbm + 0.02) continue;  // below the floor (or at its rounding)
        CAPTURE(d);
        CHECK(std::abs(l.best_dbm[n.grid.index(col, 100)] - expected) < kBudgetTolerance_db);
        if (d > free_space_reach_m + 100.0) ++beyond_free_space;
    }
    CHECK(beyond_free_space >= 5);
}

TEST_CASE("where ITM is not defined (N_s > 400 N-units), a pixel gets no signal and is counted") {
    // N_0 = 400 is ITM's upper limit (validate passes), and N_s = N_0·exp(−h_sys/9460) [TN101
    // Eqn 4.3] exceeds it wherever the path's mean elevation is below sea level: a polder west of
    // x = 4 km at −30 m, land east of it at +30 m. A site on the land at x = 5 km with cells
    // facing west and east: paths to the west have h_sys < 0 and p2p throws std::domain_error.
    Network n = make_network({{5025.0, 4975.0, 270.0}, {5025.0, 4975.0, 90.0}});
    for (int row = 0; row < n.grid.rows; ++row) {
        for (int col = 0; col < n.grid.cols; ++col) {
            n.dem[n.grid.index(col, row)] = n.grid.col_center_x(col) < 4000.0 ? -30.0f : 30.0f;
        }
    }
    for (auto& p : n.placements) p.ground_m = 30.0;
    n.config.model.itm.n0 = 400.0;
    REQUIRE(itm::validate(n.config.model.itm).empty());
    const std::size_t west = n.grid.index(40, 100);  // 3 km west: mostly over the polder
    const std::size_t east = n.grid.index(160, 100);  // 3 km east: over land
    PredictionStats stats;
    const LayerResult l = run(n, &stats)[0];
    CHECK(stats.itm_undefined > 0);
    CHECK(std::isnan(l.best_dbm[west]));
    CHECK(std::isfinite(l.best_dbm[east]));
    // The same network at N_0 = 301: ITM is defined everywhere and the west pixel has a signal.
    n.config.model.itm.n0 = 301.0;
    const LayerResult ok = run(n, &stats)[0];
    CHECK(stats.itm_undefined == 0);
    CHECK(std::isfinite(ok.best_dbm[west]));

    // The same at the level of ItmRays: NaN and counted, pixel by pixel.
    std::vector<float> dem;
    geo::Grid g = make_terrain(dem, [](double x, double) { return x < 4000.0 ? -30.0 : 30.0; });
    SweepSource src;
    src.x_m = 5025;
    src.y_m = 4515;
    src.ground_m = 30;
    src.height_agl_m = 30;
    src.radius_m = 3000;
    src.freqs_mhz = {1815.0};
    RadialSweep sweep;
    sweep.run(src, g, dem, SweepSettings{});
    ItmRays rays;
    rays.reset(sweep);
    const int west_ray = sweep.ray_of(-std::numbers::pi / 2);
    const int east_ray = sweep.ray_of(std::numbers::pi / 2);
    rays.add(0, west_ray, 2900.0, -30.0f);
    rays.add(1, east_ray, 2900.0, 30.0f);
    const itm::Params band = band_params(1815.0, 400.0, 30.0);
    std::vector<float> out(2, 0.0f);
    CHECK(rays.evaluate(sweep, std::span(&band, 1), 2, out) == 1);
    CHECK(std::isnan(out[0]));
    CHECK(std::isfinite(out[1]));
}
