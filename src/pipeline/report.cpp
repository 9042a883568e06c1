// report: the QGIS project and the HTML report of a run's folder, listed in its manifest.

#include "phusong/io/report.hpp"
#include "phusong/pipeline/run_folder.hpp"
#include "phusong/pipeline/stages.hpp"

namespace phusong::pipeline {

std::vector<std::filesystem::path> report(const std::filesystem::path& dir) {
    RunFolder folder(dir);  // InputError (exit 3) if not a run's folder
    const auto files = io::write_presentation(dir, folder.manifest());
    std::vector<std::pair<std::string, std::string>> listed;
    std::vector<std::filesystem::path> paths;
    for (const auto& f : files) {
        listed.emplace_back(f.path, f.description);
        paths.push_back(dir / f.path);
    }
    const std::size_t before = folder.manifest().value("outputs", nlohmann::ordered_json::array()).size();
    folder.add_outputs(listed);
    if (folder.manifest().at("outputs").size() != before) folder.save();
    return paths;
}

}  // namespace phusong::pipeline
