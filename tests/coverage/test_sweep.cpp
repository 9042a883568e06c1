// The radial sweep against the whole-profile functions on synthetic terrain with known answers.
#include <doctest/doctest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <numbers>
#include <random>
#include <span>
#include <vector>

#include "phusong/coverage/gain_table.hpp"
#include "phusong/coverage/sweep.hpp"
#include "phusong/radio/antenna.hpp"
#include "phusong/radio/diffraction.hpp"
#include "phusong/radio/multiversion.hpp"
#include "synthetic.hpp"

using namespace phusong;
using namespace phusong::coverage;

namespace {

/// A 30 m grid of 400 × 400 pixels (12 km): terrain from `height(x, y)`.
template <typename F>
geo::Grid make_terrain(std::vector<float>& dem, F height) {
    return test::make_terrain(dem, height, 400);
}

SweepSource source_at(const geo::Grid& g, double x, double y, double ground, double radius) {
    SweepSource s;
    s.x_m = x;
    s.y_m = y;
    s.ground_m = ground;
    s.height_agl_m = 30;
    s.radius_m = radius;
    s.freqs_mhz = {1815.0};
    (void)g;
    return s;
}

double swept_loss(const RadialSweep& sweep, const SweepSource& s, const geo::Grid& g,
                  const std::vector<float>& dem, int col, int row) {
    const double dx = g.col_center_x(col) - s.x_m;
    const double dy = g.row_center_y(row) - s.y_m;
    float out[RadialSweep::kMaxFrequencies];
    REQUIRE(sweep.losses_db(sweep.ray_of(std::atan2(dx, dy)), std::hypot(dx, dy), dem[g.index(col, row)], out));
    return out[0];
}

/// A Gaussian ridge 150 m high and 250 m wide, north-south at x = 4,515 m, on a flat 20 m plain.
geo::Grid ridge_terrain(std::vector<float>& dem) {
    return make_terrain(dem, [](double x, double) { return 20.0 + 150.0 * std::exp(-std::pow((x - 4515.0) / 250.0, 2)); });
}

/// Rough terrain (hills of several wavelengths) and a source with three frequency groups at the
/// grid's centre, radius 5.5 km: for the tests that compare two ways of asking the sweep.
SweepSource three_band_source_on_hills(std::vector<float>& dem, geo::Grid& g) {
    g = make_terrain(dem, [](double x, double y) {
        return 80.0 + 60.0 * std::sin(x / 500.0) * std::cos(y / 800.0) + 30.0 * std::sin((x - y) / 270.0);
    });
    SweepSource s = source_at(g, 6015, 5985, dem[g.index(200, 200)], 5500);
    s.freqs_mhz = {900.0, 1815.0, 2140.0};
    return s;
}

}  // namespace

TEST_CASE("a ridge casts a shadow: the sweep matches the exact profile along a grid row") {
    // A Gaussian ridge 150 m high across the path 3 km east of the site (flat 20 m plain).
    std::vector<float> dem;
    const geo::Grid g = ridge_terrain(dem);
    // The site at a pixel centre; the receivers due east lie exactly on the ray at azimuth 90°.
    const double sx = g.col_center_x(50);
    const double sy = g.row_center_y(200);
    const SweepSource s = source_at(g, sx, sy, 20.0, 9000);
    for (DiffractionMethod method : {DiffractionMethod::bullington, DiffractionMethod::delta_bullington}) {
        SweepSettings settings;
        settings.method = method;
        RadialSweep sweep;
        sweep.run(s, g, dem, settings);
        double max_delta = 0;
        for (int col = 52; col < 340; ++col) {
            const double exact = exact_profile_loss_db(s, g.col_center_x(col), sy, 1815.0, g, dem, settings, 30.0);
            const double swept = swept_loss(sweep, s, g, dem, col, 200);
            max_delta = std::max(max_delta, std::abs(exact - swept));
        }
        // Same terrain, same receiver: only the smooth-earth correction's interpolation and the
        // closed-form smooth-path Bullington differ from the exact profile.
        CHECK(max_delta < 0.3);
        // In front of the ridge: clear; behind it: a deep shadow that fills in with distance.
        CHECK(swept_loss(sweep, s, g, dem, 90, 200) < 1.0);
        const double behind = swept_loss(sweep, s, g, dem, 170, 200);
        CHECK(behind > 20.0);
        CHECK(swept_loss(sweep, s, g, dem, 330, 200) < behind);
    }
}

