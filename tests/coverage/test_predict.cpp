// The prediction stage on small synthetic networks with hand-computed signals.
#include <doctest/doctest.h>
#include <tbb/global_control.h>

#include <algorithm>
#include <cmath>
#include <functional>

#include "phusong/coverage/footprint.hpp"
#include "phusong/coverage/predict.hpp"
#include "phusong/core/error.hpp"
#include "phusong/radio/multiversion.hpp"
#include "phusong/radio/pathloss.hpp"
#include "synthetic.hpp"

#include <cstring>

using namespace phusong;
using namespace phusong::coverage;
using test::make_network;
using test::Network;
using test::run;

namespace {

/// predict()'s layers with at most `threads` threads.
std::vector<LayerResult> run_on_threads(const Network& n, int threads) {
    const tbb::global_control c(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(threads));
    return run(n);
}

}  // namespace

TEST_CASE("RSRP at a pixel equals the hand-computed link budget") {
    // Site at the centre of pixel (40, 100), facing east; receiver at pixel (80, 100): 2,000 m.
    Network n = make_network({{2025.0, 4975.0, 90.0}});
    const auto layers = run(n);
    REQUIRE(layers.size() == 1);
    const LayerResult& l = layers[0];
    CHECK(l.signal == "RSRP");
    const std::size_t px = n.grid.index(80, 100);
    // RS EPRE = 46 − 10·log10(100 RB × 12) = 15.2082 dBm; − 2 dB feeder = 13.2082 dBm.
    // Depression atan(28.5 / 2000) = 0.8164°: A_V = 12·(0.8164/6)² = 0.2222 dB → 17.7778 dBi.
    // Free space (P.525): 20·log10(2) + 20·log10(1815) + 32.4478 = 103.6466 dB.
    // RSRP = 13.2082 + 17.7778 − 103.6466 = −72.6606 dBm.
    const double fspl = radio::free_space_loss_db(2000.0, 1815.0);
    CHECK(fspl == doctest::Approx(103.6466).epsilon(1e-5));
    CHECK(l.best_dbm[px] == doctest::Approx(-72.66).epsilon(0.0005));
    CHECK(l.server[px] == 0);
    CHECK(l.n_within_6db[px] == 1);
    CHECK(std::isnan(l.second_dbm[px]));
    // Behind the antenna: 25 dB front-to-back.
    const std::size_t back = n.grid.index(0, 100);  // 2,000 m west
    CHECK(l.best_dbm[back] == doctest::Approx(-72.66 - 25.0 + 0.2222 - 0.0).epsilon(0.002));
}

TEST_CASE("a cell's rs_power_dbm is its power per resource element: the same maps as the equivalent total power (issue #25)") {
    // Two facing cells, so that the power per RE enters both a signal and an interference.
    Network total = make_network({{1025.0, 4975.0, 90.0}, {5025.0, 4975.0, 270.0}});
    Network per_re = total;
    // 46 dBm over 100 RB × 12 sub-carriers (TS 36.101 Table 5.6-1) = 15.2082 dBm per RE, given as
    // the table would give it; the total power left out, as a table with only RS power has it.
    const double rs = 46.0 - 10.0 * std::log10(1200.0);
    for (auto& c : per_re.table.cells) {
        c.rs_power_dbm = rs;
        c.tx_power_dbm.reset();
    }
    const auto a = run(total);
    const auto b = run(per_re);
    REQUIRE(a.size() == 1);
    REQUIRE(b.size() == 1);
    const std::size_t px = total.grid.index(80, 100);
    REQUIRE_FALSE(std::isnan(a[0].best_dbm[px]));
    std::size_t compared = 0;
    for (std::size_t i = 0; i < a[0].best_dbm.size(); ++i) {
        if (std::isnan(a[0].best_dbm[i])) {
            CHECK(std::isnan(b[0].best_dbm[i]));
            continue;
        }
        ++compared;
        CHECK(b[0].best_dbm[i] == doctest::Approx(a[0].best_dbm[i]).epsilon(1e-6));
        CHECK(b[0].server[i] == a[0].server[i]);
        CHECK(b[0].sinr_db[i] == doctest::Approx(a[0].sinr_db[i]).epsilon(1e-5));
    }
    CHECK(compared > 1000);
    // 3 dB more per RE: 3 dB more RSRP everywhere, which the total power could not say at this
    // bandwidth without a power boost.
    for (auto& c : per_re.table.cells) c.rs_power_dbm = rs + 3.0;
    const auto boosted = run(per_re);
    CHECK(boosted[0].best_dbm[px] == doctest::Approx(a[0].best_dbm[px] + 3.0).epsilon(1e-5));
}

