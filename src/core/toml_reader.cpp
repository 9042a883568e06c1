#include "phusong/core/toml_reader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

namespace phusong {

std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    std::iota(row.begin(), row.end(), std::size_t{0});
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diag = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t up = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diag = up;
        }
    }
    return row[b.size()];
}

std::optional<std::string> nearest_key(std::string_view key, const std::set<std::string>& known) {
    std::optional<std::string> best;
    std::size_t best_d = std::max<std::size_t>(3, key.size() / 3) + 1;
    for (const auto& k : known) {
        const std::size_t d = edit_distance(key, k);
        if (d < best_d) {
            best_d = d;
            best = k;
        }
    }
    return best;
}

namespace {

std::string describe(const toml::node& node) {
    switch (node.type()) {
        case toml::node_type::string: return "the string \"" + *node.value<std::string>() + "\"";
        case toml::node_type::integer: return "the integer " + std::to_string(*node.value<int64_t>());
        case toml::node_type::floating_point: return "a number";
        case toml::node_type::boolean: return "a boolean";
        case toml::node_type::table: return "a table";
        case toml::node_type::array: return "an array";
        default: return "a date/time";
    }
}

std::string line_of(const toml::node& node) {
    const auto& src = node.source();
    return src.begin.line > 0 ? " (line " + std::to_string(src.begin.line) + ")" : "";
}

}  // namespace

TomlTableReader::TomlTableReader(const toml::table* table, std::string prefix, std::string file,
                                 std::filesystem::path base_dir, ProblemList& problems)
    : m_table(table),
      m_prefix(std::move(prefix)),
      m_file(std::move(file)),
      m_base_dir(std::move(base_dir)),
      m_problems(&problems) {}

std::string TomlTableReader::key_path(std::string_view key) const {
    return m_prefix.empty() ? std::string(key) : m_prefix + "." + std::string(key);
}

void TomlTableReader::check_range(std::string_view key, double value, double lo, double hi,
                                  std::string_view unit) {
    if (!(value >= lo && value <= hi)) {
        problem(key, fmt::format("expected {:g} ≤ {} ≤ {:g} ({}), got {:g}", lo, key, hi, unit, value));
    }
}

void TomlTableReader::problem(std::string_view key, std::string message) {
    std::string where = "key " + key_path(key);
    if (m_table != nullptr) {
        if (const toml::node* n = m_table->get(key)) where += line_of(*n);
    }
    m_problems->add(m_file, where, std::move(message));
}

const toml::node* TomlTableReader::lookup(std::string_view key) {
    m_known.emplace(key);
    return m_table != nullptr ? m_table->get(key) : nullptr;
}

void TomlTableReader::type_problem(std::string_view key, std::string_view expected,
                                   const toml::node& node) {
    problem(key, "expected " + std::string(expected) + ", got " + describe(node));
}

void TomlTableReader::get(std::string_view key, double& out, std::string_view unit) {
    std::optional<double> v;
    get(key, v, unit);
    if (v) out = *v;
}

void TomlTableReader::get(std::string_view key, std::optional<double>& out, std::string_view unit) {
    const toml::node* n = lookup(key);
    if (n == nullptr) return;
    if (auto v = n->value<double>(); v && (n->is_floating_point() || n->is_integer())) {
        if (!std::isfinite(*v)) {
            problem(key, "expected a finite number, got " + std::to_string(*v));
            return;
        }
        out = *v;
        return;
    }
    type_problem(key, unit.empty() ? "a number" : "a number in " + std::string(unit), *n);
}

void TomlTableReader::get(std::string_view key, int& out) {
    std::optional<int> v;
    get(key, v);
    if (v) out = *v;
}

void TomlTableReader::get(std::string_view key, std::optional<int>& out) {
    const toml::node* n = lookup(key);
    if (n == nullptr) return;
    if (n->is_integer()) {
        const int64_t v = *n->value<int64_t>();
        if (v < INT32_MIN || v > INT32_MAX) {
            problem(key, "integer out of range");
            return;
        }
        out = static_cast<int>(v);
        return;
    }
    type_problem(key, "an integer", *n);
}

void TomlTableReader::get(std::string_view key, bool& out) {
    const toml::node* n = lookup(key);
    if (n == nullptr) return;
    if (n->is_boolean()) {
        out = *n->value<bool>();
        return;
    }
    type_problem(key, "true or false", *n);
}