TEST_CASE("flat terrain: the sweep equals the exact profile, and is free within 3 km") {
    // Flat ground at 5 m on the curved earth (k = 4/3), a 30 m mast, a 1.5 m receiver, 1815 MHz.
    // Bullington's ν_max (eq 16) sits at the ground next to the receiver; by the whole-profile
    // function it is −0.845 at 3 km (J = 0: no loss) and −0.728 at 4 km (Lbull = 0.92 dB): the
    // receiver's first Fresnel zone starts to graze the earth.
    std::vector<float> dem;
    const geo::Grid g = make_terrain(dem, [](double, double) { return 5.0; });
    const SweepSource s = source_at(g, g.col_center_x(100), g.row_center_y(180), 5.0, 8000);
    for (DiffractionMethod method : {DiffractionMethod::bullington, DiffractionMethod::delta_bullington}) {
        SweepSettings settings;
        settings.method = method;
        RadialSweep sweep;
        sweep.run(s, g, dem, settings);
        double previous = 0;
        for (int col = 105; col < 370; col += 5) {
            const double exact =
                exact_profile_loss_db(s, g.col_center_x(col), g.row_center_y(180), 1815.0, g, dem, settings, 30.0);
            const double swept = swept_loss(sweep, s, g, dem, col, 180);
            CHECK(std::abs(swept - exact) < 0.1);
            CHECK(swept >= previous - 0.01);  // grows with distance
            previous = swept;
            if (method == DiffractionMethod::bullington && (col - 100) * 30 <= 3000) CHECK(swept == 0.0);
        }
        CHECK(previous > 1.0);
    }
}

TEST_CASE("the sweep matches random-azimuth exact profiles on rough terrain within the design bound") {
    // Hills of several wavelengths: the acceptance bound of DESIGN.md (median 0.5 dB, p95 2 dB).
    std::vector<float> dem;
    const geo::Grid g = make_terrain(dem, [](double x, double y) {
        return 50.0 + 40.0 * std::sin(x / 700.0) * std::cos(y / 900.0) + 25.0 * std::sin((x + y) / 310.0);
    });
    const SweepSource s = source_at(g, 6015, 5985, dem[g.index(200, 200)], 5500);
    SweepSettings settings;
    RadialSweep sweep;
    sweep.run(s, g, dem, settings);
    std::vector<double> deltas;
    for (int i = 0; i < 400; ++i) {
        const double a = 2.0 * std::numbers::pi * i / 400.0 + 0.37;
        const double r = 300.0 + 5000.0 * ((i * 7919) % 400) / 400.0;
        const auto px = g.pixel_of(s.x_m + r * std::sin(a), s.y_m + r * std::cos(a));
        REQUIRE(px);
        const double x = g.col_center_x((*px)[0]);
        const double y = g.row_center_y((*px)[1]);
        const double exact = exact_profile_loss_db(s, x, y, 1815.0, g, dem, settings, 30.0);
        deltas.push_back(std::abs(exact - swept_loss(sweep, s, g, dem, (*px)[0], (*px)[1])));
    }
    std::sort(deltas.begin(), deltas.end());
    CHECK(deltas[deltas.size() / 2] <= 0.5);
    CHECK(deltas[deltas.size() * 95 / 100] <= 2.0);
}

TEST_CASE("a ray stops at the DEM's edge") {
    std::vector<float> dem;
    const geo::Grid g = make_terrain(dem, [](double, double) { return 5.0; });
    const SweepSource s = source_at(g, 600, 6000, 5.0, 3000);
    RadialSweep sweep;
    sweep.run(s, g, dem, SweepSettings{});
    float out[RadialSweep::kMaxFrequencies];
    // West of the site the grid ends after 600 m.
    CHECK(sweep.losses_db(sweep.ray_of(-std::numbers::pi / 2), 500.0, 5.0, out));
    CHECK_FALSE(sweep.losses_db(sweep.ray_of(-std::numbers::pi / 2), 1500.0, 5.0, out));
    CHECK(sweep.losses_db(sweep.ray_of(std::numbers::pi / 2), 2500.0, 5.0, out));
}

