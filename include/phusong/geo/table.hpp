#pragma once
/// Opening a table of rows (the site table, a measurement table): delimited text read by GDAL's
/// CSV driver, or any OGR vector layer, with the checks every such input gets.

#include <cstddef>
#include <filesystem>
#include <string>

#include "phusong/core/error.hpp"
#include "phusong/geo/gdal.hpp"

namespace phusong::geo {

struct Table {
    DatasetPtr ds;
    bool delimited = false;  ///< .csv, .tsv or .txt: every field read as text, rows numbered by line
    char separator = ',';    ///< of delimited text, as the CSV driver detects it from the header line
};

/// Opens `path` as a table of `role` ("site table") whose rows are `row_what` ("cell"): delimited
/// text (.csv, .tsv, .txt; comma, semicolon or tab) through GDAL's CSV driver with every field as
/// text, else any OGR vector format. InputError naming the file for a special file, an unreadable
/// or empty one, a format GDAL does not recognise, and a container of several layers.
[[nodiscard]] Table open_table(const std::filesystem::path& path, const std::string& role, const std::string& row_what);

/// Where a row is, as every message names it: "row 17 (line 18)" in delimited text (one header
/// line), "feature 17" in other formats.
[[nodiscard]] std::string row_where(bool delimited, std::size_t row);

/// A delimited-text row with more values than the header has columns: OGR silently drops the
/// extra values, which usually means an unquoted separator inside a value shifted the columns
/// after it. Adds a problem per such row.
void check_value_counts(const std::filesystem::path& path, const std::string& file, ProblemList& problems);

}  // namespace phusong::geo
