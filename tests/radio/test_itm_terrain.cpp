// ITM's terrain statistics (src/radio/itm_terrain.cpp): Δh ("d1thx") against ITM's routine as
// written, and each SIMD kernel of Δh against the scalar loop it replaces, bit for bit. The
// model's reference tables are in test_itm.cpp.

#include <doctest/doctest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <functional>
#include <random>
#include <span>
#include <vector>

#include "phusong/radio/detail/itm_terrain.hpp"
#include "phusong/radio/multiversion.hpp"

namespace itm = phusong::radio::itm;

TEST_SUITE("itm terrain") {
    TEST_CASE("Δh: a straight slope has none, nor a range with fewer than 2 samples") {
        std::vector<double> slope(101);
        for (std::size_t i = 0; i < slope.size(); ++i)
            slope[i] = 50.0 + 0.5 * static_cast<double>(i);
        CHECK(itm::detail::terrain_delta_h(slope, 30.0, 0.0, 3000.0) ==
              doctest::Approx(0.0).epsilon(1e-9));
        CHECK(itm::detail::terrain_delta_h(slope, 30.0, 0.0, 45.0) == 0.0);
    }

    TEST_CASE("Δh's resampling: the AVX2 and AVX-512 kernels give the scalar loop's numbers bit for bit") {
        // Random profiles and ranges as terrain_delta_h makes them (n = 10·k − 5 points between
        // x_first and x_last, samples apart), including ranges that reach past the last point
        // (extrapolated) or start at 0, and other sizes; n is never a multiple of 4 (10·k − 5 is
        // odd), so the scalar loop always finishes what the kernel leaves. The sizes and ranges
        // give the AVX-512 kernel steps below 15/7 samples (its permutations, including blocks
        // whose sixteen points run past the profile's end) and above (its gathers).
        using phusong::radio::Kernels;
        std::vector<Kernels> kernels;
        if (phusong::radio::cpu_has_avx2()) kernels.push_back(Kernels::avx2);
        if (phusong::radio::cpu_has_avx512()) kernels.push_back(Kernels::avx512);
        if (kernels.size() < 2) MESSAGE("this CPU lacks AVX2 or AVX-512: not every kernel runs");
        if (kernels.empty()) return;
        std::mt19937 rng(7);
        std::uniform_real_distribution<double> uni(0.0, 1.0);
        std::normal_distribution<double> normal(0.0, 1.0);
        int compared = 0;
        for (int trial = 0; trial < 4000; ++trial) {
            const std::size_t size = 2 + static_cast<std::size_t>(uni(rng) * 1200.0);
            std::vector<double> z(size);
            double walk = 300.0 * uni(rng);
            for (double& v : z) v = (walk += 4.0 * normal(rng));
            const double np = static_cast<double>(size - 1);
            const double x_first = trial % 5 == 0 ? 0.0 : uni(rng) * np;
            const double x_last = x_first + uni(rng) * (np - x_first) * (trial % 7 == 0 ? 1.05 : 1.0);
            const auto n = static_cast<std::size_t>(trial % 3 == 0 ? 1 + trial % 250 : 245);
            const double step = (x_last - x_first) / static_cast<double>(n > 1 ? n - 1 : 1);
            std::vector<double> scalar(n);
            itm::detail::resample_profile(z, x_first, step, scalar, Kernels::scalar);
            for (const Kernels k : kernels) {
                std::vector<double> vectorised(n);
                itm::detail::resample_profile(z, x_first, step, vectorised, k);
                std::size_t first_different = n;
                for (std::size_t j = n; j-- > 0;) {
                    if (std::bit_cast<std::uint64_t>(vectorised[j]) != std::bit_cast<std::uint64_t>(scalar[j]))
                        first_different = j;
                }
                INFO("trial " << trial << ", kernel " << static_cast<int>(k));
                REQUIRE(first_different == n);
                ++compared;
            }
        }
        CHECK(compared == 4000 * static_cast<int>(kernels.size()));
    }

    TEST_CASE("Δh's line fit: the AVX2 kernel gives the scalar loop's sums bit for bit") {
        // Random resampled profiles of every size Δh makes (and the others up to 245), terrain-
        // like (a random walk around hundreds of metres) and zero-mean, about their centre.
        if (!phusong::radio::cpu_has_avx2()) {
            MESSAGE("this CPU has no AVX2: only the scalar loop runs");
            return;
        }
        std::mt19937 rng(13);
        std::normal_distribution<double> normal(0.0, 1.0);
        int compared = 0;
        for (int trial = 0; trial < 2450; ++trial) {
            const std::size_t n = 1 + static_cast<std::size_t>(trial % 245);
            std::vector<double> s(n);
            double walk = trial % 2 == 0 ? 400.0 : 0.0;
            for (double& v : s) v = (walk += 7.0 * normal(rng));
            const double c = 0.5 * static_cast<double>(n - 1);
            const itm::detail::FitSums scalar = itm::detail::fit_sums(s, c, false);
            const itm::detail::FitSums avx2 = itm::detail::fit_sums(s, c, true);
            INFO("trial " << trial << ", n = " << n);
            REQUIRE(std::bit_cast<std::uint64_t>(avx2.sum) == std::bit_cast<std::uint64_t>(scalar.sum));
            REQUIRE(std::bit_cast<std::uint64_t>(avx2.moment) == std::bit_cast<std::uint64_t>(scalar.moment));
            ++compared;
        }
        CHECK(compared == 2450);
    }

    TEST_CASE("Δh's small-rank selection: the r-th smallest, by the scalar loop and the AVX2 kernel") {
        // Against std::nth_element on random sets of 1–245 values (the sizes Δh's selection
        // hands it: every remainder modulo 4, so the kernel's padded tail), with many ties
        // (values rounded to few levels) in a third of them, negative values, and every rank r
        // up to 5 (the selection asks for r ≤ 3) plus the largest.
        std::mt19937 rng(11);
        std::uniform_real_distribution<double> uni(0.0, 1.0);
        std::normal_distribution<double> normal(0.0, 1.0);
        const bool avx2 = phusong::radio::cpu_has_avx2();
        if (!avx2) MESSAGE("this CPU has no AVX2: only the scalar loop runs");
        int compared = 0;
        for (int trial = 0; trial < 3000; ++trial) {
            const std::size_t n = 1 + static_cast<std::size_t>(trial % 245);
            std::vector<double> v(n);
            for (double& x : v) x = trial % 3 == 0 ? std::round(3.0 * normal(rng)) : 50.0 * normal(rng) - 10.0 * uni(rng);
            for (std::size_t r : {std::size_t{0}, std::size_t{1}, std::size_t{2}, std::size_t{3}, std::size_t{5}, n - 1}) {
                if (r >= n) continue;
                std::vector<double> sorted = v;
                std::nth_element(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(r), sorted.end());
                INFO("trial " << trial << ", n = " << n << ", r = " << r);
                REQUIRE(itm::detail::smallest_rank(v, r, false) == sorted[r]);
                if (avx2) REQUIRE(itm::detail::smallest_rank(v, r, true) == sorted[r]);
                ++compared;
            }
        }
        CHECK(compared > 3000 * 5);
    }

    TEST_CASE("Δh: ITM's d1thx as written, and the same numbers with a guess for the selection") {
        // "d1thx" as first written (resampling walk, zlsq1, the line by repeated addition, then
        // the two std::nth_element calls of ITM's sort), against detail::terrain_delta_h with its
        // index-based positions, four-accumulator sums and branch-free selection (rounding
        // apart, ~1e-13 m), on random profiles: rough, rounded to whole metres (ties), flat, a
        // single spike. Then every prefix of a long ray with detail::terrain_delta_h's guess
        // (the last prefix's interdecile values, as RayProfile passes it), bit for bit the
        // numbers without it (on a CPU with AVX2 the guess's first pass is the AVX2 kernel
        // keep_extremes_avx2, the path without a guess has none: this compares the two).
        auto reference = [](const std::vector<double>& z, double spacing, double d_start,
                            double d_end) {
            const int np = static_cast<int>(z.size()) - 1;
            const double x_first = d_start / spacing;
            const double x_last = d_end / spacing;
            if (x_last - x_first < 2.0) return 0.0;
            const int k10 = std::clamp(static_cast<int>(0.1 * (x_last - x_first + 8.0)), 4, 25);
            const int n = 10 * k10 - 5;
            std::vector<double> s(static_cast<std::size_t>(n));
            const double step = (x_last - x_first) / (n - 1);
            int k = std::min(static_cast<int>(x_first) + 1, np);
            double u = x_first - k;
            for (int j = 0; j < n; ++j) {
                while (u > 0.0 && k < np) {
                    u -= 1.0;
                    ++k;
                }
                s[static_cast<std::size_t>(j)] = z[k] + (z[k] - z[k - 1]) * u;
                u += step;
            }
            const auto fit = itm::detail::fit_line(s, 1.0, 0.0, n - 1.0);
            const double slope = (fit.y_last - fit.y_first) / (n - 1.0);
            double line = fit.y_first;
            for (double& v : s) {
                v -= line;
                line += slope;
            }
            std::nth_element(s.begin(), s.begin() + (k10 - 1), s.end(), std::greater<>());
            const double upper = s[static_cast<std::size_t>(k10 - 1)];
            std::nth_element(s.begin(), s.begin() + (n - k10), s.end(), std::greater<>());
            const double lower = s[static_cast<std::size_t>(n - k10)];
            return (upper - lower) / (1.0 - 0.8 * std::exp(-(d_end - d_start) / 50e3));
        };
        std::mt19937 rng(20240611);
        std::uniform_real_distribution<double> uni(0.0, 1.0);
        std::normal_distribution<double> normal(0.0, 1.0);
        int compared = 0;
        for (int trial = 0; trial < 3000; ++trial) {
            const std::size_t n = 3 + static_cast<std::size_t>(uni(rng) * 900.0);
            const int kind = trial % 4;
            std::vector<double> z(n);
            double walk = 100.0 * uni(rng);
            for (std::size_t i = 0; i < n; ++i) {
                walk += 3.0 * normal(rng);
                if (kind == 0) z[i] = walk;
                if (kind == 1) z[i] = std::round(walk / 4.0);
                if (kind == 2) z[i] = 7.0;
                if (kind == 3) z[i] = i == n / 3 ? 90.0 : 0.0;
            }
            const double spacing = trial % 2 == 0 ? 30.0 : 29.7;
            const double d = static_cast<double>(n - 1) * spacing;
            const double a = uni(rng) * d;
            const double b = uni(rng) * d;
            const double want = reference(z, spacing, std::min(a, b), std::max(a, b));
            const double got = itm::detail::terrain_delta_h(z, spacing, std::min(a, b), std::max(a, b));
            INFO("trial " << trial << " n " << n << ": " << got << " vs " << want);
            REQUIRE(got == doctest::Approx(want).epsilon(1e-12).scale(1.0));
            ++compared;
        }
        CHECK(compared == 3000);

        for (int kind = 0; kind < 3; ++kind) {
            std::vector<double> ray(700);
            double walk = 200.0;
            for (std::size_t i = 0; i < ray.size(); ++i) {
                walk += (kind == 1 ? 12.0 : 3.0) * normal(rng);
                ray[i] = kind == 2 ? std::round(walk / 5.0) * 5.0 : walk;
            }
            itm::detail::DeltaHHint hint;
            int guessed = 0;
            for (std::size_t np = 2; np < ray.size(); ++np) {
                const std::span<const double> prefix(ray.data(), np + 1);
                const double d = static_cast<double>(np) * 30.0;
                const double d_start = std::min(450.0, 0.05 * d);
                const double d_end = d - std::min(22.5, 0.02 * d);
                const bool had_guess = hint.valid;
                const double with_guess = itm::detail::terrain_delta_h(prefix, 30.0, d_start, d_end, &hint);
                const double without = itm::detail::terrain_delta_h(prefix, 30.0, d_start, d_end);
                INFO("kind " << kind << " prefix " << np);
                REQUIRE(with_guess == without);
                guessed += static_cast<int>(had_guess);
            }
            CHECK(guessed > 600);
        }
    }

}  // TEST_SUITE
