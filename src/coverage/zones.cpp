// Where a source's signal is evaluated (zones.hpp).
#include "zones.hpp"

#include <algorithm>
#include <array>
#include <numbers>

namespace phusong::coverage {

std::array<double, 4> zone_thresholds_dbm(const AnalysisConfig& analysis, const PlanConfig& plan) {
    std::array<double, 4> out{};
    for (const radio::Technology t :
         {radio::Technology::gsm, radio::Technology::umts, radio::Technology::lte, radio::Technology::nr}) {
        const auto i = static_cast<std::size_t>(t);
        const ClassThresholds& c = analysis.thresholds[i];
        // The classes' signal bounds already hold the location margin (read_analysis); the
        // overlap map is read with them, so every signal within the margin of a best signal at
        // them is exact.
        double lowest = std::min(c.good_signal_dbm, c.fair_signal_dbm) - kOverlapMarginDb;
        // The sensitivity table counts RSRP only (analysis::Accumulator::stats_of), and the plan
        // its demand cells' best signal: no overlap is read at their thresholds.
        if (t == radio::Technology::lte || t == radio::Technology::nr) {
            lowest = std::min(lowest, analysis.sensitivity_min_dbm);
        }
        if (t == radio::Technology::nr && plan.enabled) lowest = std::min(lowest, plan.coverage_threshold_dbm);
        out[i] = lowest;
    }
    return out;
}

namespace detail {

geo::Window reach_window(const CellPlan& cell, const Source& src, const geo::Grid& g) {
    double min_x = 0;
    double max_x = 0;
    double min_y = 0;
    double max_y = 0;
    auto add = [&](double az_deg, double r) {
        const double a = az_deg / (180.0 / std::numbers::pi);
        min_x = std::min(min_x, r * std::sin(a));
        max_x = std::max(max_x, r * std::sin(a));
        min_y = std::min(min_y, r * std::cos(a));
        max_y = std::max(max_y, r * std::cos(a));
    };
    for (int b = 0; b < GainTable::kBins; ++b) {
        const double r = cell.radius_m[static_cast<std::size_t>(b)];
        const double a0 = cell.azimuth_deg + 5.0 * b;
        add(a0, r);
        add(a0 + 5.0, r);
        for (double compass = 0; compass < 720; compass += 90) {
            if (compass > a0 && compass < a0 + 5.0) add(compass, r);
        }
    }
    const auto c0 = static_cast<int>(std::floor(g.fcol(src.sweep.x_m + min_x))) - 1;
    const auto c1 = static_cast<int>(std::ceil(g.fcol(src.sweep.x_m + max_x))) + 1;
    const auto r0 = static_cast<int>(std::floor(g.frow(src.sweep.y_m + max_y))) - 1;
    const auto r1 = static_cast<int>(std::ceil(g.frow(src.sweep.y_m + min_y))) + 1;
    return geo::Window{c0, r0, c1 - c0, r1 - r0};
}

}  // namespace detail
}  // namespace phusong::coverage