TEST_CASE("a ray's heights are the DEM's bilinear values along it, and it ends at nodata") {
    std::vector<float> dem;
    const geo::Grid g = make_terrain(dem, [](double x, double y) {
        return 50.0 + 40.0 * std::sin(x / 700.0) * std::cos(y / 900.0) + 25.0 * std::sin((x + y) / 310.0);
    });
    // A nodata pixel 2 km north of the site: the ray through it ends at the last sample before.
    const double sx = g.col_center_x(200);
    const double sy = g.row_center_y(200);
    dem[g.index(200, 200 - 67)] = std::numeric_limits<float>::quiet_NaN();
    const SweepSource s = source_at(g, sx, sy, dem[g.index(200, 200)], 5000);
    RadialSweep sweep;
    sweep.run(s, g, dem, SweepSettings{});
    std::size_t checked = 0;
    for (int ray = 0; ray < sweep.rays(); ray += 7) {
        const double a = 2.0 * std::numbers::pi * ray / sweep.rays();
        const std::span<const float> h = sweep.ray_heights(ray);
        for (std::size_t k = 1; k < h.size(); ++k) {
            const double d = static_cast<double>(k) * sweep.step_m();
            const double expected = geo::sample_bilinear(g, dem, g.fcol(sx + d * std::sin(a)), g.frow(sy + d * std::cos(a)));
            REQUIRE(std::isfinite(expected));
            CHECK(h[k] == doctest::Approx(expected).epsilon(2e-7));  // stored as float
            ++checked;
        }
    }
    CHECK(checked > 10000);
    const int north = sweep.ray_of(0.0);
    CHECK(sweep.reaches(north, 1800.0));
    CHECK_FALSE(sweep.reaches(north, 2100.0));
}

TEST_CASE("a ray's heights: the AVX2 kernel gives the scalar loop's numbers bit for bit, and ends the ray where it does") {
    // Random rays from random points (some off the grid's edge, some crossing nodata holes),
    // every direction and several steps: the same last sample and the same heights.
    if (!radio::cpu_has_avx2()) {
        MESSAGE("this CPU has no AVX2: only the scalar loop runs");
        return;
    }
    std::vector<float> dem;
    const geo::Grid g = make_terrain(dem, [](double x, double y) {
        return 50.0 + 40.0 * std::sin(x / 700.0) * std::cos(y / 900.0) + 25.0 * std::sin((x + y) / 310.0);
    });
    std::mt19937 rng(11);
    std::uniform_real_distribution<double> uni(0.0, 1.0);
    for (int hole = 0; hole < 40; ++hole) {
        dem[g.index(static_cast<int>(uni(rng) * g.cols), static_cast<int>(uni(rng) * g.rows))] =
            std::numeric_limits<float>::quiet_NaN();
    }
    std::vector<double> scalar(2000);
    std::vector<double> avx2(2000);
    std::size_t compared = 0;
    for (int trial = 0; trial < 3000; ++trial) {
        const double col0 = uni(rng) * g.cols;
        const double row0 = uni(rng) * g.rows;
        const double a = uni(rng) * 2.0 * std::numbers::pi;
        const double step = 0.25 + 1.5 * uni(rng);
        const int last = 1 + static_cast<int>(uni(rng) * 1500.0);
        std::fill(scalar.begin(), scalar.end(), -1.0);
        std::fill(avx2.begin(), avx2.end(), -1.0);
        const int end_scalar = detail::sample_ray(g, dem, col0, row0, step * std::sin(a), -step * std::cos(a), last,
                                                  scalar.data(), false);
        const int end_avx2 = detail::sample_ray(g, dem, col0, row0, step * std::sin(a), -step * std::cos(a), last,
                                                avx2.data(), true);
        INFO("trial " << trial);
        REQUIRE(end_avx2 == end_scalar);
        int first_different = end_scalar + 1;
        for (int k = end_scalar; k >= 1; --k) {
            const auto i = static_cast<std::size_t>(k);
            if (std::bit_cast<std::uint64_t>(avx2[i]) != std::bit_cast<std::uint64_t>(scalar[i])) first_different = k;
        }
        REQUIRE(first_different == end_scalar + 1);
        compared += static_cast<std::size_t>(end_scalar);
    }
    CHECK(compared > 100000);
}

