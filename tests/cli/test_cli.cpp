// The `phusong` executable end to end: exit codes, messages on stderr, the output folder
// (atomic, never overwritten by accident), manifest.json, and the COG outputs of the tiny fixture.

#include <doctest/doctest.h>
#include <gdal_priv.h>
#include <ogr_spatialref.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <thread>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "../test_util.hpp"
#include "phusong/geo/gdal.hpp"

namespace fs = std::filesystem;
using phusong::test::TempDir;
using phusong::test::entries;
using phusong::test::slurp;
using phusong::test::snapshot;

namespace {

struct Result {
    int code = -1;
    std::string out;
    std::string err;
};

std::string quote(const fs::path& p) { return "'" + p.string() + "'"; }

bool contains(const std::string& haystack, const std::string& needle) {
    return haystack.find(needle) != std::string::npos;
}

/// Runs `phusong ARGS` (in `cwd` if given), capturing stdout and stderr in files under `logs`.
Result phusong_cli(const TempDir& logs, const std::string& args, const fs::path& cwd = {}) {
    static int n = 0;
    ++n;
    const fs::path out = logs.path() / ("stdout-" + std::to_string(n) + ".txt");
    const fs::path err = logs.path() / ("stderr-" + std::to_string(n) + ".txt");
    std::string cmd = cwd.empty() ? "" : "cd " + quote(cwd) + " && ";
    cmd += quote(PHUSONG_EXE) + " " + args + " >" + quote(out) + " 2>" + quote(err);
    const int status = std::system(cmd.c_str());
    Result r;
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = slurp(out);
    r.err = slurp(err);
    return r;
}

/// sha256 of a file, by coreutils (independent of the engine's own hashing).
std::string sha256sum(const fs::path& p) {
    FILE* pipe = popen(("sha256sum " + quote(p)).c_str(), "r");
    REQUIRE(pipe != nullptr);
    char buf[65] = {};
    const std::size_t got = std::fread(buf, 1, 64, pipe);
    pclose(pipe);
    REQUIRE(got == 64);
    return std::string(buf, 64);
}

bool is_hex64(const std::string& s) {
    return s.size() == 64 && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

/// A copy of tests/data/tiny in `dir`/tiny; returns the scenario file.
fs::path copy_fixture(const TempDir& dir) {
    const fs::path to = dir.path() / "tiny";
    fs::create_directories(to);
    for (const auto& e : fs::directory_iterator(phusong::test::test_data_dir() / "tiny")) {
        fs::copy_file(e.path(), to / e.path().filename());
    }
    return to / "tiny.toml";
}

void replace_in_file(const fs::path& p, const std::string& from, const std::string& to) {
    std::string text = slurp(p);
    const auto pos = text.find(from);
    REQUIRE_MESSAGE(pos != std::string::npos, "\"", from, "\" not in ", p.string());
    text.replace(pos, from.size(), to);
    std::ofstream(p, std::ios::binary | std::ios::trunc) << text;
}

std::string version_of(const TempDir& logs) {
    const Result r = phusong_cli(logs, "--version");
    REQUIRE(r.code == 0);
    std::string v = r.out;
    while (!v.empty() && (v.back() == '\n' || v.back() == '\r')) v.pop_back();
    REQUIRE(v.rfind("phusong ", 0) == 0);
    return v.substr(8);
}

const std::string kTinySitesRow2 =
    "VT-1,VT-1-L18-2,Viettel,105.595000,21.305000,30,120,2,4,LTE,B3,1815,20,46,sector65_17dbi";

}  // namespace

// ---------------------------------------------------------------------------------------------
// Usage

TEST_CASE("--help lists the subcommands and global options") {
    TempDir logs;
    const Result r = phusong_cli(logs, "--help");
    CHECK(r.code == 0);
    for (const char* word : {"run", "validate", "info", "--threads", "--quiet", "--verbose", "--version"}) {
        CHECK_MESSAGE(contains(r.out, word), "--help lacks ", word);
    }
    const Result run_help = phusong_cli(logs, "run --help");
    CHECK(run_help.code == 0);
    CHECK(contains(run_help.out, "--out"));
    CHECK(contains(run_help.out, "--overwrite"));
}

TEST_CASE("--version prints the engine version") {
    TempDir logs;
    const std::string v = version_of(logs);
    REQUIRE_FALSE(v.empty());
    CHECK(std::isdigit(static_cast<unsigned char>(v[0])));
    CHECK(std::count(v.begin(), v.end(), '.') >= 1);
}

TEST_CASE("usage errors exit with 2") {
    TempDir logs;
    for (const char* args : {"--bogus", "", "run", "frobnicate", "--threads 0 info", "--threads abc info",
                             "run a.toml --no-such-flag"}) {
        const Result r = phusong_cli(logs, args);
        CHECK_MESSAGE(r.code == 2, "phusong ", args, " → ", r.code);
        CHECK_MESSAGE(!r.err.empty(), "phusong ", args, " said nothing on stderr");
    }
}

TEST_CASE("info prints the library versions") {
    TempDir logs;
    const Result r = phusong_cli(logs, "info");
    CHECK(r.code == 0);
    CHECK(contains(r.out, "GDAL"));
    CHECK(contains(r.out, "PROJ"));
}

// ---------------------------------------------------------------------------------------------
// run on the tiny fixture

TEST_CASE("run on the tiny fixture: manifest and COG outputs") {
    TempDir work;
    const fs::path scenario = phusong::test::test_data_dir() / "tiny" / "tiny.toml";
    const fs::path out = work.path() / "out";
    const Result r = phusong_cli(work, "run " + quote(scenario) + " --out " + quote(out));
    REQUIRE_MESSAGE(r.code == 0, r.err);
    CHECK(contains(r.out, "tiny fixture"));
    // Only the output folder (and our logs) is left: no temporary folder.
    for (const auto& name : entries(work.path())) {
        CHECK_MESSAGE((name == "out" || name.rfind("stdout-", 0) == 0 || name.rfind("stderr-", 0) == 0),
                      "left over: ", name);
    }

    REQUIRE(fs::exists(out / "manifest.json"));
    const auto m = nlohmann::json::parse(slurp(out / "manifest.json"));
    const std::string version = version_of(work);

    {  // engine, scenario and inputs
        CHECK(m.at("engine").at("name") == "phusong");
        CHECK(m.at("engine").at("version") == version);
        CHECK(m.at("scenario").at("file") == "tiny.toml");
        CHECK(is_hex64(m.at("scenario").at("config_sha256").get<std::string>()));
        std::set<std::string> roles;
        for (const auto& in : m.at("inputs")) {
            const std::string role = in.at("role");
            roles.insert(role);
            const fs::path path = in.at("path").get<std::string>();
            CAPTURE(role);
            REQUIRE(fs::exists(path));
            CHECK(in.at("sha256") == sha256sum(path));
        }
        CHECK(roles == std::set<std::string>{"dem", "population", "aoi", "sites"});
    }
    {  // grid, stages, counts, outputs
        const auto& g = m.at("grid");
        CHECK(g.at("epsg") == 32648);  // Vĩnh Yên is in UTM zone 48 N
        CHECK(g.at("resolution_m") == 60.0);
        CHECK(g.at("tile_size_px") == 64);
        // AOI 105.57–105.63 E × 21.28–21.34 N plus 1 km on each side, on 60 m pixels.
        CHECK(g.at("cols") == 139);
        CHECK(g.at("rows") == 145);
        CHECK(g.at("tiles") == 9);
        CHECK(std::fmod(g.at("origin_x_m").get<double>(), 60.0) == 0.0);
        std::set<std::string> stages;
        for (const auto& s : m.at("stages")) {
            stages.insert(s.at("name").get<std::string>());
            CHECK(s.at("wall_s").is_number());
        }
        CHECK(stages.count("validate") == 1);
        CHECK(stages.count("grid") == 1);
        CHECK(stages.count("write") == 1);
        const auto& c = m.at("counts");
        CHECK(c.at("sites") == 3);
        CHECK(c.at("cells") == 9);
        CHECK(c.at("layers") == 2);
        CHECK(c.at("operators") == 2);
        CHECK(c.at("sites_outside_aoi") == 0);
        const auto& p = m.at("population");
        CHECK(p.at("method") == "index-redistribution");
        CHECK(p.at("people_in_aoi").get<double>() > 0.0);
        CHECK(m.at("threads").get<int>() >= 1);
        std::set<std::string> outputs;
        for (const auto& o : m.at("outputs")) {
            outputs.insert(o.at("path").get<std::string>());
            CHECK(fs::exists(out / o.at("path").get<std::string>()));
        }
        CHECK(outputs.count("dem.tif") == 1);
        CHECK(outputs.count("population.tif") == 1);
    }
    {  // dem.tif and population.tif are COGs with nodata, units, CRS and tags
        phusong::geo::gdal_init();
        for (const auto& [name, unit] : std::map<std::string, std::string>{{"dem.tif", "m"}, {"population.tif", "people"}}) {
            CAPTURE(name);
            GDALDatasetUniquePtr ds(GDALDataset::Open((out / name).c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
            REQUIRE(ds);
            const char* layout = ds->GetMetadataItem("LAYOUT", "IMAGE_STRUCTURE");
            REQUIRE(layout != nullptr);
            CHECK(std::string(layout) == "COG");
            CHECK(ds->GetRasterXSize() == m.at("grid").at("cols").get<int>());
            CHECK(ds->GetRasterYSize() == m.at("grid").at("rows").get<int>());
            double gt[6];
            REQUIRE(ds->GetGeoTransform(gt) == CE_None);
            CHECK(gt[0] == m.at("grid").at("origin_x_m").get<double>());
            CHECK(gt[3] == m.at("grid").at("origin_y_m").get<double>());
            CHECK(gt[1] == 60.0);
            CHECK(gt[5] == -60.0);
            const OGRSpatialReference* srs = ds->GetSpatialRef();
            REQUIRE(srs != nullptr);
            REQUIRE(srs->GetAuthorityCode(nullptr) != nullptr);
            CHECK(std::string(srs->GetAuthorityCode(nullptr)) == "32648");
            const char* tag_version = ds->GetMetadataItem("PHUSONG_VERSION");
            const char* tag_hash = ds->GetMetadataItem("PHUSONG_CONFIG_SHA256");
            REQUIRE(tag_version != nullptr);
            REQUIRE(tag_hash != nullptr);
            CHECK(std::string(tag_version) == version);
            CHECK(std::string(tag_hash) == m.at("scenario").at("config_sha256").get<std::string>());

            GDALRasterBand* band = ds->GetRasterBand(1);
            int has_nodata = 0;
            const double nodata = band->GetNoDataValue(&has_nodata);
            CHECK(has_nodata != 0);
            CHECK(std::isnan(nodata));
            CHECK(std::string(band->GetUnitType()) == unit);
            std::vector<float> v(static_cast<std::size_t>(ds->GetRasterXSize()) * ds->GetRasterYSize());
            REQUIRE(band->RasterIO(GF_Read, 0, 0, ds->GetRasterXSize(), ds->GetRasterYSize(), v.data(),
                                   ds->GetRasterXSize(), ds->GetRasterYSize(), GDT_Float32, 0, 0) == CE_None);
            double sum = 0;
            std::size_t finite = 0;
            bool sane = true;
            for (float x : v) {
                if (!std::isfinite(x)) continue;
                ++finite;
                sum += x;
                // No source nodata (-32768 m, -99999 people) leaks through as a value.
                if (name == "dem.tif") sane = sane && x > -100.0f && x < 2000.0f;
                if (name == "population.tif") sane = sane && x >= 0.0f && x < 1.0e5f;
            }
            CHECK(sane);
            CHECK(finite > v.size() / 2);
            CHECK(sum > 0.0);
        }
    }
}

TEST_CASE("an existing output folder is kept without --overwrite and replaced with it") {
    TempDir work;
    const fs::path scenario = phusong::test::test_data_dir() / "tiny" / "tiny.toml";
    const fs::path out = work.path() / "out";
    const std::string args = "run " + quote(scenario) + " --out " + quote(out);
    REQUIRE(phusong_cli(work, args).code == 0);
    const auto before = snapshot(out);
    REQUIRE(before.count("dem.tif") == 1);

    const Result again = phusong_cli(work, args);
    CHECK(again.code == 2);
    CHECK(contains(again.err, "already exists"));
    CHECK(contains(again.err, "--overwrite"));
    CHECK(snapshot(out) == before);  // the first outputs, byte for byte

    std::ofstream(out / "stale.txt") << "from an older run";
    const Result over = phusong_cli(work, args + " --overwrite");
    CHECK_MESSAGE(over.code == 0, over.err);
    CHECK(fs::exists(out / "manifest.json"));
    CHECK(fs::exists(out / "dem.tif"));
    CHECK_FALSE(fs::exists(out / "stale.txt"));  // the folder was replaced, not merged
    for (const auto& name : entries(work.path())) {
        CHECK_MESSAGE((name == "out" || name.rfind("std", 0) == 0), "left over: ", name);
    }
}

TEST_CASE("without --out the outputs go to out/<scenario name> in the working folder") {
    TempDir work;
    const fs::path scenario = phusong::test::test_data_dir() / "tiny" / "tiny.toml";
    const fs::path cwd = work.path() / "cwd";
    fs::create_directories(cwd);
    const Result r = phusong_cli(work, "run " + quote(scenario), cwd);
    CHECK_MESSAGE(r.code == 0, r.err);
    CHECK(fs::exists(cwd / "out" / "tiny" / "manifest.json"));

    // Invalid input without --out: not even the out/ folder is created.
    const fs::path bad = copy_fixture(work);
    replace_in_file(bad.parent_path() / "sites.csv", kTinySitesRow2,
                    "VT-1,VT-1-L18-2,Viettel,105.595000,121.3,30,120,2,4,LTE,B3,1815,20,46,sector65_17dbi");
    const fs::path cwd2 = work.path() / "cwd2";
    fs::create_directories(cwd2);
    const Result r2 = phusong_cli(work, "run " + quote(bad), cwd2);
    CHECK(r2.code == 3);
    CHECK(entries(cwd2).empty());
}

TEST_CASE("--threads 1 and --threads 2 give byte-identical rasters") {
    TempDir work;
    const fs::path scenario = phusong::test::test_data_dir() / "tiny" / "tiny.toml";
    const Result one = phusong_cli(work, "--threads 1 run " + quote(scenario) + " --out " + quote(work.path() / "t1"));
    const Result two = phusong_cli(work, "--threads 2 run " + quote(scenario) + " --out " + quote(work.path() / "t2"));
    REQUIRE(one.code == 0);
    REQUIRE(two.code == 0);
    for (const char* f : {"dem.tif", "population.tif"}) {
        CAPTURE(f);
        const std::string a = slurp(work.path() / "t1" / f);
        REQUIRE_FALSE(a.empty());
        CHECK(a == slurp(work.path() / "t2" / f));
    }
    // DESIGN.md: "same outputs, byte for byte, whatever the thread count" — every output but the
    // manifest (which records the thread count and wall times).
    auto a = snapshot(work.path() / "t1");
    auto b = snapshot(work.path() / "t2");
    a.erase("manifest.json");
    b.erase("manifest.json");
    CHECK(a.size() == b.size());
    for (const auto& [name, bytes] : a) {
        CAPTURE(name);
        REQUIRE(b.count(name) == 1);
        CHECK(bytes == b.at(name));
    }
    CHECK(nlohmann::json::parse(slurp(work.path() / "t1" / "manifest.json")).at("threads") == 1);
    CHECK(nlohmann::json::parse(slurp(work.path() / "t2" / "manifest.json")).at("threads") == 2);
}

TEST_CASE("--quiet silences progress on stderr, --verbose adds debug messages") {
    TempDir work;
    const fs::path scenario = phusong::test::test_data_dir() / "tiny" / "tiny.toml";
    // Quiet keeps warnings and errors only.
    const Result quiet = phusong_cli(work, "--quiet run " + quote(scenario) + " --out " + quote(work.path() / "q"));
    CHECK(quiet.code == 0);
    CHECK_MESSAGE(!contains(quiet.err, "info:"), quiet.err);
    CHECK_MESSAGE(!contains(quiet.err, "debug:"), quiet.err);
    const Result normal = phusong_cli(work, "run " + quote(scenario) + " --out " + quote(work.path() / "n"));
    CHECK(normal.code == 0);
    CHECK(contains(normal.err, "info:"));
    CHECK_FALSE(contains(normal.err, "debug:"));
    const Result verbose = phusong_cli(work, "--verbose run " + quote(scenario) + " --out " + quote(work.path() / "v"));
    CHECK(verbose.code == 0);
    CHECK(contains(verbose.err, "debug:"));
}

// ---------------------------------------------------------------------------------------------
// Invalid input: exit 3, the file/row/field on stderr, nothing written

TEST_CASE("a bad row in sites.csv: exit 3 naming file, row and field; no output folder") {
    TempDir work;
    const fs::path scenario = copy_fixture(work);
    const fs::path sites = scenario.parent_path() / "sites.csv";
    const fs::path runs = work.path() / "runs";
    fs::create_directories(runs);
    std::string where;
    std::string words;
    SUBCASE("latitude 121.3") {
        replace_in_file(sites, kTinySitesRow2,
                        "VT-1,VT-1-L18-2,Viettel,105.595000,121.3,30,120,2,4,LTE,B3,1815,20,46,sector65_17dbi");
        where = "row 2 (line 3), field lat";
        words = "121.3";
    }
    SUBCASE("missing azimuth_deg value") {
        replace_in_file(sites, kTinySitesRow2,
                        "VT-1,VT-1-L18-2,Viettel,105.595000,21.305000,30,,2,4,LTE,B3,1815,20,46,sector65_17dbi");
        where = "row 2 (line 3), field azimuth_deg";
        words = "missing value";
    }
    const Result run = phusong_cli(work, "run " + quote(scenario) + " --out " + quote(runs / "out"));
    CHECK(run.code == 3);
    CHECK_MESSAGE(contains(run.err, sites.string()), run.err);
    CHECK_MESSAGE(contains(run.err, where), run.err);
    CHECK_MESSAGE(contains(run.err, words), run.err);
    CHECK(entries(runs).empty());  // neither the output folder nor a temporary one

    const Result validate = phusong_cli(work, "validate " + quote(scenario));
    CHECK(validate.code == 3);
    CHECK(contains(validate.err, where));
    CHECK(contains(validate.err, sites.string()));
}

TEST_CASE("several bad rows are reported together on stderr") {
    TempDir work;
    const fs::path scenario = copy_fixture(work);
    const fs::path sites = scenario.parent_path() / "sites.csv";
    replace_in_file(sites, kTinySitesRow2,
                    "VT-1,VT-1-L18-2,Viettel,105.595000,121.3,30,400,2,4,LTE,B3,1815,20,46,sector65_17dbi");
    replace_in_file(sites, "MF-1,MF-1-G9-2,MobiFone,105.585000,21.325000,25,180,0,3,GSM,GSM900,945.2",
                    "MF-1,MF-1-G9-2,MobiFone,105.585000,21.325000,25,180,0,3,GSM,B3,945.2");
    const Result r = phusong_cli(work, "validate " + quote(scenario));
    CHECK(r.code == 3);
    CHECK(contains(r.err, "3 problems"));
    CHECK(contains(r.err, "row 2 (line 3), field lat"));
    CHECK(contains(r.err, "row 2 (line 3), field azimuth_deg"));
    CHECK(contains(r.err, "row 8 (line 9), field band"));
}

TEST_CASE("a site outside the grid: exit 3 naming the row; no output folder") {
    TempDir work;
    const fs::path scenario = copy_fixture(work);
    const fs::path sites = scenario.parent_path() / "sites.csv";
    std::ofstream(sites, std::ios::app)
        << "FAR-1,FAR-1-1,Viettel,105.900000,21.500000,30,0,2,4,LTE,B3,1815,20,46,sector65_17dbi\n";
    const fs::path runs = work.path() / "runs";
    fs::create_directories(runs);
    const Result r = phusong_cli(work, "run " + quote(scenario) + " --out " + quote(runs / "out"));
    CHECK(r.code == 3);
    CHECK_MESSAGE(contains(r.err, "row 10 (site FAR-1)"), r.err);
    CHECK(contains(r.err, "outside the analysis grid"));
    CHECK(entries(runs).empty());
}

TEST_CASE("a typo in a scenario key: exit 3 with \"did you mean\"") {
    TempDir work;
    const fs::path scenario = copy_fixture(work);
    replace_in_file(scenario, "resolution_m = 60", "resolution_mm = 60");
    const fs::path runs = work.path() / "runs";
    fs::create_directories(runs);
    const Result r = phusong_cli(work, "run " + quote(scenario) + " --out " + quote(runs / "out"));
    CHECK(r.code == 3);
    CHECK_MESSAGE(contains(r.err, "did you mean grid.resolution_m"), r.err);
    CHECK(contains(r.err, scenario.string()));
    CHECK(entries(runs).empty());
    CHECK(phusong_cli(work, "validate " + quote(scenario)).code == 3);
}

TEST_CASE("a scenario file that does not exist: exit 3 naming it") {
    TempDir work;
    const fs::path missing = work.path() / "nope.toml";
    const Result r = phusong_cli(work, "run " + quote(missing) + " --out " + quote(work.path() / "out"));
    CHECK(r.code == 3);
    CHECK(contains(r.err, "nope.toml"));
    CHECK_FALSE(fs::exists(work.path() / "out"));
}

TEST_CASE("validate: 0 on the fixture, and it writes nothing") {
    TempDir work;
    const fs::path cwd = work.path() / "cwd";
    fs::create_directories(cwd);
    const Result r = phusong_cli(work, "validate " + quote(phusong::test::test_data_dir() / "tiny" / "tiny.toml"), cwd);
    CHECK_MESSAGE(r.code == 0, r.err);
    CHECK(contains(r.out, "valid"));
    CHECK(contains(r.out, "3 sites"));
    CHECK(entries(cwd).empty());
}

TEST_CASE("the global options are accepted after the command too (issue #25)") {
    TempDir work;
    const fs::path scenario = phusong::test::test_data_dir() / "tiny" / "tiny.toml";
    const Result after = phusong_cli(work, "validate " + quote(scenario) + " --threads 2 -q");
    CHECK_MESSAGE(after.code == 0, after.err);
    CHECK(contains(after.out, "valid"));
    CHECK_MESSAGE(!contains(after.err, "info:"), after.err);
    // Still checked there: --threads 0 is a usage error wherever it stands.
    const Result zero = phusong_cli(work, "validate " + quote(scenario) + " --threads 0");
    CHECK(zero.code == 2);
    CHECK(contains(zero.err, "--threads"));
}

TEST_CASE("validate prints the warnings run prints, naming the layer, band, model and limit (issue #25)") {
    TempDir work;
    const fs::path scenario = copy_fixture(work);
    {
        std::ofstream add(scenario.parent_path() / "sites.csv", std::ios::binary | std::ios::app);
        add << "VT-1,VT-1-N78-1,Viettel,105.595000,21.305000,30,0,2,4,NR,n78,3500,100,49,sector65_17dbi\n";
    }
    {
        std::ofstream add(scenario, std::ios::binary | std::ios::app);
        add << "\n[prediction.band.B8]\nmodel = \"okumura_hata\"\n";
    }
    const Result v = phusong_cli(work, "validate " + quote(scenario));
    REQUIRE_MESSAGE(v.code == 0, v.err);
    CHECK_MESSAGE(contains(v.err, "warning: prediction.band.\"B8\": no cell of the site table uses this band"), v.err);
    CHECK_MESSAGE(contains(v.err, "warning: model cost231_hata: 1 cell of band n78 (1 layer) at 3500 MHz is above "
                                  "its highest frequency, 2000 MHz; their predictions are extrapolated (valid at "
                                  "3500 MHz: tr38901_rma, tr38901_uma, tr38901_umi, spm and itm;"),
                  v.err);
    // The fixture's GSM900 cells (945.2 MHz, 25 m) are below COST-231 Hata's 1500 MHz and 30 m.
    CHECK_MESSAGE(contains(v.err, "warning: model cost231_hata: 3 cells of band GSM900 (1 layer) at 945.2 MHz are "
                                  "below its lowest frequency, 1500 MHz"),
                  v.err);
    CHECK_MESSAGE(contains(v.err, "warning: model cost231_hata: 3 cells of band GSM900 (1 layer) with antennas at 25 m "
                                  "are below its lowest antenna height, 30 m"),
                  v.err);
    CHECK(contains(v.out, "with the 4 warnings above"));
    // run prints the same lines.
    const Result r = phusong_cli(work, "run " + quote(scenario) + " --out " + quote(work.path() / "out"));
    REQUIRE_MESSAGE(r.code == 0, r.err);
    for (const char* line : {"warning: prediction.band.\"B8\": no cell of the site table uses this band",
                             "1 cell of band n78 (1 layer) at 3500 MHz is above its highest frequency"}) {
        CHECK_MESSAGE(contains(r.err, line), r.err);
    }
}

TEST_CASE("an Atoll export with [inputs.site_columns] gives the maps of the canonical table (issue #25)") {
    phusong::geo::gdal_init();
    TempDir work;
    const fs::path scenario = copy_fixture(work);
    const fs::path sites = scenario.parent_path() / "sites.csv";
    // Semicolons, Atoll's headers (aliases), the coordinates under headers the scenario maps,
    // decimal commas, lower-case technology and band, power in W in one column.
    std::istringstream lines(slurp(sites));
    std::string line;
    std::getline(lines, line);
    std::string atoll =
        "Site;Transmitter;Operator;Lon_WGS84;Lat_WGS84;Height (m);Azimuth (\xC2\xB0);"
        "Mechanical Downtilt (\xC2\xB0);Additional Electrical Downtilt (\xC2\xB0);Technology;Frequency Band;"
        "Frequency (MHz);Bandwidth (MHz);Max Power (dBm);Antenna\n";
    while (std::getline(lines, line)) {
        if (line.empty()) continue;
        std::replace(line.begin(), line.end(), ',', ';');
        for (const char* coord : {";105.", ";21."}) {  // 105.595000 → 105,595000
            const auto at = line.find(coord);
            REQUIRE(at != std::string::npos);
            line[line.find('.', at)] = ',';
        }
        for (const char* name : {";LTE;", ";B3;"}) {
            if (const auto at = line.find(name); at != std::string::npos) {
                std::transform(line.begin() + static_cast<long>(at), line.begin() + static_cast<long>(at + std::strlen(name)),
                               line.begin() + static_cast<long>(at), [](unsigned char c) { return std::tolower(c); });
            }
        }
        atoll += line + "\n";
    }
    const fs::path atoll_scenario = scenario.parent_path() / "atoll.toml";
    std::string toml = slurp(scenario);
    const std::string sites_line = "sites = \"sites.csv\"";
    toml.replace(toml.find(sites_line), sites_line.size(),
                 "sites = \"atoll.csv\"\n\n[inputs.site_columns]\nlon = \"Lon_WGS84\"\nlat = \"Lat_WGS84\"\n");
    std::ofstream(atoll_scenario, std::ios::binary) << toml;
    std::ofstream(scenario.parent_path() / "atoll.csv", std::ios::binary) << atoll;

    const Result canonical = phusong_cli(work, "run " + quote(scenario) + " --out " + quote(work.path() / "canonical"));
    REQUIRE_MESSAGE(canonical.code == 0, canonical.err);
    const Result mapped = phusong_cli(work, "run " + quote(atoll_scenario) + " --out " + quote(work.path() / "atoll"));
    REQUIRE_MESSAGE(mapped.code == 0, mapped.err);
    CHECK(slurp(work.path() / "canonical" / "cells.csv") == slurp(work.path() / "atoll" / "cells.csv"));
    std::size_t compared = 0;
    for (const auto& layer : fs::directory_iterator(work.path() / "canonical" / "layers")) {
        const fs::path rsrp = layer.path() / "rsrp.tif";
        if (!fs::exists(rsrp)) continue;
        const fs::path other = work.path() / "atoll" / "layers" / layer.path().filename() / "rsrp.tif";
        CAPTURE(rsrp);
        REQUIRE(fs::exists(other));
        GDALDatasetUniquePtr a(GDALDataset::Open(rsrp.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
        GDALDatasetUniquePtr b(GDALDataset::Open(other.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
        REQUIRE(a);
        REQUIRE(b);
        const int w = a->GetRasterXSize();
        const int h = a->GetRasterYSize();
        REQUIRE(b->GetRasterXSize() == w);
        std::vector<float> pa(static_cast<std::size_t>(w) * static_cast<std::size_t>(h));
        std::vector<float> pb(pa.size());
        REQUIRE(a->GetRasterBand(1)->RasterIO(GF_Read, 0, 0, w, h, pa.data(), w, h, GDT_Float32, 0, 0) == CE_None);
        REQUIRE(b->GetRasterBand(1)->RasterIO(GF_Read, 0, 0, w, h, pb.data(), w, h, GDT_Float32, 0, 0) == CE_None);
        CHECK(std::memcmp(pa.data(), pb.data(), pa.size() * sizeof(float)) == 0);
        ++compared;
    }
    CHECK(compared > 0);
}

TEST_CASE("run writes every layer's maps, the cell lookup table and their manifest entries (issue #3)") {
    TempDir work;
    const fs::path scenario = phusong::test::test_data_dir() / "tiny" / "tiny.toml";
    const fs::path out = work.path() / "out";
    const Result r = phusong_cli(work, "run " + quote(scenario) + " --out " + quote(out));
    REQUIRE_MESSAGE(r.code == 0, r.err);
    CHECK(entries(out / "layers") == std::vector<std::string>{"mobifone_gsm_gsm900", "viettel_lte_b3"});
    // Each raster with its QGIS style beside it (same base name, .qml).
    CHECK(entries(out / "layers" / "viettel_lte_b3") ==
          std::vector<std::string>{"coverage_class.qml", "coverage_class.tif", "overlap_6db.qml", "overlap_6db.tif", "rsrp.qml", "rsrp.tif", "second_rsrp.qml",
                                   "second_rsrp.tif", "server.qml", "server.tif", "sinr.qml", "sinr.tif",
                                   "throughput.qml", "throughput.tif"});
    // GSM: carrier power (RxLev), no SINR/throughput.
    CHECK(entries(out / "layers" / "mobifone_gsm_gsm900") ==
          std::vector<std::string>{"coverage_class.qml", "coverage_class.tif", "overlap_6db.qml", "overlap_6db.tif", "rxlev.qml", "rxlev.tif", "second_rxlev.qml",
                                   "second_rxlev.tif", "server.qml", "server.tif"});
    {  // the server style labels the layer's own cells with their cell_id
        const std::string qml = slurp(out / "layers" / "viettel_lte_b3" / "server.qml");
        CHECK(contains(qml, "type=\"paletted\""));
        CHECK(contains(qml, "value=\"0\""));
        CHECK(contains(qml, "label=\"VT-1-L18-1\""));
        CHECK_FALSE(contains(qml, "MF-1"));
        const std::string rsrp = slurp(out / "layers" / "viettel_lte_b3" / "rsrp.qml");
        CHECK(contains(rsrp, "colorRampType=\"DISCRETE\""));
        CHECK(contains(rsrp, "label=\"&gt;= -80 dBm\""));
    }

    // cells.csv: header and one row per cell, in site-table order.
    const std::string cells = slurp(out / "cells.csv");
    CHECK(cells.rfind("index,cell_id,site_id,operator,layer,tech,band,freq_mhz,lon,lat,azimuth_deg,height_agl_m\n", 0) == 0);
    CHECK(contains(cells, "\n0,VT-1-L18-1,VT-1,Viettel,Viettel LTE B3,LTE,B3,1815,105.595000,21.305000,0,30\n"));
    CHECK(std::count(cells.begin(), cells.end(), '\n') == 10);

    phusong::geo::gdal_init();
    auto open = [&](const fs::path& p) {
        GDALDatasetUniquePtr ds(GDALDataset::Open(p.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
        REQUIRE(ds);
        return ds;
    };
    {  // best-server RSRP: a COG in dBm, stamped with layer and model, values in a plausible range
        auto ds = open(out / "layers" / "viettel_lte_b3" / "rsrp.tif");
        CHECK(std::string(ds->GetMetadataItem("LAYOUT", "IMAGE_STRUCTURE")) == "COG");
        CHECK(std::string(ds->GetRasterBand(1)->GetUnitType()) == "dBm");
        CHECK(std::string(ds->GetMetadataItem("PHUSONG_LAYER")) == "Viettel LTE B3");
        CHECK(std::string(ds->GetMetadataItem("PHUSONG_MODEL")) == "cost231_hata");
        double mn = 0, mx = 0, mean = 0, sd = 0;
        REQUIRE(ds->GetRasterBand(1)->ComputeStatistics(false, &mn, &mx, &mean, &sd, nullptr, nullptr) == CE_None);
        CHECK(mn >= -140.0);
        CHECK(mx <= -20.0);
        CHECK(mean < -60.0);
    }
    {  // best server: indices of the layer's own cells (rows 0–5 of cells.csv), −1 elsewhere
        auto ds = open(out / "layers" / "viettel_lte_b3" / "server.tif");
        GDALRasterBand* b = ds->GetRasterBand(1);
        std::vector<int32_t> v(static_cast<std::size_t>(b->GetXSize()) * b->GetYSize());
        REQUIRE(b->RasterIO(GF_Read, 0, 0, b->GetXSize(), b->GetYSize(), v.data(), b->GetXSize(), b->GetYSize(),
                            GDT_Int32, 0, 0) == CE_None);
        std::set<int32_t> seen(v.begin(), v.end());
        CHECK(*seen.begin() >= -1);
        CHECK(*seen.rbegin() <= 5);
        CHECK(seen.size() >= 6);  // all six Viettel cells serve somewhere
    }
    const auto m = nlohmann::json::parse(slurp(out / "manifest.json"));
    REQUIRE(m.at("layers").size() == 2);
    CHECK(m.at("layers")[1].at("folder") == "layers/viettel_lte_b3");
    CHECK(m.at("layers")[1].at("signal") == "RSRP");
    CHECK(m.at("layers")[0].at("signal") == "RxLev");
    CHECK(m.at("prediction").at("sources") == 3);
    CHECK(m.at("prediction").at("pixel_evaluations").get<std::size_t>() > 0);
}

TEST_CASE("run plans when [plan] enabled = true; plan re-runs alone when only [plan] changed (issue #5)") {
    TempDir work;
    const fs::path scenario = copy_fixture(work);
    {
        std::ofstream add(scenario, std::ios::binary | std::ios::app);
        add << "\n[prediction.band.n78]\nmodel = \"tr38901_uma\"\n\n"
               "[antennas.nr_mmimo_64t64r]\ngain_dbi = 24\nh_beamwidth_deg = 65\nv_beamwidth_deg = 6\n"
               "front_to_back_db = 25\nside_lobe_db = 20\n\n"
               "[plan]\nenabled = true\ngreenfield_spacing_m = 1000\nilp_budgets = [1, 2]\n";
    }
    const fs::path out = work.path() / "out";
    const Result r = phusong_cli(work, "run " + quote(scenario) + " --out " + quote(out));
    REQUIRE_MESSAGE(r.code == 0, r.err);
    CHECK(contains(r.out, "greedy/optimal"));
    for (const char* f : {"candidates.geojson", "candidates.qml", "coverage_curve.csv", "coverage_curve.png"}) {
        CHECK_MESSAGE(fs::exists(out / "plan" / f), f);
    }
    auto m = nlohmann::json::parse(slurp(out / "manifest.json"));
    REQUIRE(m.contains("plan"));
    const auto& bounds = m.at("plan").at("bounds");
    REQUIRE(bounds.size() == 2);
    for (const auto& b : bounds) {
        CHECK(b.at("greedy_over_optimal").get<double>() > 0);
        CHECK(b.at("greedy_over_optimal").get<double>() <= 1);
        CHECK(b.at("best_bound_people").get<double>() >= b.at("greedy_people").get<double>());
        CHECK(b.at("lagrangian_bound_people").get<double>() >= b.at("best_bound_people").get<double>() - 0.5);
        // CBC runs only where the Lagrangian bound is more than ilp_gap (1 %) above the best known
        // solution; a bound that solution reaches proves it optimal.
        const double best_known = b.at("ilp_people").get<double>();
        if (b.at("ilp_status") == "not_needed") {
            CHECK(b.at("lagrangian_bound_people").get<double>() <= best_known * 1.01 + 0.5);
        }
        if (b.at("bound_source") == "lagrangian_optimal") {
            CHECK(b.at("best_bound_people").get<double>() == best_known);
            CHECK(b.at("lagrangian_bound_people").get<double>() <= best_known + 0.5);
        }
    }
    bool staged = false;
    for (const auto& st : m.at("stages")) staged = staged || st.at("name") == "plan";
    CHECK(staged);
    // plan/plan.json, as docs/outputs.md describes it: the manifest's plan section, listed (issue #25).
    const auto plan_json_listed = [](const nlohmann::json& manifest) {
        return std::count_if(manifest.at("outputs").begin(), manifest.at("outputs").end(),
                             [](const nlohmann::json& o) { return o.at("path") == "plan/plan.json"; });
    };
    REQUIRE(fs::exists(out / "plan" / "plan.json"));
    CHECK(nlohmann::json::parse(slurp(out / "plan" / "plan.json")) == m.at("plan"));
    CHECK(plan_json_listed(m) == 1);

    // Another [plan] setting: `phusong plan` reuses the run (the prediction stamp leaves [plan] out).
    replace_in_file(scenario, "ilp_budgets = [1, 2]", "ilp_budgets = [3]");
    const Result again = phusong_cli(work, "plan " + quote(out) + " --scenario " + quote(scenario));
    REQUIRE_MESSAGE(again.code == 0, again.err);
    m = nlohmann::json::parse(slurp(out / "manifest.json"));
    CHECK(m.at("plan").at("bounds").size() == 1);
    CHECK(m.at("plan").at("bounds").at(0).at("budget") == 3);
    CHECK(nlohmann::json::parse(slurp(out / "plan" / "plan.json")) == m.at("plan"));
    CHECK(plan_json_listed(m) == 1);

    // A prediction setting changed: refused, exit 3, naming the stamp.
    replace_in_file(scenario, "model = \"tr38901_uma\"", "model = \"tr38901_umi\"");
    const Result changed = phusong_cli(work, "plan " + quote(out) + " --scenario " + quote(scenario));
    CHECK(changed.code == 3);
    CHECK(contains(changed.err, "prediction_config_sha256"));
}

TEST_CASE("SIGINT during a demo run: exit 130, no destination and no temporary folder (issue #7)") {
    TempDir work;
    const fs::path scenario = phusong::test::gis_data_dir() / "vinh_phuc.toml";
    const fs::path out = work.path() / "out";
    const pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        const int null = open("/dev/null", O_WRONLY);
        dup2(null, STDOUT_FILENO);
        dup2(null, STDERR_FILENO);
        execl(PHUSONG_EXE, PHUSONG_EXE, "run", scenario.c_str(), "--out", out.c_str(), static_cast<char*>(nullptr));
        _exit(127);
    }
    // The demo takes minutes; by 5 s it has read its inputs and is predicting.
    std::this_thread::sleep_for(std::chrono::seconds(5));
    REQUIRE(kill(pid, SIGINT) == 0);
    int status = 0;
    REQUIRE(waitpid(pid, &status, 0) == pid);
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 130);
    CHECK_FALSE(fs::exists(out));
    CHECK(entries(work.path()).empty());  // no .out.tmp-PID left behind
}

TEST_CASE("analyse re-runs the analysis on a run's layers; refuses other prediction settings and paths out of the folder") {
    TempDir work;
    const fs::path scenario = copy_fixture(work);
    const fs::path out = work.path() / "out";
    REQUIRE(phusong_cli(work, "run " + quote(scenario) + " --out " + quote(out)).code == 0);
    const std::string layers_before = sha256sum(out / "layers" / "viettel_lte_b3" / "rsrp.tif");

    // Only [analysis] changed: accepted, the analysis replaced, the layers' maps untouched.
    {
        std::ofstream add(scenario, std::ios::binary | std::ios::app);
        add << "\n[analysis]\ngap_min_area_km2 = 0.5\n";
    }
    const Result again = phusong_cli(work, "analyse " + quote(out));
    REQUIRE_MESSAGE(again.code == 0, again.err);
    CHECK(contains(again.out, "phusong analyse: tiny fixture"));
    CHECK(sha256sum(out / "layers" / "viettel_lte_b3" / "rsrp.tif") == layers_before);
    auto m = nlohmann::json::parse(slurp(out / "manifest.json"));
    CHECK(m.at("stages").back().at("name") == "analyse");
    CHECK(m.at("analysis").dump().find("0.5") != std::string::npos);
    const auto listed = std::count_if(m.at("outputs").begin(), m.at("outputs").end(), [](const auto& o) {
        return o.at("path").template get<std::string>().rfind("analysis/", 0) == 0;
    });
    CHECK(listed > 0);

    // A prediction setting changed: refused (exit 3) naming the stamp; nothing rewritten.
    const std::string manifest_before = slurp(out / "manifest.json");
    replace_in_file(scenario, "resolution_m = 60", "resolution_m = 60\nmargin_m = 1200");
    replace_in_file(scenario, "margin_m = 1000\n", "");
    const Result changed = phusong_cli(work, "analyse " + quote(out));
    CHECK(changed.code == 3);
    CHECK(contains(changed.err, "prediction_config_sha256"));
    CHECK(slurp(out / "manifest.json") == manifest_before);
    replace_in_file(scenario, "margin_m = 1200", "margin_m = 1000");

    // A manifest whose layer folder leads out of the output folder: refused, nothing written there.
    m = nlohmann::json::parse(manifest_before);
    m["layers"][0]["folder"] = "../escaped";
    std::ofstream(out / "manifest.json", std::ios::binary | std::ios::trunc) << m.dump(2);
    const Result escaped = phusong_cli(work, "analyse " + quote(out));
    CHECK(escaped.code == 3);
    CHECK(contains(escaped.err, "key layers[0].folder"));
    CHECK(contains(escaped.err, "leads out of the output folder"));
    CHECK_FALSE(fs::exists(work.path() / "escaped"));
}

TEST_CASE("calibrate scores and fits; --no-fit only scores; a scenario without population or AOI is enough") {
    TempDir work;
    const fs::path scenario = copy_fixture(work);
    // 12 points north of each of two sites' north-facing sectors.
    std::string drive = "cell_id,lon,lat,signal_dbm\n";
    for (const auto& [cell, lon, lat] : {std::tuple{"VT-1-L18-1", 105.595, 21.305}, std::tuple{"VT-2-L18-1", 105.615, 21.325}}) {
        for (int i = 0; i < 12; ++i) {
            drive += std::string(cell) + "," + std::to_string(lon + 0.0005 * (i % 3)) + "," +
                     std::to_string(lat + 0.002 + 0.001 * i) + "," + std::to_string(-90 - i) + "\n";
        }
    }
    const fs::path measured = scenario.parent_path() / "drive.csv";
    std::ofstream(measured, std::ios::binary) << drive;
    replace_in_file(scenario, "population = \"population.tif\"\n", "");
    replace_in_file(scenario, "aoi = \"aoi.geojson\"\n", "");

    const Result fit = phusong_cli(work, "calibrate " + quote(scenario) + " " + quote(measured) + " --out " +
                                             quote(work.path() / "fit"));
    REQUIRE_MESSAGE(fit.code == 0, fit.err);
    CHECK(contains(fit.out, "calibrate: Viettel LTE B3"));
    CHECK(contains(fit.out, "24 observations of 2 cells on 2 sites"));
    CHECK(contains(fit.out, "(2-fold cross-validation by site)"));
    const auto j = nlohmann::json::parse(slurp(work.path() / "fit" / "calibration.json"));
    CHECK(j.at("fitted") == true);
    CHECK(j.at("coefficients").at("Viettel LTE B3").at("k1").at("fitted") == true);

    const Result score = phusong_cli(work, "calibrate " + quote(scenario) + " " + quote(measured) + " --no-fit --out " +
                                               quote(work.path() / "score"));
    REQUIRE_MESSAGE(score.code == 0, score.err);
    CHECK(contains(score.out, "before"));
    CHECK_FALSE(contains(score.out, "after"));
    const auto s = nlohmann::json::parse(slurp(work.path() / "score" / "calibration.json"));
    CHECK(s.at("fitted") == false);
    CHECK(s.at("before") == j.at("before"));  // the same scoring either way
    CHECK(s.at("after").at("rmse_db") == s.at("before").at("rmse_db"));
}
