#include "phusong/core/manifest.hpp"

#include <spdlog/spdlog.h>

#include <cmath>
#include <sstream>

#include "phusong/core/error.hpp"
#include "phusong/core/hash.hpp"
#include "phusong/core/output_file.hpp"

namespace phusong {

std::string engine_version() { return PHUSONG_VERSION; }

Manifest::Manifest() {
    m_json["engine"] = {{"name", "phusong"}, {"version", engine_version()}};
    m_json["inputs"] = nlohmann::ordered_json::array();
    m_json["stages"] = nlohmann::ordered_json::array();
    m_json["outputs"] = nlohmann::ordered_json::array();
}

void Manifest::set_config(const std::filesystem::path& scenario_file, const std::string& config_hash) {
    m_json["scenario"] = {{"file", scenario_file.filename().string()}, {"config_sha256", config_hash}};
}

void Manifest::add_input(const std::string& role, const std::filesystem::path& path) {
    // Absolute: `report`, `analyse` and `plan` read the inputs' sources and the AOI again, from
    // whatever folder they are started in.
    m_json["inputs"].push_back({{"role", role},
                                {"path", std::filesystem::absolute(path).lexically_normal().string()},
                                {"sha256", sha256_file_hex(path)}});
}

void Manifest::add_stage(const std::string& name, double wall_s, std::optional<double> cpu_s) {
    nlohmann::ordered_json stage = {{"name", name}, {"wall_s", std::round(wall_s * 1000.0) / 1000.0}};
    if (cpu_s) stage["cpu_s"] = std::round(*cpu_s * 1000.0) / 1000.0;
    m_json["stages"].push_back(std::move(stage));
}

void Manifest::add_output(const std::string& relative_path, const std::string& description) {
    m_json["outputs"].push_back({{"path", relative_path}, {"description", description}});
}

void Manifest::write(const std::filesystem::path& path) const {
    std::ostringstream out;
    out << m_json.dump(2) << '\n';
    write_output_file(path, out.str());
}

StageTimer::StageTimer(Manifest& manifest, std::string name)
    : m_manifest(&manifest), m_name(std::move(name)), m_start(std::chrono::steady_clock::now()),
      m_cpu_start(std::clock()) {}

double StageTimer::stop() {
    const double s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - m_start).count();
    // std::clock: the process's CPU time, every thread's (POSIX: CLOCK_PROCESS_CPUTIME_ID).
    const double cpu = static_cast<double>(std::clock() - m_cpu_start) / CLOCKS_PER_SEC;
    m_manifest->add_stage(m_name, s, cpu);
    spdlog::debug("stage {} took {:.2f} s", m_name, s);
    return s;
}

}  // namespace phusong
