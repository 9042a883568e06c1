#pragma once
/// Antenna gain toward a pixel, tabulated once per (pattern, mechanical tilt, electrical tilt) in
/// the cell's frame: azimuth offset from boresight (1° steps) × depression angle (0.5° steps,
/// −90°…+90°), bilinear between samples. The sweep's inner loop then costs four loads instead of
/// the 3-D tilt rotation of 3GPP TR 38.901 §7.1.3 per pixel. Interpolation error: below 0.05 dB
/// within 18 dB of the peak for beamwidths ≥ 6° (a parabola in dB, h²·f''/8 with f'' = 24/θ3dB²);
/// up to 0.6 dB at the corners where the pattern meets its side-lobe or front-to-back cap (kinks
/// 20–25 dB below the peak), where the interpolation rounds the corner upwards (tests/coverage).

#include <memory>
#include <vector>

#include "phusong/radio/antenna.hpp"

namespace phusong::coverage {

class GainTable {
public:
    /// Tabulates `pattern` with the given tilts (degrees, positive = down), its attenuation
    /// weighed by `attenuation_weight` (gain = max gain − weight × attenuation; 1: as given).
    GainTable(std::shared_ptr<const radio::AntennaPattern> pattern, double mech_tilt_deg,
              double elec_tilt_deg, double attenuation_weight = 1.0);

    /// Gain, dBi, toward a direction `az_offset_deg` (pixel azimuth − cell azimuth, any value)
    /// and `depression_deg` (positive below the horizon, −90…90).
    [[nodiscard]] float gain_dbi(float az_offset_deg, float depression_deg) const noexcept {
        float a = az_offset_deg - 360.0f * static_cast<float>(static_cast<int>(az_offset_deg / 360.0f));
        if (a < 0) a += 360.0f;
        return gain_dbi_within_turn(a, depression_deg);
    }
    /// gain_dbi for an offset already within one turn, 0 ≤ az_offset_deg ≤ 360 (the prediction's
    /// inner loop: the same value without the division).
    [[nodiscard]] float gain_dbi_within_turn(float az_offset_deg, float depression_deg) const noexcept {
        const float a = az_offset_deg >= 360.0f ? az_offset_deg - 360.0f : az_offset_deg;
        const float fd = (depression_deg + 90.0f) * kDepStepsPerDeg;
        int ia = static_cast<int>(a);
        int id = static_cast<int>(fd);
        if (ia >= kAzSteps) ia = 0;
        if (id < 0) id = 0;
        if (id >= kDepSteps - 1) id = kDepSteps - 2;
        const float wa = a - static_cast<float>(ia);
        const float wd = fd - static_cast<float>(id);
        const int ia1 = ia + 1 == kAzSteps ? 0 : ia + 1;
        const float* r0 = &m_values[static_cast<std::size_t>(id) * kAzSteps];
        const float* r1 = r0 + kAzSteps;
        const float top = r0[ia] + wa * (r0[ia1] - r0[ia]);
        const float bottom = r1[ia] + wa * (r1[ia1] - r1[ia]);
        return top + wd * (bottom - top);
    }
    /// Upper bound of the gain, dBi, toward azimuth offsets in bin `bin` ([5·bin°, 5·bin + 5°)) and
    /// depressions at most `max_depression_deg`: what bounds a cell's reach in one direction,
    /// since far pixels are seen close to the horizon (DESIGN.md "Area sweep", adaptive radius).
    [[nodiscard]] float max_gain_dbi(int bin, float max_depression_deg) const noexcept;

    /// The table, [depression step][azimuth step], dBi: for vectorised copies of
    /// gain_dbi_within_turn (the prediction's cell loop), which must index it as that does.
    [[nodiscard]] const float* values() const noexcept { return m_values.data(); }

    static constexpr int kBins = 72;        ///< 5° azimuth bins of max_gain_dbi()
    static constexpr int kAzSteps = 360;
    static constexpr float kDepStepsPerDeg = 2.0f;
    static constexpr int kDepSteps = 361;

private:
    std::vector<float> m_values;       ///< [depression][azimuth], dBi
    std::vector<float> m_bin_prefix_max;  ///< [bin][depression]: max over the bin, depressions ≤
};

}  // namespace phusong::coverage
