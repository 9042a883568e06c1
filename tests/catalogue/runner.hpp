#pragma once
// Shared by the catalogue suites: a copy of the tiny fixture to break, a runner of the real
// `phusong` executable (optionally as an unprivileged user, so file permissions bite even when the
// tests run as root), and small raster/vector writers to make broken inputs with GDAL.

#include <sys/types.h>

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "test_util.hpp"

namespace phusong::catalogue {

namespace fs = std::filesystem;

/// A copy of tests/data/tiny in a fresh temporary folder, with an empty `runs/` beside it for
/// outputs: after a failed run, `runs/` must still be empty.
struct Fixture {
    Fixture();
    test::TempDir dir;
    fs::path root;      ///< the copied fixture folder
    fs::path scenario;  ///< root/tiny.toml
    fs::path sites;     ///< root/sites.csv
    fs::path dem;       ///< root/dem.tif
    fs::path population;
    fs::path aoi;
    fs::path runs;      ///< dir/runs, the parent of `out`
    fs::path out;       ///< runs/out, the default --out
    /// Placeholders of expected messages and command lines: {scenario}, {sites}, {dem},
    /// {population}, {aoi}, {root}, {runs}, {out}.
    [[nodiscard]] std::string expand(std::string text) const;
};

struct RunOptions {
    bool unprivileged = false;  ///< run as `nobody` when the tests run as root
    int timeout_s = 120;        ///< killed (SIGKILL) after this: a hang is a failure
};

struct Result {
    int code = -1;           ///< exit status, or -1 if killed by a signal
    int signal = 0;          ///< the signal that killed it, if any
    std::string out;
    std::string err;
};

/// Why the cases that run as `nobody` cannot run here (root only: that user cannot use the
/// temporary folder), or nothing when they can. Such cases are skipped with this reason.
std::optional<std::string> unprivileged_unavailable();

/// Runs `phusong ARGS…` (split on spaces after placeholder expansion; paths have no spaces).
Result run_phusong(const Fixture& fx, const std::string& args, const RunOptions& options = {});
Result run_phusong(const std::vector<std::string>& argv, const fs::path& logs,
                   const RunOptions& options = {});

/// Starts `phusong ARGS…` in the background with stdout/stderr to files in `logs`; returns its pid.
pid_t spawn_phusong(const std::vector<std::string>& argv, const fs::path& stderr_file);

/// Waits for a child; returns {exit code or -1, terminating signal or 0}. Kills it after
/// `timeout_s`.
std::pair<int, int> wait_child(pid_t pid, int timeout_s);

using test::slurp;
using test::entries;
using test::snapshot;
void spit(const fs::path& p, const std::string& text);
bool contains(const std::string& haystack, const std::string& needle);
/// Replaces the first occurrence of `from`; fails the test if absent.
void replace_in_file(const fs::path& p, const std::string& from, const std::string& to);

/// Band 1 of a raster with its frame, for making broken copies.
struct RasterData {
    int cols = 0;
    int rows = 0;
    std::optional<std::vector<double>> geotransform;  ///< none: written without one
    std::string crs_wkt;                              ///< "": written without a CRS
    std::optional<double> nodata;
    std::vector<float> values;
};
RasterData read_raster(const fs::path& path);
/// Writes a GeoTIFF (float32).
void write_raster(const fs::path& path, const RasterData& r);
/// gdalwarp `src` to `dst` in EPSG:`epsg` (nearest neighbour, so the counts are kept per pixel).
void warp_raster(const fs::path& src, const fs::path& dst, int epsg);

/// The site table's data rows (without header) and the header line.
std::vector<std::string> csv_lines(const fs::path& p);

}  // namespace phusong::catalogue
