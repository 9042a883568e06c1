#include "phusong/core/scenario.hpp"

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
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

template <typename Enum, std::size_t N>
void get_enum(TomlTableReader& r, std::string_view key, Enum& out,
              const std::array<std::pair<std::string_view, Enum>, N>& names) {
    std::optional<std::string> s;
    r.get(key, s);
    if (!s) return;
    std::string list;
    for (const auto& [name, value] : names) {
        if (name == *s) {
            out = value;
            return;
        }
        list += (list.empty() ? "" : ", ") + std::string(name);
    }
    r.problem(key, "unknown value \"" + *s + "\": expected one of " + list);
}

constexpr std::array<std::pair<std::string_view, radio::HataEnvironment>, 4> kEnvironments = {{
    {"urban_large", radio::HataEnvironment::urban_large},
    {"urban_small_medium", radio::HataEnvironment::urban_small_medium},
    {"suburban", radio::HataEnvironment::suburban},
    {"open", radio::HataEnvironment::open},
}};

constexpr std::array<std::pair<std::string_view, radio::LosMode>, 3> kLosModes = {{
    {"terrain", radio::LosMode::terrain},
    {"probabilistic", radio::LosMode::probabilistic},
    {"always_nlos", radio::LosMode::always_nlos},
}};

constexpr std::array<std::pair<std::string_view, DiffractionMethod>, 3> kDiffraction = {{
    {"none", DiffractionMethod::none},
    {"bullington", DiffractionMethod::bullington},
    {"delta_bullington", DiffractionMethod::delta_bullington},
}};

constexpr std::array<std::pair<std::string_view, radio::itm::Climate>, 7> kClimates = {{
    {"equatorial", radio::itm::Climate::equatorial},
    {"continental_subtropical", radio::itm::Climate::continental_subtropical},
    {"maritime_subtropical", radio::itm::Climate::maritime_subtropical},
    {"desert", radio::itm::Climate::desert},
    {"continental_temperate", radio::itm::Climate::continental_temperate},
    {"maritime_temperate_land", radio::itm::Climate::maritime_temperate_land},
    {"maritime_temperate_sea", radio::itm::Climate::maritime_temperate_sea},
}};

constexpr std::array<std::pair<std::string_view, radio::itm::Polarisation>, 2> kPolarisations = {{
    {"horizontal", radio::itm::Polarisation::horizontal},
    {"vertical", radio::itm::Polarisation::vertical},
}};

/// The [….itm] table of a model: ITM's inputs other than the path (radio/itm.hpp Params).
void read_itm(TomlTableReader r, radio::itm::Params& p) {
    get_enum(r, "climate", p.climate, kClimates);
    get_enum(r, "polarisation", p.pol, kPolarisations);
    r.get("n0", p.n0, "N-units");
    r.get("epsilon", p.epsilon);
    r.get("sigma_s_per_m", p.sigma_s_per_m, "S/m");
    r.get("time_pct", p.time_pct, "%");
    r.get("location_pct", p.location_pct, "%");
    r.get("situation_pct", p.situation_pct, "%");
    std::optional<int> mdvar;
    r.get("mdvar", mdvar);
    if (mdvar) {
        try {
            p.mdvar = radio::itm::Mdvar::from_code(*mdvar);
        } catch (const std::invalid_argument&) {
            r.problem("mdvar", "expected ITM's mode of variability code: 0–3 (single message, "
                               "accidental, mobile, broadcast), plus 10 to drop location and/or 20 to "
                               "drop situation variability; got " + std::to_string(*mdvar));
        }
    }
    r.finish();
    // The same limits as ITM itself, with a frequency and heights that pass (each cell's own are
    // checked against the model's validity range when predicting).
    radio::itm::Params check = p;
    check.freq_mhz = 1800.0;
    check.h_tx_m = 30.0;
    check.h_rx_m = 1.5;
    // Its messages start with the field's name, which is the key's.
    for (const std::string& message : radio::itm::validate(check)) {
        r.problem(message.substr(0, message.find(' ')), message);
    }
}

/// Model keys shared by [prediction] and [prediction.layer."NAME"].
void read_model(TomlTableReader& r, radio::ModelConfig& m) {
    std::optional<std::string> kind;
    r.get("model", kind);
    if (kind) {
        if (auto k = radio::model_kind_from_string(*kind)) {
            m.kind = *k;
        } else {
            r.problem("model", "unknown model \"" + *kind +
                                   "\": expected free_space, okumura_hata, cost231_hata, "
                                   "tr38901_rma, tr38901_uma, tr38901_umi, spm or itm");
        }
    }
    get_enum(r, "environment", m.environment, kEnvironments);
    r.get("metropolitan", m.metropolitan);
    get_enum(r, "los_mode", m.los_mode, kLosModes);
    // Terrain can only add loss: the calculation reach of every cell relies on it. Checked where
    // written (an override inherits the default's value, already checked).
    std::optional<double> weight;
    r.get("diffraction_weight", weight);
    if (weight) {
        r.check_range("diffraction_weight", *weight, 0, 5, "dimensionless");
        m.diffraction_weight = *weight;
    }
    TomlTableReader spm = r.table("spm");
    spm.get("k1", m.spm.k1);
    spm.get("k2", m.spm.k2);
    spm.get("k3", m.spm.k3);
    std::optional<double> k4;
    spm.get("k4", k4);
    if (k4) {
        spm.check_range("k4", *k4, 0, 5, "dimensionless");
        m.spm.k4 = *k4;
    }
    spm.get("k5", m.spm.k5);
    spm.get("k6", m.spm.k6);
    spm.get("k7", m.spm.k7);
    spm.get("k_clutter", m.spm.k_clutter);
    spm.finish();
    read_itm(r.table("itm"), m.itm);
}

