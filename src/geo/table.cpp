#include "phusong/geo/table.hpp"

#include <cpl_csv.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <optional>

#include "phusong/core/input_file.hpp"
#include "phusong/core/interrupt.hpp"

namespace phusong::geo {

namespace {

std::string lower_extension(const std::filesystem::path& p) {
    std::string ext = p.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    return ext;
}

/// Delimited text read by GDAL's CSV driver: .csv, .tsv and .txt (comma, semicolon or tab: the
/// driver detects the separator from the header line).
bool is_delimited_text(const std::filesystem::path& p) {
    const std::string ext = lower_extension(p);
    return ext == ".csv" || ext == ".tsv" || ext == ".txt";
}

/// The separator of a delimited text file, as GDAL's CSV driver detects it (',' when unreadable).
char detect_separator(const std::filesystem::path& path) {
    std::unique_ptr<VSILFILE, int (*)(VSILFILE*)> fp(VSIFOpenL(path.c_str(), "rb"), &VSIFCloseL);
    if (!fp) return ',';
    const char* first = CPLReadLineL(fp.get());
    return first == nullptr ? ',' : CSVDetectSeperator(first);
}

}  // namespace

Table open_table(const std::filesystem::path& path, const std::string& role, const std::string& row_what) {
    const std::string file = path.string();
    Table t;
    t.delimited = is_delimited_text(path);
    std::error_code ec;
    require_not_special(path);  // GDAL would block on a FIFO and read /dev/zero for ever
    if (std::filesystem::is_regular_file(path, ec)) {
        if (std::ifstream probe(path, std::ios::binary); !probe) {
            throw InputError(file, "", "cannot read the " + role + ": " + std::strerror(errno));
        }
        if (std::filesystem::file_size(path, ec) == 0) {
            throw InputError(file, "", "the " + role + " is empty (0 bytes): expected a header row and one row per " +
                                           row_what);
        }
    }
    gdal_init();
    {
        GdalErrorCapture cap;
        const char* csv_options[] = {"AUTODETECT_TYPE=NO", "KEEP_GEOM_COLUMNS=YES", nullptr};
        const char* csv_driver[] = {"CSV", nullptr};
        // GDAL's CSV driver recognises .csv and .tsv by name; "CSV:" opens any other text file.
        const std::string open_name = t.delimited && lower_extension(path) == ".txt" ? "CSV:" + file : file;
        t.ds.reset(GDALDataset::Open(open_name.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY,
                                     t.delimited ? csv_driver : nullptr, t.delimited ? csv_options : nullptr, nullptr));
        if (!t.ds || t.ds->GetLayerCount() < 1) {
            throw InputError(file, "", "cannot read the " + role + ": " +
                                           (cap.last_error().empty()
                                                ? std::string("format not recognised (use CSV, TSV or TXT with a header "
                                                              "line, GeoJSON, GeoPackage or Shapefile)")
                                                : cap.last_error()));
        }
    }
    require_single_layer(*t.ds, file, role);
    if (t.delimited) t.separator = detect_separator(path);
    return t;
}

std::string row_where(bool delimited, std::size_t row) {
    return delimited ? "row " + std::to_string(row) + " (line " + std::to_string(row + 1) + ")"
                     : "feature " + std::to_string(row);
}

void check_value_counts(const std::filesystem::path& path, const std::string& file, ProblemList& problems) {
    std::unique_ptr<VSILFILE, int (*)(VSILFILE*)> fp(VSIFOpenL(path.c_str(), "rb"), &VSIFCloseL);
    if (!fp) return;
    const char* first = CPLReadLineL(fp.get());
    if (first == nullptr) return;
    const char separator = CSVDetectSeperator(first);
    VSIRewindL(fp.get());
    const auto count = [&]() -> std::optional<int> {
        char** values = CSVReadParseLine2L(fp.get(), separator);
        if (values == nullptr) return std::nullopt;
        const int n = CSLCount(values);
        CSLDestroy(values);
        return n;
    };
    const std::optional<int> columns = count();
    if (!columns) return;
    std::size_t row = 0;
    while (const std::optional<int> n = count()) {
        throw_if_interrupted();
        if (*n == 0) continue;  // blank line: OGR skips it too
        ++row;
        if (*n > *columns) {
            problems.add(file, row_where(true, row),
                         std::to_string(*n) + " values for " + std::to_string(*columns) +
                             " columns: quote values that contain the separator (\"" +
                             std::string(1, separator) + "\")");
        }
    }
}


}  // namespace phusong::geo
