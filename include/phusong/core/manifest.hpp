#pragma once
/// manifest.json: what produced a set of outputs (engine version, config hash, input checksums,
/// grid, per-stage wall time, counts). Later stages (analyse, plan) check it before reusing outputs.

#include <chrono>
#include <ctime>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace phusong {

/// Engine version string, from CMake's project version.
[[nodiscard]] std::string engine_version();

class Manifest {
public:
    Manifest();

    void set_config(const std::filesystem::path& scenario_file, const std::string& config_hash);
    /// Records an input file with its sha256 under its role ("dem", "sites", …).
    void add_input(const std::string& role, const std::filesystem::path& path);
    /// A stage's wall time and, where measured, the CPU time of every thread in it, s.
    void add_stage(const std::string& name, double wall_s, std::optional<double> cpu_s = {});
    /// Free-form section ("grid", "counts", "population", …) that a stage fills.
    nlohmann::ordered_json& section(const std::string& name) { return m_json[name]; }
    /// Lists an output file (path relative to the output folder) with its description.
    void add_output(const std::string& relative_path, const std::string& description);

    [[nodiscard]] const nlohmann::ordered_json& json() const { return m_json; }
    /// Writes pretty JSON; throws Error if the file cannot be written completely.
    void write(const std::filesystem::path& path) const;

private:
    nlohmann::ordered_json m_json;
};

/// Measures one stage's wall time and records it in the manifest when stopped.
class StageTimer {
public:
    StageTimer(Manifest& manifest, std::string name);
    /// Stops the clock, records the stage's wall and CPU time, and returns its wall time in seconds.
    double stop();

private:
    Manifest* m_manifest;
    std::string m_name;
    std::chrono::steady_clock::time_point m_start;
    std::clock_t m_cpu_start;
};

}  // namespace phusong
