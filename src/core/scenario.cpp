#include "phusong/core/scenario.hpp"

#include <sstream>

#include "phusong/core/error.hpp"
#include "phusong/core/hash.hpp"
#include "phusong/core/toml_reader.hpp"

namespace phusong {
namespace {

void check_file(TomlTableReader& r, std::string_view key, const std::filesystem::path& p) {
    if (p.empty()) return;  // already reported as missing
    std::error_code ec;
    if (!std::filesystem::exists(p, ec)) {
        r.problem(key, "file not found: " + p.string() + " (paths are relative to the scenario file)");
    } else if (std::filesystem::is_directory(p, ec) && p.extension() != ".gdb") {
        r.problem(key, "expected a file, got a folder: " + p.string());
    }
}

void read_inputs(TomlTableReader r, InputsConfig& in) {
    r.require_path("dem", in.dem);
    r.require_path("population", in.population);
    r.require_path("aoi", in.aoi);
    r.require_path("sites", in.sites);
    r.get_path("admin", in.admin);
    r.get("admin_name_field", in.admin_name_field);
    r.get("admin_code_field", in.admin_code_field);
    r.finish();
    check_file(r, "dem", in.dem);
    check_file(r, "population", in.population);
    check_file(r, "aoi", in.aoi);
    check_file(r, "sites", in.sites);
    if (in.admin) check_file(r, "admin", *in.admin);
}

void read_grid(TomlTableReader r, GridConfig& g) {
    r.get("resolution_m", g.resolution_m, "metres");
    r.get("margin_m", g.margin_m, "metres");
    r.get("tile_size_px", g.tile_size_px);
    r.get("epsg", g.epsg);
    r.finish();
    if (!(g.resolution_m >= 1.0 && g.resolution_m <= 5000.0)) {
        r.problem("resolution_m", "expected 1 ≤ resolution_m ≤ 5000 (metres), got " +
                                      std::to_string(g.resolution_m));
    }
    if (!(g.margin_m >= 0.0 && g.margin_m <= 200000.0)) {
        r.problem("margin_m", "expected 0 ≤ margin_m ≤ 200000 (metres), got " +
                                  std::to_string(g.margin_m));
    }
    if (g.tile_size_px < 64 || g.tile_size_px > 8192) {
        r.problem("tile_size_px", "expected 64 ≤ tile_size_px ≤ 8192, got " +
                                      std::to_string(g.tile_size_px));
    }
    if (g.epsg && (*g.epsg < 1024 || *g.epsg > 999999)) {
        r.problem("epsg", "expected an EPSG code such as 32648 (WGS 84 / UTM 48N), got " +
                              std::to_string(*g.epsg));
    }
}

}  // namespace

Scenario load_scenario(const std::filesystem::path& file) {
    const std::string name = file.string();
    std::error_code ec;
    if (!std::filesystem::exists(file, ec)) {
        throw InputError(name, "", "scenario file not found");
    }
    toml::table root;
    try {
        root = toml::parse_file(name);
    } catch (const toml::parse_error& e) {
        const auto& b = e.source().begin;
        throw InputError(name, "line " + std::to_string(b.line) + ", column " + std::to_string(b.column),
                         "not valid TOML: " + std::string(e.description()));
    }

    Scenario s;
    s.file = file;
    ProblemList problems;
    TomlTableReader top(&root, "", name, file.parent_path(), problems);
    {
        TomlTableReader meta = top.table("scenario");
        meta.get("name", s.name);
        meta.finish();
    }
    if (s.name.empty()) s.name = file.stem().string();
    if (!root.contains("inputs")) {
        problems.add(name, "table [inputs]", "required table is missing: it names dem, population, aoi and sites");
    } else {
        read_inputs(top.table("inputs"), s.inputs);
    }
    read_grid(top.table("grid"), s.grid);
    top.finish();
    problems.throw_if_any();

    std::ostringstream canonical;
    canonical << root;
    s.config_hash = sha256_hex(canonical.str());
    return s;
}

}  // namespace phusong