namespace {

/// A pixel's point asked of a sweep: its ray, distance (m) and ground (m).
struct Asked {
    int ray;
    double d;
    float ground;
};

/// Asks `sweep` for the nearest ray's sample of every pixel of `g` that `keep(col, row, distance_m,
/// azimuth_rad)` keeps, as predict asks; returns them.
template <typename Keep>
std::vector<Asked> want_pixels(RadialSweep& sweep, const SweepSource& s, const geo::Grid& g,
                               const std::vector<float>& dem, Keep&& keep) {
    std::vector<Asked> asked;
    for (int row = 0; row < g.rows; ++row) {
        for (int col = 0; col < g.cols; ++col) {
            const double dx = g.col_center_x(col) - s.x_m;
            const double dy = g.row_center_y(row) - s.y_m;
            const double d = std::hypot(dx, dy);
            if (!keep(col, row, d, std::atan2(dx, dy))) continue;
            const int ray = sweep.ray_of(std::atan2(dx, dy));
            sweep.want(ray, d);
            asked.push_back({ray, d, dem[g.index(col, row)]});
        }
    }
    return asked;
}

/// How many of `asked` get the same losses, at every one of `freqs` frequencies, from both sweeps
/// (each must have a loss there).
std::size_t same_losses(const RadialSweep& a, const RadialSweep& b, const std::vector<Asked>& asked, std::size_t freqs) {
    std::size_t same = 0;
    for (const Asked& p : asked) {
        float la[RadialSweep::kMaxFrequencies];
        float lb[RadialSweep::kMaxFrequencies];
        REQUIRE(a.losses_db(p.ray, p.d, p.ground, la));
        REQUIRE(b.losses_db(p.ray, p.d, p.ground, lb));
        bool equal = true;
        for (std::size_t f = 0; f < freqs; ++f) equal = equal && la[f] == lb[f];
        same += equal ? 1 : 0;
    }
    return same;
}

}  // namespace

TEST_CASE("the lazy sweep gives run()'s losses at every sample it was asked for") {
    std::vector<float> dem;
    geo::Grid g;
    const SweepSource s = three_band_source_on_hills(dem, g);
    for (DiffractionMethod method : {DiffractionMethod::bullington, DiffractionMethod::delta_bullington}) {
        SweepSettings settings;
        settings.method = method;
        RadialSweep eager;
        eager.run(s, g, dem, settings);
        RadialSweep lazy;
        lazy.prepare(s, g, settings);
        // Every pixel of the disc wants its nearest ray's nearest sample, as predict asks.
        const std::vector<Asked> asked = want_pixels(lazy, s, g, dem, [&](int col, int row, double d, double) {
            return d <= s.radius_m && (row + col) % 3 == 0;
        });
        lazy.sweep(g, dem);
        REQUIRE(asked.size() > 30000);
        CHECK(same_losses(eager, lazy, asked, s.freqs_mhz.size()) == asked.size());
    }
}

