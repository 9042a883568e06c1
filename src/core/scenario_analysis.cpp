#include <fmt/format.h>

#include <sstream>

#include "phusong/core/analysis_config.hpp"
#include "phusong/core/error.hpp"
#include "phusong/core/hash.hpp"
#include "phusong/core/normal.hpp"
#include "phusong/core/toml_reader.hpp"
#include "option_table.hpp"

namespace phusong {
namespace {

void read_thresholds(TomlTableReader r, ClassThresholds& t) {
    options::read_options(r, t);
    r.finish();
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
    options::read_options(r, c);
    TomlTableReader units = r.table("units");
    for (const auto& name : units.subtable_names()) {
        TomlTableReader ur = units.table(name);
        options::CensusUnit u;
        options::read_options(ur, u);
        ur.finish();
        if (!u.total) {
            ur.problem("total", "missing: give the unit's census population, e.g. total = 120000");
        } else {
            c.unit_totals[name] = *u.total;
        }
    }
    units.finish();
    r.finish();
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
    for (std::size_t i = 0; i < out.thresholds.size(); ++i) {
        read_thresholds(th.table(radio::to_string(static_cast<radio::Technology>(i))), out.thresholds[i]);
    }
    th.finish();
    options::read_options(r, out);
    read_census(r.table("census"), out.census);
    r.finish();
    // Location probability: the median must clear each signal threshold by σ·Φ⁻¹(p).
    out.location_margin_db = out.shadowing_sigma_db * inverse_normal_cdf(out.location_probability);
    for (ClassThresholds& t : out.thresholds) {
        t.good_signal_dbm += out.location_margin_db;
        t.fair_signal_dbm += out.location_margin_db;
    }
    if (out.sensitivity_min_dbm > out.sensitivity_max_dbm) {
        r.problem("sensitivity_min_dbm", fmt::format("expected sensitivity_min_dbm ≤ sensitivity_max_dbm ({:g}), got {:g}",
                                                     out.sensitivity_max_dbm, out.sensitivity_min_dbm));
    }
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
    root.erase("report");
    root.erase("calibration");
    if (auto* inputs = root["inputs"].as_table()) {
        for (const char* k : {"admin", "admin_name_field", "admin_code_field"}) inputs->erase(k);
    }
    std::ostringstream canonical;
    canonical << root;
    return sha256_hex(canonical.str());
}

}  // namespace phusong