TEST_CASE("best server, second best, overlap and SINR of two facing cells") {
    // Two cells 4 km apart facing each other: the pixel halfway sees both equally.
    Network n = make_network({{1025.0, 4975.0, 90.0}, {5025.0, 4975.0, 270.0}});
    const auto layers = run(n);
    const LayerResult& l = layers[0];
    const std::size_t mid = n.grid.index(60, 99);   // x = 3025: 2,000 m from each
    CHECK(l.best_dbm[mid] == doctest::Approx(l.second_dbm[mid]).epsilon(1e-4));
    CHECK(l.server[mid] == 0);  // a tie goes to the lower cell index
    CHECK(l.n_within_6db[mid] == 2);
    // SINR = S / (load·I + N): equal S and I at load 0.5 → about +3 dB, less the noise.
    const double s_mw = std::pow(10.0, l.best_dbm[mid] / 10.0);
    const double i_mw = 0.5 * std::pow(10.0, l.second_dbm[mid] / 10.0);
    const double n_mw = std::pow(10.0, l.noise_dbm / 10.0);
    CHECK(l.sinr_db[mid] == doctest::Approx(10.0 * std::log10(s_mw / (i_mw + n_mw))).epsilon(0.001));
    CHECK(l.sinr_db[mid] == doctest::Approx(3.01).epsilon(0.01));
    // Noise per 15 kHz RE with a 9 dB noise figure: −174 + 41.76 + 9 = −123.24 dBm.
    CHECK(l.noise_dbm == doctest::Approx(-123.239).epsilon(1e-4));
    // Closer to cell 1: it serves, and the throughput follows TR 36.942 A.2.
    const std::size_t near1 = n.grid.index(90, 99);
    CHECK(l.server[near1] == 1);
    CHECK(l.sinr_db[near1] > l.sinr_db[mid]);
    CHECK(l.throughput_mbps[near1] > l.throughput_mbps[mid]);
    CHECK(l.throughput_mbps[near1] <= 0.6 * std::log2(1.0 + std::pow(10.0, 2.2)) * 20.0 + 1e-3);
}

TEST_CASE("the calculation floor cuts the signal, and nothing above it is lost") {
    Network n = make_network({{5025.0, 4975.0, 0.0}});
    n.config.rsrp_floor_dbm = -95.0;
    const auto cut = run(n)[0].best_dbm;
    // The same network without a floor (to the radius cap) as the reference.
    n.config.rsrp_floor_dbm = -200.0;
    const auto all = run(n)[0].best_dbm;
    std::size_t above = 0;
    for (std::size_t i = 0; i < cut.size(); ++i) {
        if (std::isfinite(cut[i])) CHECK(cut[i] >= -95.0f);
        // Every pixel clearly above the floor (beyond the 0.01 dB rounding) is kept, unchanged:
        // the reach per direction never cuts a pixel that could be above the floor.
        if (std::isfinite(all[i]) && all[i] >= -94.99f) {
            ++above;
            REQUIRE(cut[i] == all[i]);
        }
    }
    CHECK(above > 100);
}

