#include "phusong/pipeline/run_folder.hpp"

#include <fmt/format.h>

#include <cmath>
#include <map>

#include "phusong/core/analysis_config.hpp"
#include "phusong/core/error.hpp"
#include "phusong/core/hash.hpp"
#include "phusong/core/output_file.hpp"
#include "phusong/coverage/predict.hpp"
#include "phusong/io/qgs_project.hpp"
#include "phusong/io/report.hpp"
#include "destination.hpp"

namespace phusong::pipeline {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

namespace {

/// True if `path` lies inside `root` (both made absolute and normal; `path` need not exist).
bool within(const fs::path& root, const fs::path& path) {
    return is_within(fs::weakly_canonical(root), fs::weakly_canonical(path));
}

}  // namespace

RunFolder::RunFolder(const fs::path& dir)
    : m_dir(fs::absolute(dir).lexically_normal()), m_manifest(io::read_manifest(dir)) {}

void RunFolder::require(std::initializer_list<const char*> keys) const {
    ProblemList problems;
    for (const char* key : keys) {
        if (!m_manifest.contains(key)) {
            problems.add(manifest_file().string(), std::string("key ") + key, "missing: re-run `phusong run`");
        }
    }
    problems.throw_if_any();
}

geo::Grid RunFolder::grid() const {
    const json& g = m_manifest.at("grid");  // io::read_manifest made sure it is there
    geo::Grid grid;
    try {
        grid.epsg = g.at("epsg").get<int>();
        grid.cols = g.at("cols").get<int>();
        grid.rows = g.at("rows").get<int>();
        grid.resolution_m = g.at("resolution_m").get<double>();
        grid.origin_x_m = g.at("origin_x_m").get<double>();
        grid.origin_y_m = g.at("origin_y_m").get<double>();
        grid.tile_size_px = g.at("tile_size_px").get<int>();
    } catch (const std::exception& e) {
        throw InputError(manifest_file().string(), "key grid",
                         std::string("incomplete grid record (") + e.what() + "): re-run `phusong run`");
    }
    return grid;
}

std::vector<RecordedInput> RunFolder::inputs() const {
    std::vector<RecordedInput> out;
    for (const auto& e : m_manifest.value("inputs", json::array())) {
        out.push_back({e.value("role", std::string()), e.value("path", std::string()), e.value("sha256", std::string())});
    }
    return out;
}

std::vector<RecordedLayer> RunFolder::layers() const {
    const std::string mf = manifest_file().string();
    const json& ml = m_manifest.value("layers", json());
    if (!ml.is_array() || ml.empty()) {
        throw InputError(mf, "key layers", "no layer listed: nothing to analyse; re-run `phusong run`");
    }
    std::vector<RecordedLayer> out;
    for (std::size_t i = 0; i < ml.size(); ++i) {
        const std::string key = fmt::format("key layers[{}].folder", i);
        if (!ml[i].is_object() || !ml[i].contains("folder") || !ml[i]["folder"].is_string()) {
            throw InputError(mf, key, "missing: re-run `phusong run`");
        }
        out.push_back({ml[i].value("name", std::string()), inside(ml[i]["folder"].get<std::string>(), key),
                       ml[i].value("signal", std::string())});
    }
    return out;
}

fs::path RunFolder::inside(const std::string& relative, std::string_view key) const {
    const fs::path rel(relative);
    const fs::path full = (m_dir / rel).lexically_normal();
    bool climbs = false;
    for (const auto& part : rel.lexically_normal()) climbs = climbs || part == "..";
    if (relative.empty() || rel.is_absolute() || climbs || !within(m_dir, full)) {
        throw InputError(manifest_file().string(), std::string(key),
                         "\"" + relative + "\" leads out of the output folder " + m_dir.string() +
                             ": the manifest was edited or damaged; re-run `phusong run`");
    }
    return full;
}

fs::path RunFolder::scenario_file(const fs::path& given) const {
    if (!given.empty()) return given;
    const json stamp = m_manifest.value("scenario", json::object());
    if (stamp.contains("path")) return stamp["path"].get<std::string>();
    // Manifests older than the recorded path name the file only: look beside the inputs.
    const std::string name = stamp.value("file", std::string());
    if (!name.empty()) {
        for (const auto& input : inputs()) {
            for (fs::path d = input.path.parent_path(); !d.empty(); d = d.parent_path()) {
                if (fs::exists(d / name)) return d / name;
                if (d == d.parent_path()) break;
            }
        }
    }
    throw UsageError("cannot find the scenario of " + manifest_file().string() + ": give it with --scenario");
}

void RunFolder::check_stamp(const Scenario& s) const {
    const std::string mf = manifest_file().string();
    ProblemList problems;
    const std::map<std::string, fs::path> predicted_from = {{"dem", s.inputs.dem},
                                                            {"population", s.inputs.population},
                                                            {"aoi", s.inputs.aoi},
                                                            {"sites", s.inputs.sites}};
    for (const auto& input : inputs()) {
        const auto it = predicted_from.find(input.role);
        if (it == predicted_from.end()) continue;
        std::error_code ec;
        if (!fs::is_regular_file(it->second, ec) || sha256_file_hex(it->second) != input.sha256) {
            problems.add(mf, "input " + input.role,
                         "the scenario's " + input.role + " (" + it->second.string() +
                             ") is not the file these outputs were predicted from: re-run `phusong run`, or pass the "
                             "scenario they were made with");
        }
    }
    const json stamp = m_manifest.value("scenario", json::object());
    if (stamp.contains("prediction_config_sha256")) {
        const std::string hash = stamp.value("prediction_config_sha256", std::string());
        const std::string now = prediction_config_hash(s.file);
        if (hash != now) {
            problems.add(mf, "key scenario.prediction_config_sha256",
                         fmt::format("the outputs were predicted with other settings ({}…) than {} ({}…; only "
                                     "[analysis], [plan] and inputs.admin* may change): re-run `phusong run` with "
                                     "this scenario",
                                     hash.substr(0, 12), s.file.string(), now.substr(0, 12)));
        }
        // With zones = thresholds the exact zones end where each cell's signal falls below its
        // technology's weakest threshold: an analysis or plan reading weaker ones needs a new run.
        const json zones = stamp.value("zone_thresholds_dbm", json::object());
        const auto now_dbm = coverage::zone_thresholds_dbm(s.analysis, s.plan);
        const std::array<const char*, 4> techs = {"GSM", "UMTS", "LTE", "NR"};
        for (std::size_t t = 0; t < techs.size(); ++t) {
            if (!zones.contains(techs[t])) continue;
            const double then_dbm = zones[techs[t]].get<double>();
            if (now_dbm[t] < then_dbm - 1e-9) {
                problems.add(mf, std::string("key scenario.zone_thresholds_dbm.") + techs[t],
                             fmt::format("the outputs' exact zones reach {} signals down to {:g} dBm, but {}'s "
                                         "[analysis] or [plan] thresholds read them down to {:g} dBm (the coverage classes' "
                                         "bounds less the overlap margin of {:g} dB): re-run `phusong run` with this "
                                         "scenario",
                                         techs[t], then_dbm, s.file.string(), now_dbm[t], coverage::kOverlapMarginDb));
            }
        }
    } else if (const std::string hash = stamp.value("config_sha256", std::string()); hash != s.config_hash) {
        problems.add(mf, "key scenario.config_sha256",
                     fmt::format("the outputs were made with another configuration ({}…) than {} ({}…), and this "
                                 "older manifest has no prediction stamp to tell whether only [analysis] or [plan] "
                                 "changed: re-run `phusong run` with this scenario",
                                 hash.substr(0, 12), s.file.string(), s.config_hash.substr(0, 12)));
    }
    problems.throw_if_any();
}

void RunFolder::check_grid(const geo::Grid& g) const {
    const geo::Grid run = grid();
    if (run.epsg != g.epsg || run.cols != g.cols || run.rows != g.rows || run.resolution_m != g.resolution_m ||
        run.origin_x_m != g.origin_x_m || run.origin_y_m != g.origin_y_m) {
        throw InputError(manifest_file().string(), "key grid",
                         "the grid of the outputs differs from the scenario's: re-run `phusong run`");
    }
}

void RunFolder::add_outputs(const std::vector<std::pair<std::string, std::string>>& added) {
    json& outputs = m_manifest["outputs"];
    if (!outputs.is_array()) outputs = json::array();
    for (const auto& [path, what] : added) {
        bool listed = false;
        for (const auto& o : outputs) listed = listed || o.value("path", std::string()) == path;
        if (!listed) outputs.push_back({{"path", path}, {"description", what}});
    }
}

void RunFolder::add_stage(const std::string& name, double wall_s) {
    json& stages = m_manifest["stages"];
    if (!stages.is_array()) stages = json::array();
    stages.push_back({{"name", name}, {"wall_s", std::round(wall_s * 1000.0) / 1000.0}});
}

void RunFolder::save() const { save_to(manifest_file()); }

void RunFolder::save_to(const fs::path& path) const { write_file_atomically(path, m_manifest.dump(2) + "\n"); }

}  // namespace phusong::pipeline
