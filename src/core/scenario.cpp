#include "phusong/core/scenario.hpp"

#include <charconv>
#include <sstream>

#include "phusong/core/error.hpp"
#include "phusong/core/hash.hpp"
#include "phusong/core/input_file.hpp"
#include "phusong/core/toml_reader.hpp"
#include "option_table.hpp"

namespace phusong {
namespace {

void check_file(TomlTableReader& r, std::string_view key, const std::filesystem::path& p) {
    if (p.empty()) return;  // already reported as missing
    std::error_code ec;
    if (!std::filesystem::exists(p, ec)) {
        r.problem(key, "file not found: " + p.string() + " (paths are relative to the scenario file)");
    } else if (std::filesystem::is_directory(p, ec) && p.extension() != ".gdb") {
        r.problem(key, "expected a file, got a folder: " + p.string());
    } else if (const std::string kind = special_file_kind(p); !kind.empty()) {
        r.problem(key, special_file_message(p, kind));
    }
}

void read_inputs(TomlTableReader r, InputsConfig& in, ScenarioUse use) {
    options::read_options(r, in);
    TomlTableReader columns = r.table("site_columns");
    options::read_options(columns, in.site_columns);
    columns.finish();
    TomlTableReader units = r.table("site_units");
    options::read_options(units, in.site_units);
    units.finish();
    r.finish();
    check_file(r, "dem", in.dem);
    for (auto [key, path] : {std::pair{"population", &in.population}, std::pair{"aoi", &in.aoi}}) {
        if (!path->empty()) {
            check_file(r, key, *path);
        } else if (use == ScenarioUse::run) {
            r.problem(key, "required key is missing: give the path of the file");
        }
    }
    check_file(r, "sites", in.sites);
    if (in.admin) check_file(r, "admin", *in.admin);
    if (in.clutter) check_file(r, "clutter", *in.clutter);
}

/// [clutter.<code>]: each sub-table's name is the class's integer code in the raster.
void read_clutter(TomlTableReader r, std::map<int, ClutterClass>& out) {
    for (const auto& name : r.subtable_names()) {
        TomlTableReader cr = r.table(name);
        int code = 0;
        const auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), code);
        if (ec != std::errc() || end != name.data() + name.size()) {
            r.problem(name, "not a class code: name each class by its integer value in the clutter raster, "
                            "e.g. [clutter.21]");
            continue;
        }
        ClutterClass c;
        options::read_options(cr, c);
        cr.finish();
        if (c.name.empty()) c.name = "class " + name;
        out[code] = c;
    }
    r.finish();
}

void read_calibration(TomlTableReader r, CalibrationConfig& c) {
    options::read_options(r, c);
    r.finish();
}

void read_grid(TomlTableReader r, GridConfig& g) {
    options::read_options(r, g);
    r.finish();
}

/// Model keys shared by [prediction], [prediction.band."NAME"] and [prediction.layer."NAME"], with
/// their [….spm] and [….itm] tables.
void read_model(TomlTableReader& r, radio::ModelConfig& m) {
    options::read_options(r, m);
    TomlTableReader spm = r.table("spm");
    options::read_options(spm, m.spm);
    spm.finish();
    TomlTableReader itm = r.table("itm");
    options::read_options(itm, m.itm);
    itm.finish();
}

void read_prediction(TomlTableReader r, PredictionConfig& p) {
    options::read_options(r, p);
    read_model(r, p.model);
    // Overrides: [prediction.band."B8"] and [prediction.layer."Viettel LTE B3"], each starting from
    // the default model; a layer override wins over its band's.
    for (auto [key, target] : {std::pair{"band", &p.band_models}, std::pair{"layer", &p.layer_models}}) {
        TomlTableReader group = r.table(key);
        for (const auto& name : group.subtable_names()) {
            radio::ModelConfig m = p.model;
            TomlTableReader mr = group.table(name);
            read_model(mr, m);
            mr.finish();
            (*target)[name] = m;
        }
        group.finish();
    }
    r.finish();
}

void read_antennas(TomlTableReader r, std::map<std::string, AntennaSpec>& out) {
    for (const auto& name : r.subtable_names()) {
        AntennaSpec a;
        TomlTableReader ar = r.table(name);
        options::read_options(ar, a);
        options::read_options(ar, a.sector);
        ar.finish();
        if (a.msi_file) check_file(ar, "msi", *a.msi_file);
        out[name] = a;
    }
    r.finish();
}

}  // namespace

const PredictionConfig& default_prediction_config() {
    static const PredictionConfig defaults;
    return defaults;
}

Scenario load_scenario(const std::filesystem::path& file, ScenarioUse use) {
    const std::string name = file.string();
    std::error_code ec;
    if (!std::filesystem::exists(file, ec)) {
        throw InputError(name, "", "scenario file not found");
    }
    if (std::filesystem::is_directory(file, ec)) {
        throw InputError(name, "", "expected a scenario file (TOML), got a folder");
    }
    // A scenario is a few kilobytes; the bound stops a wrong path (a log, a raster) early.
    constexpr std::uintmax_t kMaxScenarioBytes = 16u << 20;
    const std::string text = read_input_file(file, kMaxScenarioBytes, "scenario file");
    toml::table root;
    try {
        root = toml::parse(text, name);
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
        TomlTableReader meta_reader = top.table("scenario");
        options::ScenarioMeta meta;
        options::read_options(meta_reader, meta);
        meta_reader.finish();
        s.name = meta.name.empty() ? file.stem().string() : meta.name;
    }
    if (!root.contains("inputs")) {
        problems.add(name, "table [inputs]", "required table is missing: it names dem, population, aoi and sites");
    } else {
        read_inputs(top.table("inputs"), s.inputs, use);
    }
    read_grid(top.table("grid"), s.grid);
    read_prediction(top.table("prediction"), s.prediction);
    read_antennas(top.table("antennas"), s.antennas);
    read_analysis(top.table("analysis"), s.analysis);
    read_plan(top.table("plan"), s.plan);
    {
        TomlTableReader report = top.table("report");
        options::read_options(report, s.report);
        report.finish();
    }
    read_clutter(top.table("clutter"), s.clutter);
    read_calibration(top.table("calibration"), s.calibration);
    top.finish();
    if (!s.clutter.empty() && !s.inputs.clutter) {
        problems.add(name, "table [clutter]", "class losses are given but no clutter raster: add inputs.clutter");
    }
    problems.throw_if_any();

    std::ostringstream canonical;
    canonical << root;
    s.config_hash = sha256_hex(canonical.str());
    return s;
}

}  // namespace phusong