TEST_CASE("trim_to_wanted: rays end at their last wanted sample, every wanted loss unchanged (issue #26)") {
    std::vector<float> dem;
    geo::Grid g;
    const SweepSource s = three_band_source_on_hills(dem, g);
    for (DiffractionMethod method : {DiffractionMethod::bullington, DiffractionMethod::delta_bullington}) {
        CAPTURE(static_cast<int>(method));
        SweepSettings settings;
        settings.method = method;
        RadialSweep eager;
        eager.run(s, g, dem, settings);
        RadialSweep trimmed;
        trimmed.prepare(s, g, settings);
        // Points out to a distance that changes with the azimuth, as an exact zone's: most rays
        // end well before the radius, each at its own sample (not a correction anchor).
        const std::vector<Asked> asked = want_pixels(trimmed, s, g, dem, [&](int, int, double d, double azimuth) {
            return d <= s.radius_m * (0.3 + 0.6 * std::abs(std::sin(1.5 * azimuth)));
        });
        trimmed.trim_to_wanted();
        trimmed.sweep(g, dem);
        REQUIRE(asked.size() > 30000);
        std::size_t eager_samples = 0;
        std::size_t trimmed_samples = 0;
        for (int ray = 0; ray < eager.rays(); ++ray) {
            eager_samples += eager.ray_heights(ray).size();
            trimmed_samples += trimmed.ray_heights(ray).size();
        }
        CHECK(trimmed_samples < eager_samples * 3 / 4);
        CHECK(same_losses(eager, trimmed, asked, s.freqs_mhz.size()) == asked.size());
    }
}

TEST_CASE("step_px: a ray sampled every 2 pixels casts the same ridge shadow (issue #26)") {
    // The ridge of the test above, 250 m wide: sampled every 60 m instead of 30 m, the losses
    // behind it stay within 1.5 dB of the full sampling's (1.1 dB at most).
    std::vector<float> dem;
    const geo::Grid g = ridge_terrain(dem);
    const double sx = g.col_center_x(50);
    const double sy = g.row_center_y(200);
    const SweepSource s = source_at(g, sx, sy, 20.0, 9000);
    SweepSettings settings;
    RadialSweep full;
    full.run(s, g, dem, settings);
    settings.step_px = 2;
    RadialSweep sparse;
    sparse.run(s, g, dem, settings);
    CHECK(sparse.step_m() == doctest::Approx(60.0));
    CHECK(sparse.samples() == full.samples() / 2 + 1);
    double max_delta = 0;
    for (int col = 52; col < 340; ++col) {
        max_delta = std::max(max_delta, std::abs(swept_loss(full, s, g, dem, col, 200) - swept_loss(sparse, s, g, dem, col, 200)));
    }
    CHECK(max_delta < 1.5);
    CHECK(swept_loss(sparse, s, g, dem, 170, 200) > 20.0);
}

TEST_CASE("ray_losses_db: a whole ray's receivers at once give losses_db's values one by one") {
    std::vector<float> dem;
    geo::Grid g;
    const SweepSource s = three_band_source_on_hills(dem, g);
    for (DiffractionMethod method : {DiffractionMethod::bullington, DiffractionMethod::delta_bullington,
                                     DiffractionMethod::none}) {
        SweepSettings settings;
        settings.method = method;
        RadialSweep sweep;
        sweep.run(s, g, dem, settings);
        const std::size_t nf = s.freqs_mhz.size();
        for (const int ray : {0, 7, sweep.rays() / 3, sweep.rays() - 1}) {
            // Several batches of receivers: next to the site (no terrain term), along the ray on
            // grounds above and below it, and beyond its end (not reached).
            std::vector<double> d;
            std::vector<float> ground;
            for (int i = 0; i < 300; ++i) {
                d.push_back(i * 19.7);
                ground.push_back(static_cast<float>(40.0 + 90.0 * std::sin(i * 0.37)));
            }
            std::vector<float> out(d.size() * nf, -1.0f);
            std::vector<std::uint8_t> reached(d.size(), 2);
            sweep.ray_losses_db(ray, d, ground, out, reached);
            std::size_t reached_n = 0;
            for (std::size_t i = 0; i < d.size(); ++i) {
                std::vector<float> one(nf, -1.0f);
                REQUIRE((reached[i] != 0) == sweep.losses_db(ray, d[i], ground[i], one));
                if (reached[i] == 0) continue;
                ++reached_n;
                for (std::size_t f = 0; f < nf; ++f) CHECK(out[i * nf + f] == one[f]);
            }
            CHECK(reached_n > 200);
            CHECK(reached_n < d.size());  // the last receivers are beyond the ray's 5.5 km
        }
    }
}