void TomlTableReader::get(std::string_view key, std::string& out) {
    std::optional<std::string> v;
    get(key, v);
    if (v) out = *v;
}

void TomlTableReader::get(std::string_view key, std::optional<std::string>& out) {
    const toml::node* n = lookup(key);
    if (n == nullptr) return;
    if (n->is_string()) {
        out = *n->value<std::string>();
        return;
    }
    type_problem(key, "a string", *n);
}

void TomlTableReader::get(std::string_view key, std::vector<int>& out) {
    const toml::node* n = lookup(key);
    if (n == nullptr) return;
    const toml::array* a = n->as_array();
    if (a == nullptr) {
        type_problem(key, "an array of integers", *n);
        return;
    }
    std::vector<int> values;
    for (std::size_t i = 0; i < a->size(); ++i) {
        const auto v = (*a)[i].value<std::int64_t>();
        if (!(*a)[i].is_integer() || !v || *v < std::numeric_limits<int>::min() || *v > std::numeric_limits<int>::max()) {
            problem(key, "expected an array of integers; element " + std::to_string(i + 1) + " is not one");
            return;
        }
        values.push_back(static_cast<int>(*v));
    }
    out = std::move(values);
}

void TomlTableReader::get(std::string_view key, std::optional<std::vector<std::string>>& out) {
    const toml::node* n = lookup(key);
    if (n == nullptr) return;
    const toml::array* a = n->as_array();
    if (a == nullptr) {
        type_problem(key, "an array of strings", *n);
        return;
    }
    std::vector<std::string> values;
    for (std::size_t i = 0; i < a->size(); ++i) {
        const auto v = (*a)[i].value<std::string>();
        if (!(*a)[i].is_string() || !v) {
            problem(key, "expected an array of strings; element " + std::to_string(i + 1) + " is not one");
            return;
        }
        values.push_back(*v);
    }
    out = std::move(values);
}

void TomlTableReader::get_path(std::string_view key, std::optional<std::filesystem::path>& out) {
    std::optional<std::string> s;
    get(key, s);
    if (!s) return;
    if (s->empty()) {
        problem(key, "expected a file path, got an empty string");
        return;
    }
    const std::filesystem::path p(*s);
    out = p.is_absolute() ? p : (m_base_dir / p).lexically_normal();
}

void TomlTableReader::require(std::string_view key, std::string& out) {
    std::optional<std::string> v;
    const bool present = m_table != nullptr && m_table->contains(key);
    get(key, v);
    if (v) {
        out = *v;
    } else if (!present) {
        problem(key, "required key is missing");
    }
}

void TomlTableReader::require_path(std::string_view key, std::filesystem::path& out) {
    std::optional<std::filesystem::path> v;
    const bool present = m_table != nullptr && m_table->contains(key);
    get_path(key, v);
    if (v) {
        out = *v;
    } else if (!present) {
        problem(key, "required key is missing: give the path of the file");
    }
}

TomlTableReader TomlTableReader::table(std::string_view key) {
    const toml::node* n = lookup(key);
    const toml::table* t = nullptr;
    if (n != nullptr) {
        t = n->as_table();
        if (t == nullptr) type_problem(key, "a table", *n);
    }
    return {t, key_path(key), m_file, m_base_dir, *m_problems};
}

std::set<std::string> TomlTableReader::subtable_names() {
    std::set<std::string> names;
    if (m_table == nullptr) return names;
    for (const auto& [k, v] : *m_table) {
        if (v.is_table()) names.emplace(k.str());
    }
    return names;
}

void TomlTableReader::finish() {
    if (m_table == nullptr) return;
    for (const auto& [k, v] : *m_table) {
        const std::string key(k.str());
        if (m_known.count(key) != 0) continue;
        std::string message = "unknown key";
        if (auto near = nearest_key(key, m_known)) {
            message += "; did you mean " + key_path(*near) + "?";
        } else {
            std::string list;
            for (const auto& known : m_known) list += (list.empty() ? "" : ", ") + known;
            message += "; known keys here: " + list;
        }
        m_problems->add(m_file, "key " + key_path(key) + line_of(v), message);
    }
}

}  // namespace phusong
