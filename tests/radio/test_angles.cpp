// radio::fast_atan2_deg against the C library's atan2: the per-pixel azimuth and depression.
#include <doctest/doctest.h>

#include <cmath>
#include <numbers>
#include <random>

#include "phusong/radio/angles.hpp"

using namespace phusong::radio;

namespace {
double libm_deg(double y, double x) { return std::atan2(y, x) * 180.0 / std::numbers::pi; }
}  // namespace

TEST_CASE("fast_atan2_deg is atan2 in degrees within 2e-7°, on the axes, the diagonals and at random") {
    // The axes and the origin exactly, every quadrant's sign.
    CHECK(fast_atan2_deg(0.0, 0.0) == 0.0);
    CHECK(fast_atan2_deg(0.0, 5.0) == 0.0);
    CHECK(fast_atan2_deg(5.0, 0.0) == doctest::Approx(90.0).epsilon(1e-12));
    CHECK(fast_atan2_deg(-5.0, 0.0) == doctest::Approx(-90.0).epsilon(1e-12));
    CHECK(fast_atan2_deg(0.0, -5.0) == doctest::Approx(180.0).epsilon(1e-12));
    CHECK(std::abs(fast_atan2_deg(1.0, 1.0) - 45.0) < 2e-7);
    CHECK(std::abs(fast_atan2_deg(-1.0, -1.0) + 135.0) < 2e-7);
    // Either side of the range reduction's switch at tan 15°, and at random.
    const double t15 = 2.0 - std::numbers::sqrt3;
    for (const double z : {t15 * (1 - 1e-12), t15, t15 * (1 + 1e-12), 1e-9, 0.999999, 1.0}) {
        CHECK(std::abs(fast_atan2_deg(z, 1.0) - libm_deg(z, 1.0)) < 2e-7);
    }
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> u(-1.0, 1.0);
    double worst = 0;
    for (int i = 0; i < 200000; ++i) {
        const double scale = std::pow(10.0, 6.0 * u(rng));
        const double y = u(rng) * scale;
        const double x = u(rng) * scale;
        worst = std::max(worst, std::abs(fast_atan2_deg(y, x) - libm_deg(y, x)));
    }
    CHECK(worst < 2e-7);
}
