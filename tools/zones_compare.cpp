// Output-level accuracy of the prediction's zones (issue #26): two complete `phusong run` folders
// of one scenario, one with the default zones and one all-exact (prediction.zones = "exact"),
// compared at the level users read them. Run by `tools/benchmark.sh --zones DIR`.
//
//   build/release/tools/zones_compare ZONES_DIR EXACT_DIR
//
// Prints one `name: value` line each, per LTE/NR layer (prefix the layer's folder name) and for
// all GSM and UMTS layers together (prefix gsm_umts; with the worst layer's figure):
//   class_identical_pct        coverage class identical, % of AOI pixels (coverage_class.tif)
//   covered_people_delta       covered (fair or good) people, zones − exact (population.tif)
//   covered_people_delta_pct   the same, % of the exact run's covered people
//   server_identical_pct       best server identical where the exact best signal ≥ −115 dBm, %
//   sinr_abs_delta_{median,p95,max}_db   |Δ SINR| there (LTE/NR), dB
// then the class identity over all LTE/NR layers, the stage times of both manifests, and whether
// the plan (plan/candidates.csv: the ranked sites at every budget, and the manifest's plan
// summary) is identical, and whether its optimality bounds are.

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "phusong/core/error.hpp"
#include "phusong/geo/gdal.hpp"

using namespace phusong;
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

constexpr std::uint8_t kOutside = 255;  // analysis::kOutside
constexpr double kServerFloor_dbm = -115.0;

template <typename T>
std::vector<T> read_band(const fs::path& file) {
    geo::DatasetPtr ds = geo::open_raster(file, "run output");
    GDALRasterBand* band = ds->GetRasterBand(1);
    const int cols = band->GetXSize();
    const int rows = band->GetYSize();
    std::vector<T> out(static_cast<std::size_t>(cols) * static_cast<std::size_t>(rows));
    const GDALDataType type = std::is_same_v<T, float>          ? GDT_Float32
                              : std::is_same_v<T, std::int32_t> ? GDT_Int32
                                                                : GDT_Byte;
    if (band->RasterIO(GF_Read, 0, 0, cols, rows, out.data(), cols, rows, type, 0, 0) != CE_None) {
        throw GdalError("cannot read " + file.string());
    }
    // Nodata reads as NaN for signals (the writers' nodata is NaN or a sentinel).
    int has_nodata = 0;
    const double nodata = band->GetNoDataValue(&has_nodata);
    if constexpr (std::is_same_v<T, float>) {
        if (has_nodata != 0 && !std::isnan(nodata)) {
            for (float& v : out) {
                if (v == static_cast<float>(nodata)) v = std::nanf("");
            }
        }
    }
    return out;
}

json read_json(const fs::path& file) {
    std::ifstream in(file);
    if (!in) throw InputError(file.string(), "", "cannot read");
    return json::parse(in);
}