TEST_CASE("frequencies within 10% share one sweep at their geometric mean") {
    std::vector<double> distinct;
    const std::vector<double> in = {1840.0, 945.2, 950.0, 1815.0, 2140.0, 2550.0};
    const std::vector<double> rep = group_frequencies(in, distinct);
    REQUIRE(distinct.size() == 4);
    CHECK(rep[1] == doctest::Approx(std::sqrt(945.2 * 950.0)));
    CHECK(rep[2] == rep[1]);
    CHECK(rep[0] == doctest::Approx(std::sqrt(1815.0 * 1840.0)));
    CHECK(rep[3] == rep[0]);
    CHECK(rep[4] == 2140.0);
    CHECK(rep[5] == 2550.0);
}

TEST_CASE("the gain table agrees with the antenna model it tabulates") {
    const auto pattern = std::make_shared<const radio::AntennaPattern>(
        radio::AntennaPattern::sector({18.0, 65.0, 6.0, 25.0, 20.0}));
    const GainTable table(pattern, 3.0, 5.0);
    const radio::OrientedAntenna direct(pattern, {0.0, 3.0, 5.0});
    double worst_main = 0;  // within 18 dB of the peak
    double worst = 0;
    for (double az = -180; az <= 180; az += 2.7) {
        for (double dep = -30; dep <= 60; dep += 0.37) {
            const double g = direct.gain_dbi(az, dep);
            const double e = std::abs(table.gain_dbi(static_cast<float>(az), static_cast<float>(dep)) - g);
            worst = std::max(worst, e);
            if (g >= 18.0 - 18.0) worst_main = std::max(worst_main, e);
        }
    }
    CHECK(worst_main < 0.05);
    CHECK(worst < 0.7);  // the corners where the pattern meets its 20 dB and 25 dB caps
    // Boresight at the total tilt: the full gain.
    CHECK(table.gain_dbi(0.0f, 8.0f) == doctest::Approx(18.0).epsilon(0.001));
    // The per-bin bound holds over the bin for every depression below the limit.
    for (int b = 0; b < GainTable::kBins; ++b) {
        for (float dep = -20; dep <= 10; dep += 0.25f) {
            for (float a = 5.0f * b; a < 5.0f * b + 5.0f; a += 0.5f) {
                REQUIRE(table.gain_dbi(a, dep) <= table.max_gain_dbi(b, dep) + 1e-4f);
            }
        }
    }
    // Within one turn, the inner loop's form gives the same bits, a whole turn (360°, which an
    // offset just below 0 rounds to once a turn is added) included.
    for (float a : {0.0f, 1e-6f, 0.5f, 17.3f, 180.0f, 359.5f, 359.99997f, 360.0f}) {
        for (float dep = -20; dep <= 10; dep += 1.25f) {
            REQUIRE(table.gain_dbi_within_turn(a, dep) == table.gain_dbi(a, dep));
        }
    }
    CHECK(table.gain_dbi_within_turn(360.0f, 8.0f) == table.gain_dbi_within_turn(0.0f, 8.0f));
}

TEST_CASE("ray_of: the nearest ray of any azimuth, in whole turns either way") {
    std::vector<float> dem;
    const geo::Grid g = make_terrain(dem, [](double, double) { return 20.0; });
    RadialSweep sweep;
    sweep.run(source_at(g, g.col_center_x(200), g.row_center_y(200), 20.0, 3000), g, dem, SweepSettings{});
    const int n = sweep.rays();
    const double step = 2.0 * std::numbers::pi / n;
    CHECK(sweep.ray_of(0.0) == 0);
    CHECK(sweep.ray_of(0.5 * std::numbers::pi) == std::lround(n / 4.0));
    CHECK(sweep.ray_of(-0.4 * step) == 0);
    CHECK(sweep.ray_of(-0.6 * step) == n - 1);
    CHECK(sweep.ray_of(2.0 * std::numbers::pi - 0.4 * step) == 0);  // the last half step: ray 0
    for (int ray = 0; ray < n; ray += 7) {
        for (const int turns : {-3, -1, 0, 1, 4}) {
            CAPTURE(ray);
            CAPTURE(turns);
            CHECK(sweep.ray_of((ray + 0.3) * step + turns * 2.0 * std::numbers::pi) == ray);
        }
    }
}
