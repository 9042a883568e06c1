#pragma once
/// Downlink link budget: reference-signal power per technology, received power, thermal noise,
/// SINR and throughput. Pure functions, standard library only.
///
///   received (RSRP / SS-RSRP / RSCP / RxLev), dBm
///       = reference_signal_power_dbm + antenna gain (dBi) − feeder loss − path loss (− clutter)
///   SINR = S / (load · Σ I + N)          (linear powers, same-layer interferers)
///   throughput = truncated Shannon mapping of 3GPP TR 36.942 Annex A.2

#include <optional>
#include <string_view>

namespace phusong::radio {

/// Radio access technology of a layer. Text form: "GSM", "UMTS", "LTE", "NR".
enum class Technology { gsm, umts, lte, nr };

/// "GSM", "UMTS", "LTE" or "NR".
[[nodiscard]] std::string_view to_string(Technology technology) noexcept;
/// Parses "GSM", "UMTS", "LTE", "NR" (case-insensitive); nothing for any other text.
[[nodiscard]] std::optional<Technology> technology_from_string(std::string_view text) noexcept;

/// Thermal noise power spectral density kT at T0 = 290 K, rounded as usual: −174 dBm/Hz
/// (10·log10(1.380649e-23 J/K · 290 K · 1000 mW/W) = −173.98).
inline constexpr double kThermalNoiseDbmPerHz = -174.0;
/// UMTS CPICH power relative to the total carrier power: the usual 10 % share (−10 dB).
inline constexpr double kDefaultCpichShareDb = -10.0;
/// UE receiver noise figure assumed by 3GPP TR 36.942 (E-UTRA RF system scenarios): 9 dB.
inline constexpr double kDefaultUeNoiseFigureDb = 9.0;

/// mW from dBm: 10^(dBm/10).
[[nodiscard]] double dbm_to_mw(double dbm) noexcept;
/// dBm from mW: 10·log10(mW); −infinity for 0 mW (and NaN for negative input).
[[nodiscard]] double mw_to_dbm(double mw) noexcept;

/// LTE transmission bandwidth configuration N_RB for a channel bandwidth, 3GPP TS 36.101 /
/// TS 36.104 Table 5.6-1: 1.4→6, 3→15, 5→25, 10→50, 15→75, 20→100 MHz. Nothing for other widths.
[[nodiscard]] std::optional<int> lte_resource_blocks(double bandwidth_mhz) noexcept;

/// NR FR1 maximum transmission bandwidth configuration N_RB, 3GPP TS 38.104 Table 5.3.2-1, for
/// sub-carrier spacing 15, 30 or 60 kHz (e.g. 30 kHz: 20→51, 40→106, 100→273 MHz).
/// Nothing for a width the spacing does not support.
[[nodiscard]] std::optional<int> nr_resource_blocks(double bandwidth_mhz, int scs_khz) noexcept;

/// Power of the reference signal a UE measures, dBm, from the total carrier power (at the antenna
/// connector, before antenna gain and feeder loss), assuming power spread evenly over the carrier:
///  - GSM RxLev: the BCCH carrier power = total_power_dbm;
///  - UMTS RSCP: the CPICH power = total_power_dbm + umts_cpich_share_db (default −10 dB);
///  - LTE RSRP: RS EPRE = total − 10·log10(12·N_RB), N_RB from `lte_resource_blocks`
///    (TS 36.214 §5.1.1 defines RSRP per resource element); `scs_khz` is ignored (15 kHz);
///  - NR SS-RSRP: SSS EPRE = total − 10·log10(12·N_RB), N_RB from `nr_resource_blocks` for
///    `scs_khz` (TS 38.215 §5.1.1).
/// Example: LTE 20 MHz, 46 dBm → 46 − 10·log10(1200) = 15.21 dBm.
/// Throws std::invalid_argument for a bandwidth/spacing the tables do not list.
[[nodiscard]] double reference_signal_power_dbm(Technology technology, double total_power_dbm,
                                                double bandwidth_mhz, int scs_khz,
                                                double umts_cpich_share_db = kDefaultCpichShareDb);

/// Received reference-signal power, dBm: reference power + antenna gain − feeder loss − path loss
/// (path loss including any clutter or building loss, all in dB).
[[nodiscard]] double received_power_dbm(double reference_signal_power_dbm, double antenna_gain_dbi,
                                        double feeder_loss_db, double path_loss_db) noexcept;

/// Bandwidth in which the reference signal's noise is counted, Hz: one resource element for LTE
/// (15 kHz) and NR (`scs_khz`), the 200 kHz channel for GSM, the 3.84 Mchip/s channel for UMTS.
/// Throws std::invalid_argument for NR with `scs_khz` not in {15, 30, 60, 120, 240}.
[[nodiscard]] double noise_bandwidth_hz(Technology technology, int scs_khz);

/// Thermal noise power in `bandwidth_hz`, dBm: −174 + 10·log10(bandwidth_hz) + noise_figure_db.
[[nodiscard]] double thermal_noise_dbm(double bandwidth_hz, double noise_figure_db) noexcept;

/// Thermal noise per reference-signal unit, dBm: thermal_noise_dbm(noise_bandwidth_hz(...), NF).
/// Example: LTE, NF 9 dB → −174 + 41.76 + 9 = −123.24 dBm per resource element.
[[nodiscard]] double noise_power_dbm(Technology technology, int scs_khz, double noise_figure_db);

/// SINR in dB: S / (load · Σ I + N) with S, I, N in linear power (mW), the interference given
/// as its linear sum Σ dbm_to_mw(I_k) in mW. `load` ∈ [0, 1] is the fraction of time/frequency
/// resources the interferers occupy (1 = fully loaded network). All powers in the same bandwidth
/// (e.g. per resource element for LTE/NR).
[[nodiscard]] double sinr_db_from_sum(double signal_dbm, double interference_sum_mw, double load,
                                      double noise_dbm) noexcept;

/// Truncated, attenuated Shannon mapping of 3GPP TR 36.942 Annex A.2 (eq. and Table A.2-1):
///   Thr = 0                       for SINR < SINR_MIN
///   Thr = α·log2(1 + SINR)        for SINR_MIN ≤ SINR < SINR_MAX
///   Thr = Thr_MAX = α·log2(1 + SINR_MAX)   for SINR ≥ SINR_MAX
/// in bit/s/Hz. Defaults: the LTE downlink row of Table A.2-1, α = 0.6 (implementation losses),
/// SINR_MIN = −10 dB, Thr_MAX = 4.4 bit/s/Hz reached at SINR_MAX = 22 dB (0.6·log2(1+10^2.2)
/// = 4.39). (The uplink row is α = 0.4, SINR_MIN = −10 dB, Thr_MAX = 2.0 bit/s/Hz at 15 dB.)
/// TR 36.942 applies the mapping per hertz of channel bandwidth with the losses folded into α, so
/// `bandwidth_efficiency` defaults to 1 (no extra factor). Set it (e.g. to N_RB·180 kHz / channel
/// bandwidth = 0.9 for LTE, or a bandwidth efficiency such as Mogensen et al.'s) to scale the
/// bit rate further; it multiplies throughput_mbps only, not the spectral efficiency.
struct ShannonMapping {
    double alpha = 0.6;                 ///< attenuation factor α (dimensionless)
    double sinr_min_db = -10.0;         ///< SINR_MIN, dB: below it, no throughput
    double sinr_max_db = 22.0;          ///< SINR_MAX, dB: at and above it, Thr_MAX
    double bandwidth_efficiency = 1.0;  ///< extra factor on throughput_mbps, (0, 1]
};

/// Downlink throughput at a pixel.
struct Throughput {
    double spectral_efficiency_bps_hz = 0.0;  ///< Thr of the mapping, bit/s/Hz
    double throughput_mbps = 0.0;  ///< SE × bandwidth_mhz × bandwidth_efficiency, Mbit/s
};

/// Spectral efficiency, bit/s/Hz, by the mapping above.
[[nodiscard]] double spectral_efficiency_bps_hz(double sinr_db,
                                                const ShannonMapping& mapping = {}) noexcept;
/// Spectral efficiency and throughput (Mbit/s) over `bandwidth_mhz` of channel.
[[nodiscard]] Throughput downlink_throughput(double sinr_db, double bandwidth_mhz,
                                             const ShannonMapping& mapping = {}) noexcept;

}  // namespace phusong::radio
