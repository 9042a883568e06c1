// Link budget: reference-signal power, noise, SINR, throughput. Hand-computed expectations.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <stdexcept>

#include "phusong/radio/link_budget.hpp"

using namespace phusong::radio;

TEST_CASE("technology names round-trip") {
    CHECK(to_string(Technology::gsm) == "GSM");
    CHECK(to_string(Technology::umts) == "UMTS");
    CHECK(to_string(Technology::lte) == "LTE");
    CHECK(to_string(Technology::nr) == "NR");
    for (Technology t : {Technology::gsm, Technology::umts, Technology::lte, Technology::nr}) {
        CHECK(technology_from_string(to_string(t)) == t);
    }
    CHECK(technology_from_string("lte") == Technology::lte);  // case-insensitive
    CHECK_FALSE(technology_from_string("5G"));
    CHECK_FALSE(technology_from_string(""));
}

TEST_CASE("dBm and mW") {
    CHECK(dbm_to_mw(0.0) == doctest::Approx(1.0));
    CHECK(dbm_to_mw(30.0) == doctest::Approx(1000.0));
    CHECK(dbm_to_mw(-90.0) == doctest::Approx(1e-9));
    CHECK(mw_to_dbm(1e-9) == doctest::Approx(-90.0));
    CHECK(mw_to_dbm(2.0) == doctest::Approx(3.0103));  // 10·log10(2)
    CHECK(mw_to_dbm(0.0) == -std::numeric_limits<double>::infinity());
}

TEST_CASE("resource blocks from the 3GPP tables") {
    // TS 36.101 Table 5.6-1.
    CHECK(lte_resource_blocks(1.4) == 6);
    CHECK(lte_resource_blocks(3.0) == 15);
    CHECK(lte_resource_blocks(5.0) == 25);
    CHECK(lte_resource_blocks(10.0) == 50);
    CHECK(lte_resource_blocks(15.0) == 75);
    CHECK(lte_resource_blocks(20.0) == 100);
    CHECK_FALSE(lte_resource_blocks(7.0));
    // TS 38.104 Table 5.3.2-1.
    CHECK(nr_resource_blocks(20.0, 15) == 106);
    CHECK(nr_resource_blocks(50.0, 15) == 270);
    CHECK(nr_resource_blocks(40.0, 30) == 106);
    CHECK(nr_resource_blocks(100.0, 30) == 273);
    CHECK(nr_resource_blocks(100.0, 60) == 135);
    CHECK_FALSE(nr_resource_blocks(100.0, 15));  // 15 kHz stops at 50 MHz
    CHECK_FALSE(nr_resource_blocks(20.0, 120));  // FR2 spacing not tabulated
}

TEST_CASE("reference-signal power per technology") {
    // LTE 20 MHz at 46 dBm: 46 − 10·log10(12·100) = 46 − 30.7918 = 15.2082 dBm.
    CHECK(reference_signal_power_dbm(Technology::lte, 46.0, 20.0, 15) ==
          doctest::Approx(15.2082).epsilon(1e-5));
    // LTE 10 MHz at 43 dBm: 43 − 10·log10(600) = 43 − 27.7815 = 15.2185 dBm.
    CHECK(reference_signal_power_dbm(Technology::lte, 43.0, 10.0, 15) ==
          doctest::Approx(15.2185).epsilon(1e-5));
    // NR 100 MHz, 30 kHz, 53 dBm: 53 − 10·log10(12·273 = 3276) = 53 − 35.1534 = 17.8466 dBm.
    CHECK(reference_signal_power_dbm(Technology::nr, 53.0, 100.0, 30) ==
          doctest::Approx(17.8466).epsilon(1e-5));
    // NR 40 MHz, 30 kHz, 49 dBm: 49 − 10·log10(12·106 = 1272) = 49 − 31.0449 = 17.9551 dBm.
    CHECK(reference_signal_power_dbm(Technology::nr, 49.0, 40.0, 30) ==
          doctest::Approx(17.9551).epsilon(1e-5));
    // UMTS 43 dBm: CPICH = 43 − 10 = 33 dBm; with a 20 % share (−6.99 dB): 36.01 dBm.
    CHECK(reference_signal_power_dbm(Technology::umts, 43.0, 5.0, 0) == doctest::Approx(33.0));
    CHECK(reference_signal_power_dbm(Technology::umts, 43.0, 5.0, 0, 10.0 * std::log10(0.2)) ==
          doctest::Approx(36.0103));
    // GSM: the BCCH carrier power is the total power.
    CHECK(reference_signal_power_dbm(Technology::gsm, 43.0, 0.2, 0) == doctest::Approx(43.0));
    // Combinations outside the tables are rejected.
    CHECK_THROWS_AS((void)reference_signal_power_dbm(Technology::lte, 46.0, 7.0, 15),
                    std::invalid_argument);
    CHECK_THROWS_AS((void)reference_signal_power_dbm(Technology::nr, 46.0, 100.0, 15),
                    std::invalid_argument);
}

