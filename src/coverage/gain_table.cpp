#include "phusong/coverage/gain_table.hpp"

#include <algorithm>
#include <cmath>

namespace phusong::coverage {

GainTable::GainTable(std::shared_ptr<const radio::AntennaPattern> pattern, double mech_tilt_deg,
                     double elec_tilt_deg, double attenuation_weight)
    : m_values(static_cast<std::size_t>(kAzSteps) * kDepSteps),
      m_bin_prefix_max(static_cast<std::size_t>(kBins) * kDepSteps, -1000.0f) {
    // The cell frame: boresight at azimuth 0, so the table's azimuth is the offset from it.
    const double max_gain = pattern->max_gain_dbi();
    const radio::OrientedAntenna antenna(std::move(pattern), {0.0, mech_tilt_deg, elec_tilt_deg});
    for (int d = 0; d < kDepSteps; ++d) {
        const double dep = -90.0 + d / static_cast<double>(kDepStepsPerDeg);
        for (int a = 0; a < kAzSteps; ++a) {
            const double raw = antenna.gain_dbi(a, dep);
            const auto g = static_cast<float>(attenuation_weight == 1.0 ? raw : max_gain - attenuation_weight * (max_gain - raw));
            m_values[static_cast<std::size_t>(d) * kAzSteps + a] = g;
        }
    }
    // Bin b covers the samples 5b … 5b + 5 (its right edge is the next bin's left edge, so that
    // the bilinear values in between are bounded), and depressions up to the next row.
    for (int b = 0; b < kBins; ++b) {
        float running = -1000.0f;
        for (int d = 0; d < kDepSteps; ++d) {
            const int row = std::min(d + 1, kDepSteps - 1);
            for (int a = 5 * b; a <= 5 * b + 5; ++a) {
                running = std::max(running, m_values[static_cast<std::size_t>(row) * kAzSteps + a % kAzSteps]);
            }
            m_bin_prefix_max[static_cast<std::size_t>(b) * kDepSteps + d] = running;
        }
    }
}

float GainTable::max_gain_dbi(int bin, float max_depression_deg) const noexcept {
    const int row = std::clamp(static_cast<int>(std::ceil((max_depression_deg + 90.0f) * kDepStepsPerDeg)), 0,
                               kDepSteps - 1);
    return m_bin_prefix_max[static_cast<std::size_t>(bin) * kDepSteps + row];
}

}  // namespace phusong::coverage
