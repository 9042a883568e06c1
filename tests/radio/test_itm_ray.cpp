// RayProfile (ITM's terrain analysis for every prefix of a ray) against analyse_profile + p2p
// on each prefix: the reference data's real profiles (tests/reference/itm) and synthetic rays.

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "reference.hpp"
#include "phusong/radio/itm.hpp"
#include "phusong/radio/itm_ray.hpp"

namespace itm = phusong::radio::itm;

namespace {

struct Ray {
    std::string name;
    double spacing_m = 30.0;
    std::vector<double> z;
};

/// An ITM pfl line (n intervals, spacing, n+1 elevations).
Ray ray_from_pfl(const std::string& name, const std::string& text) {
    std::vector<double> v;
    std::stringstream ss(text);
    std::string field;
    while (std::getline(ss, field, ','))
        if (field.find_first_not_of(" \t\r\n") != std::string::npos) v.push_back(std::stod(field));
    REQUIRE(v.size() >= 4);
    Ray r{name, v[1], std::vector<double>(v.begin() + 2, v.end())};
    REQUIRE(static_cast<double>(r.z.size()) == v[0] + 1.0);
    return r;
}

std::vector<Ray> anchor_rays() {
    const auto dir = phusong::test::reference_dir() / "itm";
    std::vector<Ray> out;
    std::ifstream pfls(dir / "ntia_itm_v1.4" / "pfls.csv");
    REQUIRE(pfls.good());
    std::string line;
    for (int i = 1; std::getline(pfls, line); ++i)
        if (!line.empty()) out.push_back(ray_from_pfl("pfls.csv#" + std::to_string(i), line));
    for (const auto& [name, path] :
         {std::pair{"cmd_examples/pfl.txt", dir / "ntia_itm_v1.4" / "cmd_examples" / "pfl.txt"},
          std::pair{"qkpfl", dir / "generated_from_ntia_itm_v1.4" /
                                 "qkpfl_crystal_palace_mursley_pfl.csv"}}) {
        std::ifstream in(path);
        REQUIRE(in.good());
        std::stringstream text;
        text << in.rdbuf();
        out.push_back(ray_from_pfl(name, text.str()));
    }
    return out;
}

/// Synthetic rays of `n` samples: rolling hills with noise (a random walk plus bumps), a plain
/// with rice-field noise, a ridge behind a valley, a DEM rounded to whole metres (ties), a flat
/// sea-level ray and a constant plateau.
std::vector<Ray> synthetic_rays(std::size_t n, double spacing, unsigned seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<double> normal(0.0, 1.0);
    std::vector<Ray> out;
    auto make = [&](const std::string& name, auto&& f) {
        Ray r{name + "/seed" + std::to_string(seed), spacing, std::vector<double>(n)};
        for (std::size_t i = 0; i < n; ++i) r.z[i] = f(static_cast<double>(i) * spacing);
        out.push_back(std::move(r));
    };
    double walk = 0.0;
    const double base = 20.0 + 300.0 * std::uniform_real_distribution<double>(0.0, 1.0)(rng);
    const double phase = 6.0 * std::uniform_real_distribution<double>(0.0, 1.0)(rng);
    make("hills", [&](double x) {
        walk += 2.0 * normal(rng);
        return base + walk + 60.0 * std::sin(x / 900.0 + phase) + 25.0 * std::sin(x / 310.0);
    });
    make("plain", [&](double x) { return 12.0 + 0.0004 * x + 1.5 * normal(rng); });
    make("ridge", [&](double x) {
        const double r = (x - 6000.0) / 700.0;
        return 40.0 + 350.0 * std::exp(-r * r) - 25.0 * std::exp(-x / 1500.0) + normal(rng);
    });
    walk = 0.0;
    make("rounded", [&](double x) {
        walk += normal(rng);
        return std::round(base + walk + 40.0 * std::sin(x / 1200.0 + phase));
    });
    make("sea", [](double) { return 0.0; });
    make("plateau", [](double) { return 812.0; });
    return out;
}

struct Stats {
    std::vector<double> abs_diff;
    void add(double d) { abs_diff.push_back(std::abs(d)); }
    double quantile(double q) {
        if (abs_diff.empty()) return 0.0;
        std::sort(abs_diff.begin(), abs_diff.end());
        const auto i = static_cast<std::size_t>(q * static_cast<double>(abs_diff.size() - 1));
        return abs_diff[i];
    }
};

itm::Params params_for(double freq_mhz, double h_tx, double h_rx) {
    itm::Params p;
    p.freq_mhz = freq_mhz;
    p.h_tx_m = h_tx;
    p.h_rx_m = h_rx;
    p.mdvar = itm::Mdvar::from_code(12);  // mobile, no location variability: the sweep's
    return p;
}

/// Loss of a geometry, or NaN where ITM has no answer (both sides must agree on that).
double loss_of(const itm::PathGeometry& g, const itm::Params& p) {
    try {
        return itm::p2p(g, p).loss_db;
    } catch (const std::domain_error&) {
        return std::nan("");
    }
}

/// Compares every field of two geometries; returns the largest relative difference.
double geometry_diff(const itm::PathGeometry& a, const itm::PathGeometry& b) {
    auto rel = [](double x, double y) {
        return std::abs(x - y) / std::max({1.0, std::abs(x), std::abs(y)});
    };
    double m = std::max({rel(a.distance_m, b.distance_m), rel(a.h_sys_m, b.h_sys_m),
                         rel(a.surface_refractivity_n, b.surface_refractivity_n),
                         rel(a.gamma_e_per_m * 1e9, b.gamma_e_per_m * 1e9),
                         rel(a.delta_h_m, b.delta_h_m)});
    for (int i = 0; i < 2; ++i)
        m = std::max({m, rel(a.horizon_angle_rad[i] * 1e3, b.horizon_angle_rad[i] * 1e3),
                      rel(a.horizon_distance_m[i], b.horizon_distance_m[i]),
                      rel(a.effective_height_m[i], b.effective_height_m[i])});
    return m;
}

struct Comparison {
    std::size_t prefixes = 0;
    double max_geometry_diff = 0.0;
    double max_loss_diff_db = 0.0;
    std::size_t nan_mismatches = 0;
    Stats loss;
};

/// Pushes the ray into a RayProfile and compares every prefix 0..k (k ≥ 1) with
/// analyse_profile + p2p on that prefix. With `ground_offset_m`, also compares
/// geometry_at_ground(z_k + offset) with analyse_profile on the prefix with z_k changed.
void compare_ray(const Ray& ray, double h_tx, double h_rx, Comparison& c,
                 double ground_offset_m = 0.0) {
    const itm::Params p = params_for(1800.0, h_tx, h_rx);
    itm::RayProfile rp(ray.spacing_m, h_tx, h_rx, p.n0);
    std::vector<double> prefix;
    for (std::size_t k = 0; k < ray.z.size(); ++k) {
        rp.push(ray.z[k]);
        prefix.push_back(ray.z[k]);
        if (k == 0) continue;
        auto check = [&](const itm::PathGeometry& got, const std::vector<double>& profile) {
            const itm::PathGeometry want =
                itm::analyse_profile(profile, ray.spacing_m, h_tx, h_rx, p.n0);
            c.max_geometry_diff = std::max(c.max_geometry_diff, geometry_diff(got, want));
            const double l_got = loss_of(got, p);
            const double l_want = loss_of(want, p);
            if (std::isnan(l_got) != std::isnan(l_want)) ++c.nan_mismatches;
            if (!std::isnan(l_got) && !std::isnan(l_want)) {
                c.max_loss_diff_db = std::max(c.max_loss_diff_db, std::abs(l_got - l_want));
                c.loss.add(l_got - l_want);
            }
            ++c.prefixes;
        };
        check(rp.geometry_at_ground(prefix.back()), prefix);
        if (ground_offset_m != 0.0) {
            std::vector<double> moved = prefix;
            moved.back() += ground_offset_m;
            check(rp.geometry_at_ground(moved.back()), moved);
        }
    }
}

}  // namespace