TEST_CASE("results are identical with 1 and 2 threads") {
    Network n = make_network({{1025.0, 4975.0, 90.0}, {5025.0, 4975.0, 270.0}, {3025.0, 7025.0, 180.0},
                              {3025.0, 2025.0, 30.0}});
    n.config.diffraction = DiffractionMethod::delta_bullington;
    n.config.model.kind = radio::ModelKind::cost231_hata;
    n.config.near_radius_m = 2000;
    n.zone_thresholds_dbm = std::array<double, 4>{-100.0, -110.0, -110.0, -110.0};
    for (std::size_t i = 0; i < n.dem.size(); ++i) n.dem[i] = static_cast<float>(20.0 * std::sin(i * 0.013));
    // Without an extended zone, with one beyond near_radius_m, and beyond each cell's threshold.
    for (const auto& [zones, block] : {std::pair{ZoneMode::exact, 1}, std::pair{ZoneMode::distance, 3},
                                       std::pair{ZoneMode::thresholds, 3}}) {
        CAPTURE(static_cast<int>(zones));
        n.config.zones = zones;
        n.config.far_block_px = block;
        const std::vector<LayerResult> one = run_on_threads(n, 1);
        const std::vector<LayerResult> two = run_on_threads(n, 2);
        REQUIRE(one.size() == two.size());
        CHECK(std::memcmp(one[0].best_dbm.data(), two[0].best_dbm.data(), one[0].best_dbm.size() * 4) == 0);
        CHECK(std::memcmp(one[0].sinr_db.data(), two[0].sinr_db.data(), one[0].sinr_db.size() * 4) == 0);
        CHECK(std::memcmp(one[0].second_dbm.data(), two[0].second_dbm.data(), one[0].second_dbm.size() * 4) == 0);
        CHECK(one[0].server == two[0].server);
        CHECK(one[0].n_within_6db == two[0].n_within_6db);
    }
}

TEST_CASE("operators of one source each are predicted on every thread, their layers handed on in table order") {
    // Four sites, each the only source of its own operator and layer, and a fifth operator whose
    // layer has no cell: the threads take sources whatever operator they belong to, and an
    // operator's layers depend on its own sources only.
    Network n = make_network({{1025.0, 4975.0, 90.0}, {5025.0, 4975.0, 270.0}, {3025.0, 7025.0, 180.0},
                              {3025.0, 2025.0, 30.0}});
    n.config.zones = ZoneMode::thresholds;
    n.config.far_block_px = 3;
    n.zone_thresholds_dbm = std::array<double, 4>{-100.0, -110.0, -110.0, -110.0};
    n.table.layers.clear();
    const std::vector<std::string> ops = {"A", "B", "Empty", "C", "D"};
    for (const std::string& op : ops) n.table.layers.push_back({op + " LTE B3", op, radio::Technology::lte, "B3", {}});
    for (std::size_t i = 0; i < n.table.cells.size(); ++i) {
        const std::size_t layer = i < 2 ? i : i + 1;
        n.table.cells[i].operator_name = ops[layer];
        n.table.cells[i].layer = layer;
        n.table.sites[i].operator_name = ops[layer];
        n.table.layers[layer].cells = {i};
    }
    const std::vector<LayerResult> one = run_on_threads(n, 1);
    const std::vector<LayerResult> two = run_on_threads(n, 2);
    REQUIRE(one.size() == ops.size());
    REQUIRE(two.size() == ops.size());
    for (std::size_t l = 0; l < ops.size(); ++l) {
        CAPTURE(l);
        CHECK(one[l].layer == l);
        CHECK(two[l].layer == l);
        CHECK(std::memcmp(one[l].best_dbm.data(), two[l].best_dbm.data(), one[l].best_dbm.size() * 4) == 0);
        CHECK(one[l].server == two[l].server);
    }
    // Each layer holds its own cell only, as the cell alone predicts it.
    for (std::size_t i = 0; i < n.table.cells.size(); ++i) {
        const std::size_t layer = i < 2 ? i : i + 1;
        Network alone = make_network({{n.placements[i].x_m, n.placements[i].y_m, n.table.cells[i].azimuth_deg}});
        alone.config = n.config;
        alone.zone_thresholds_dbm = n.zone_thresholds_dbm;
        const auto ref = run(alone);
        REQUIRE(ref.size() == 1);
        CHECK(std::memcmp(ref[0].best_dbm.data(), two[layer].best_dbm.data(), ref[0].best_dbm.size() * 4) == 0);
        CHECK(std::count(two[layer].server.begin(), two[layer].server.end(), static_cast<std::int32_t>(i)) > 0);
    }
    CHECK(std::all_of(two[2].best_dbm.begin(), two[2].best_dbm.end(), [](float v) { return std::isnan(v); }));
}

