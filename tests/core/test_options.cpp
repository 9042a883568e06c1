// The option table (src/core/option_table.cpp) against what it drives: the reference
// docs/scenario.md, the scenario reader's range checks and the structs' defaults.

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <cmath>
#include <regex>
#include <sstream>

#include "../test_util.hpp"
#include "scenario_problems.hpp"
#include "phusong/core/error.hpp"
#include "phusong/core/options.hpp"
#include "phusong/core/scenario.hpp"

using namespace phusong;
using phusong::test::TempDir;

namespace {

using phusong::test::problems_of;

std::filesystem::path docs_dir() { return PHUSONG_DOCS_DIR; }

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

std::vector<options::OptionDoc> all_options() {
    std::vector<options::OptionDoc> all;
    for (const auto& t : options::scenario_tables())
        all.insert(all.end(), t.options.begin(), t.options.end());
    return all;
}

/// The key with its placeholders filled: a name (x) and a clutter class code (21).
std::string full_key(const options::OptionDoc& o) {
    return std::regex_replace(std::regex_replace(o.key, std::regex("<name>"), "x"), std::regex("<code>"), "21");
}

/// "antennas.<name>.gain_dbi" → table "antennas.x", key "gain_dbi" (the catalogue entry named x).
std::pair<std::string, std::string> split_key(const options::OptionDoc& o) {
    const std::string key = full_key(o);
    const auto dot = key.rfind('.');
    return {key.substr(0, dot), key.substr(dot + 1)};
}


/// A scenario with the inputs present and `table`/`line` added.
std::filesystem::path scenario_with(const TempDir& dir, const std::string& table,
                                    const std::string& line) {
    for (const char* f : {"dem.tif", "pop.tif", "aoi.geojson", "sites.csv"}) dir.write(f, "x");
    std::string text =
        "[inputs]\ndem = \"dem.tif\"\npopulation = \"pop.tif\"\naoi = \"aoi.geojson\"\n"
        "sites = \"sites.csv\"\n";
    if (table == "inputs") {
        text += line + "\n";
    } else if (!line.empty()) {
        text += "[" + table + "]\n" + line + "\n";
    }
    return dir.write("s.toml", text);
}

bool numeric(const options::OptionDoc& o) {
    return o.type == options::ValueType::number || o.type == options::ValueType::integer ||
           o.type == options::ValueType::integer_array;
}

/// A value as TOML: an integer for integer keys, one-element array for integer arrays.
std::string toml_value(const options::OptionDoc& o, double v) {
    if (o.type == options::ValueType::number) return fmt::format("{}", v);
    const std::string i = fmt::format("{}", static_cast<long long>(v));
    return o.type == options::ValueType::integer_array ? "[" + i + "]" : i;
}

/// Values the key must refuse: just outside each finite end, and a value within range that the
/// allowed list leaves out.
std::vector<double> refused_values(const options::OptionDoc& o) {
    const bool integral = o.type != options::ValueType::number;
    const auto step = [&](double bound) {
        return integral ? 1.0 : std::max(1.0, std::abs(bound) * 0.5);
    };
    std::vector<double> out;
    if (std::isfinite(o.range.lo))
        out.push_back(o.range.lo_open ? o.range.lo : o.range.lo - step(o.range.lo));
    if (std::isfinite(o.range.hi))
        out.push_back(o.range.hi_open ? o.range.hi : o.range.hi + step(o.range.hi));
    if (!o.allowed.empty()) {
        for (double v = o.range.lo; v <= o.range.hi; v += 1) {
            if (std::find(o.allowed.begin(), o.allowed.end(), v) == o.allowed.end()) {
                out.push_back(v);
                break;
            }
        }
    }
    return out;
}

/// A value the key accepts: an allowed one, else the lower end (or just inside it), else the upper.
double inside(const options::OptionDoc& o) {
    if (!o.allowed.empty()) return o.allowed.front();
    const double delta = o.type == options::ValueType::number ? 1e-3 : 1.0;
    if (std::isfinite(o.range.lo)) return o.range.lo_open ? o.range.lo + delta : o.range.lo;
    if (std::isfinite(o.range.hi)) return o.range.hi_open ? o.range.hi - delta : o.range.hi;
    return 0;
}

}  // namespace

TEST_CASE("docs/scenario.md is the reference the option table prints") {
    const auto expected = lines_of(options::scenario_reference_markdown());
    const auto actual = lines_of(test::slurp(docs_dir() / "scenario.md"));
    const std::string fix = "regenerate it: build/default/tools/scenario_doc > docs/scenario.md";
    for (std::size_t i = 0; i < std::max(expected.size(), actual.size()); ++i) {
        const std::string want = i < expected.size() ? expected[i] : "(end of file)";
        const std::string got = i < actual.size() ? actual[i] : "(end of file)";
        if (want != got) {
            FAIL("docs/scenario.md line " << i + 1 << " differs from the option table:\n  file:  "
                                          << got << "\n  table: " << want << "\n"
                                          << fix);
        }
    }
}

