// Where a command may write: never onto or among its inputs.

#include "destination.hpp"

#include "phusong/core/error.hpp"
#include <nlohmann/json.hpp>

#include "phusong/core/input_file.hpp"

namespace phusong::pipeline {

namespace fs = std::filesystem;

bool is_within(const fs::path& outer, const fs::path& inner) {
    auto o = outer.begin();
    auto i = inner.begin();
    for (; o != outer.end(); ++o, ++i) {
        if (i == inner.end() || *o != *i) return false;
    }
    return true;
}

void check_destination(const fs::path& dest, bool overwrite, const Scenario& s, const std::vector<fs::path>& more_inputs) {
    std::error_code ec;
    const fs::path out = fs::weakly_canonical(fs::absolute(dest), ec);
    const fs::path cwd = fs::weakly_canonical(fs::current_path(), ec);
    if (is_within(out, cwd)) {
        throw UsageError("output folder " + dest.string() + " is or contains the current folder " + cwd.string() +
                         ": choose another --out (e.g. out/" + s.file.stem().string() + ")");
    }
    std::vector<fs::path> inputs = {s.file, s.inputs.dem, s.inputs.population, s.inputs.aoi, s.inputs.sites};
    if (s.inputs.admin) inputs.push_back(*s.inputs.admin);
    if (s.inputs.clutter) inputs.push_back(*s.inputs.clutter);
    inputs.insert(inputs.end(), more_inputs.begin(), more_inputs.end());
    for (const auto& [name, spec] : s.antennas) {
        if (spec.msi_file) inputs.push_back(*spec.msi_file);
    }
    for (const fs::path& input : inputs) {
        if (input.empty()) continue;  // an optional input not given
        const fs::path folder = fs::weakly_canonical(fs::absolute(input), ec).parent_path();
        if (is_within(out, folder) || is_within(folder, out)) {
            throw UsageError("output folder " + dest.string() + " would mix outputs with the input " + input.string() +
                             " (its folder " + folder.string() + "): choose an --out outside the inputs' folders");
        }
    }
    if (overwrite && fs::is_directory(out, ec)) {
        const fs::path manifest = out / "manifest.json";
        bool ours = false;
        try {
            // Any phusong command's folder (run, calibrate): its manifest names the engine.
            constexpr std::uintmax_t kMaxManifestBytes = 64u << 20;
            ours = fs::is_regular_file(manifest, ec) &&
                   nlohmann::json::parse(read_input_file(manifest, kMaxManifestBytes, "manifest"))
                           .value("/engine/name"_json_pointer, std::string()) == "phusong";
        } catch (const std::exception&) {
            ours = false;
        }
        if (!ours) {
            throw UsageError("output folder " + dest.string() +
                             " exists and is not the output of a phusong command (no manifest.json of phusong in it): "
                             "--overwrite only replaces a previous output folder of phusong; choose another --out");
        }
    }
}


}  // namespace phusong::pipeline