TEST_CASE("zones = thresholds: every signal a threshold reads is the all-exact one; weaker ones come once per block (issue #26)") {
    // Four cells on hilly ground with terrain diffraction; LTE's weakest threshold −110 dBm (the
    // overlap margin already deducted, as zone_thresholds_dbm gives it), the floor −140 dBm.
    Network n = make_network({{1025.0, 4975.0, 90.0}, {5025.0, 4975.0, 270.0}, {3025.0, 7025.0, 180.0},
                              {3025.0, 2025.0, 30.0}});
    n.config.model.kind = radio::ModelKind::cost231_hata;
    n.config.diffraction = DiffractionMethod::bullington;
    for (std::size_t i = 0; i < n.dem.size(); ++i) n.dem[i] = static_cast<float>(40.0 * std::sin(i * 0.0071));
    PredictionStats exact_stats;
    const LayerResult exact = run(n, &exact_stats)[0];
    n.config.zones = ZoneMode::thresholds;
    n.config.far_block_px = 3;
    n.zone_thresholds_dbm = std::array<double, 4>{-100.0, -110.0, -110.0, -110.0};
    PredictionStats zoned_stats;
    const LayerResult zoned = run(n, &zoned_stats)[0];
    CHECK(exact_stats.extended_evaluations == 0);
    CHECK(zoned_stats.extended_evaluations > 0);
    CHECK(zoned_stats.pixel_evaluations < exact_stats.pixel_evaluations / 2);
    // The blocks' own signals take out of the exact zone part of what the bound alone (no
    // terrain loss) puts in it (13 % of its evaluations on this small grid): a margin wider than the threshold's height above the floor
    // leaves the bound alone.
    n.config.zone_margin_db = 100;
    PredictionStats bound_stats;
    const LayerResult bound_only = run(n, &bound_stats)[0];
    n.config.zone_margin_db = PredictionConfig{}.zone_margin_db;
    CHECK(zoned_stats.pixel_evaluations - zoned_stats.extended_evaluations <
          (bound_stats.pixel_evaluations - bound_stats.extended_evaluations) * 9 / 10);
    std::size_t strong = 0;
    std::size_t weak = 0;
    std::size_t lost = 0;
    for (std::size_t i = 0; i < exact.best_dbm.size(); ++i) {
        // Where the best signal is at a threshold (−104 dBm with the margin back), it and every
        // signal within the margin are the exact ones: best, second, server and overlap.
        if (exact.best_dbm[i] >= -104.0f) {
            ++strong;
            REQUIRE(zoned.best_dbm[i] == exact.best_dbm[i]);
            REQUIRE(bound_only.best_dbm[i] == exact.best_dbm[i]);
            REQUIRE(zoned.server[i] == exact.server[i]);
            REQUIRE(zoned.n_within_6db[i] == exact.n_within_6db[i]);
            if (exact.second_dbm[i] >= -110.0f) REQUIRE(zoned.second_dbm[i] == exact.second_dbm[i]);
        } else if (std::isfinite(exact.best_dbm[i])) {
            ++weak;
            // Below every threshold, the best signal stays below it (a block's value is a signal
            // beyond every cell's exact zone), or is gone where the block's centre is beyond the
            // reach (the fringe at the floor).
            REQUIRE_FALSE(zoned.best_dbm[i] >= -104.0f);
            lost += std::isnan(zoned.best_dbm[i]) ? 1 : 0;
        }
    }
    CHECK(strong > 300);
    CHECK(weak > 1000);
    // On this hilly ground the floor's fringe is wide: about 28 % of the weak pixels lie in
    // blocks whose centre is below the floor.
    CHECK(lost < weak / 2);
}

