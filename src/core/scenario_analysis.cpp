#include <fmt/format.h>

#include <sstream>

#include "phusong/core/analysis_config.hpp"
#include "phusong/core/error.hpp"
#include "phusong/core/hash.hpp"
#include "phusong/core/toml_reader.hpp"

namespace phusong {
namespace {

constexpr std::array<const char*, 4> kTechKeys = {"GSM", "UMTS", "LTE", "NR"};

void read_thresholds(TomlTableReader r, ClassThresholds& t) {
    r.get("good_signal_dbm", t.good_signal_dbm, "dBm");
    r.get("fair_signal_dbm", t.fair_signal_dbm, "dBm");
    r.get("good_sinr_db", t.good_sinr_db, "dB");
    r.get("fair_sinr_db", t.fair_sinr_db, "dB");
    r.get("good_throughput_mbps", t.good_throughput_mbps, "Mbit/s");
    r.get("fair_throughput_mbps", t.fair_throughput_mbps, "Mbit/s");
    r.finish();
    r.check_range("good_signal_dbm", t.good_signal_dbm, -160, 0, "dBm");
    r.check_range("fair_signal_dbm", t.fair_signal_dbm, -160, 0, "dBm");
    r.check_range("good_sinr_db", t.good_sinr_db, -30, 50, "dB");
    r.check_range("fair_sinr_db", t.fair_sinr_db, -30, 50, "dB");
    r.check_range("good_throughput_mbps", t.good_throughput_mbps, 0, 100000, "Mbit/s");
    r.check_range("fair_throughput_mbps", t.fair_throughput_mbps, 0, 100000, "Mbit/s");
    // "good" must be a subset of "fair", or the classes would not nest.
    if (t.good_signal_dbm < t.fair_signal_dbm) {
        r.problem("good_signal_dbm", fmt::format("expected good_signal_dbm ≥ fair_signal_dbm ({:g} dBm), got {:g}",
                                                 t.fair_signal_dbm, t.good_signal_dbm));
    }
    if (t.good_sinr_db < t.fair_sinr_db) {
        r.problem("good_sinr_db", fmt::format("expected good_sinr_db ≥ fair_sinr_db ({:g} dB), got {:g}",
                                              t.fair_sinr_db, t.good_sinr_db));
    }
    if (t.good_throughput_mbps < t.fair_throughput_mbps) {
        r.problem("good_throughput_mbps",
                  fmt::format("expected good_throughput_mbps ≥ fair_throughput_mbps ({:g} Mbit/s), got {:g}",
                              t.fair_throughput_mbps, t.good_throughput_mbps));
    }
}

void read_census(TomlTableReader r, CensusConfig& c) {
    r.get("source", c.source);
    r.get("aoi_total", c.aoi_total, "people");
    TomlTableReader units = r.table("units");
    for (const auto& name : units.subtable_names()) {
        TomlTableReader u = units.table(name);
        std::optional<double> total;
        u.get("total", total, "people");
        u.finish();
        if (!total) {
            u.problem("total", "missing: give the unit's census population, e.g. total = 120000");
        } else if (!(*total > 0)) {
            u.problem("total", fmt::format("expected a population > 0, got {:g}", *total));
        } else {
            c.unit_totals[name] = *total;
        }
    }
    units.finish();
    r.finish();
    if (c.aoi_total && !(*c.aoi_total > 0)) {
        r.problem("aoi_total", fmt::format("expected a population > 0, got {:g}", *c.aoi_total));
    }
    double listed = 0;
    for (const auto& [k, v] : c.unit_totals) listed += v;
    if (c.aoi_total && listed > *c.aoi_total) {
        r.problem("aoi_total", fmt::format("the units listed in analysis.census.units hold {:g} people, more "
                                           "than aoi_total = {:g}: fix one of them",
                                           listed, *c.aoi_total));
    }
}

}  // namespace

void read_analysis(TomlTableReader r, AnalysisConfig& out) {
    TomlTableReader th = r.table("thresholds");
    for (std::size_t i = 0; i < kTechKeys.size(); ++i) read_thresholds(th.table(kTechKeys[i]), out.thresholds[i]);
    th.finish();
    r.get("sensitivity_max_dbm", out.sensitivity_max_dbm, "dBm");
    r.get("sensitivity_min_dbm", out.sensitivity_min_dbm, "dBm");
    r.get("sensitivity_step_db", out.sensitivity_step_db, "dB");
    r.get("gap_min_area_km2", out.gap_min_area_km2, "km²");
    r.get("gap_min_population", out.gap_min_population, "people");
    r.get("gap_simplify_px", out.gap_simplify_px, "pixels");
    r.get("geopackage", out.geopackage);
    read_census(r.table("census"), out.census);
    r.finish();
    r.check_range("sensitivity_max_dbm", out.sensitivity_max_dbm, -160, 0, "dBm");
    r.check_range("sensitivity_min_dbm", out.sensitivity_min_dbm, -160, 0, "dBm");
    r.check_range("sensitivity_step_db", out.sensitivity_step_db, 0.1, 50, "dB");
    if (out.sensitivity_min_dbm > out.sensitivity_max_dbm) {
        r.problem("sensitivity_min_dbm", fmt::format("expected sensitivity_min_dbm ≤ sensitivity_max_dbm ({:g}), got {:g}",
                                                     out.sensitivity_max_dbm, out.sensitivity_min_dbm));
    }
    r.check_range("gap_min_area_km2", out.gap_min_area_km2, 0, 1e6, "km²");
    r.check_range("gap_min_population", out.gap_min_population, 0, 1e9, "people");
    r.check_range("gap_simplify_px", out.gap_simplify_px, 0, 10, "pixels");
}

std::string prediction_config_hash(const std::filesystem::path& scenario_file) {
    toml::table root;
    try {
        root = toml::parse_file(scenario_file.string());
    } catch (const toml::parse_error& e) {
        throw InputError(scenario_file.string(), "", "not valid TOML: " + std::string(e.description()));
    }
    root.erase("analysis");
    root.erase("plan");
    if (auto* inputs = root["inputs"].as_table()) {
        for (const char* k : {"admin", "admin_name_field", "admin_code_field"}) inputs->erase(k);
    }
    std::ostringstream canonical;
    canonical << root;
    return sha256_hex(canonical.str());
}

}  // namespace phusong