TEST_CASE("every numeric key has a range, and every default is within it") {
    for (const auto& o : all_options()) {
        CAPTURE(o.key);
        CHECK(!o.help.empty());
        CHECK(!o.member.empty());
        if (numeric(o)) CHECK_MESSAGE(o.range.bounded(), o.key << " has no range");
        if (o.default_value) {
            CHECK(o.range.contains(*o.default_value));
            if (!o.allowed.empty()) {
                CHECK(std::find(o.allowed.begin(), o.allowed.end(), *o.default_value) !=
                      o.allowed.end());
            }
        }
        if (o.type == options::ValueType::choice) CHECK(!o.choices.empty());
    }
}

TEST_CASE("each numeric key refuses a value out of its range, naming the key") {
    for (const auto& o : all_options()) {
        if (!numeric(o)) continue;
        const auto [table, key] = split_key(o);
        for (double v : refused_values(o)) {
            TempDir dir;
            const std::string line = key + " = " + toml_value(o, v);
            CAPTURE(table);
            CAPTURE(line);
            const std::string msg = problems_of(scenario_with(dir, table, line));
            CHECK(msg.find("key " + full_key(o) + " (line") != std::string::npos);
            CHECK(msg.find("unknown key") == std::string::npos);
        }
    }
}

TEST_CASE("each numeric key accepts the ends of its range") {
    for (const auto& o : all_options()) {
        if (!numeric(o) || !o.allowed.empty()) continue;
        const auto [table, key] = split_key(o);
        const double delta = o.type == options::ValueType::number ? 1e-3 : 1.0;
        std::vector<double> ends;
        if (std::isfinite(o.range.lo))
            ends.push_back(o.range.lo_open ? o.range.lo + delta : o.range.lo);
        if (std::isfinite(o.range.hi))
            ends.push_back(o.range.hi_open ? o.range.hi - delta : o.range.hi);
        for (double v : ends) {
            TempDir dir;
            const std::string line = key + " = " + toml_value(o, v);
            CAPTURE(line);
            const std::string msg = problems_of(scenario_with(dir, table, line));
            // Cross-key checks (good ≥ fair, min ≤ max) may object to an end; the range must not.
            const auto at = msg.find("key " + full_key(o) + " (line");
            if (at != std::string::npos) {
                CHECK_MESSAGE((msg.find("≥ fair_", at) != std::string::npos ||
                               msg.find("≤ sensitivity_max_dbm", at) != std::string::npos),
                              msg);
            }
        }
    }
}

TEST_CASE("every key of the table is read where the table says, at its documented default") {
    // One scenario that sets every key to the default the reference shows (or, without one, a
    // value the table allows): it must load without a problem.
    TempDir dir;
    for (const char* f : {"dem.tif", "pop.tif", "aoi.geojson", "sites.csv", "x.msi"})
        dir.write(f, "x");
    std::map<std::string, std::string> tables;
    std::vector<std::string> order;
    for (const auto& o : all_options()) {
        const auto [table, key] = split_key(o);
        std::string value = o.default_text;
        if (o.type == options::ValueType::path) {
            value = table == "inputs" ? "\"" +
                                            std::string(key == "dem"          ? "dem.tif"
                                                        : key == "population" ? "pop.tif"
                                                        : key == "aoi"        ? "aoi.geojson"
                                                        : key == "sites"      ? "sites.csv"
                                                                              : "aoi.geojson") +
                                            "\""
                                      : "\"x.msi\"";
        } else if (value == "none" || value.starts_with("as ") || value == "required" ||
                   !(value.starts_with("\"") || value.starts_with("[") || value == "true" ||
                     value == "false" || o.default_value)) {
            // No default to write (an optional, an inherited or a described one): a value in range.
            if (o.type == options::ValueType::string)
                value = "\"x\"";
            else if (!o.choices.empty())
                value = "\"" + o.choices.front() + "\"";
            else if (numeric(o))
                value = toml_value(o, inside(o));
            else
                continue;
        }
        if (!tables.contains(table)) order.push_back(table);
        tables[table] += key + " = " + value + "\n";
    }
    std::string text;
    for (const auto& t : order) text += "[" + t + "]\n" + tables[t];
    const auto file = dir.write("all.toml", text);
    CAPTURE(text);
    const std::string msg = problems_of(file);
    CHECK_MESSAGE(msg.empty(), msg);
}

TEST_CASE("the demo and the tiny fixture use keys of the table only, and validate") {
    for (const auto& file :
         {test::gis_data_dir() / "vinh_phuc.toml", test::test_data_dir() / "tiny" / "tiny.toml"}) {
        CAPTURE(file);
        const Scenario s = load_scenario(file);
        CHECK(!s.name.empty());
    }
}