TEST_CASE("RayProfile equals analyse_profile + p2p on every prefix of the reference profiles") {
    // Real terrain (NTIA's example profiles and QKPFL), spacings 25.6 m .. 499 m, none of them
    // a binary fraction: the RX horizon distance takes ITM's repeated-subtraction path.
    for (const Ray& ray : anchor_rays()) {
        for (const double h_tx : {10.0, 30.0, 60.0}) {
            Comparison c;
            compare_ray(ray, h_tx, 1.5, c);
            INFO(ray.name << " h_tx " << h_tx << ": " << c.prefixes << " prefixes, max |Δ loss| "
                          << c.max_loss_diff_db << " dB, max relative geometry Δ "
                          << c.max_geometry_diff);
            CHECK(c.nan_mismatches == 0);
            CHECK(c.max_loss_diff_db <= 1e-9);
            CHECK(c.max_geometry_diff <= 1e-9);
        }
    }
}

TEST_CASE("RayProfile equals analyse_profile + p2p on every prefix of synthetic rays") {
    // 333 samples at 30 m (a 10 km ray), and at 29.7 m (not a binary fraction) and 12.5 m.
    Comparison all;
    for (const double spacing : {30.0, 29.7, 12.5}) {
        for (unsigned seed = 1; seed <= 3; ++seed) {
            for (const Ray& ray : synthetic_rays(334, spacing, seed)) {
                for (const double h_tx : {10.0, 30.0, 60.0}) {
                    Comparison c;
                    compare_ray(ray, h_tx, 1.5, c);
                    INFO(ray.name << " spacing " << spacing << " h_tx " << h_tx << ": max |Δ loss| "
                                  << c.max_loss_diff_db << " dB, max relative geometry Δ "
                                  << c.max_geometry_diff);
                    CHECK(c.nan_mismatches == 0);
                    CHECK(c.max_loss_diff_db <= 1e-9);
                    CHECK(c.max_geometry_diff <= 1e-9);
                    all.prefixes += c.prefixes;
                }
            }
        }
    }
    MESSAGE("exact mode: " << all.prefixes << " synthetic prefixes compared");
}

