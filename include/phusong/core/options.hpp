#pragma once
/// The scenario's option table, as documentation: one row per key with its type, unit, allowed
/// range or choices, default and help. The rows are the ones the scenario reader runs on
/// (src/core/option_table.cpp): the reader takes each key's type check, unknown-key detection and
/// range check from them, and docs/scenario.md is printed from them (tools/scenario_doc), so the
/// reference cannot drift from what is read.

#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace phusong::options {

/// What a key holds in the TOML file.
enum class ValueType { number, integer, boolean, string, path, choice, integer_array, choice_array };

/// The TOML-facing name of a value type ("number", "array of integers").
[[nodiscard]] std::string_view to_string(ValueType type);

/// Allowed interval of a numeric key (of each element for an integer array). Unbounded ends are
/// ±infinity; an open end excludes its bound.
struct Range {
    double lo = -std::numeric_limits<double>::infinity();
    double hi = std::numeric_limits<double>::infinity();
    bool lo_open = false;
    bool hi_open = false;

    [[nodiscard]] constexpr bool bounded() const {
        return lo > -std::numeric_limits<double>::infinity() ||
               hi < std::numeric_limits<double>::infinity();
    }
    [[nodiscard]] constexpr bool contains(double v) const {
        return (lo_open ? v > lo : v >= lo) && (hi_open ? v < hi : v <= hi);
    }
};

/// One row of the table, with everything the reference shows.
struct OptionDoc {
    std::string key;     ///< full dotted key: "grid.resolution_m", "antennas.<name>.gain_dbi"
    std::string member;  ///< the struct member it fills: "GridConfig::resolution_m"
    ValueType type = ValueType::number;
    std::string unit;                  ///< "metres", "dBm"; empty for strings, booleans and paths
    Range range;                       ///< numbers, integers and integer arrays; unbounded = any
    std::vector<double> allowed;       ///< numbers limited to these values (nr_scs_khz), else empty
    std::vector<std::string> choices;  ///< the names a choice key takes
    std::string default_text;          ///< as TOML, from the struct's default member initialiser
    std::optional<double> default_value;  ///< numbers and integers with a default
    std::string help;
    bool required = false;
};

/// The keys of one TOML table ("[grid]", "[antennas.<name>]").
struct TableDoc {
    std::string path;  ///< dotted, with <name> for a catalogue entry
    std::string help;
    std::vector<OptionDoc> options;
};

/// Every table of a scenario with its keys, in the order of docs/scenario.md.
[[nodiscard]] std::vector<TableDoc> scenario_tables();

/// docs/scenario.md: the scenario reference in Markdown, printed by tools/scenario_doc.
[[nodiscard]] std::string scenario_reference_markdown();

}  // namespace phusong::options