std::string read_text(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

double quantile(std::vector<double> v, double q) {
    if (v.empty()) return std::nan("");
    const auto k = static_cast<std::size_t>(q * static_cast<double>(v.size() - 1));
    std::nth_element(v.begin(), v.begin() + static_cast<long>(k), v.end());
    return v[k];
}

struct Counts {
    std::size_t aoi = 0;
    std::size_t class_same = 0;
    double covered_zones = 0;
    double covered_exact = 0;
    std::size_t strong = 0;
    std::size_t server_same = 0;
    std::vector<double> sinr_delta;
    Counts& operator+=(const Counts& o) {
        aoi += o.aoi;
        class_same += o.class_same;
        covered_zones += o.covered_zones;
        covered_exact += o.covered_exact;
        strong += o.strong;
        server_same += o.server_same;
        sinr_delta.insert(sinr_delta.end(), o.sinr_delta.begin(), o.sinr_delta.end());
        return *this;
    }
    [[nodiscard]] double class_pct() const { return 100.0 * static_cast<double>(class_same) / static_cast<double>(std::max<std::size_t>(aoi, 1)); }
    [[nodiscard]] double server_pct() const { return 100.0 * static_cast<double>(server_same) / static_cast<double>(std::max<std::size_t>(strong, 1)); }
    [[nodiscard]] double people_delta() const { return covered_zones - covered_exact; }
    [[nodiscard]] double people_pct() const { return 100.0 * people_delta() / std::max(covered_exact, 1.0); }
};

Counts compare_layer(const fs::path& zones, const fs::path& exact, const std::string& folder, const std::string& signal,
                     bool quality, const std::vector<float>& population) {
    Counts c;
    const auto cz = read_band<std::uint8_t>(zones / folder / "coverage_class.tif");
    const auto ce = read_band<std::uint8_t>(exact / folder / "coverage_class.tif");
    const auto be = read_band<float>(exact / folder / (signal + ".tif"));
    const auto sz = read_band<std::int32_t>(zones / folder / "server.tif");
    const auto se = read_band<std::int32_t>(exact / folder / "server.tif");
    std::vector<float> qz;
    std::vector<float> qe;
    if (quality) {
        qz = read_band<float>(zones / folder / "sinr.tif");
        qe = read_band<float>(exact / folder / "sinr.tif");
    }
    for (std::size_t i = 0; i < ce.size(); ++i) {
        if (ce[i] != kOutside) {
            ++c.aoi;
            c.class_same += cz[i] == ce[i] ? 1 : 0;
            const double people = std::isfinite(population[i]) ? population[i] : 0.0;
            if (cz[i] == 1 || cz[i] == 2) c.covered_zones += people;
            if (ce[i] == 1 || ce[i] == 2) c.covered_exact += people;
        }
        if (std::isfinite(be[i]) && be[i] >= kServerFloor_dbm) {
            ++c.strong;
            c.server_same += sz[i] == se[i] ? 1 : 0;
            if (quality && std::isfinite(qz[i]) && std::isfinite(qe[i])) c.sinr_delta.push_back(std::abs(qz[i] - qe[i]));
        }
    }
    return c;
}

void print_counts(const std::string& prefix, const Counts& c, bool quality) {
    fmt::print("{}_class_identical_pct: {:.3f}\n", prefix, c.class_pct());
    fmt::print("{}_covered_people_delta: {:.0f}\n", prefix, c.people_delta());
    fmt::print("{}_covered_people_delta_pct: {:.4f}\n", prefix, c.people_pct());
    fmt::print("{}_server_identical_pct: {:.3f}\n", prefix, c.server_pct());
    if (quality) {
        fmt::print("{}_sinr_abs_delta_median_db: {:.3f}\n", prefix, quantile(c.sinr_delta, 0.5));
        fmt::print("{}_sinr_abs_delta_p95_db: {:.3f}\n", prefix, quantile(c.sinr_delta, 0.95));
        fmt::print("{}_sinr_abs_delta_max_db: {:.3f}\n", prefix,
                   c.sinr_delta.empty() ? std::nan("") : *std::max_element(c.sinr_delta.begin(), c.sinr_delta.end()));
    }
}

/// A manifest's plan section without its timings (which differ from run to run): keys wall_s,
/// cpu_s (a number or an object of step timings) and *_wall_s.
json plan_without_times(json plan) {
    if (plan.is_object()) {
        for (auto it = plan.begin(); it != plan.end();) {
            const std::string& k = it.key();
            const bool timing = k == "wall_s" || k == "cpu_s" ||
                                (k.size() > 7 && k.compare(k.size() - 7, 7, "_wall_s") == 0);
            if (timing) {
                it = plan.erase(it);
            } else {
                plan_without_times(*it).swap(*it);
                ++it;
            }
        }
    } else if (plan.is_array()) {
        for (auto& e : plan) e = plan_without_times(e);
    }
    return plan;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: %s ZONES_DIR EXACT_DIR\n", argv[0]);
        return 2;
    }
    try {
        geo::gdal_init();
        const fs::path zones = argv[1];
        const fs::path exact = argv[2];
        const json mz = read_json(zones / "manifest.json");
        const json me = read_json(exact / "manifest.json");
        for (const auto& [name, m] : {std::pair{"zones", &mz}, std::pair{"exact", &me}}) {
            for (const auto& stage : m->value("stages", json::array())) {
                fmt::print("{}_stage_{}_wall_s: {:.2f}\n", name, stage.value("name", std::string()),
                           stage.value("wall_s", 0.0));
            }
            const json p = m->value("prediction", json::object());
            fmt::print("{}_pixel_evaluations: {}\n", name, p.value("pixel_evaluations", 0ULL));
            fmt::print("{}_extended_zone_evaluations: {}\n", name, p.value("extended_zone_evaluations", 0ULL));
        }
        const auto population = read_band<float>(exact / "population.tif");
        Counts gsm_umts;
        Counts lte_nr;
        double worst_class = 100.0;
        double worst_people_pct = 0.0;
        for (const auto& layer : me.at("layers")) {
            const std::string tech = layer.at("technology");
            const std::string folder = layer.at("folder");
            std::string signal = layer.at("signal");
            std::transform(signal.begin(), signal.end(), signal.begin(), [](unsigned char ch) { return std::tolower(ch); });
            const bool quality = tech == "LTE" || tech == "NR";
            const Counts c = compare_layer(zones, exact, folder, signal, quality, population);
            if (quality) {
                print_counts(fs::path(folder).filename().string(), c, true);
                lte_nr += c;
            } else {
                gsm_umts += c;
                worst_class = std::min(worst_class, c.class_pct());
                if (std::abs(c.people_pct()) > std::abs(worst_people_pct)) worst_people_pct = c.people_pct();
            }
        }
        print_counts("gsm_umts", gsm_umts, false);
        fmt::print("gsm_umts_worst_layer_class_identical_pct: {:.3f}\n", worst_class);
        fmt::print("gsm_umts_worst_layer_covered_people_delta_pct: {:.4f}\n", worst_people_pct);
        fmt::print("lte_nr_class_identical_pct: {:.3f}\n", lte_nr.class_pct());
        fmt::print("lte_nr_server_identical_pct: {:.3f}\n", lte_nr.server_pct());
        fmt::print("lte_nr_sinr_abs_delta_p95_db: {:.3f}\n", quantile(lte_nr.sinr_delta, 0.95));
        const bool has_plan = fs::exists(exact / "plan" / "candidates.csv");
        if (has_plan) {
            // The ranked sites at every budget (candidates.csv) and the plan's summary; the bounds
            // apart: CBC stops at ilp_time_limit_s where the Lagrangian bound does not close the
            // gap, so a bound can differ between two runs of the same outputs.
            json pz = plan_without_times(mz.value("plan", json()));
            json pe = plan_without_times(me.value("plan", json()));
            const bool bounds_same = pz.value("bounds", json()) == pe.value("bounds", json());
            if (pz.is_object()) pz.erase("bounds");
            if (pe.is_object()) pe.erase("bounds");
            const bool same =
                read_text(zones / "plan" / "candidates.csv") == read_text(exact / "plan" / "candidates.csv") && pz == pe;
            fmt::print("plan_identical: {}\n", same ? "yes" : "no");
            fmt::print("plan_bounds_identical: {}\n", bounds_same ? "yes" : "no");
        } else {
            fmt::print("plan_identical: no plan\n");
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "zones_compare: %s\n", e.what());
        return 1;
    }
    return 0;
}
