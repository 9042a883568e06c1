#pragma once
/// The output folder of a completed `phusong run` and its manifest.json, for the stages that
/// read or extend it (analyse, plan, report). One owner of the folder: the manifest read and
/// checked in one place, one stamp check, every path the manifest names checked to stay inside
/// the folder, and every update of the manifest atomic (temporary file + rename).

#include <filesystem>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "phusong/core/scenario.hpp"
#include "phusong/geo/grid.hpp"

namespace phusong::pipeline {

/// An input the run recorded: its role ("dem", "sites", …), path and sha256.
struct RecordedInput {
    std::string role;
    std::filesystem::path path;
    std::string sha256;
};

/// A layer the run wrote: its name, its folder (absolute, inside the run folder) and the name of
/// its signal ("RSRP", "RSCP", "RxLev").
struct RecordedLayer {
    std::string name;
    std::filesystem::path folder;
    std::string signal;
};

class RunFolder {
public:
    /// Opens the folder of a completed run. InputError (exit 3) naming the file when the folder or
    /// its manifest.json is missing, is not JSON, or lacks what a completed run records.
    explicit RunFolder(const std::filesystem::path& dir);

    [[nodiscard]] const std::filesystem::path& dir() const noexcept { return m_dir; }
    [[nodiscard]] std::filesystem::path manifest_file() const { return m_dir / "manifest.json"; }
    [[nodiscard]] const nlohmann::ordered_json& manifest() const noexcept { return m_manifest; }
    /// InputError listing the keys among `keys` the manifest lacks (a stage's needs).
    void require(std::initializer_list<const char*> keys) const;
    /// A section of the manifest, to replace ("analysis", "plan").
    nlohmann::ordered_json& section(const std::string& name) { return m_manifest[name]; }

    /// The analysis grid the run used. InputError if the record is incomplete.
    [[nodiscard]] geo::Grid grid() const;
    [[nodiscard]] std::vector<RecordedInput> inputs() const;
    /// The layers, in the site table's order. InputError if a folder leaves the run folder.
    [[nodiscard]] std::vector<RecordedLayer> layers() const;

    /// The scenario to use: `given` if not empty, else the path the manifest records, else the
    /// file it names found beside one of the recorded inputs. UsageError if none is found.
    [[nodiscard]] std::filesystem::path scenario_file(const std::filesystem::path& given) const;

    /// The stamp: `scenario` predicts what these outputs hold. Its prediction settings (the
    /// scenario hashed without [analysis], [plan] and inputs.admin*; the whole config hash for
    /// manifests older than that stamp) and its dem, population, aoi and sites files (sha256) are
    /// the run's. InputError (exit 3) listing every difference otherwise.
    void check_stamp(const Scenario& scenario) const;
    /// The same grid as the run's (a stage that rebuilds it from the scenario).
    void check_grid(const geo::Grid& grid) const;

    /// `relative` resolved inside the folder. InputError naming `key` if it is absolute, climbs
    /// out with "..", or leads out through a symbolic link.
    [[nodiscard]] std::filesystem::path inside(const std::string& relative, std::string_view key) const;

    /// Replaces the listed outputs whose path `drop` accepts by `added` (path, description).
    template <class Drop>
    void replace_outputs(Drop drop, const std::vector<std::pair<std::string, std::string>>& added) {
        nlohmann::ordered_json kept = nlohmann::ordered_json::array();
        for (const auto& o : m_manifest.value("outputs", nlohmann::ordered_json::array())) {
            if (!drop(o.value("path", std::string()))) kept.push_back(o);
        }
        for (const auto& [path, what] : added) kept.push_back({{"path", path}, {"description", what}});
        m_manifest["outputs"] = std::move(kept);
    }
    /// Lists outputs not listed yet (kept in place where already listed).
    void add_outputs(const std::vector<std::pair<std::string, std::string>>& added);
    void add_stage(const std::string& name, double wall_s);

    /// Writes the manifest to `path` (the folder's own manifest.json by default) through a
    /// temporary file and a rename.
    void save() const;
    void save_to(const std::filesystem::path& path) const;

private:
    std::filesystem::path m_dir;
    nlohmann::ordered_json m_manifest;
};

}  // namespace phusong::pipeline