TEST_CASE("results are identical with every kernel this CPU has (the AVX-512 cell loop and ITM resampling)") {
    // The prediction through radio::best_kernels() (AVX-512 where the CPU has it: the cell loop's
    // 16-pixel kernel, ITM's Δh resampling) and capped at AVX2 and at the scalar loops, on hilly
    // ground where cells overlap, reaches end mid-row and the floor cuts: the same bytes.
    Network n = make_network({{1025.0, 4975.0, 90.0}, {5025.0, 4975.0, 270.0}, {3025.0, 7025.0, 180.0},
                              {3025.0, 2025.0, 30.0}});
    n.config.rsrp_floor_dbm = -110.0;
    for (std::size_t i = 0; i < n.dem.size(); ++i) n.dem[i] = static_cast<float>(60.0 * std::sin(i * 0.0071));
    if (!radio::cpu_has_avx512()) MESSAGE("this CPU has no AVX-512: the AVX-512 kernels do not run");
    n.zone_thresholds_dbm = std::array<double, 4>{-90.0, -95.0, -95.0, -95.0};
    for (const auto& [model, zones] : {std::pair{radio::ModelKind::cost231_hata, ZoneMode::exact},
                                       std::pair{radio::ModelKind::itm, ZoneMode::exact},
                                       std::pair{radio::ModelKind::cost231_hata, ZoneMode::thresholds}}) {
        CAPTURE(static_cast<int>(model));
        CAPTURE(static_cast<int>(zones));
        n.config.model.kind = model;
        n.config.zones = zones;
        std::vector<std::vector<LayerResult>> runs;
        for (const radio::Kernels k : {radio::Kernels::avx512, radio::Kernels::avx2, radio::Kernels::scalar}) {
            radio::limit_kernels(k);
            runs.push_back(run(n));
        }
        radio::limit_kernels(radio::Kernels::avx512);
        std::size_t covered = 0;
        for (float v : runs[0][0].best_dbm) covered += std::isfinite(v) ? 1 : 0;
        CHECK(covered > 1000);
        for (std::size_t r = 1; r < runs.size(); ++r) {
            CAPTURE(r);
            const LayerResult& a = runs[0][0];
            const LayerResult& b = runs[r][0];
            CHECK(std::memcmp(a.best_dbm.data(), b.best_dbm.data(), a.best_dbm.size() * 4) == 0);
            CHECK(std::memcmp(a.second_dbm.data(), b.second_dbm.data(), a.second_dbm.size() * 4) == 0);
            CHECK(std::memcmp(a.sinr_db.data(), b.sinr_db.data(), a.sinr_db.size() * 4) == 0);
            CHECK(a.server == b.server);
            CHECK(a.n_within_6db == b.n_within_6db);
        }
    }
}

