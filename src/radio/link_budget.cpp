#include "phusong/radio/link_budget.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace phusong::radio {
namespace {

struct RbEntry {
    double bandwidth_mhz;
    int n_rb;
};

/// TS 36.101 / TS 36.104 Table 5.6-1.
constexpr std::array<RbEntry, 6> kLteRb = {
    {{1.4, 6}, {3, 15}, {5, 25}, {10, 50}, {15, 75}, {20, 100}}};

/// TS 38.104 Table 5.3.2-1 (FR1), SCS 15 kHz.
constexpr std::array<RbEntry, 10> kNr15 = {{{5, 25},
                                            {10, 52},
                                            {15, 79},
                                            {20, 106},
                                            {25, 133},
                                            {30, 160},
                                            {35, 188},
                                            {40, 216},
                                            {45, 242},
                                            {50, 270}}};
/// TS 38.104 Table 5.3.2-1 (FR1), SCS 30 kHz.
constexpr std::array<RbEntry, 15> kNr30 = {{{5, 11},
                                            {10, 24},
                                            {15, 38},
                                            {20, 51},
                                            {25, 65},
                                            {30, 78},
                                            {35, 92},
                                            {40, 106},
                                            {45, 119},
                                            {50, 133},
                                            {60, 162},
                                            {70, 189},
                                            {80, 217},
                                            {90, 245},
                                            {100, 273}}};
/// TS 38.104 Table 5.3.2-1 (FR1), SCS 60 kHz.
constexpr std::array<RbEntry, 14> kNr60 = {{{10, 11},
                                            {15, 18},
                                            {20, 24},
                                            {25, 31},
                                            {30, 38},
                                            {35, 44},
                                            {40, 51},
                                            {45, 58},
                                            {50, 65},
                                            {60, 79},
                                            {70, 93},
                                            {80, 107},
                                            {90, 121},
                                            {100, 135}}};

template <std::size_t N>
std::optional<int> find_rb(const std::array<RbEntry, N>& table, double bandwidth_mhz) noexcept {
    for (const RbEntry& e : table) {
        if (std::abs(e.bandwidth_mhz - bandwidth_mhz) < 1e-6) return e.n_rb;
    }
    return {};
}

/// GSM channel spacing (TS 45.005): 200 kHz.
constexpr double kGsmChannelHz = 200e3;
/// UMTS chip rate (TS 25.104): 3.84 Mchip/s, the noise bandwidth of the CPICH measurement.
constexpr double kUmtsChipRateHz = 3.84e6;
/// LTE sub-carrier spacing (TS 36.211): 15 kHz.
constexpr double kLteScsHz = 15e3;

std::string num(double v) {
    std::string s = std::to_string(v);
    while (!s.empty() && s.back() == '0') s.pop_back();
    if (!s.empty() && s.back() == '.') s.pop_back();
    return s;
}

}  // namespace

std::string_view to_string(Technology technology) noexcept {
    switch (technology) {
        case Technology::gsm:
            return "GSM";
        case Technology::umts:
            return "UMTS";
        case Technology::lte:
            return "LTE";
        case Technology::nr:
            return "NR";
    }
    return "?";
}

std::optional<Technology> technology_from_string(std::string_view text) noexcept {
    std::string up(text);
    for (char& c : up) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (up == "GSM") return Technology::gsm;
    if (up == "UMTS") return Technology::umts;
    if (up == "LTE") return Technology::lte;
    if (up == "NR") return Technology::nr;
    return {};
}

double dbm_to_mw(double dbm) noexcept { return std::pow(10.0, dbm / 10.0); }

double mw_to_dbm(double mw) noexcept {
    if (mw == 0.0) return -std::numeric_limits<double>::infinity();
    return 10.0 * std::log10(mw);
}

std::optional<int> lte_resource_blocks(double bandwidth_mhz) noexcept {
    return find_rb(kLteRb, bandwidth_mhz);
}

std::optional<int> nr_resource_blocks(double bandwidth_mhz, int scs_khz) noexcept {
    switch (scs_khz) {
        case 15:
            return find_rb(kNr15, bandwidth_mhz);
        case 30:
            return find_rb(kNr30, bandwidth_mhz);
        case 60:
            return find_rb(kNr60, bandwidth_mhz);
        default:
            return {};
    }
}

