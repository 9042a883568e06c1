#pragma once
/// Reads one TOML table into plain structs, collecting every problem (wrong type, missing key,
/// unknown key with the nearest known key suggested) instead of stopping at the first.

#include <toml++/toml.h>

#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "phusong/core/error.hpp"

namespace phusong {

/// Edit distance between two strings (Levenshtein), for "did you mean" suggestions.
[[nodiscard]] std::size_t edit_distance(std::string_view a, std::string_view b);

/// The known key nearest to `key`, if any is close enough to be a plausible typo.
[[nodiscard]] std::optional<std::string> nearest_key(std::string_view key,
                                                     const std::set<std::string>& known);

class TomlTableReader {
public:
    /// `prefix` is the dotted path of this table ("grid"), `file` the scenario file for messages,
    /// `base_dir` the folder relative paths are resolved against.
    TomlTableReader(const toml::table* table, std::string prefix, std::string file,
                    std::filesystem::path base_dir, ProblemList& problems);

    /// Optional keys: leave `out` untouched (its default) when the key is absent.
    void get(std::string_view key, double& out, std::string_view unit = {});
    void get(std::string_view key, int& out);
    void get(std::string_view key, bool& out);
    void get(std::string_view key, std::string& out);
    void get(std::string_view key, std::optional<double>& out, std::string_view unit = {});
    void get(std::string_view key, std::optional<int>& out);
    void get(std::string_view key, std::optional<std::string>& out);
    /// An array of integers; every element must be one.
    void get(std::string_view key, std::vector<int>& out);
    /// An array of strings (nullopt when absent); a problem naming the element that is not a string.
    void get(std::string_view key, std::optional<std::vector<std::string>>& out);
    /// A path, resolved against the scenario's folder.
    void get_path(std::string_view key, std::optional<std::filesystem::path>& out);

    /// Required keys: a problem when absent.
    void require(std::string_view key, std::string& out);
    void require_path(std::string_view key, std::filesystem::path& out);

    /// A sub-table; absent gives a reader over nothing (every get keeps its default).
    [[nodiscard]] TomlTableReader table(std::string_view key);
    /// Names of the sub-tables of this table (for named catalogues such as [layers.x]).
    [[nodiscard]] std::set<std::string> subtable_names();

    /// Adds a problem for every key present in the table that no get/require asked for.
    void finish();

    /// "grid.resolution_m" for messages.
    [[nodiscard]] std::string key_path(std::string_view key) const;
    /// Adds a problem at this key.
    void problem(std::string_view key, std::string message);
    /// Adds a problem unless lo ≤ value ≤ hi ("expected lo ≤ key ≤ hi (unit), got value").
    void check_range(std::string_view key, double value, double lo, double hi, std::string_view unit);

private:
    const toml::node* lookup(std::string_view key);
    void type_problem(std::string_view key, std::string_view expected, const toml::node& node);

    const toml::table* m_table;
    std::string m_prefix;
    std::string m_file;
    std::filesystem::path m_base_dir;
    ProblemList* m_problems;
    std::set<std::string> m_known;
};

}  // namespace phusong