void read_prediction(TomlTableReader r, PredictionConfig& p) {
    r.get("receiver_height_m", p.receiver_height_m, "metres");
    r.get("max_radius_m", p.max_radius_m, "metres");
    r.get("rsrp_floor_dbm", p.rsrp_floor_dbm, "dBm");
    r.get("rscp_floor_dbm", p.rscp_floor_dbm, "dBm");
    r.get("rxlev_floor_dbm", p.rxlev_floor_dbm, "dBm");
    r.get("k_factor", p.k_factor);
    get_enum(r, "diffraction", p.diffraction, kDiffraction);
    r.get("feeder_loss_db", p.feeder_loss_db, "dB");
    r.get("load", p.load);
    r.get("noise_figure_db", p.noise_figure_db, "dB");
    r.get("nr_scs_khz", p.nr_scs_khz);
    r.get("ray_spacing_px", p.ray_spacing_px);
    r.get("near_radius_m", p.near_radius_m, "metres");
    r.get("far_block_px", p.far_block_px);
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
    r.check_range("receiver_height_m", p.receiver_height_m, 0.5, 50, "metres");
    r.check_range("max_radius_m", p.max_radius_m, 100, 200000, "metres");
    r.check_range("k_factor", p.k_factor, 0.5, 10, "dimensionless");
    r.check_range("feeder_loss_db", p.feeder_loss_db, 0, 20, "dB");
    r.check_range("load", p.load, 0, 1, "fraction");
    r.check_range("noise_figure_db", p.noise_figure_db, 0, 20, "dB");
    r.check_range("ray_spacing_px", p.ray_spacing_px, 0.25, 8, "pixels");
    r.check_range("near_radius_m", p.near_radius_m, 0, 200000, "metres");
    if (p.far_block_px < 1 || p.far_block_px > 15) {
        r.problem("far_block_px", "expected a whole number of pixels from 1 (no far zone) to 15, got " +
                                      std::to_string(p.far_block_px));
    }
    if (p.nr_scs_khz != 15 && p.nr_scs_khz != 30 && p.nr_scs_khz != 60) {
        r.problem("nr_scs_khz", "expected 15, 30 or 60 (kHz), got " + std::to_string(p.nr_scs_khz));
    }
}

void read_antennas(TomlTableReader r, std::map<std::string, AntennaSpec>& out) {
    for (const auto& name : r.subtable_names()) {
        AntennaSpec a;
        TomlTableReader ar = r.table(name);
        ar.get_path("msi", a.msi_file);
        ar.get("gain_dbi", a.sector.gain_dbi, "dBi");
        ar.get("h_beamwidth_deg", a.sector.h_beamwidth_deg, "degrees");
        ar.get("v_beamwidth_deg", a.sector.v_beamwidth_deg, "degrees");
        ar.get("front_to_back_db", a.sector.front_to_back_db, "dB");
        ar.get("side_lobe_db", a.sector.side_lobe_db, "dB");
        ar.finish();
        if (a.msi_file) check_file(ar, "msi", *a.msi_file);
        ar.check_range("gain_dbi", a.sector.gain_dbi, -10, 40, "dBi");
        ar.check_range("h_beamwidth_deg", a.sector.h_beamwidth_deg, 1, 360, "degrees");
        ar.check_range("v_beamwidth_deg", a.sector.v_beamwidth_deg, 1, 180, "degrees");
        ar.check_range("front_to_back_db", a.sector.front_to_back_db, 0, 60, "dB");
        ar.check_range("side_lobe_db", a.sector.side_lobe_db, 0, 60, "dB");
        out[name] = a;
    }
    r.finish();
}

}  // namespace

Scenario load_scenario(const std::filesystem::path& file) {
    const std::string name = file.string();
    std::error_code ec;
    if (!std::filesystem::exists(file, ec)) {
        throw InputError(name, "", "scenario file not found");
    }
    if (std::filesystem::is_directory(file, ec)) {
        throw InputError(name, "", "expected a scenario file (TOML), got a folder");
    }
    if (std::ifstream probe(file, std::ios::binary); !probe) {
        throw InputError(name, "", std::string("cannot read the scenario file: ") + std::strerror(errno));
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
    read_prediction(top.table("prediction"), s.prediction);
    read_antennas(top.table("antennas"), s.antennas);
    read_analysis(top.table("analysis"), s.analysis);
    read_plan(top.table("plan"), s.plan);
    top.finish();
    problems.throw_if_any();

    std::ostringstream canonical;
    canonical << root;
    s.config_hash = sha256_hex(canonical.str());
    return s;
}

}  // namespace phusong
