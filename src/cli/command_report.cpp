// `phusong report OUTPUT_DIR`: (re)writes the QGIS project and the HTML report of a previous run's
// output folder from what it holds (manifest.json and the files). Each file is written through a
// temporary file and a rename; the manifest lists them afterwards.

#include <algorithm>
#include <cstdio>

#include "commands.hpp"
#include "phusong/core/error.hpp"
#include "phusong/io/qgs_project.hpp"
#include "phusong/io/report.hpp"

namespace phusong::cli {
namespace {

class ReportCommand final : public Command {
public:
    void add_options(CLI::App& app) override {
        app.add_option("dir", m_dir, "output folder of a previous run")->required();
    }

    int execute(const GlobalOptions& /*global*/) override {
        const std::filesystem::path dir(m_dir);
        nlohmann::ordered_json manifest = io::read_manifest(dir);  // InputError (exit 3) if not a run's folder
        const auto files = io::write_presentation(dir, manifest);
        // List the new files in the manifest's outputs (once), rewriting it atomically.
        auto& outputs = manifest["outputs"];
        if (!outputs.is_array()) outputs = nlohmann::ordered_json::array();
        bool changed = false;
        for (const auto& f : files) {
            const bool listed = std::any_of(outputs.begin(), outputs.end(),
                                            [&](const auto& o) { return o.value("path", "") == f.path; });
            if (!listed) {
                outputs.push_back({{"path", f.path}, {"description", f.description}});
                changed = true;
            }
        }
        if (changed) io::write_file_atomically(dir / "manifest.json", manifest.dump(2) + "\n");
        for (const auto& f : files) std::printf("%s\n", (dir / f.path).c_str());
        return 0;
    }

private:
    std::string m_dir;
};

}  // namespace

std::unique_ptr<Command> make_report_command() { return std::make_unique<ReportCommand>(); }

}  // namespace phusong::cli
