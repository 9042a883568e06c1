// Issue #7: runs interrupted by SIGTERM/SIGINT leave the destination untouched, and the same
// inputs give byte-identical outputs whatever the thread count and from one run to the next.

#include <doctest/doctest.h>
#include <gdal_priv.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <functional>
#include <nlohmann/json.hpp>
#include <thread>

#include "phusong/geo/gdal.hpp"
#include "runner.hpp"

namespace phusong::catalogue {
namespace {

/// The fixture on a 5 m grid: the prediction takes tens of seconds, so a signal sent once the
/// temporary output folder exists lands in the middle of the run.
void make_slow(const Fixture& fx) { replace_in_file(fx.scenario, "resolution_m = 60", "resolution_m = 5"); }

/// Waits until a temporary output folder (".out.tmp-PID") appears in `runs`.
bool wait_for_temp_folder(const fs::path& runs, pid_t pid, int timeout_s) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
    const std::string temp = ".out.tmp-" + std::to_string(pid);
    while (std::chrono::steady_clock::now() < deadline) {
        for (const auto& name : entries(runs)) {
            if (name == temp) return true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
}

/// Starts a slow run, signals it once it is writing its temporary folder, and returns its exit
/// code.
int interrupt_run(const Fixture& fx, int sig, const std::vector<std::string>& extra_args) {
    std::vector<std::string> argv = {"run", fx.scenario.string(), "--out", fx.out.string()};
    argv.insert(argv.end(), extra_args.begin(), extra_args.end());
    const pid_t pid = spawn_phusong(argv, fx.dir.path() / "slow.err");
    const bool writing = wait_for_temp_folder(fx.runs, pid, 60);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    REQUIRE(kill(pid, sig) == 0);
    const auto [code, signal] = wait_child(pid, 60);
    INFO("stderr:\n", slurp(fx.dir.path() / "slow.err"));
    CHECK_MESSAGE(writing, "the temporary output folder never appeared");
    CHECK(signal == 0);
    CHECK(contains(slurp(fx.dir.path() / "slow.err"), "interrupted by signal"));
    return code;
}

/// Replaces the fixture's DEM by a sparse 60000 × 50000 GeoTIFF over the same area (0.2 m pixels,
/// no block written: 0.5 MB on disk): warping it onto the grid takes minutes, which is the window
/// in which a signal must still end the run within seconds.
void make_huge_sparse_dem(const Fixture& fx) {
    geo::gdal_init();
    GDALDriver* gtiff = GetGDALDriverManager()->GetDriverByName("GTiff");
    REQUIRE(gtiff != nullptr);
    const char* options[] = {"TILED=YES", "SPARSE_OK=TRUE", "BIGTIFF=YES", nullptr};
    fs::remove(fx.dem);
    GDALDatasetUniquePtr ds(gtiff->Create(fx.dem.c_str(), 60000, 50000, 1, GDT_Int16, const_cast<char**>(options)));
    REQUIRE(ds);
    double gt[6] = {105.5395833, 0.12 / 60000, 0.0, 21.3604167, 0.0, -0.1 / 50000};
    ds->SetGeoTransform(gt);
    OGRSpatialReference wgs84;
    wgs84.importFromEPSG(4326);
    ds->SetSpatialRef(&wgs84);
    ds->GetRasterBand(1)->SetNoDataValue(-32768);
}

/// manifest.json without what legitimately changes between runs: wall times and thread count.
nlohmann::json normalised_manifest(const fs::path& file) {
    nlohmann::json m = nlohmann::json::parse(slurp(file));
    std::function<void(nlohmann::json&)> strip = [&](nlohmann::json& j) {
        if (j.is_object()) {
            for (auto it = j.begin(); it != j.end();) {
                if (it.key() == "wall_s" || it.key() == "cpu_s") {
                    it = j.erase(it);
                } else {
                    strip(*it);
                    ++it;
                }
            }
        } else if (j.is_array()) {
            for (auto& e : j) strip(e);
        }
    };
    strip(m);
    m.erase("threads");
    return m;
}

}  // namespace

TEST_CASE("catalogue:signals: SIGTERM mid-run exits 130 and leaves no destination and no temporary folder") {
    Fixture fx;
    make_slow(fx);
    CHECK(interrupt_run(fx, SIGTERM, {}) == 130);
    CHECK(entries(fx.runs).empty());
}

TEST_CASE("catalogue:signals: SIGHUP (a closed terminal) mid-run exits 130 and leaves nothing, as SIGTERM") {
    Fixture fx;
    make_slow(fx);
    CHECK(interrupt_run(fx, SIGHUP, {}) == 130);
    CHECK(entries(fx.runs).empty());
}

TEST_CASE("catalogue:signals: SIGINT while GDAL warps a huge sparse DEM ends the run within seconds") {
    Fixture fx;
    make_huge_sparse_dem(fx);
    const pid_t pid = spawn_phusong({"run", fx.scenario.string(), "--out", fx.out.string()}, fx.dir.path() / "warp.err");
    // The DEM is warped right after the grid is reported ("info: grid: …"), before the temporary
    // output folder exists.
    const fs::path err = fx.dir.path() / "warp.err";
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (!contains(slurp(err), "grid: ") && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    REQUIRE(contains(slurp(err), "grid: "));
    std::this_thread::sleep_for(std::chrono::seconds(1));  // well inside the warp
    REQUIRE(kill(pid, SIGINT) == 0);
    const auto sent = std::chrono::steady_clock::now();
    const auto [code, signal] = wait_child(pid, 60);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - sent).count();
    INFO("stderr:\n", slurp(err));
    CHECK(signal == 0);
    CHECK(code == 130);
    CHECK(contains(slurp(err), "interrupted by signal"));
    CHECK_MESSAGE(seconds < 5.0, "the run took ", seconds, " s to stop after SIGINT");
    CHECK(entries(fx.runs).empty());
}

TEST_CASE("catalogue:signals: a run killed with SIGKILL leaves its temporary folder; the next run removes it and says so") {
    Fixture fx;
    make_slow(fx);
    const pid_t pid = spawn_phusong({"run", fx.scenario.string(), "--out", fx.out.string()}, fx.dir.path() / "killed.err");
    REQUIRE(wait_for_temp_folder(fx.runs, pid, 60));
    REQUIRE(kill(pid, SIGKILL) == 0);
    (void)wait_child(pid, 60);
    const std::string temp = ".out.tmp-" + std::to_string(pid);
    REQUIRE(entries(fx.runs) == std::vector<std::string>{temp});
    replace_in_file(fx.scenario, "resolution_m = 5", "resolution_m = 60");
    const Result r = run_phusong(fx, "run {scenario} --out {out}");
    REQUIRE_MESSAGE(r.code == 0, r.err);
    CHECK(contains(r.err, "removed " + (fx.runs / temp).string()));
    CHECK(entries(fx.runs) == std::vector<std::string>{"out"});
}

TEST_CASE("catalogue:signals: SIGINT mid-run with --overwrite leaves the previous outputs byte for byte") {
    Fixture fx;
    const Result first = run_phusong(fx, "run {scenario} --out {out}");
    REQUIRE_MESSAGE(first.code == 0, first.err);
    const auto before = snapshot(fx.out);
    REQUIRE(before.count("manifest.json") == 1);
    make_slow(fx);
    CHECK(interrupt_run(fx, SIGINT, {"--overwrite"}) == 130);
    CHECK(entries(fx.runs) == std::vector<std::string>{"out"});
    CHECK(snapshot(fx.out) == before);
}

TEST_CASE("catalogue:determinism: byte-identical outputs for 1, 2 and 4 threads and across runs") {
    Fixture fx;
    // 30 m and 64 px tiles: 36 tiles, so the threads really share the work.
    replace_in_file(fx.scenario, "resolution_m = 60", "resolution_m = 30");
    const std::vector<std::pair<std::string, int>> runs = {{"t1", 1}, {"t2", 2}, {"t4", 4}, {"t2-again", 2}};
    std::map<std::string, std::map<std::string, std::string>> outputs;
    for (const auto& [name, threads] : runs) {
        const Result r = run_phusong(fx, "--threads " + std::to_string(threads) + " run {scenario} --out {runs}/" + name);
        REQUIRE_MESSAGE(r.code == 0, r.err);
        outputs[name] = snapshot(fx.runs / name);
        CHECK(nlohmann::json::parse(outputs[name].at("manifest.json")).at("threads") == threads);
    }
    const auto& ref = outputs.at("t1");
    std::size_t rasters = 0;
    for (const auto& [file, bytes] : ref) rasters += file.size() > 4 && file.substr(file.size() - 4) == ".tif";
    CHECK(rasters >= 10);
    for (const auto& [name, files] : outputs) {
        CAPTURE(name);
        CHECK(files.size() == ref.size());
        for (const auto& [file, bytes] : ref) {
            CAPTURE(file);
            REQUIRE(files.count(file) == 1);
            if (file == "manifest.json") {
                CHECK(normalised_manifest(fx.runs / name / file) == normalised_manifest(fx.runs / "t1" / file));
            } else {
                CHECK_MESSAGE(files.at(file) == bytes, "differs from the --threads 1 run");
            }
        }
    }
}

}  // namespace phusong::catalogue