TEST_CASE("received power") {
    // 15.21 dBm RS + 17 dBi − 0.5 dB feeder − 130 dB path loss = −98.29 dBm.
    CHECK(received_power_dbm(15.21, 17.0, 0.5, 130.0) == doctest::Approx(-98.29));
}

TEST_CASE("thermal noise per reference-signal unit") {
    // −174 + 10·log10(1 Hz) + 0 = −174 dBm.
    CHECK(thermal_noise_dbm(1.0, 0.0) == doctest::Approx(-174.0));
    // LTE, one 15 kHz RE, NF 9 dB: −174 + 41.7609 + 9 = −123.2391 dBm.
    CHECK(noise_power_dbm(Technology::lte, 15, 9.0) == doctest::Approx(-123.2391));
    // NR 30 kHz, NF 7 dB: −174 + 44.7712 + 7 = −122.2288 dBm.
    CHECK(noise_power_dbm(Technology::nr, 30, 7.0) == doctest::Approx(-122.2288));
    // GSM 200 kHz, NF 0: −174 + 53.0103 = −120.9897 dBm.
    CHECK(noise_power_dbm(Technology::gsm, 0, 0.0) == doctest::Approx(-120.9897));
    // UMTS 3.84 MHz, NF 9: −174 + 65.8433 + 9 = −99.1567 dBm.
    CHECK(noise_power_dbm(Technology::umts, 0, 9.0) == doctest::Approx(-99.1567));
    CHECK(noise_bandwidth_hz(Technology::nr, 60) == doctest::Approx(60e3));
    CHECK_THROWS_AS((void)noise_bandwidth_hz(Technology::nr, 25), std::invalid_argument);
}

TEST_CASE("SINR with load-scaled interference and noise") {
    // S = −80 dBm = 1e-8 mW; two interferers at −90 dBm = 1e-9 mW each; load 0.5;
    // N = −100 dBm = 1e-10 mW. SINR = 1e-8 / (0.5·2e-9 + 1e-10) = 1e-8 / 1.1e-9 = 9.0909
    // → 10·log10(9.0909) = 9.5861 dB.
    CHECK(sinr_db_from_sum(-80.0, 2.0 * dbm_to_mw(-90.0), 0.5, -100.0) == doctest::Approx(9.5861));
    // No interferers: SNR = −80 − (−100) = 20 dB. Zero load: the same 20 dB.
    CHECK(sinr_db_from_sum(-80.0, 0.0, 1.0, -100.0) == doctest::Approx(20.0));
    CHECK(sinr_db_from_sum(-80.0, 2.0 * dbm_to_mw(-90.0), 0.0, -100.0) == doctest::Approx(20.0));
    // Full load, one interferer equal to the signal and negligible noise → ≈ 0 dB.
    CHECK(sinr_db_from_sum(-80.0, dbm_to_mw(-80.0), 1.0, -200.0) == doctest::Approx(0.0).epsilon(1e-9));
}

TEST_CASE("throughput by the truncated Shannon mapping of TR 36.942 A.2") {
    const ShannonMapping lte_dl;  // α 0.6, −10 dB, 22 dB
    // 10 dB: 0.6·log2(1 + 10) = 0.6·3.459432 = 2.075659 bit/s/Hz; × 20 MHz = 41.5132 Mbit/s.
    const Throughput t = downlink_throughput(10.0, 20.0, lte_dl);
    CHECK(t.spectral_efficiency_bps_hz == doctest::Approx(2.075659));
    CHECK(t.throughput_mbps == doctest::Approx(41.51318));
    // 0 dB: 0.6·log2(2) = 0.6.
    CHECK(spectral_efficiency_bps_hz(0.0) == doctest::Approx(0.6));
    // At SINR_MIN (inclusive): 0.6·log2(1.1) = 0.082502; just below: 0.
    CHECK(spectral_efficiency_bps_hz(-10.0) == doctest::Approx(0.082502));
    CHECK(spectral_efficiency_bps_hz(-10.01) == 0.0);
    // At and above SINR_MAX: Thr_MAX = 0.6·log2(1 + 10^2.2) = 0.6·7.317316 = 4.390390 (≈ 4.4).
    CHECK(spectral_efficiency_bps_hz(22.0) == doctest::Approx(4.390390));
    CHECK(spectral_efficiency_bps_hz(35.0) == doctest::Approx(4.390390));
    // Bandwidth efficiency scales Mbit/s only: 4.390390 × 20 MHz × 0.9 = 79.0270 Mbit/s.
    ShannonMapping eff;
    eff.bandwidth_efficiency = 0.9;
    const Throughput capped = downlink_throughput(30.0, 20.0, eff);
    CHECK(capped.spectral_efficiency_bps_hz == doctest::Approx(4.390390));
    CHECK(capped.throughput_mbps == doctest::Approx(79.02701));
    // NaN SINR (e.g. no server) gives no throughput.
    CHECK(spectral_efficiency_bps_hz(std::nan("")) == 0.0);
}