TEST_CASE("RayProfile::geometry_at_ground equals analyse_profile with the pixel's own ground") {
    // The pixel beside the ray at distance k·step: sample k's elevation replaced by the pixel's.
    for (const double offset : {-23.0, -1.7, 0.4, 6.0, 55.0}) {
        for (const Ray& ray : synthetic_rays(200, 30.0, 7)) {
            Comparison c;
            compare_ray(ray, 30.0, 1.5, c, offset);
            INFO(ray.name << " offset " << offset << ": max |Δ loss| " << c.max_loss_diff_db);
            CHECK(c.nan_mismatches == 0);
            CHECK(c.max_loss_diff_db <= 1e-9);
            CHECK(c.max_geometry_diff <= 1e-9);
        }
    }
}

TEST_CASE("RayProfile rejects bad inputs") {
    CHECK_THROWS_AS(itm::RayProfile(0.0, 30.0, 1.5, 301.0), std::invalid_argument);
    CHECK_THROWS_AS(itm::RayProfile(30.0, 0.1, 1.5, 301.0), std::invalid_argument);
    CHECK_THROWS_AS(itm::RayProfile(30.0, 30.0, 1.5, 500.0), std::invalid_argument);
    itm::RayProfile rp(30.0, 30.0, 1.5, 301.0);
    CHECK_THROWS_AS(rp.push(std::nan("")), std::invalid_argument);
    rp.push(10.0);
    CHECK_THROWS_AS((void)rp.geometry_at_ground(10.0), std::logic_error);
    rp.push(12.0);
    CHECK(rp.geometry_at_ground(12.0).distance_m == 30.0);
    CHECK_THROWS_AS((void)rp.geometry_at_ground(INFINITY), std::invalid_argument);
    rp.clear();
    CHECK(rp.size() == 0);
}

TEST_CASE("RayProfile speed against analyse_profile + p2p per prefix" * doctest::skip()) {
    // Run with: build/default/tests/test_radio -tc='RayProfile speed*' --no-skip
    // Prefixes per second over 333-sample rays (10 km at 30 m), geometry only and geometry +
    // loss; the reference is analyse_profile (+ p2p) on each prefix.
    const itm::Params p = params_for(1800.0, 30.0, 1.5);
    std::vector<Ray> rays;
    for (unsigned seed = 1; seed <= 4; ++seed)
        for (Ray& r : synthetic_rays(334, 30.0, seed)) rays.push_back(std::move(r));
    using Clock = std::chrono::steady_clock;
    double sink = 0.0;
    auto rate = [&](auto&& per_ray) {
        std::size_t prefixes = 0;
        const auto t0 = Clock::now();
        double elapsed = 0.0;
        do {
            for (const Ray& r : rays) prefixes += per_ray(r);
            elapsed = std::chrono::duration<double>(Clock::now() - t0).count();
        } while (elapsed < 1.0);
        return static_cast<double>(prefixes) / elapsed;
    };
    auto reference = [&](bool with_loss) {
        return [&, with_loss](const Ray& r) {
            for (std::size_t k = 1; k < r.z.size(); ++k) {
                const auto g = itm::analyse_profile(std::span(r.z.data(), k + 1), r.spacing_m,
                                                    p.h_tx_m, p.h_rx_m, p.n0);
                sink += with_loss ? loss_of(g, p) : g.delta_h_m;
            }
            return r.z.size() - 1;
        };
    };
    auto incremental = [&](bool with_loss) {
        return [&, with_loss](const Ray& r) {
            itm::RayProfile rp(r.spacing_m, p.h_tx_m, p.h_rx_m, p.n0);
            rp.reserve(r.z.size());
            rp.push(r.z[0]);
            for (std::size_t k = 1; k < r.z.size(); ++k) {
                rp.push(r.z[k]);
                const auto g = rp.geometry_at_ground(r.z[k]);
                sink += with_loss ? loss_of(g, p) : g.delta_h_m;
            }
            return r.z.size() - 1;
        };
    };
    const double ref_geo = rate(reference(false));
    const double ref_loss = rate(reference(true));
    std::printf("prefixes/s, 333-sample rays, 1800 MHz (higher is better)\n");
    std::printf("  analyse_profile per prefix        geometry %9.0f   + p2p %9.0f\n", ref_geo,
                ref_loss);
    const double geo = rate(incremental(false));
    const double loss = rate(incremental(true));
    std::printf(
        "  RayProfile                        geometry %9.0f   + p2p %9.0f   (x%.1f, x%.1f)\n", geo,
        loss, geo / ref_geo, loss / ref_loss);
    CHECK(sink == sink);
}
