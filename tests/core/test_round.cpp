#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <random>

#include "phusong/core/round.hpp"

using phusong::round_half_away;

TEST_CASE("round_half_away is std::lround: halves away from zero, the doubles next to them") {
    for (const double x : {0.0, -0.0, 0.5, -0.5, 1.5, -1.5, 2.5, -2.5, 0.49999999999999994, -0.49999999999999994,
                           1234.5, -1234.5, -14012.5, 4503599627370495.5, -4503599627370495.5}) {
        CAPTURE(x);
        CHECK(round_half_away(x) == std::lround(x));
        CHECK(round_half_away(std::nextafter(x, 1e300)) == std::lround(std::nextafter(x, 1e300)));
        CHECK(round_half_away(std::nextafter(x, -1e300)) == std::lround(std::nextafter(x, -1e300)));
    }
    // Signals in centi-dB as the prediction makes them: a float times 100.
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<float> dbm(-160.0f, 20.0f);
    std::uniform_real_distribution<double> any(-1e6, 1e6);
    for (int i = 0; i < 200000; ++i) {
        const float q = dbm(rng) * 100.0f;
        REQUIRE(round_half_away(q) == std::lround(q));
        const double x = any(rng);
        REQUIRE(round_half_away(x) == std::lround(x));
        const double half = std::floor(x) + 0.5;  // an exact tie
        REQUIRE(round_half_away(half) == std::lround(half));
    }
}
