// The scenario's option table: one row per key. A row names the key, the struct member it fills,
// its unit, allowed range (or choices), help and, where a range problem has a worded message of
// its own, that message; the type comes from the member and the default from the struct's
// default member initialiser, so each is written once. The reader (src/core/scenario*.cpp) reads
// a table's keys through its rows (type check, known keys for "did you mean", range check); the
// reference docs/scenario.md is printed from the same rows (scenario_reference_markdown).
// Cross-key checks (good ≥ fair, min ≤ max, …) stay in the readers, after the rows.

#include "option_table.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <span>
#include <type_traits>
#include <utility>

#include "phusong/core/options.hpp"

namespace phusong::options {
namespace {

// ---- the names of the choice keys --------------------------------------------------------------

template <typename E>
using Names = std::span<const std::pair<std::string_view, E>>;

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

constexpr std::array<std::pair<std::string_view, ZoneMode>, 3> kZoneModes = {{
    {"thresholds", ZoneMode::thresholds},
    {"distance", ZoneMode::distance},
    {"exact", ZoneMode::exact},
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

constexpr std::array<std::pair<std::string_view, PlanBudgetKind>, 2> kBudgetKinds = {{
    {"sites", PlanBudgetKind::sites},
    {"cost", PlanBudgetKind::cost},
}};

constexpr std::array<std::pair<std::string_view, ReportLanguage>, 2> kLanguages = {{
    {"en", ReportLanguage::en},
    {"vi", ReportLanguage::vi},
}};

// Unit names as exports write them; matched case-insensitively (read_value below).
constexpr std::array<std::pair<std::string_view, PowerUnit>, 4> kPowerUnits = {{
    {"dBm", PowerUnit::dbm},
    {"dBW", PowerUnit::dbw},
    {"W", PowerUnit::w},
    {"mW", PowerUnit::mw},
}};

constexpr std::array<std::pair<std::string_view, FrequencyUnit>, 3> kFrequencyUnits = {{
    {"MHz", FrequencyUnit::mhz},
    {"kHz", FrequencyUnit::khz},
    {"GHz", FrequencyUnit::ghz},
}};

// The model names are radio's (radio::kModelNames), name first as the other choice lists.
constexpr auto kModels = [] {
    std::array<std::pair<std::string_view, radio::ModelKind>, radio::kModelNames.size()> a{};
    for (std::size_t i = 0; i < a.size(); ++i)
        a[i] = {radio::kModelNames[i].second, radio::kModelNames[i].first};
    return a;
}();

template <typename E>
constexpr Names<E> names_of();
template <>
constexpr Names<radio::HataEnvironment> names_of<radio::HataEnvironment>() {
    return kEnvironments;
}
template <>
constexpr Names<radio::LosMode> names_of<radio::LosMode>() {
    return kLosModes;
}
template <>
constexpr Names<DiffractionMethod> names_of<DiffractionMethod>() {
    return kDiffraction;
}
template <>
constexpr Names<ZoneMode> names_of<ZoneMode>() {
    return kZoneModes;
}
template <>
constexpr Names<radio::itm::Climate> names_of<radio::itm::Climate>() {
    return kClimates;
}
template <>
constexpr Names<radio::itm::Polarisation> names_of<radio::itm::Polarisation>() {
    return kPolarisations;
}
template <>
constexpr Names<PlanBudgetKind> names_of<PlanBudgetKind>() {
    return kBudgetKinds;
}
template <>
constexpr Names<ReportLanguage> names_of<ReportLanguage>() {
    return kLanguages;
}
template <>
constexpr Names<radio::ModelKind> names_of<radio::ModelKind>() {
    return kModels;
}
template <>
constexpr Names<PowerUnit> names_of<PowerUnit>() {
    return kPowerUnits;
}
template <>
constexpr Names<FrequencyUnit> names_of<FrequencyUnit>() {
    return kFrequencyUnits;
}

/// Units are names people write in every case ("dbm", "DBM", "Dbm"); other choices are exact.
template <typename E>
constexpr bool kCaseInsensitiveChoice =
    std::is_same_v<E, PowerUnit> || std::is_same_v<E, FrequencyUnit>;

bool same_name(std::string_view a, std::string_view b, bool any_case) {
    if (!any_case) return a == b;
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    }
    return true;
}

// ---- a row -------------------------------------------------------------------------------------

constexpr double kInf = std::numeric_limits<double>::infinity();

/// What a row says about its key, apart from the member it fills.
struct Spec {
    std::string_view key;                  ///< the key within its table
    std::string_view unit = {};            ///< shown in messages and the reference
    Range range = {};                      ///< numbers, integers and integer arrays' elements
    std::span<const double> allowed = {};  ///< only these values (and within range)
    std::string_view help = {};
    std::string_view default_note = {};  ///< the reference's default instead of the struct's
    /// The problem when the value is out of range, where a worded one exists (tests check them):
    /// a fmt pattern with {key}, {value}, {lo}, {hi}, {allowed}, {choices} and, for arrays,
    /// {entry}. Empty: "expected lo ≤ key ≤ hi (unit), got value".
    std::string_view message = {};
    bool required = false;
};

std::string num(double v) { return fmt::format("{:g}", v); }

/// "15, 30 or 60"
std::string list_text(std::span<const std::string> items, std::string_view last_sep) {
    std::string s;
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i > 0) s += i + 1 == items.size() ? last_sep : std::string_view(", ");
        s += items[i];
    }
    return s;
}

std::string allowed_text(const Spec& s) {
    std::vector<std::string> items;
    for (double v : s.allowed) items.push_back(num(v));
    return list_text(items, " or ");
}

template <typename E>
std::string choices_text() {
    std::vector<std::string> items;
    for (const auto& [name, value] : names_of<E>()) items.emplace_back(name);
    return list_text(items, ", ");
}

/// "1 ≤ key ≤ 5000", "key ≥ 1", "0 < key ≤ 1e+12".
std::string range_text(const Range& r, std::string_view key) {
    const bool has_lo = r.lo > -kInf;
    const bool has_hi = r.hi < kInf;
    const std::string_view lo_op = r.lo_open ? " < " : " ≤ ";
    const std::string_view hi_op = r.hi_open ? " < " : " ≤ ";
    if (has_lo && has_hi)
        return num(r.lo) + std::string(lo_op) + std::string(key) + std::string(hi_op) + num(r.hi);
    if (has_lo) return std::string(key) + (r.lo_open ? " > " : " ≥ ") + num(r.lo);
    return std::string(key) + std::string(hi_op) + num(r.hi);
}

/// Units that name a kind of number rather than a unit read badly in "a number in …".
std::string_view type_unit(const Spec& s) {
    return s.unit == "fraction" || s.unit == "dimensionless" ? std::string_view() : s.unit;
}

std::string problem_text(const Spec& s, const std::string& value, std::size_t entry = 0) {
    if (!s.message.empty()) {
        return fmt::format(fmt::runtime(s.message), fmt::arg("key", s.key),
                           fmt::arg("value", value), fmt::arg("lo", num(s.range.lo)),
                           fmt::arg("hi", num(s.range.hi)), fmt::arg("allowed", allowed_text(s)),
                           fmt::arg("entry", entry));
    }
    const std::string unit = s.unit.empty() ? "" : " (" + std::string(s.unit) + ")";
    const std::string what = s.allowed.empty() ? range_text(s.range, s.key) : allowed_text(s);
    const std::string prefix =
        entry > 0 ? "entry " + std::to_string(entry) + " is " + value + ": " : "";
    return prefix + "expected " + what + unit + (entry > 0 ? "" : ", got " + value);
}

bool acceptable(const Spec& s, double v) {
    if (!s.range.contains(v)) return false;
    if (s.allowed.empty()) return true;
    for (double a : s.allowed) {
        if (a == v) return true;
    }
    return false;
}

void check(const Spec& s, TomlTableReader& r, double v, const std::string& value_text) {
    if (!acceptable(s, v)) r.problem(s.key, problem_text(s, value_text));
}

// ---- reading one value, by the member's type
// -----------------------------------------------------

void read_value(const Spec& s, TomlTableReader& r, std::optional<double>& out) {
    std::optional<double> v;
    r.get(s.key, v, type_unit(s));
    if (!v) return;
    check(s, r, *v, num(*v));
    out = v;
}

void read_value(const Spec& s, TomlTableReader& r, double& out) {
    std::optional<double> v;
    read_value(s, r, v);
    if (v) out = *v;
}

void read_value(const Spec& s, TomlTableReader& r, std::optional<int>& out) {
    std::optional<int> v;
    r.get(s.key, v);
    if (!v) return;
    check(s, r, *v, std::to_string(*v));
    out = v;
}

void read_value(const Spec& s, TomlTableReader& r, int& out) {
    std::optional<int> v;
    read_value(s, r, v);
    if (v) out = *v;
}

void read_value(const Spec& s, TomlTableReader& r, std::vector<int>& out) {
    std::vector<int> v = out;
    r.get(s.key, v);
    for (std::size_t k = 0; k < v.size(); ++k) {
        if (!acceptable(s, v[k])) r.problem(s.key, problem_text(s, std::to_string(v[k]), k + 1));
    }
    out = std::move(v);
}

void read_value(const Spec& s, TomlTableReader& r, bool& out) { r.get(s.key, out); }
void read_value(const Spec& s, TomlTableReader& r, std::string& out) { r.get(s.key, out); }
void read_value(const Spec& s, TomlTableReader& r, std::optional<std::string>& out) {
    r.get(s.key, out);
}

void read_value(const Spec& s, TomlTableReader& r, std::filesystem::path& out) {
    if (s.required) {
        r.require_path(s.key, out);
        return;
    }
    std::optional<std::filesystem::path> v;
    r.get_path(s.key, v);
    if (v) out = *v;
}

void read_value(const Spec& s, TomlTableReader& r, std::optional<std::filesystem::path>& out) {
    r.get_path(s.key, out);
}

template <typename E>
requires std::is_enum_v<E>
void read_value(const Spec& s, TomlTableReader& r, std::optional<E>& out) {
    std::optional<std::string> v;
    r.get(s.key, v);
    if (!v) return;
    for (const auto& [name, value] : names_of<E>()) {
        if (same_name(name, *v, kCaseInsensitiveChoice<E>)) {
            out = value;
            return;
        }
    }
    const std::string pattern = s.message.empty()
                                    ? "unknown value \"{value}\": expected one of {choices}"
                                    : std::string(s.message);
    r.problem(s.key, fmt::format(fmt::runtime(pattern), fmt::arg("value", *v),
                                 fmt::arg("choices", choices_text<E>())));
}

/// A list of choices: each element one of the names, none twice, at least one.
template <typename E>
requires std::is_enum_v<E>
void read_value(const Spec& s, TomlTableReader& r, std::vector<E>& out) {
    std::optional<std::vector<std::string>> given;
    r.get(s.key, given);
    if (!given) return;
    const std::vector<std::string>& v = *given;
    if (v.empty()) {
        r.problem(s.key, "expected at least one of " + choices_text<E>() + ", got an empty array");
        return;
    }
    std::vector<E> values;
    for (std::size_t k = 0; k < v.size(); ++k) {
        const auto it = std::find_if(names_of<E>().begin(), names_of<E>().end(),
                                     [&](const auto& p) { return p.first == v[k]; });
        if (it == names_of<E>().end()) {
            r.problem(s.key, fmt::format("entry {} is \"{}\": expected one of {}", k + 1, v[k], choices_text<E>()));
            return;
        }
        if (std::find(values.begin(), values.end(), it->second) != values.end()) {
            r.problem(s.key, fmt::format("entry {} repeats \"{}\": name each once", k + 1, v[k]));
            return;
        }
        values.push_back(it->second);
    }
    out = std::move(values);
}

template <typename E>
requires std::is_enum_v<E>
void read_value(const Spec& s, TomlTableReader& r, E& out) {
    std::optional<E> v;
    read_value(s, r, v);
    if (v) out = *v;
}

/// ITM's mode of variability, given as ITM's integer code.
void read_value(const Spec& s, TomlTableReader& r, radio::itm::Mdvar& out) {
    std::optional<int> code;
    r.get(s.key, code);
    if (!code) return;
    if (!acceptable(s, *code)) {
        r.problem(s.key, problem_text(s, std::to_string(*code)));
        return;
    }
    out = radio::itm::Mdvar::from_code(*code);
}

// ---- documenting one value
// -----------------------------------------------------------------------

template <typename T>
struct Describe;  // type, default as TOML, default value

template <>
struct Describe<double> {
    static constexpr ValueType type = ValueType::number;
    static std::string text(double v) { return fmt::format("{}", v); }
    static std::optional<double> value(double v) { return v; }
};
template <>
struct Describe<int> {
    static constexpr ValueType type = ValueType::integer;
    static std::string text(int v) { return std::to_string(v); }
    static std::optional<double> value(int v) { return v; }
};
template <>
struct Describe<bool> {
    static constexpr ValueType type = ValueType::boolean;
    static std::string text(bool v) { return v ? "true" : "false"; }
    static std::optional<double> value(bool) { return std::nullopt; }
};
template <>
struct Describe<std::string> {
    static constexpr ValueType type = ValueType::string;
    static std::string text(const std::string& v) { return "\"" + v + "\""; }
    static std::optional<double> value(const std::string&) { return std::nullopt; }
};
template <>
struct Describe<std::filesystem::path> {
    static constexpr ValueType type = ValueType::path;
    static std::string text(const std::filesystem::path& v) { return "\"" + v.string() + "\""; }
    static std::optional<double> value(const std::filesystem::path&) { return std::nullopt; }
};
template <>
struct Describe<std::vector<int>> {
    static constexpr ValueType type = ValueType::integer_array;
    static std::string text(const std::vector<int>& v) {
        return "[" + fmt::format("{}", fmt::join(v, ", ")) + "]";
    }
    static std::optional<double> value(const std::vector<int>&) { return std::nullopt; }
};
template <typename E>
requires std::is_enum_v<E>
struct Describe<std::vector<E>> {
    static constexpr ValueType type = ValueType::choice_array;
    static std::string text(const std::vector<E>& v) {
        std::string s;
        for (E e : v) {
            for (const auto& [name, value] : names_of<E>()) {
                if (value == e) s += (s.empty() ? "\"" : ", \"") + std::string(name) + "\"";
            }
        }
        return "[" + s + "]";
    }
    static std::optional<double> value(const std::vector<E>&) { return std::nullopt; }
};
template <>
struct Describe<radio::itm::Mdvar> {
    static constexpr ValueType type = ValueType::integer;
    static std::string text(const radio::itm::Mdvar& v) { return std::to_string(v.code()); }
    static std::optional<double> value(const radio::itm::Mdvar& v) { return v.code(); }
};
template <typename T>
struct Describe<std::optional<T>> {
    static constexpr ValueType type = Describe<T>::type;
    static std::string text(const std::optional<T>& v) {
        return v ? Describe<T>::text(*v) : "none";
    }
    static std::optional<double> value(const std::optional<T>& v) {
        return v ? Describe<T>::value(*v) : std::nullopt;
    }
};
template <typename E>
requires std::is_enum_v<E>
struct Describe<E> {
    static constexpr ValueType type = ValueType::choice;
    static std::string text(E v) {
        for (const auto& [name, value] : names_of<E>()) {
            if (value == v) return "\"" + std::string(name) + "\"";
        }
        return "?";
    }
    static std::optional<double> value(E) { return std::nullopt; }
};

template <typename T>
struct ElementOf {
    using type = T;
};
template <typename T>
struct ElementOf<std::vector<T>> {
    using type = T;
};
template <typename T>
struct WithoutOptional {
    using type = T;
};
template <typename T>
struct WithoutOptional<std::optional<T>> {
    using type = T;
};

template <typename Member>
std::vector<std::string> choices_of() {
    using T = typename WithoutOptional<typename ElementOf<Member>::type>::type;
    if constexpr (std::is_enum_v<T>) {
        std::vector<std::string> out;
        for (const auto& [name, value] : names_of<T>()) out.emplace_back(name);
        return out;
    } else {
        return {};
    }
}

template <typename T>
OptionDoc document(const Spec& s, std::string_view member, const T& default_value) {
    OptionDoc d;
    d.key = s.key;
    d.member = member;
    d.type = Describe<T>::type;
    d.unit = s.unit;
    d.range = s.range;
    d.allowed.assign(s.allowed.begin(), s.allowed.end());
    d.choices = choices_of<T>();
    d.required = s.required;
    d.default_text = s.required                ? "required"
                     : !s.default_note.empty() ? std::string(s.default_note)
                                               : Describe<T>::text(default_value);
    d.default_value = Describe<T>::value(default_value);
    d.help = s.help;
    return d;
}

template <typename>
struct MemberOf;
template <typename C, typename T>
struct MemberOf<T C::*> {
    using Config = C;
};

/// One row bound to the member it fills.
template <typename Config>
struct Field {
    Spec spec;
    std::string_view member;  ///< "GridConfig::resolution_m", for the reference
    void (*read)(const Spec&, TomlTableReader&, Config&);
    OptionDoc (*doc)(const Spec&, std::string_view member, const Config& defaults);
};

template <auto Member>
constexpr auto field(std::string_view member, Spec spec) {
    using Config = typename MemberOf<decltype(Member)>::Config;
    return Field<Config>{
        spec, member,
        [](const Spec& s, TomlTableReader& r, Config& c) { read_value(s, r, c.*Member); },
        [](const Spec& s, std::string_view m, const Config& d) {
            return document(s, m, d.*Member);
        }};
}

// A row: the member (named once, for both the binding and the reference) and its Spec.
#define PHUSONG_OPTION(Struct, member_name, ...) \
    field<&Struct::member_name>(#Struct "::" #member_name, Spec{__VA_ARGS__})

template <typename Config, std::size_t N>
void read_all(const std::array<Field<Config>, N>& fields, TomlTableReader& r, Config& out) {
    for (const auto& f : fields) f.read(f.spec, r, out);
}

// ---- the table
// -----------------------------------------------------------------------------------

constexpr std::array kScenarioMeta = {
    PHUSONG_OPTION(ScenarioMeta, name, .key = "name", .help = "shown in reports and the manifest",
                   .default_note = "the file's name without .toml"),
};

constexpr std::array kInputs = {
    PHUSONG_OPTION(InputsConfig, dem, .key = "dem",
                   .help = "elevation raster, metres above the geoid; any GDAL raster with a CRS",
                   .required = true),
    PHUSONG_OPTION(InputsConfig, population, .key = "population",
                   .help = "people per pixel (a count, not a density)",
                   .default_note = "required (`calibrate` does not need it)"),
    PHUSONG_OPTION(InputsConfig, aoi, .key = "aoi",
                   .help = "polygon layer; the union of its features is the area of interest",
                   .default_note = "required (`calibrate` does not need it)"),
    PHUSONG_OPTION(
        InputsConfig, sites, .key = "sites",
        .help = "site/cell table: CSV, GeoJSON, GPKG or Shapefile (docs/inputs.md)",
        .required = true),
    PHUSONG_OPTION(InputsConfig, admin, .key = "admin",
                   .help = "admin-unit polygons, for the analysis tables"),
    PHUSONG_OPTION(InputsConfig, admin_name_field, .key = "admin_name_field",
                   .help = "attribute of `admin` holding the unit's name"),
    PHUSONG_OPTION(InputsConfig, admin_code_field, .key = "admin_code_field",
                   .help = "attribute of `admin` holding the unit's code, if any"),
    PHUSONG_OPTION(InputsConfig, clutter, .key = "clutter",
                   .help = "land-cover class raster (any GDAL raster with a CRS; integer codes), put "
                           "on the grid by mode; each code's loss is in [clutter.<code>]"),
};

constexpr std::array kClutterClass = {
    PHUSONG_OPTION(ClutterClass, name, .key = "name", .help = "the class's name, shown in the tables",
                   .default_note = "\"class <code>\""),
    PHUSONG_OPTION(ClutterClass, loss_db, .key = "loss_db", .unit = "dB", .range = {-30, 60},
                   .help = "loss added at the receiver in this class (SPM: weighed by spm.k_clutter)"),
};

constexpr std::array kCalibration = {
    PHUSONG_OPTION(CalibrationConfig, min_distance_m, .key = "min_distance_m", .unit = "metres",
                   .range = {0, 100000}, .help = "measurements closer to their cell are dropped"),
    PHUSONG_OPTION(CalibrationConfig, max_distance_m, .key = "max_distance_m", .unit = "metres",
                   .range = {1, 200000}, .help = "measurements farther from their cell are dropped",
                   .default_note = "prediction.max_radius_m"),
    PHUSONG_OPTION(CalibrationConfig, min_signal_dbm, .key = "min_signal_dbm", .unit = "dBm",
                   .range = {-160, 0}, .help = "weaker measurements are dropped",
                   .default_note = "the layer's floor (prediction.rsrp_floor_dbm …)"),
    PHUSONG_OPTION(CalibrationConfig, max_signal_dbm, .key = "max_signal_dbm", .unit = "dBm",
                   .range = {-160, 20}, .help = "stronger measurements are dropped (receiver saturation)"),
    PHUSONG_OPTION(CalibrationConfig, min_points_per_cell, .key = "min_points_per_cell", .unit = "points",
                   .range = {1, 1000000}, .help = "cells with fewer measurements (after the filters) are dropped"),
    PHUSONG_OPTION(CalibrationConfig, bin_to_pixels, .key = "bin_to_pixels",
                   .help = "average a cell's measurements per grid pixel (mean in dB): one observation "
                           "per cell and pixel"),
    PHUSONG_OPTION(CalibrationConfig, folds, .key = "folds", .range = {2, 100},
                   .help = "cross-validation folds, grouped by site (fewer sites: one fold per site)"),
    PHUSONG_OPTION(CalibrationConfig, min_observations_per_class, .key = "min_observations_per_class",
                   .unit = "observations", .range = {1, 1000000},
                   .help = "a clutter class gets its own fitted loss from this many observations"),
    PHUSONG_OPTION(CalibrationConfig, min_cv_gain_db, .key = "min_cv_gain_db", .unit = "dB",
                   .range = {0, 10},
                   .help = "an optional SPM term (K3–K7, K4) is fitted when it lowers the "
                           "cross-validated RMSE by at least this"),
    PHUSONG_OPTION(CalibrationConfig, fit_antenna_weight, .key = "fit_antenna_weight",
                   .help = "also fit a weight on the antenna pattern's attenuation (1 = as given)"),
    PHUSONG_OPTION(CalibrationConfig, measurement_epsg, .key = "measurement_epsg", .range = {1024, 999999},
                   .help = "CRS of the x/y columns of a CSV measurement table",
                   .default_note = "none: CSV tables give lon/lat"),
};

// [inputs.site_columns]: one row per column of the site table (sites::required_columns and the
// optional rs_power_dbm); tests/sites checks that the two lists agree.
#define PHUSONG_SITE_COLUMN(member_name, column, what)                                      \
    PHUSONG_OPTION(SiteColumns, member_name, .key = column,                                 \
                   .help = "header of the column " column " (" what ") in the site table", \
                   .default_note = "found by name or alias")

constexpr std::array kSiteColumns = {
    PHUSONG_SITE_COLUMN(site_id, "site_id", "site name or code"),
    PHUSONG_SITE_COLUMN(cell_id, "cell_id", "cell, sector or transmitter name"),
    PHUSONG_SITE_COLUMN(operator_name, "operator", "network operator"),
    PHUSONG_SITE_COLUMN(lon, "lon", "WGS 84 longitude, text files only"),
    PHUSONG_SITE_COLUMN(lat, "lat", "WGS 84 latitude, text files only"),
    PHUSONG_SITE_COLUMN(height_agl_m, "height_agl_m", "antenna height above ground"),
    PHUSONG_SITE_COLUMN(azimuth_deg, "azimuth_deg", "boresight from north"),
    PHUSONG_SITE_COLUMN(mech_tilt_deg, "mech_tilt_deg", "mechanical downtilt"),
    PHUSONG_SITE_COLUMN(elec_tilt_deg, "elec_tilt_deg", "electrical downtilt"),
    PHUSONG_SITE_COLUMN(tech, "tech", "GSM, UMTS, LTE or NR"),
    PHUSONG_SITE_COLUMN(band, "band", "3GPP band name"),
    PHUSONG_SITE_COLUMN(freq_mhz, "freq_mhz", "downlink carrier centre"),
    PHUSONG_SITE_COLUMN(bandwidth_mhz, "bandwidth_mhz", "channel bandwidth"),
    PHUSONG_SITE_COLUMN(tx_power_dbm, "tx_power_dbm", "total transmit power"),
    PHUSONG_SITE_COLUMN(rs_power_dbm, "rs_power_dbm",
                        "optional: LTE RS / NR SS power per resource element"),
    PHUSONG_SITE_COLUMN(antenna, "antenna", "antenna pattern name"),
};

#undef PHUSONG_SITE_COLUMN

constexpr std::array kSiteUnits = {
    PHUSONG_OPTION(SiteUnits, tx_power_dbm, .key = "tx_power_dbm",
                   .help = "unit of the total power column; read and converted to dBm "
                           "(W: 10·log10(1000·P) dBm)",
                   .default_note = "the header's bracketed unit, else dBm",
                   .message = "unknown unit \"{value}\" for tx_power_dbm: expected one of {choices}"),
    PHUSONG_OPTION(SiteUnits, rs_power_dbm, .key = "rs_power_dbm",
                   .help = "unit of the power-per-resource-element column (converted to dBm)",
                   .default_note = "the header's bracketed unit, else dBm",
                   .message = "unknown unit \"{value}\" for rs_power_dbm: expected one of {choices}"),
    PHUSONG_OPTION(SiteUnits, freq_mhz, .key = "freq_mhz",
                   .help = "unit of the carrier frequency column (converted to MHz)",
                   .default_note = "the header's bracketed unit, else MHz",
                   .message = "unknown unit \"{value}\" for freq_mhz: expected one of {choices}"),
    PHUSONG_OPTION(SiteUnits, bandwidth_mhz, .key = "bandwidth_mhz",
                   .help = "unit of the channel bandwidth column (converted to MHz)",
                   .default_note = "the header's bracketed unit, else MHz",
                   .message = "unknown unit \"{value}\" for bandwidth_mhz: expected one of {choices}"),
};

constexpr std::array kGrid = {
    PHUSONG_OPTION(GridConfig, resolution_m, .key = "resolution_m", .unit = "metres",
                   .range = {1, 5000}, .help = "pixel size of the analysis grid"),
    PHUSONG_OPTION(
        GridConfig, margin_m, .key = "margin_m", .unit = "metres", .range = {0, 200000},
        .help = "added around the AOI's bounding box (cells outside the AOI still interfere)"),
    PHUSONG_OPTION(GridConfig, tile_size_px, .key = "tile_size_px", .unit = "pixels",
                   .range = {64, 8192}, .help = "tile edge of the output rasters"),
    PHUSONG_OPTION(
        GridConfig, epsg, .key = "epsg", .range = {1024, 999999},
        .help = "projected CRS of the grid (EPSG's codes start at 1024)",
        .default_note = "UTM zone of the AOI centroid",
        .message = "expected an EPSG code such as 32648 (WGS 84 / UTM 48N), got {value}"),
    PHUSONG_OPTION(GridConfig, max_nodata_share, .key = "max_nodata_share", .unit = "share (0…1)",
                   .range = {0, 1},
                   .help = "largest share of the AOI's pixels without DEM or population data; above it "
                           "the run is refused (1 allows any gap; an AOI wholly off the DEM is always "
                           "refused)"),
};

// The NR sub-carrier spacings of FR1 (TS 38.211 Table 4.2-1 μ = 0…2; TS 38.101-1 Table 5.3.5-1).
constexpr std::array kNrScs = {15.0, 30.0, 60.0};

constexpr std::array kPrediction = {
    PHUSONG_OPTION(PredictionConfig, receiver_height_m, .key = "receiver_height_m",
                   .unit = "metres", .range = {0.5, 50}, .help = "UE antenna height above ground"),
    PHUSONG_OPTION(PredictionConfig, max_radius_m, .key = "max_radius_m", .unit = "metres",
                   .range = {100, 200000}, .help = "cap of every cell's calculation radius"),
    // Floors below −160 dBm lie more than 25 dB under the thermal noise of one 15 kHz resource
    // element (−174 dBm/Hz + 41.8 dB = −132 dBm) and add reach nothing can use; a floor above the
    // top of the 3GPP reporting range would drop every reportable value.
    PHUSONG_OPTION(PredictionConfig, rsrp_floor_dbm, .key = "rsrp_floor_dbm", .unit = "dBm",
                   .range = {-160, -44},
                   .help = "LTE/NR: a cell's reach ends where even its boresight RSRP falls below "
                           "(default: the bottom of the reporting range, TS 36.133 Table 9.1.4-1, "
                           "whose top is −44 dBm)"),
    PHUSONG_OPTION(
        PredictionConfig, rscp_floor_dbm, .key = "rscp_floor_dbm", .unit = "dBm",
        .range = {-160, -25},
        .help = "UMTS CPICH RSCP floor (reporting range −120 … −25 dBm, TS 25.133 §9.1.1.3)"),
    PHUSONG_OPTION(
        PredictionConfig, rxlev_floor_dbm, .key = "rxlev_floor_dbm", .unit = "dBm",
        .range = {-160, -48},
        .help = "GSM RxLev floor (RXLEV_00 … RXLEV_63: −110 … −48 dBm, TS 45.008 §8.1.4)"),
    PHUSONG_OPTION(
        PredictionConfig, k_factor, .key = "k_factor", .unit = "dimensionless", .range = {0.5, 10},
        .help =
            "effective earth radius factor (4/3: the standard atmosphere, ITU-R P.452-17 §4.3)"),
    PHUSONG_OPTION(PredictionConfig, diffraction, .key = "diffraction",
                   .help = "terrain diffraction added to the empirical model (docs/models/propagation.md)"),
    PHUSONG_OPTION(PredictionConfig, feeder_loss_db, .key = "feeder_loss_db", .unit = "dB",
                   .range = {0, 20}, .help = "cable and connector loss between port and antenna"),
    PHUSONG_OPTION(PredictionConfig, load, .key = "load", .unit = "fraction", .range = {0, 1},
                   .help = "share of the interfering cells' power that is transmitted (SINR)"),
    PHUSONG_OPTION(PredictionConfig, noise_figure_db, .key = "noise_figure_db", .unit = "dB",
                   .range = {0, 20}, .help = "UE noise figure"),
    PHUSONG_OPTION(PredictionConfig, nr_scs_khz, .key = "nr_scs_khz", .unit = "kHz",
                   .range = {15, 60}, .allowed = kNrScs,
                   .help = "NR sub-carrier spacing of SS-RSRP per resource element",
                   .message = "expected {allowed} (kHz), got {value}"),
    PHUSONG_OPTION(PredictionConfig, ray_spacing_px, .key = "ray_spacing_px", .unit = "pixels",
                   .range = {0.25, 8},
                   .help = "distance between neighbouring sweep rays at the radius"),
    PHUSONG_OPTION(PredictionConfig, zones, .key = "zones",
                   .help = "where each cell's exact zone ends: `thresholds` where its signal can no longer "
                           "reach the weakest threshold any output reads for its technology, `distance` at "
                           "near_radius_m, `exact` nowhere (every pixel to the floor; for validation); beyond "
                           "it one evaluation per far_block_px block (docs/performance.md)"),
    PHUSONG_OPTION(PredictionConfig, near_radius_m, .key = "near_radius_m", .unit = "metres",
                   .range = {0, 200000},
                   .help = "where the exact zone ends with zones = \"distance\""),
    PHUSONG_OPTION(PredictionConfig, zone_margin_db, .key = "zone_margin_db", .unit = "dB", .range = {0, 1000},
                   .help = "with zones = \"thresholds\": a block within a cell's threshold bound stays in "
                           "the extended zone where its own signal is more than this below the threshold "
                           "(wider than the threshold is above the floor: the bound alone decides)"),
    PHUSONG_OPTION(
        PredictionConfig, far_block_px, .key = "far_block_px", .unit = "pixels", .range = {1, 15},
        .help = "the extended zone's block: one evaluation per n × n pixels beyond the exact zone "
                "(1: every pixel evaluated, as zones = \"exact\")",
        .message =
            "expected a whole number of pixels from {lo} (no extended zone) to {hi}, got {value}"),
    PHUSONG_OPTION(PredictionConfig, antenna_attenuation_weight, .key = "antenna_attenuation_weight",
                   .range = {0, 2},
                   .help = "gain = max gain − weight × the pattern's attenuation (1: as given; "
                           "`calibrate` can fit it)"),
};

constexpr std::array kModel = {
    PHUSONG_OPTION(radio::ModelConfig, kind, .key = "model",
                   .help = "empirical or terrain propagation model",
                   .message = "unknown model \"{value}\": expected {choices}"),
    PHUSONG_OPTION(
        radio::ModelConfig, environment, .key = "environment",
        .help =
            "Okumura-Hata environment; for COST-231, urban_large selects the large-city a(h_m)"),
    PHUSONG_OPTION(radio::ModelConfig, metropolitan, .key = "metropolitan",
                   .help = "COST-231 C_m = 3 dB (metropolitan centre) instead of 0"),
    PHUSONG_OPTION(radio::ModelConfig, los_mode, .key = "los_mode",
                   .help = "TR 38.901: how LOS and NLOS are chosen"),
    // Terrain can only add loss: the calculation reach of every cell relies on it.
    PHUSONG_OPTION(radio::ModelConfig, diffraction_weight, .key = "diffraction_weight",
                   .unit = "dimensionless", .range = {0, 5},
                   .help =
                       "weight of the terrain diffraction loss on the model (SPM: spm.k4 instead); "
                       "≥ 0, as terrain can only add loss"),
};

// SPM (Atoll Technical Reference Guide, "Standard Propagation Model"; Forsk, "Atoll SPM
// calibration guide", 2004): L = K1 + K2 log d + K3 log Heff_tx + K4 L_diff + K5 log d log Heff_tx
// + K6 Heff_rx + K7 log Heff_rx + Kclutter f(clutter), d and heights in metres. The ranges hold
// the Hata identities from 150 MHz to 3.5 GHz, urban to open (K1 −30 … 33 dB, K6 −3.2 … −1.7),
// Atoll's sample ranges (K2 20 … 70, K3 −20 … 20, K5 −10 … 0, K7 −10 … 0) and calibrated sets,
// with margin; outside them a coefficient has its sign or its unit (dB per decade vs dB) wrong.
constexpr std::array kSpm = {
    PHUSONG_OPTION(
        radio::SpmCoefficients, k1, .key = "k1", .unit = "dB", .range = {-50, 150},
        .help = "constant offset (the loss at 1 m); 22 is Atoll's typical value at 1805 MHz"),
    PHUSONG_OPTION(radio::SpmCoefficients, k2, .key = "k2", .unit = "dB per decade",
                   .range = {0, 100},
                   .help = "× log d: the distance slope (20: free space; never negative)"),
    PHUSONG_OPTION(radio::SpmCoefficients, k3, .key = "k3", .unit = "dB per decade",
                   .range = {-50, 50}, .help = "× log Heff_tx"),
    // Terrain can only add loss: the calculation reach of every cell relies on it.
    PHUSONG_OPTION(
        radio::SpmCoefficients, k4, .key = "k4", .unit = "dimensionless", .range = {0, 5},
        .help = "× the terrain diffraction loss (Atoll typical 0 … 0.8; 1 in the Hata identity)"),
    PHUSONG_OPTION(radio::SpmCoefficients, k5, .key = "k5", .unit = "dB per decade²",
                   .range = {-20, 20}, .help = "× log d · log Heff_tx (Hata: −6.55)"),
    PHUSONG_OPTION(radio::SpmCoefficients, k6, .key = "k6", .unit = "dB per metre",
                   .range = {-10, 10}, .help = "× Heff_rx (Hata identity: −(1.1 log f − 0.7))"),
    PHUSONG_OPTION(radio::SpmCoefficients, k7, .key = "k7", .unit = "dB per decade",
                   .range = {-50, 50}, .help = "× log Heff_rx"),
    PHUSONG_OPTION(radio::SpmCoefficients, k_clutter, .key = "k_clutter", .unit = "dimensionless",
                   .range = {0, 5},
                   .help = "× the clutter loss (Atoll default 1; clutter can only add loss)"),
};

// ITM v1.4's own limits (radio::itm::validate), worded as ITM words them.
constexpr std::array kMdvarCodes = {0.0,  1.0,  2.0,  3.0,  10.0, 11.0, 12.0, 13.0,
                                    20.0, 21.0, 22.0, 23.0, 30.0, 31.0, 32.0, 33.0};

constexpr std::array kItm = {
    PHUSONG_OPTION(radio::itm::Params, climate, .key = "climate", .help = "ITM radio climate"),
    PHUSONG_OPTION(radio::itm::Params, pol, .key = "polarisation", .help = "antenna polarisation"),
    PHUSONG_OPTION(radio::itm::Params, n0, .key = "n0", .unit = "N-units",
                   .range = {radio::itm::kMinN0, radio::itm::kMaxN0},
                   .help = "surface refractivity reduced to sea level",
                   .message = "{key} = {value}: expected {lo} <= {key} <= {hi} N-units"),
    PHUSONG_OPTION(radio::itm::Params, epsilon, .key = "epsilon", .unit = "dimensionless",
                   .range = {.lo = radio::itm::kMinEpsilon},
                   .help = "relative permittivity of the ground",
                   .message = "{key} = {value}: expected >= {lo}"),
    PHUSONG_OPTION(radio::itm::Params, sigma_s_per_m, .key = "sigma_s_per_m", .unit = "S/m",
                   .range = {.lo = 0, .lo_open = true}, .help = "conductivity of the ground",
                   .message = "{key} = {value}: expected > {lo} S/m"),
    PHUSONG_OPTION(
        radio::itm::Params, mdvar, .key = "mdvar", .range = {0, 33}, .allowed = kMdvarCodes,
        .help = "mode of variability: 0 single message, 1 accidental, 2 mobile, 3 broadcast; "
                "+10 / +20 drop location / situation variability (SPLAT! uses 12)",
        .message = "expected ITM's mode of variability code: 0–3 (single message, accidental, "
                   "mobile, broadcast), plus 10 to drop location and/or 20 to drop situation "
                   "variability; got {value}"),
    PHUSONG_OPTION(radio::itm::Params, time_pct, .key = "time_pct", .unit = "%",
                   .range = {.lo = 0, .hi = 100, .lo_open = true, .hi_open = true},
                   .help = "time quantile",
                   .message = "{key} = {value}: expected {lo} < {key} < {hi}"),
    PHUSONG_OPTION(radio::itm::Params, location_pct, .key = "location_pct", .unit = "%",
                   .range = {.lo = 0, .hi = 100, .lo_open = true, .hi_open = true},
                   .help = "location quantile (ignored in mobile mode)",
                   .message = "{key} = {value}: expected {lo} < {key} < {hi}"),
    PHUSONG_OPTION(radio::itm::Params, situation_pct, .key = "situation_pct", .unit = "%",
                   .range = {.lo = 0, .hi = 100, .lo_open = true, .hi_open = true},
                   .help = "situation quantile (confidence)",
                   .message = "{key} = {value}: expected {lo} < {key} < {hi}"),
};

constexpr std::array kAntennaFile = {
    PHUSONG_OPTION(
        AntennaSpec, msi_file, .key = "msi",
        .help = "Planet/MSI pattern file (horizontal and vertical cuts); overrides the parameters"),
};

constexpr std::array kSector = {
    PHUSONG_OPTION(radio::SectorPatternParams, gain_dbi, .key = "gain_dbi", .unit = "dBi",
                   .range = {-10, 40},
                   .help = "boresight gain G_max (3GPP TR 38.901 Table 7.3-1 form)"),
    PHUSONG_OPTION(radio::SectorPatternParams, h_beamwidth_deg, .key = "h_beamwidth_deg",
                   .unit = "degrees", .range = {1, 360},
                   .help = "horizontal half-power beamwidth φ3dB"),
    PHUSONG_OPTION(radio::SectorPatternParams, v_beamwidth_deg, .key = "v_beamwidth_deg",
                   .unit = "degrees", .range = {1, 180},
                   .help = "vertical half-power beamwidth θ3dB"),
    PHUSONG_OPTION(radio::SectorPatternParams, front_to_back_db, .key = "front_to_back_db",
                   .unit = "dB", .range = {0, 60},
                   .help = "front-to-back ratio A_m (and the overall attenuation cap)"),
    PHUSONG_OPTION(radio::SectorPatternParams, side_lobe_db, .key = "side_lobe_db", .unit = "dB",
                   .range = {0, 60}, .help = "vertical side-lobe attenuation cap SLA_V"),
};

constexpr std::array kAnalysis = {
    PHUSONG_OPTION(AnalysisConfig, sensitivity_max_dbm, .key = "sensitivity_max_dbm", .unit = "dBm",
                   .range = {-160, 0}, .help = "sensitivity.csv: the highest RSRP threshold"),
    PHUSONG_OPTION(AnalysisConfig, sensitivity_min_dbm, .key = "sensitivity_min_dbm", .unit = "dBm",
                   .range = {-160, 0},
                   .help = "sensitivity.csv: the lowest (≤ sensitivity_max_dbm)"),
    PHUSONG_OPTION(AnalysisConfig, sensitivity_step_db, .key = "sensitivity_step_db", .unit = "dB",
                   .range = {0.1, 50}, .help = "sensitivity.csv: the step between thresholds"),
    PHUSONG_OPTION(
        AnalysisConfig, gap_min_area_km2, .key = "gap_min_area_km2", .unit = "km²",
        .range = {0, 1e6},
        .help = "smaller gap polygons are dropped (~100 pixels of 30 m: within the model's error)"),
    PHUSONG_OPTION(AnalysisConfig, gap_min_population, .key = "gap_min_population",
                   .unit = "people", .range = {0, 1e9},
                   .help = "gap polygons with fewer people are dropped (a hamlet)"),
    PHUSONG_OPTION(
        AnalysisConfig, gap_simplify_px, .key = "gap_simplify_px", .unit = "pixels",
        .range = {0, 10},
        .help = "Douglas-Peucker tolerance of the gap outlines (½ pixel removes the staircase)"),
    PHUSONG_OPTION(AnalysisConfig, geopackage, .key = "geopackage",
                   .help = "also write every vector layer as GeoPackage: analysis/analysis.gpkg (gaps, admin "
                           "units, cells) and plan/candidates.gpkg"),
    PHUSONG_OPTION(AnalysisConfig, location_probability, .key = "location_probability",
                   .unit = "probability", .range = {0.01, 0.99},
                   .help = "covered means above the threshold at this probability: every signal "
                           "threshold is raised by shadowing_sigma_db·Φ⁻¹(p) (0.5: the median)"),
    PHUSONG_OPTION(AnalysisConfig, shadowing_sigma_db, .key = "shadowing_sigma_db", .unit = "dB",
                   .range = {0, 30},
                   .help = "shadowing standard deviation σ (3GPP TR 38.901 Table 7.4.1-1 RMa NLOS; "
                           "`calibrate` writes the measured one)"),
};

// Signal bounds span the reporting ranges (RSRP −140 … −44, RSCP −120 … −25, RxLev −110 … −48
// dBm) with margin; SINR −30 … 50 dB covers the TR 36.942 Annex A.2 mapping (−10 … 22 dB).
constexpr std::array kThresholds = {
    PHUSONG_OPTION(ClassThresholds, good_signal_dbm, .key = "good_signal_dbm", .unit = "dBm",
                   .range = {-160, 0},
                   .help = "RSRP (LTE/NR), CPICH RSCP (UMTS) or RxLev (GSM) for \"good\""),
    PHUSONG_OPTION(ClassThresholds, fair_signal_dbm, .key = "fair_signal_dbm", .unit = "dBm",
                   .range = {-160, 0}, .help = "… for \"fair\" (≤ good_signal_dbm)"),
    PHUSONG_OPTION(ClassThresholds, good_sinr_db, .key = "good_sinr_db", .unit = "dB",
                   .range = {-30, 50}, .help = "SINR for \"good\" (LTE/NR)"),
    PHUSONG_OPTION(ClassThresholds, fair_sinr_db, .key = "fair_sinr_db", .unit = "dB",
                   .range = {-30, 50}, .help = "SINR for \"fair\" (≤ good_sinr_db)"),
    PHUSONG_OPTION(ClassThresholds, good_throughput_mbps, .key = "good_throughput_mbps",
                   .unit = "Mbit/s", .range = {0, 100000},
                   .help = "downlink throughput at the scenario's load for \"good\" (LTE/NR)"),
    PHUSONG_OPTION(ClassThresholds, fair_throughput_mbps, .key = "fair_throughput_mbps",
                   .unit = "Mbit/s", .range = {0, 100000},
                   .help = "… for \"fair\" (≤ good_throughput_mbps)"),
};

// Populations: more than none, and at most 1e10, above the world's (8.1e9 people, UN World
// Population Prospects 2024): a larger figure is a typo.
constexpr Range kPopulation{.lo = 0, .hi = 1e10, .lo_open = true};

constexpr std::array kCensus = {
    PHUSONG_OPTION(CensusConfig, source, .key = "source",
                   .help = "e.g. \"GSO 2019 census\", shown in the outputs"),
    PHUSONG_OPTION(CensusConfig, aoi_total, .key = "aoi_total", .unit = "people",
                   .range = kPopulation,
                   .help = "people in the whole AOI; units not listed absorb the difference"),
};

constexpr std::array kCensusUnit = {
    PHUSONG_OPTION(CensusUnit, total, .key = "total", .unit = "people", .range = kPopulation,
                   .help = "the unit's census population (required); units are keyed by "
                           "inputs.admin_code_field, else by name",
                   .default_note = "required"),
};

// Costs are in any currency, relative to each other: positive, and below 1e12 (a typo's order).
constexpr Range kCost{.lo = 0, .hi = 1e12, .lo_open = true};

constexpr std::array kPlan = {
    PHUSONG_OPTION(PlanConfig, enabled, .key = "enabled",
                   .help = "`phusong run` plans only when true"),
    PHUSONG_OPTION(
        PlanConfig, operator_name, .key = "operator",
        .help = "operator of the planned cells; their layer is \"<operator> NR <band>\""),
    PHUSONG_OPTION(PlanConfig, band, .key = "band",
                   .help = "band of the planned NR cell (n78: 3300–3800 MHz)"),
    PHUSONG_OPTION(PlanConfig, freq_mhz, .key = "freq_mhz", .unit = "MHz", .range = {400, 100000},
                   .help = "downlink carrier centre"),
    PHUSONG_OPTION(
        PlanConfig, bandwidth_mhz, .key = "bandwidth_mhz", .unit = "MHz", .range = {0.1, 400},
        .help = "channel bandwidth (100: n78's widest at 30 kHz SCS, TS 38.104 Table 5.3.5-1)"),
    PHUSONG_OPTION(PlanConfig, tx_power_dbm, .key = "tx_power_dbm", .unit = "dBm",
                   .range = {-10, 70},
                   .help = "total transmit power per cell at the port (53: a 64T64R radio, 200 W)"),
    PHUSONG_OPTION(PlanConfig, antenna, .key = "antenna",
                   .help = "name in the [antennas] catalogue"),
    PHUSONG_OPTION(PlanConfig, sectors, .key = "sectors", .range = {1, 12},
                   .help = "cells per candidate, evenly spread in azimuth"),
    PHUSONG_OPTION(PlanConfig, first_azimuth_deg, .key = "first_azimuth_deg", .unit = "degrees",
                   .range = {.lo = 0, .hi = 360, .hi_open = true},
                   .help = "boresight of the first sector, from north"),
    PHUSONG_OPTION(PlanConfig, mech_tilt_deg, .key = "mech_tilt_deg", .unit = "degrees",
                   .range = {-20, 30}, .help = "mechanical downtilt"),
    PHUSONG_OPTION(PlanConfig, elec_tilt_deg, .key = "elec_tilt_deg", .unit = "degrees",
                   .range = {-20, 30}, .help = "electrical downtilt"),
    PHUSONG_OPTION(PlanConfig, upgrades, .key = "upgrades",
                   .help = "existing sites may carry the NR cell at their tower's height"),
    PHUSONG_OPTION(PlanConfig, upgrade_operator, .key = "upgrade_operator",
                   .help = "only this operator's sites are upgraded",
                   .default_note = "all operators"),
    PHUSONG_OPTION(PlanConfig, upgrade_cost, .key = "upgrade_cost", .unit = "cost units",
                   .range = kCost, .help = "cost of one upgrade (any currency)"),
    PHUSONG_OPTION(PlanConfig, greenfield, .key = "greenfield",
                   .help = "new sites on a lattice are candidates"),
    PHUSONG_OPTION(PlanConfig, greenfield_spacing_m, .key = "greenfield_spacing_m",
                   .unit = "metres", .range = {50, 50000},
                   .help = "lattice spacing of the new-site candidates"),
    PHUSONG_OPTION(PlanConfig, greenfield_min_distance_m, .key = "greenfield_min_distance_m",
                   .unit = "metres", .range = {0, 50000},
                   .help = "a new site is at least this far from every existing site"),
    PHUSONG_OPTION(PlanConfig, greenfield_min_people, .key = "greenfield_min_people",
                   .unit = "people", .range = {0, 1e9},
                   .help = "a lattice square needs this many people the NR layer leaves uncovered"),
    PHUSONG_OPTION(PlanConfig, greenfield_height_m, .key = "greenfield_height_m", .unit = "metres",
                   .range = {0.5, 300}, .help = "antenna height above ground of a new mast"),
    PHUSONG_OPTION(
        PlanConfig, greenfield_cost, .key = "greenfield_cost", .unit = "cost units", .range = kCost,
        .help = "cost of a new site: tower, land, power and backhaul on top of the radio"),
    PHUSONG_OPTION(
        PlanConfig, demand_cell_m, .key = "demand_cell_m", .unit = "metres", .range = {1, 5000},
        .help = "demand grid edge, rounded to whole grid pixels (docs/models/planning.md)"),
    PHUSONG_OPTION(
        PlanConfig, coverage_threshold_dbm, .key = "coverage_threshold_dbm", .unit = "dBm",
        .range = {-140, -44},
        .help = "SS-RSRP per RE at which a demand cell counts as covered (within the reporting "
                "range, TS 36.133 Table 9.1.4-1)"),
    PHUSONG_OPTION(PlanConfig, budget_kind, .key = "budget_kind",
                   .help = "the ranking maximises new people per cost unit (an upgrade costs upgrade_cost, a new "
                           "site greenfield_cost) or per site (every candidate the same)"),
    PHUSONG_OPTION(PlanConfig, budget, .key = "budget", .unit = "sites or cost units",
                   .range = kCost, .help = "the ranking stops at this many sites / this cost",
                   .default_note = "none"),
    PHUSONG_OPTION(PlanConfig, target_share, .key = "target_share",
                   .unit = "fraction of the AOI's people",
                   .range = {.lo = 0, .hi = 1, .lo_open = true},
                   .help = "…or once this share of the AOI's people is covered"),
    PHUSONG_OPTION(PlanConfig, min_spacing_m, .key = "min_spacing_m", .unit = "metres",
                   .range = {0, 50000}, .help = "no two chosen candidates closer than this"),
    PHUSONG_OPTION(
        PlanConfig, ilp_budgets, .key = "ilp_budgets", .range = {.lo = 1},
        .help =
            "budgets at which greedy is compared with the optimum (integer programme); [] for none",
        .message = "entry {entry} is {value}: expected budgets ≥ {lo} (sites or cost units), or [] "
                   "for no bound"),
    PHUSONG_OPTION(PlanConfig, ilp_time_limit_s, .key = "ilp_time_limit_s", .unit = "seconds",
                   .range = {0.1, 86400}, .help = "wall seconds per budget for CBC"),
    PHUSONG_OPTION(PlanConfig, ilp_gap, .key = "ilp_gap", .unit = "fraction", .range = {0, 0.5},
                   .help = "how closely the bound answers greedy's distance from the optimum: CBC runs only "
                           "where the Lagrangian bound is farther than this fraction from the best known "
                           "solution, and stops once within it (0: to optimality or ilp_time_limit_s)"),
};

constexpr std::array kReport = {
    PHUSONG_OPTION(ReportConfig, languages, .key = "languages",
                   .help = "one report per language: en writes report.html, vi report.vi.html "
                           "(Vietnamese text and number format 1.233,3)"),
};

#undef PHUSONG_OPTION

// ---- the reference
// -------------------------------------------------------------------------------

template <typename Config, std::size_t N>
void add_rows(TableDoc& t, const std::array<Field<Config>, N>& fields, const Config& defaults,
              std::string_view inherited_from = {}) {
    for (const auto& f : fields) {
        OptionDoc d = f.doc(f.spec, f.member, defaults);
        d.key = t.path + "." + d.key;
        if (!inherited_from.empty()) {
            d.default_text = "as " + std::string(inherited_from);
            d.default_value.reset();
        }
        t.options.push_back(std::move(d));
    }
}

std::string markdown_cell(std::string s) {
    std::string out;
    for (char c : s) {
        if (c == '|') out += '\\';
        out += c;
    }
    return out;
}

std::string range_cell(const OptionDoc& o) {
    if (!o.choices.empty()) {
        std::string s;
        for (const auto& c : o.choices) s += (s.empty() ? "" : ", ") + ("`" + c + "`");
        return s;
    }
    if (!o.allowed.empty()) {
        std::vector<std::string> items;
        for (double v : o.allowed) items.push_back(num(v));
        return list_text(items, ", ");
    }
    if (!o.range.bounded()) return "";
    const auto bound = [](double v) { return std::isinf(v) ? std::string("∞") : num(v); };
    return std::string(o.range.lo_open || std::isinf(o.range.lo) ? "(" : "[") +
           (std::isinf(o.range.lo) ? "−∞" : num(o.range.lo)) + ", " + bound(o.range.hi) +
           (o.range.hi_open || std::isinf(o.range.hi) ? ")" : "]");
}

}  // namespace

std::string_view to_string(ValueType type) {
    switch (type) {
        case ValueType::number:
            return "number";
        case ValueType::integer:
            return "integer";
        case ValueType::boolean:
            return "boolean";
        case ValueType::string:
            return "string";
        case ValueType::path:
            return "path";
        case ValueType::choice:
            return "string (choice)";
        case ValueType::integer_array:
            return "array of integers";
        case ValueType::choice_array:
            return "array of strings (choices)";
    }
    return "?";
}

void read_options(TomlTableReader& r, ScenarioMeta& out) { read_all(kScenarioMeta, r, out); }
void read_options(TomlTableReader& r, InputsConfig& out) { read_all(kInputs, r, out); }
void read_options(TomlTableReader& r, SiteColumns& out) { read_all(kSiteColumns, r, out); }
void read_options(TomlTableReader& r, SiteUnits& out) { read_all(kSiteUnits, r, out); }
void read_options(TomlTableReader& r, GridConfig& out) { read_all(kGrid, r, out); }
void read_options(TomlTableReader& r, PredictionConfig& out) { read_all(kPrediction, r, out); }
void read_options(TomlTableReader& r, radio::ModelConfig& out) { read_all(kModel, r, out); }
void read_options(TomlTableReader& r, radio::SpmCoefficients& out) { read_all(kSpm, r, out); }
void read_options(TomlTableReader& r, radio::itm::Params& out) { read_all(kItm, r, out); }
void read_options(TomlTableReader& r, AntennaSpec& out) { read_all(kAntennaFile, r, out); }
void read_options(TomlTableReader& r, radio::SectorPatternParams& out) {
    read_all(kSector, r, out);
}
void read_options(TomlTableReader& r, AnalysisConfig& out) { read_all(kAnalysis, r, out); }
void read_options(TomlTableReader& r, ClassThresholds& out) { read_all(kThresholds, r, out); }
void read_options(TomlTableReader& r, CensusConfig& out) { read_all(kCensus, r, out); }
void read_options(TomlTableReader& r, CensusUnit& out) { read_all(kCensusUnit, r, out); }
void read_options(TomlTableReader& r, PlanConfig& out) { read_all(kPlan, r, out); }
void read_options(TomlTableReader& r, ReportConfig& out) { read_all(kReport, r, out); }
void read_options(TomlTableReader& r, ClutterClass& out) { read_all(kClutterClass, r, out); }
void read_options(TomlTableReader& r, CalibrationConfig& out) { read_all(kCalibration, r, out); }

std::vector<TableDoc> scenario_tables() {
    std::vector<TableDoc> tables;
    const auto table = [&tables](std::string path, std::string help) -> TableDoc& {
        tables.push_back({std::move(path), std::move(help), {}});
        return tables.back();
    };
    const Scenario s;  // every default, as the structs initialise them
    add_rows(table("scenario", "What the scenario is called."), kScenarioMeta,
             ScenarioMeta{s.name});
    add_rows(table("inputs",
                   "Input files (required table). Relative paths are resolved against the scenario "
                   "file's folder."),
             kInputs, s.inputs);
    add_rows(table("inputs.site_columns",
                   "Headers of the site table's columns, where they are neither phusong's names "
                   "nor built-in aliases (docs/inputs.md#column-names); matched "
                   "case-insensitively."),
             kSiteColumns, s.inputs.site_columns);
    add_rows(table("inputs.site_units",
                   "Units of the site table's columns, where they are not phusong's "
                   "(docs/inputs.md#units); names are case-insensitive."),
             kSiteUnits, s.inputs.site_units);
    add_rows(table("grid", "The analysis grid (DESIGN.md \"Grid\")."), kGrid, s.grid);
    {
        TableDoc& t = table(
            "prediction", "The area prediction, and the default propagation model of every layer.");
        add_rows(t, kPrediction, s.prediction);
        add_rows(t, kModel, s.prediction.model);
    }
    add_rows(table("prediction.spm", "Standard Propagation Model coefficients (model = \"spm\")."),
             kSpm, s.prediction.model.spm);
    add_rows(
        table(
            "prediction.itm",
            "ITM (Longley-Rice v1.4) inputs other than the path (model = \"itm\"); the limits are "
            "ITM's own."),
        kItm, s.prediction.model.itm);
    for (const auto& [group, what] :
         {std::pair{"band", "band (\"GSM900\", \"B8\", \"n78\")"},
          std::pair{"layer", "layer (\"Viettel LTE B3\"); wins over its band's"}}) {
        const std::string base = std::string("prediction.") + group + ".<name>";
        add_rows(table(base, std::string("Model override for one ") + what +
                                 ", starting from [prediction]'s model."),
                 kModel, s.prediction.model, "[prediction]");
        add_rows(table(base + ".spm", "Its SPM coefficients."), kSpm, s.prediction.model.spm,
                 "[prediction.spm]");
        add_rows(table(base + ".itm", "Its ITM inputs."), kItm, s.prediction.model.itm,
                 "[prediction.itm]");
    }
    {
        TableDoc& t =
            table("antennas.<name>",
                  "The antenna catalogue named by the site table's `antenna` column: a "
                  "parametric sector (3GPP TR 38.901 Table 7.3-1 form) or a pattern file.");
        const AntennaSpec a;
        add_rows(t, kAntennaFile, a);
        add_rows(t, kSector, a.sector);
    }
    add_rows(table("analysis", "The analysis stage (docs/outputs.md)."), kAnalysis,
             s.analysis);
    for (std::size_t i = 0; i < s.analysis.thresholds.size(); ++i) {
        const std::string tech(radio::to_string(static_cast<radio::Technology>(i)));
        add_rows(table("analysis.thresholds." + tech,
                       "Class boundaries of " + tech +
                           ": \"good\" passes every good_* bound, \"fair\" every fair_* bound "
                           "(docs/models/analysis.md gives the sources)."),
                 kThresholds, s.analysis.thresholds[i]);
    }
    add_rows(
        table("analysis.census", "Census totals to rescale the population raster to (optional)."),
        kCensus, s.analysis.census);
    add_rows(table("analysis.census.units.<name>", "One admin unit's census total."), kCensusUnit,
             CensusUnit{});
    add_rows(table("plan", "The 5G planning stage (docs/models/planning.md)."), kPlan, s.plan);
    add_rows(table("report", "The HTML report (docs/outputs.md \"report\")."), kReport, s.report);
    add_rows(table("clutter.<code>",
                   "One land-cover class of inputs.clutter, keyed by its integer code in the raster "
                   "([clutter.21]); `calibrate` fits the losses (docs/models/calibration.md)."),
             kClutterClass, ClutterClass{});
    add_rows(table("calibration", "`phusong calibrate`: measurement filters, cross-validation and the "
                                  "fitted terms (docs/models/calibration.md)."),
             kCalibration, s.calibration);
    return tables;
}

std::string scenario_reference_markdown() {
    std::string md =
        "# Scenario reference\n"
        "\n"
        "Every key of a scenario file (TOML), by table. Generated from the option table in\n"
        "src/core/option_table.cpp by `build/default/tools/scenario_doc > docs/scenario.md`; the "
        "core\n"
        "tests fail when this file and the table disagree.\n"
        "\n"
        "Every key is optional unless its default says \"required\". Unknown keys are errors, with "
        "the\n"
        "nearest known key suggested; every problem is reported at once. `<name>` stands for a "
        "name of\n"
        "your choosing (quote it when it has spaces or dots: `[prediction.layer.\"Viettel LTE "
        "B3\"]`).\n"
        "Ranges: `[a, b]` includes both ends, `(a, b]` excludes a; numbers must be finite.\n";
    for (const TableDoc& t : scenario_tables()) {
        md += "\n## [" + t.path + "]\n\n" + t.help + "\n\n";
        md += "| key | type | unit | allowed | default | help | fills |\n";
        md += "|---|---|---|---|---|---|---|\n";
        for (const OptionDoc& o : t.options) {
            const std::string key = o.key.substr(t.path.size() + 1);
            md += "| `" + key + "` | " + std::string(to_string(o.type)) + " | " +
                  markdown_cell(o.unit) + " | " + markdown_cell(range_cell(o)) + " | " +
                  (o.default_value || o.default_text.starts_with("\"") ||
                           o.default_text.starts_with("[") || o.default_text == "true" ||
                           o.default_text == "false"
                       ? "`" + o.default_text + "`"
                       : markdown_cell(o.default_text)) +
                  " | " + markdown_cell(o.help) + " | `" + o.member + "` |\n";
        }
    }
    return md;
}

}  // namespace phusong::options