double reference_signal_power_dbm(Technology technology, double total_power_dbm,
                                  double bandwidth_mhz, int scs_khz, double umts_cpich_share_db) {
    switch (technology) {
        case Technology::gsm:
            return total_power_dbm;
        case Technology::umts:
            return total_power_dbm + umts_cpich_share_db;
        case Technology::lte: {
            const auto n_rb = lte_resource_blocks(bandwidth_mhz);
            if (!n_rb) {
                throw std::invalid_argument(
                    "LTE bandwidth " + num(bandwidth_mhz) +
                    " MHz; expected one of 1.4, 3, 5, 10, 15, 20 MHz (TS 36.101 Table 5.6-1)");
            }
            return total_power_dbm - 10.0 * std::log10(12.0 * *n_rb);
        }
        case Technology::nr: {
            const auto n_rb = nr_resource_blocks(bandwidth_mhz, scs_khz);
            if (!n_rb) {
                throw std::invalid_argument(
                    "NR bandwidth " + num(bandwidth_mhz) + " MHz at " + std::to_string(scs_khz) +
                    " kHz sub-carrier spacing; expected a combination of TS 38.104 Table 5.3.2-1 "
                    "(15 kHz: 5–50 MHz; 30 kHz: 5–100 MHz; 60 kHz: 10–100 MHz)");
            }
            return total_power_dbm - 10.0 * std::log10(12.0 * *n_rb);
        }
    }
    throw std::invalid_argument("unknown technology");
}

double received_power_dbm(double reference_signal_power_dbm, double antenna_gain_dbi,
                          double feeder_loss_db, double path_loss_db) noexcept {
    return reference_signal_power_dbm + antenna_gain_dbi - feeder_loss_db - path_loss_db;
}

double noise_bandwidth_hz(Technology technology, int scs_khz) {
    switch (technology) {
        case Technology::gsm:
            return kGsmChannelHz;
        case Technology::umts:
            return kUmtsChipRateHz;
        case Technology::lte:
            return kLteScsHz;
        case Technology::nr:
            if (scs_khz == 15 || scs_khz == 30 || scs_khz == 60 || scs_khz == 120 ||
                scs_khz == 240) {
                return scs_khz * 1e3;
            }
            throw std::invalid_argument(
                "NR sub-carrier spacing " + std::to_string(scs_khz) +
                " kHz; expected 15, 30, 60, 120 or 240 kHz (TS 38.211 §4.2)");
    }
    throw std::invalid_argument("unknown technology");
}

double thermal_noise_dbm(double bandwidth_hz, double noise_figure_db) noexcept {
    return kThermalNoiseDbmPerHz + 10.0 * std::log10(bandwidth_hz) + noise_figure_db;
}

double noise_power_dbm(Technology technology, int scs_khz, double noise_figure_db) {
    return thermal_noise_dbm(noise_bandwidth_hz(technology, scs_khz), noise_figure_db);
}

double sinr_db_from_sum(double signal_dbm, double interference_sum_mw, double load,
                        double noise_dbm) noexcept {
    return 10.0 *
           std::log10(dbm_to_mw(signal_dbm) / (load * interference_sum_mw + dbm_to_mw(noise_dbm)));
}

double spectral_efficiency_bps_hz(double sinr_db, const ShannonMapping& m) noexcept {
    if (!(sinr_db >= m.sinr_min_db)) return 0.0;  // also NaN → 0
    const double capped_db = std::min(sinr_db, m.sinr_max_db);
    return m.alpha * std::log2(1.0 + std::pow(10.0, capped_db / 10.0));
}

Throughput downlink_throughput(double sinr_db, double bandwidth_mhz,
                               const ShannonMapping& m) noexcept {
    Throughput t;
    t.spectral_efficiency_bps_hz = spectral_efficiency_bps_hz(sinr_db, m);
    // bit/s/Hz × MHz = Mbit/s.
    t.throughput_mbps = t.spectral_efficiency_bps_hz * bandwidth_mhz * m.bandwidth_efficiency;
    return t;
}

}  // namespace phusong::radio