TEST_CASE("beyond the near radius, one evaluation at the block centre counts for the whole block") {
    // Two cells 4 km apart facing each other, flat ground, free space: a pixel's signal depends
    // only on its position, so the far zone must give every pixel of a block exactly what the
    // full-resolution prediction gives the block's centre pixel, composed (best, second, server,
    // overlap, SINR) as if merged pixel by pixel.
    Network n = make_network({{1025.0, 4975.0, 90.0}, {5025.0, 4975.0, 270.0}});
    n.config.zones = ZoneMode::distance;
    n.config.near_radius_m = 2500;
    n.config.far_block_px = 3;
    const LayerResult far = run(n)[0];
    n.config.far_block_px = 1;
    const LayerResult full = run(n)[0];
    const double near2 = 2500.0 * 2500.0;
    std::size_t in_far = 0;
    std::size_t in_near = 0;
    for (int row = 0; row < n.grid.rows; ++row) {
        for (int col = 0; col < n.grid.cols; ++col) {
            const int cc = std::min(col / 3 * 3 + 1, n.grid.cols - 1);
            const int cr = std::min(row / 3 * 3 + 1, n.grid.rows - 1);
            const double bx = n.grid.origin_x_m + (col / 3 * 3 + 1.5) * 50.0;
            const double by = n.grid.origin_y_m - (row / 3 * 3 + 1.5) * 50.0;
            int far_sites = 0;
            for (const auto& p : n.placements) {
                far_sites += (bx - p.x_m) * (bx - p.x_m) + (by - p.y_m) * (by - p.y_m) > near2 ? 1 : 0;
            }
            const std::size_t i = n.grid.index(col, row);
            if (far_sites == 0) {  // the main zone of both: evaluated pixel by pixel
                ++in_near;
                REQUIRE(far.best_dbm[i] == full.best_dbm[i]);
                REQUIRE(far.server[i] == full.server[i]);
            } else if (far_sites == 2) {
                ++in_far;
                const std::size_t c = n.grid.index(cc, cr);
                // Rays stop at the DEM's edge, and the far zone's rays are sparser: next to the
                // edge, the ray nearest a block centre may end before it.
                const bool edge = bx < 150 || by < 150 || bx > 9850 || by > 9850;
                if (edge) continue;
                if (std::isnan(full.best_dbm[c])) {
                    REQUIRE(std::isnan(far.best_dbm[i]));
                    continue;
                }
                INFO("pixel ", col, ",", row, " centre ", cc, ",", cr);
                REQUIRE(far.best_dbm[i] == doctest::Approx(full.best_dbm[c]).epsilon(1e-4));
                if (std::abs(full.best_dbm[c] - full.second_dbm[c]) > 0.02f) REQUIRE(far.server[i] == full.server[c]);
                REQUIRE(far.n_within_6db[i] == full.n_within_6db[c]);
                REQUIRE(far.sinr_db[i] == doctest::Approx(full.sinr_db[c]).epsilon(1e-3));
                if (std::isnan(full.second_dbm[c])) {
                    REQUIRE(std::isnan(far.second_dbm[i]));
                } else {
                    REQUIRE(far.second_dbm[i] == doctest::Approx(full.second_dbm[c]).epsilon(1e-4));
                }
            }
        }
    }
    CHECK(in_near > 500);
    CHECK(in_far > 10000);
}

TEST_CASE("a cell naming an antenna missing from the catalogue is an input error naming the rows") {
    Network n = make_network({{1025.0, 4975.0, 90.0}});
    n.table.cells[0].antenna = "nope";
    try {
        (void)load_antennas({}, n.table, "scenario.toml");
        FAIL("expected an InputError");
    } catch (const InputError& e) {
        const std::string msg = e.what();
        CHECK(msg.find("synthetic, row 1, field antenna") != std::string::npos);
        CHECK(msg.find("[antennas.nope]") != std::string::npos);
    }
}

TEST_CASE("a site's footprint is its own prediction above the threshold") {
    Network n = make_network({{1025.0, 4975.0, 90.0}, {5025.0, 4975.0, 270.0}, {3025.0, 7025.0, 180.0}});
    n.config.diffraction = DiffractionMethod::bullington;
    n.config.model.kind = radio::ModelKind::cost231_hata;
    for (std::size_t i = 0; i < n.dem.size(); ++i) n.dem[i] = static_cast<float>(20.0 * std::sin(i * 0.013));
    constexpr double kThreshold = -100.0;
    const PredictionInputs in{n.grid, n.dem, n.table, n.placements, n.config, n.antennas};
    const std::vector<Footprint> feet = site_footprints(in, kThreshold);
    REQUIRE(feet.size() == 3);
    for (std::size_t s = 0; s < 3; ++s) {
        // The reference: the network with site s alone, its floor at the threshold (the floor sets
        // the radius, hence the rays of the sweep).
        Network one = n;
        one.config.rsrp_floor_dbm = kThreshold;
        one.config.far_block_px = 1;  // footprints have no far zone (footprint.hpp)
        one.table.cells = {n.table.cells[s]};
        one.table.layers[0].cells = {0};
        one.table.sites = {{n.table.sites[s].site_id, "Op", 0, 0, {0}}};
        one.placements = {n.placements[s]};
        const auto best = run(one)[0].best_dbm;
        // Same pixels and values, but for signals within the 0.01 dB rounding of the threshold
        // (the footprint compares the unrounded signal).
        std::size_t clearly_above = 0;
        for (std::size_t i = 0; i < best.size(); ++i) {
            clearly_above += std::isfinite(best[i]) && best[i] >= kThreshold + 0.01 ? 1 : 0;
        }
        CHECK(clearly_above > 50);
        std::size_t matched = 0;
        for (std::size_t k = 0; k < feet[s].pixels.size(); ++k) {
            const float ref = best[feet[s].pixels[k]];
            REQUIRE(feet[s].signal_dbm[k] == ref);
            CHECK(ref >= kThreshold - 0.01);
            matched += ref >= kThreshold + 0.01 ? 1 : 0;
        }
        CHECK(matched == clearly_above);
        CHECK(std::is_sorted(feet[s].pixels.begin(), feet[s].pixels.end()));
    }
}

