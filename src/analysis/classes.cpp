// Coverage classes, the views (layer, operator union, technology union) and the manifest section.

#include <fmt/format.h>

#include <cmath>
#include <map>
#include <set>

#include "phusong/analysis/analysis.hpp"
#include "phusong/core/error.hpp"
#include "phusong/core/text.hpp"

namespace phusong::analysis {

const char* class_name(int c) {
    switch (c) {
        case kNone: return "none";
        case kFair: return "fair";
        case kGood: return "good";
        default: return "outside";
    }
}

const char* view_kind_name(ViewKind kind) {
    switch (kind) {
        case ViewKind::layer: return "layer";
        case ViewKind::operator_union: return "operator";
        case ViewKind::technology_union: return "all_operators";
    }
    return "layer";
}

std::uint8_t classify(const ClassThresholds& t, float signal_dbm, std::optional<float> sinr_db,
                      std::optional<float> throughput_mbps) {
    // NaN fails every comparison: no signal, no SINR or no throughput is "none".
    const double s = signal_dbm;
    const auto passes = [&](double signal_min, double sinr_min, double tput_min) {
        if (!(s >= signal_min)) return false;
        if (sinr_db && !(static_cast<double>(*sinr_db) >= sinr_min)) return false;
        if (throughput_mbps && !(static_cast<double>(*throughput_mbps) >= tput_min)) return false;
        return true;
    };
    if (passes(t.good_signal_dbm, t.good_sinr_db, t.good_throughput_mbps)) return kGood;
    if (passes(t.fair_signal_dbm, t.fair_sinr_db, t.fair_throughput_mbps)) return kFair;
    return kNone;
}

const char* cause_name(int c) {
    switch (c) {
        case kCauseNoServer: return "no_server";
        case kCauseWeakSignal: return "weak_signal";
        case kCauseLowSinr: return "low_sinr";
        case kCauseLowThroughput: return "low_throughput";
        default: return "no_server";
    }
}

std::uint8_t uncovered_cause(const ClassThresholds& t, float signal_dbm, std::optional<float> sinr_db,
                             std::optional<float> /*throughput_mbps*/) {
    // The fair bounds in classify()'s order; a pixel in "none" fails at least one of them, so one
    // that passes signal and SINR fails the throughput bound.
    if (std::isnan(signal_dbm)) return kCauseNoServer;
    if (!(static_cast<double>(signal_dbm) >= t.fair_signal_dbm)) return kCauseWeakSignal;
    if (sinr_db && !(static_cast<double>(*sinr_db) >= t.fair_sinr_db)) return kCauseLowSinr;
    return kCauseLowThroughput;
}

void ClassStats::add(const ClassStats& o) {
    for (int c = 0; c < kClasses; ++c) {
        population[c] += o.population[c];
        pixels[c] += o.pixels[c];
    }
}


std::vector<View> make_views(const std::vector<LayerInfo>& layers) {
    std::vector<View> views;
    for (std::size_t i = 0; i < layers.size(); ++i) {
        const LayerInfo& l = layers[i];
        views.push_back({ViewKind::layer, l.name, l.slug.empty() ? slug(l.name) : l.slug, l.operator_name, l.tech,
                         l.signal, {i}});
    }
    // Ordered maps: the views' order (and so every output's) does not depend on hashing.
    std::map<std::pair<std::string, int>, View> by_operator;
    std::map<int, View> by_tech;
    for (std::size_t i = 0; i < layers.size(); ++i) {
        const LayerInfo& l = layers[i];
        const std::string tech(radio::to_string(l.tech));
        View& op = by_operator[{l.operator_name, static_cast<int>(l.tech)}];
        if (op.layers.empty()) {
            op = {ViewKind::operator_union, l.operator_name + " " + tech, slug(l.operator_name + " " + tech),
                  l.operator_name, l.tech, l.signal, {}};
        }
        op.layers.push_back(i);
        View& all = by_tech[static_cast<int>(l.tech)];
        if (all.layers.empty()) {
            all = {ViewKind::technology_union, tech + " (all operators)", "all_operators_" + slug(tech), "",
                   l.tech, l.signal, {}};
        }
        all.layers.push_back(i);
    }
    for (auto& [k, v] : by_operator) views.push_back(std::move(v));
    for (auto& [k, v] : by_tech) views.push_back(std::move(v));
    return views;
}

nlohmann::ordered_json thresholds_json(const AnalysisConfig& config) {
    nlohmann::ordered_json j = nlohmann::ordered_json::object();
    for (int t = 0; t < 4; ++t) {
        const auto tech = static_cast<radio::Technology>(t);
        const ClassThresholds& c = config.thresholds[static_cast<std::size_t>(t)];
        nlohmann::ordered_json e = {{"good_signal_dbm", c.good_signal_dbm}, {"fair_signal_dbm", c.fair_signal_dbm}};
        if (tech == radio::Technology::lte || tech == radio::Technology::nr) {
            e["good_sinr_db"] = c.good_sinr_db;
            e["fair_sinr_db"] = c.fair_sinr_db;
            e["good_throughput_mbps"] = c.good_throughput_mbps;
            e["fair_throughput_mbps"] = c.fair_throughput_mbps;
        }
        j[std::string(radio::to_string(tech))] = e;
    }
    return j;
}

nlohmann::ordered_json manifest_section(const AnalysisResult& r, const AnalysisConfig& config,
                                        const CensusScaling& census, const AdminUnits* admin) {
    nlohmann::ordered_json j;
    j["thresholds"] = thresholds_json(config);
    j["location_probability"] = {{"probability", config.location_probability},
                                 {"shadowing_sigma_db", config.shadowing_sigma_db},
                                 {"signal_margin_db", config.location_margin_db}};
    j["classes"] = {{"0", "none"}, {"1", "fair"}, {"2", "good"}, {"255", "outside the AOI"}};
    j["population_in_aoi"] = std::round(r.aoi_population);
    if (census.applied) {
        nlohmann::ordered_json c = {{"source", census.source},
                                    {"population_before", std::round(census.aoi_before)},
                                    {"population_after", std::round(census.aoi_after)}};
        if (census.rest_factor) c["factor_outside_listed_units"] = *census.rest_factor;
        nlohmann::ordered_json units = nlohmann::ordered_json::array();
        for (std::size_t u = 0; admin != nullptr && u < census.unit_factor.size(); ++u) {
            units.push_back({{"name", admin->names[u]}, {"code", admin->codes[u]}, {"factor", census.unit_factor[u]}});
        }
        c["unit_factors"] = units;
        j["census"] = c;
    }
    // Headline figures: population covered (fair or better) per technology, per operator and for
    // the union of operators.
    nlohmann::ordered_json headline = nlohmann::ordered_json::object();
    for (const ViewResult& v : r.views) {
        if (v.view.kind == ViewKind::layer) continue;
        const std::string tech(radio::to_string(v.view.tech));
        const std::string who = v.view.kind == ViewKind::technology_union ? "all_operators" : v.view.operator_name;
        const double share = r.aoi_population > 0 ? v.aoi.covered_population() / r.aoi_population : 0.0;
        headline[tech][who] = {{"covered_population", std::round(v.aoi.covered_population())},
                               {"good_population", std::round(v.aoi.population[kGood])},
                               {"covered_share", std::round(share * 1e4) / 1e4}};
    }
    j["covered"] = headline;
    j["gaps"] = r.gaps.size();
    j["gap_filters"] = {{"min_area_km2", config.gap_min_area_km2},
                        {"min_population", config.gap_min_population},
                        {"simplify_px", config.gap_simplify_px}};
    if (admin != nullptr) {
        j["admin_units"] = {{"file", admin->file},
                            {"count", admin->names.size()},
                            {"unassigned_population", std::round(r.unassigned_population)},
                            {"repaired", admin->repaired}};
    }
    return j;
}

}  // namespace phusong::analysis