TEST_CASE("a site's footprint with several cells is their strongest signal per pixel") {
    // One site, three sectors (0°, 120°, 240°) whose patterns overlap: the footprint takes, per
    // pixel, the strongest of the three, as the layer's best server does.
    Network n = make_network({{5025.0, 4975.0, 0.0}, {5025.0, 4975.0, 120.0}, {5025.0, 4975.0, 240.0}});
    n.table.sites = {{"S0", "Op", 0, 0, {0, 1, 2}}};
    for (auto& c : n.table.cells) c.site_id = "S0";
    n.placements = {n.placements[0]};
    n.config.rsrp_floor_dbm = -100.0;
    n.config.far_block_px = 1;
    const PredictionInputs in{n.grid, n.dem, n.table, n.placements, n.config, n.antennas};
    const std::vector<Footprint> feet = site_footprints(in, -100.0);
    REQUIRE(feet.size() == 1);
    const auto best = run(n)[0].best_dbm;
    std::size_t clearly_above = 0;
    for (const float b : best) clearly_above += std::isfinite(b) && b >= -100.0 + 0.01 ? 1 : 0;
    CHECK(clearly_above > 1000);
    std::size_t matched = 0;
    for (std::size_t k = 0; k < feet[0].pixels.size(); ++k) {
        REQUIRE(feet[0].signal_dbm[k] == best[feet[0].pixels[k]]);
        matched += best[feet[0].pixels[k]] >= -100.0 + 0.01 ? 1 : 0;
    }
    CHECK(matched == clearly_above);
    CHECK(std::adjacent_find(feet[0].pixels.begin(), feet[0].pixels.end(), std::greater_equal<>()) ==
          feet[0].pixels.end());  // strictly ascending: one entry per pixel
}

TEST_CASE("the zones' thresholds: the weakest signal each technology's outputs read, the classes' less the overlap margin (issue #26)") {
    AnalysisConfig analysis;
    PlanConfig plan;
    // Classes' fair bounds GSM −93, UMTS −110, LTE/NR −115 dBm with 6 dB of overlap margin; the
    // sensitivity table down to −125 dBm (RSRP only, the best signal: no margin).
    auto t = zone_thresholds_dbm(analysis, plan);
    CHECK(t[static_cast<std::size_t>(radio::Technology::gsm)] == doctest::Approx(-99.0));
    CHECK(t[static_cast<std::size_t>(radio::Technology::umts)] == doctest::Approx(-116.0));
    CHECK(t[static_cast<std::size_t>(radio::Technology::lte)] == doctest::Approx(-125.0));
    CHECK(t[static_cast<std::size_t>(radio::Technology::nr)] == doctest::Approx(-125.0));
    // A location-probability margin raises the classes' bounds (read_analysis adds it to them),
    // and the plan's threshold counts for NR when the plan runs.
    for (auto& c : analysis.thresholds) c.fair_signal_dbm += 20.0;
    analysis.sensitivity_min_dbm = -95.0;
    plan.enabled = true;
    plan.coverage_threshold_dbm = -112.0;
    t = zone_thresholds_dbm(analysis, plan);
    CHECK(t[static_cast<std::size_t>(radio::Technology::gsm)] == doctest::Approx(-87.0));  // good −81 − 6
    CHECK(t[static_cast<std::size_t>(radio::Technology::lte)] == doctest::Approx(-111.0));  // good −105 − 6
    CHECK(t[static_cast<std::size_t>(radio::Technology::nr)] == doctest::Approx(-112.0));  // the plan's, no margin
}
