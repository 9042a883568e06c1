// Tests of terrain diffraction (Bullington, delta-Bullington): hand-computed cases, then the
// ITU-R reference tables in tests/reference (P.452 validation examples, P.1812 step logs).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "phusong/radio/diffraction.hpp"
#include "radio/reference.hpp"

namespace {

namespace fs = std::filesystem;
using phusong::radio::Polarisation;
using phusong::radio::ProfileView;

// ---------------------------------------------------------------------------------------------
// Reading the reference files

std::vector<std::string> split_csv(const std::string& line) {
    std::vector<std::string> out;
    std::stringstream ss(line);
    std::string field;
    while (std::getline(ss, field, ',')) out.push_back(field);
    if (!line.empty() && line.back() == ',') out.emplace_back();
    return out;
}

std::string trim(const std::string& s) {
    const auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) return {};
    const auto e = s.find_last_not_of(" \t\r\n");
    return s.substr(b, e - b + 1);
}

struct Profile {
    std::vector<double> d_km;
    std::vector<double> h_m;
    std::vector<double> clutter_m;  // representative clutter height R_i (P.1812 only)
    [[nodiscard]] ProfileView view() const { return {d_km, h_m}; }
    // Terrain plus representative clutter g_i = h_i + R_i, except within exclusion_km of either
    // terminal where g_i = h_i: P.1812-6 §3.2.1 excludes only the two terminal points
    // (exclusion_km = 0); P.452-18 §4.5 step 4 every point closer than 50 m to Tx or Rx.
    [[nodiscard]] std::vector<double> surface_m(double exclusion_km) const {
        std::vector<double> g(h_m.size());
        const double d_end = d_km.back();
        for (std::size_t i = 0; i < g.size(); ++i) {
            const bool near_terminal = d_km[i] < exclusion_km || d_km[i] > d_end - exclusion_km;
            g[i] = near_terminal ? h_m[i] : h_m[i] + clutter_m[i];
        }
        g.front() = h_m.front();
        g.back() = h_m.back();
        return g;
    }
};

// P.452 profile: header line, then `d (km), h (m), ground cover (m), zone letter, zone code`.
Profile read_p452_profile(const fs::path& path) {
    std::ifstream in(path);
    REQUIRE_MESSAGE(in.good(), "cannot open " << path);
    Profile p;
    std::string line;
    std::getline(in, line);  // header
    while (std::getline(in, line)) {
        const auto f = split_csv(line);
        if (f.size() < 2 || trim(f[0]).empty()) continue;
        p.d_km.push_back(std::stod(f[0]));
        p.h_m.push_back(std::stod(f[1]));
        p.clutter_m.push_back(f.size() > 2 && !trim(f[2]).empty() ? std::stod(f[2]) : 0.0);
    }
    return p;
}

// A CSV table with a header row, as rows of column name → text.
std::vector<std::map<std::string, std::string>> read_table(const fs::path& path) {
    std::ifstream in(path);
    REQUIRE_MESSAGE(in.good(), "cannot open " << path);
    std::string line;
    std::getline(in, line);
    const auto header = split_csv(line);
    std::vector<std::map<std::string, std::string>> rows;
    while (std::getline(in, line)) {
        if (trim(line).empty()) continue;
        const auto f = split_csv(line);
        std::map<std::string, std::string> row;
        for (std::size_t i = 0; i < header.size() && i < f.size(); ++i)
            row[trim(header[i])] = trim(f[i]);
        rows.push_back(std::move(row));
    }
    return rows;
}

// SG3 profile format: `Number of Points:,N` then N rows `d, h, coverage code, R, zone`.
Profile read_sg3_profile(const fs::path& path) {
    std::ifstream in(path);
    REQUIRE_MESSAGE(in.good(), "cannot open " << path);
    std::string line;
    int n = -1;
    while (std::getline(in, line)) {
        const auto f = split_csv(line);
        if (f.size() >= 2 && trim(f[0]) == "Number of Points:") {
            n = std::stoi(f[1]);
            break;
        }
    }
    REQUIRE_MESSAGE(n > 0, "no profile in " << path);
    Profile p;
    for (int i = 0; i < n && std::getline(in, line); ++i) {
        const auto f = split_csv(line);
        REQUIRE(f.size() >= 4);
        p.d_km.push_back(std::stod(f[0]));
        p.h_m.push_back(std::stod(f[1]));
        p.clutter_m.push_back(trim(f[3]).empty() ? 0.0 : std::stod(f[3]));
    }
    REQUIRE(static_cast<int>(p.d_km.size()) == n);
    return p;
}

// P.1812 step log: rows `name,equation,,value,`; the first occurrence of a name wins.
std::map<std::string, double> read_step_log(const fs::path& path) {
    std::ifstream in(path);
    REQUIRE_MESSAGE(in.good(), "cannot open " << path);
    std::map<std::string, double> values;
    std::string line;
    while (std::getline(in, line)) {
        const auto f = split_csv(line);
        if (f.size() < 4 || trim(f[0]).empty() || trim(f[3]).empty()) continue;
        try {
            values.emplace(trim(f[0]), std::stod(f[3]));
        } catch (const std::exception&) {  // a header or a text value
        }
    }
    return values;
}

double at(const std::map<std::string, double>& m, const std::string& key) {
    const auto it = m.find(key);
    REQUIRE_MESSAGE(it != m.end(), "missing " << key);
    return it->second;
}

double num(const std::map<std::string, std::string>& row, const std::string& key) {
    const auto it = row.find(key);
    REQUIRE_MESSAGE(it != row.end(), "missing column " << key);
    return std::stod(it->second);
}

// The largest |Δ| seen per quantity, reported once per anchor set.
struct MaxDelta {
    std::map<std::string, double> max_abs;
    int cases = 0;
    void add(const std::string& what, double got, double want) {
        double& m = max_abs[what];
        m = std::max(m, std::abs(got - want));
    }
    [[nodiscard]] std::string str() const {
        std::ostringstream os;
        os << cases << " cases; max |Δ|:";
        for (const auto& [k, v] : max_abs) os << ' ' << k << '=' << v;
        return os.str();
    }
};

constexpr double kTolDb = 0.1;        // acceptance: diffraction losses within 0.1 dB
constexpr double kTolHeightM = 0.01;  // smooth-earth heights; the tables print 1e-6 m

}  // namespace

// ---------------------------------------------------------------------------------------------
// Hand-computed cases

TEST_CASE("knife_edge_loss_db follows P.526-15 eq (31)") {
    using phusong::radio::knife_edge_loss_db;
    // J(ν) = 6.9 + 20 log10( sqrt((ν − 0.1)² + 1) + ν − 0.1 ), 0 for ν ≤ −0.78.
    CHECK(knife_edge_loss_db(-0.78) == 0.0);
    CHECK(knife_edge_loss_db(-5.0) == 0.0);
    // ν = 0: sqrt(0.01 + 1) − 0.1 = 0.904988 → 20 log10 = −0.867148 → 6.032852 dB (the grazing 6
    // dB).
    CHECK(knife_edge_loss_db(0.0) == doctest::Approx(6.032852).epsilon(1e-6));
    // ν = 1: sqrt(0.81 + 1) + 0.9 = 2.245362 → 20 log10 = 7.025729 → 13.925729 dB.
    CHECK(knife_edge_loss_db(1.0) == doctest::Approx(13.925729).epsilon(1e-6));
    // Just above the cut-off the formula is small and positive (continuity is only approximate).
    CHECK(knife_edge_loss_db(-0.7799) > 0.0);
    CHECK(knife_edge_loss_db(-0.7799) < 0.1);
}

TEST_CASE("BullingtonTable: eq (22) from tabulated J(ν) within 1e-3 dB of the formulas") {
    using namespace phusong::radio;
    const BullingtonTable& table = BullingtonTable::instance();
    // Eq (22): Lbull = J + (1 − exp(−J/6))(10 + 0.02 d), with J = J(ν) of eq (31).
    auto exact = [](double nu, double d) {
        const double j = knife_edge_loss_db(nu);
        return j == 0.0 ? 0.0 : j + (1.0 - std::exp(-j / 6.0)) * (10.0 + 0.02 * d);
    };
    double worst = 0.0;
    for (double d : {0.5, 5.0, 20.0, 100.0}) {
        for (double nu = -2.0; nu <= 100.0; nu += 0.000731) {  // off the table's 1/128 grid
            worst = std::max(worst, std::abs(table.total_db(nu, d) - exact(nu, d)));
        }
    }
    CHECK(worst < 1e-3);
    CHECK(worst > 0.0);  // interpolated, not the formula everywhere
    // On the grid and beyond the table the values are the formula's.
    const double node = -0.78 + 100.0 / 128.0;
    CHECK(table.total_db(node, 10.0) == doctest::Approx(exact(node, 10.0)).epsilon(1e-12));
    CHECK(table.total_db(1.0, 10.0) == doctest::Approx(6.9 + 20 * std::log10(std::sqrt(0.81 + 1) + 0.9) +
                                                         (1 - std::exp(-13.925729 / 6)) * 10.2).epsilon(1e-6));
    CHECK(table.total_db(80.0, 10.0) == exact(80.0, 10.0));
    CHECK(table.total_db(-0.78, 10.0) == 0.0);
}

TEST_CASE("bullington_nu_per_root: one geometry gives ν at every frequency, both cases of eq (17)") {
    using namespace phusong::radio;
    // Terms of a 10 km path, hts 130 m, hrs 101.5 m (str = −2.85 m/km): stim below str is line of
    // sight (ν = ν_max), above it the Bullington point of eqs (19)–(20).
    const double d = 10.0;
    const double hts = 130.0;
    const double hrs = 101.5;
    const double str = (hrs - hts) / d;
    const double cmax = -0.37;  // clearance/√(d_i(d − d_i)) at the worst point, m/km
    int los = 0;
    int horizon = 0;
    int bullington_point = 0;  // trans-horizon with the Bullington point inside the path
    for (const double stim : {-6.0, -3.0, -1.0, 0.5, 4.0}) {
        for (const double srim : {-1.0, 2.0, 7.5}) {
            for (const double f_ghz : {0.9, 1.8, 3.5}) {
                const double lambda = wavelength_m(f_ghz);
                const double root = std::sqrt(0.002 * d / lambda);
                CAPTURE(stim);
                CAPTURE(srim);
                CAPTURE(f_ghz);
                const double nu = bullington_nu(stim, srim, str, cmax * root, d, hts, hrs, lambda);
                CHECK(bullington_nu_per_root(stim, srim, str, cmax, d, hts, hrs) * root ==
                      doctest::Approx(nu).epsilon(1e-12));
                (stim < str ? los : horizon) += 1;
                bullington_point += stim >= str && nu != 0.0;
            }
        }
    }
    CHECK(los == 18);
    CHECK(horizon == 27);
    CHECK(bullington_point == 9);
}

TEST_CASE("effective earth radius and wavelength") {
    using namespace phusong::radio;
    CHECK(effective_earth_radius_km(kStandardKFactor) == doctest::Approx(8494.666667));
    CHECK(effective_earth_radius_km(1.0) == doctest::Approx(6371.0));
    CHECK(wavelength_m(0.299792458) == doctest::Approx(1.0));
}

TEST_CASE("Bullington: one knife edge in the middle of a flat profile on a flat earth") {
    using namespace phusong::radio;
    // Profile 0 … 10 km every 2.5 km, ground 0 m except a 20 m knife edge at 5 km. Antennas at
    // 10 m amsl at both ends, f = 0.299792458 GHz so that λ = 1 m, ae = ∞ (Ce = 0: no bulge).
    const std::vector<double> d{0.0, 2.5, 5.0, 7.5, 10.0};
    const std::vector<double> h{0.0, 0.0, 20.0, 0.0, 0.0};
    const double inf = std::numeric_limits<double>::infinity();
    const double f_ghz = 0.299792458;

    // Eq (14): slopes from Tx (m/km): 2.5 km → (0 − 10)/2.5 = −4; 5 km → (20 − 10)/5 = 2;
    //   7.5 km → (0 − 10)/7.5 = −1.333. Stim = 2. Eq (15): Str = (10 − 10)/10 = 0 < Stim:
    //   trans-horizon. Eq (18): Srim = (20 − 10)/(10 − 5) = 2 m/km.
    // Eq (19): dbp = (10 − 10 + 2·10)/(2 + 2) = 5 km (the edge itself).
    // Eq (20): clearance = 10 + 2·5 − (10·5 + 10·5)/10 = 10 m;
    //   ν = 10 · sqrt(0.002·10 / (1·5·5)) = 10 · sqrt(0.0008) = 0.2828427,
    //   which is the textbook ν = h sqrt(2/λ · (1/d1 + 1/d2)) = 10 sqrt(2·(1/5000 + 1/5000)).
    // P.526 eq (31): ν − 0.1 = 0.1828427; sqrt(0.0334315 + 1) = 1.0165784; + 0.1828427 = 1.1994211;
    //   20 log10(1.1994211) = 1.5794331 → Luc = J(ν) = 8.4794331 dB.
    // Eq (22) adds the multiple-edge correction, so Lbull is not J(ν) itself:
    //   Lbull = Luc + (1 − exp(−Luc/6))(10 + 0.02·10) = 8.4794331 + (1 − 0.2433538)·10.2
    //   = 8.4794331 + 7.7177911 = 16.1972242 dB.
    const ProfileView p{d, h};
    const double nu = 10.0 * std::sqrt(0.0008);
    CHECK(nu == doctest::Approx(0.2828427).epsilon(1e-7));
    CHECK(knife_edge_loss_db(nu) == doctest::Approx(8.4794331).epsilon(1e-7));
    const double lbull = bullington_loss_db(p, 10.0, 10.0, f_ghz, inf);
    CHECK(lbull == doctest::Approx(16.1972242).epsilon(1e-7));

    const BullingtonTerms t = bullington_terms(p, 10.0, 10.0, wavelength_m(f_ghz), 0.0);
    CHECK(t.stim_m_per_km == doctest::Approx(2.0));
    CHECK(t.srim_m_per_km == doctest::Approx(2.0));
    CHECK(t.str_m_per_km == doctest::Approx(0.0));
    CHECK(t.numax == doctest::Approx(nu));
    CHECK(bullington_from_terms(t.stim_m_per_km, t.srim_m_per_km, t.str_m_per_km, t.numax, 10.0,
                                10.0, 10.0, 1.0, 0.0) == doctest::Approx(lbull));

    // The same edge 5 m high is 5 m below the ray: Stim = (5 − 10)/5 = −1 < Str = 0, LOS (eq (17)).
    // ν = −5 · sqrt(0.0008) = −0.1414214; ν − 0.1 = −0.2414214; sqrt(0.0582843 + 1) = 1.0287294;
    //   − 0.2414214 = 0.7873081; 20 log10 = −2.0771057 → Luc = 4.8228943 dB;
    // Lbull = 4.8228943 + (1 − exp(−0.8038157))·10.2 = 4.8228943 + 5.6342992 = 10.4571935 dB.
    const std::vector<double> h_low{0.0, 0.0, 5.0, 0.0, 0.0};
    CHECK(bullington_loss_db({d, h_low}, 10.0, 10.0, f_ghz, inf) ==
          doctest::Approx(10.4571935).epsilon(1e-7));

    // Far below the ray (ν ≤ −0.78) there is no loss at all.
    const std::vector<double> h_flat{0.0, 0.0, 0.0, 0.0, 0.0};
    CHECK(bullington_loss_db({d, h_flat}, 100.0, 100.0, f_ghz, inf) == 0.0);
}

TEST_CASE("Bullington: earth curvature raises the edge by 500·d1·d2/ae") {
    using namespace phusong::radio;
    // A flat profile at 0 m, 10 m antennas, 20 km on a 4/3 earth: the mid-path bulge is
    // 500·10·10/8494.667 = 5.886 m, so the worst point is the middle one with clearance
    // 5.886 − 10 = −4.114 m, ν = −4.114 · sqrt(0.002·20/(λ·10·10)) with λ = 1 m.
    const std::vector<double> d{0.0, 5.0, 10.0, 15.0, 20.0};
    const std::vector<double> h(5, 0.0);
    const double ae = effective_earth_radius_km(kStandardKFactor);
    const double bulge = 500.0 * 10.0 * 10.0 / ae;
    const double nu = (bulge - 10.0) * std::sqrt(0.002 * 20.0 / (1.0 * 10.0 * 10.0));
    const double luc = knife_edge_loss_db(nu);
    const double want = luc + (1.0 - std::exp(-luc / 6.0)) * (10.0 + 0.02 * 20.0);
    CHECK(bullington_loss_db({d, h}, 10.0, 10.0, 0.299792458, ae) == doctest::Approx(want));
}

TEST_CASE("smooth earth: running sums equal the whole-profile fit; a sloping line is its own fit") {
    using namespace phusong::radio;
    // h = 100 + 3·d (m, d in km): the least-squares line is the profile itself.
    const std::vector<double> d{0.0, 0.7, 1.5, 2.0, 3.6, 5.0};
    std::vector<double> h;
    for (double x : d) h.push_back(100.0 + 3.0 * x);
    SmoothEarthSums sums;
    for (std::size_t i = 1; i < d.size(); ++i) {
        sums.add_segment(d[i - 1], h[i - 1], d[i], h[i]);
        CHECK(sums.hst_m(d[i]) == doctest::Approx(100.0));
        CHECK(sums.hsr_m(d[i]) == doctest::Approx(100.0 + 3.0 * d[i]));
    }
    // Antennas 10 m above the ends: nothing obstructs (hobs < 0), so hstd = min(hst, h1) = 100,
    // hsrd = min(hsr, hn) = 115, and the effective heights are the antenna heights above ground.
    const SmoothEarth se = smooth_earth({d, h}, 110.0, 125.0);
    CHECK(se.hst_m == doctest::Approx(100.0));
    CHECK(se.hsr_m == doctest::Approx(115.0));
    CHECK(se.hstd_m == doctest::Approx(100.0));
    CHECK(se.hsrd_m == doctest::Approx(115.0));
    CHECK(se.hte_m == doctest::Approx(10.0));
    CHECK(se.hre_m == doctest::Approx(10.0));

    // A 50 m hill in the middle of flat ground at 0 m (d = 0, 1, 2 km, antennas 10 m):
    // v1 = 1·(50 + 0) + 1·(0 + 50) = 100; v2 = 1·[50·(2·1 + 0)] + 1·[50·(2 + 2·1)] = 100 + 200 =
    // 300; hst = (2·100·2 − 300)/4 = 25, hsr = (300 − 100·2)/4 = 25 (eqs 161–164). H = 50 − 10 = 40
    // m = hobs; αobt = 40/1, αobr = 40/1, gt = gr = 0.5: hstp = hsrp = 25 − 20 = 5, then hstd =
    // min(5, 0) = 0 and hsrd = 0 (eqs 165–167).
    const std::vector<double> dh{0.0, 1.0, 2.0};
    const std::vector<double> hh{0.0, 50.0, 0.0};
    const SmoothEarth hill = smooth_earth({dh, hh}, 10.0, 10.0);
    CHECK(hill.hst_m == doctest::Approx(25.0));
    CHECK(hill.hsr_m == doctest::Approx(25.0));
    CHECK(hill.hstd_m == doctest::Approx(0.0));
    CHECK(hill.hsrd_m == doctest::Approx(0.0));
    const ObstructionTerms obs = obstruction_terms({dh, hh}, 10.0, 10.0);
    CHECK(obs.hobs_m == doctest::Approx(40.0));
    CHECK(obs.alpha_obt == doctest::Approx(40.0));
    CHECK(obs.alpha_obr == doctest::Approx(40.0));
}

TEST_CASE("spherical earth: a clear path has no loss, a long one equals the first term") {
    using namespace phusong::radio;
    const double ae = effective_earth_radius_km(kStandardKFactor);
    // 1 km with 30 m antennas clears the earth by far more than 0.6 Fresnel zones.
    CHECK(spherical_earth_diffraction_db(1.0, 30.0, 30.0, ae, 2.0, Polarisation::horizontal) ==
          0.0);
    // Beyond the smooth-earth horizon d_los = sqrt(2 ae)(sqrt(0.001 hte) + sqrt(0.001 hre)), eq
    // (23).
    const double dlos = std::sqrt(2.0 * ae) * 2.0 * std::sqrt(0.01);
    const double d = 1.5 * dlos;
    const double ldsph =
        spherical_earth_diffraction_db(d, 10.0, 10.0, ae, 2.0, Polarisation::vertical);
    CHECK(ldsph == doctest::Approx(
                       first_term_diffraction_db(d, 10.0, 10.0, ae, 2.0, Polarisation::vertical)));
    CHECK(ldsph > 0.0);
    // ω mixes the sea and land first terms linearly, eq (29).
    const double land =
        first_term_diffraction_db(d, 10.0, 10.0, ae, 0.2, Polarisation::vertical, 0.0);
    const double sea =
        first_term_diffraction_db(d, 10.0, 10.0, ae, 0.2, Polarisation::vertical, 1.0);
    CHECK(first_term_diffraction_db(d, 10.0, 10.0, ae, 0.2, Polarisation::vertical, 0.25) ==
          doctest::Approx(0.75 * land + 0.25 * sea));
}

TEST_CASE("delta-Bullington on a flat profile: Lbulla = Lbulls, so Ld = max(Lbulla, Ldsph)") {
    using namespace phusong::radio;
    std::vector<double> d;
    for (int i = 0; i <= 100; ++i) d.push_back(0.5 * i);
    const std::vector<double> h(d.size(), 0.0);
    const SmoothEarth se = smooth_earth({d, h}, 10.0, 10.0);
    CHECK(se.hte_m == doctest::Approx(10.0));
    const double ae = effective_earth_radius_km(kStandardKFactor);
    const DeltaBullington db =
        delta_bullington({d, h}, 10.0, 10.0, se, 1.0, ae, Polarisation::horizontal);
    CHECK(db.lbulla_db == doctest::Approx(db.lbulls_db));
    CHECK(db.ld_db == doctest::Approx(std::max(db.lbulla_db, db.ldsph_db)));
    CHECK(delta_bullington_loss_db({d, h}, 10.0, 10.0, 1.0, kStandardKFactor,
                                   Polarisation::horizontal) == doctest::Approx(db.ld_db));
    // A two-point profile has no interior point: nothing obstructs, only the smooth earth counts.
    const std::vector<double> d2{0.0, 3.0};
    const std::vector<double> h2{0.0, 0.0};
    const double ld2 = delta_bullington_loss_db({d2, h2}, 10.0, 10.0, 1.0, kStandardKFactor,
                                                Polarisation::horizontal);
    CHECK(ld2 == doctest::Approx(spherical_earth_diffraction_db(3.0, 10.0, 10.0, ae, 1.0,
                                                                Polarisation::horizontal)));
    CHECK(delta_bullington_combine_db(10.0, 4.0, 7.0) == doctest::Approx(13.0));
    CHECK(delta_bullington_combine_db(10.0, 8.0, 7.0) == doctest::Approx(10.0));
}

// ---------------------------------------------------------------------------------------------
// ITU-R P.452 validation examples (tests/reference/p452): 17 profiles × 35 rows, 0.1–50 GHz.
//
// Every row of every table is checked (595 rows, including the mixed land/sea paths with ω > 0,
// vertical polarisation, and the clutter profiles); none is skipped. Ldsph and Ld50 are the
// median (ae) values whatever the row's p. The tables have no Lbulla/Lbulls columns: those are
// checked against the P.1812 step logs further down. The tables print hstd/hsrd to 1e-6 m and the
// losses to 1e-8 dB; the residual (≤ 2e-4 dB) comes from λ: the reference takes c = 3e8 m/s
// (P.1812: 2.998e8), this code the exact c.

TEST_CASE("P.452 validation examples: hstd/hsrd, Ldsph and Ld50 (delta-Bullington at 50 %)") {
    using namespace phusong::radio;
    const fs::path dir = phusong::test::reference_dir() / "p452" / "matlab_validation_examples";
    std::vector<fs::path> results;
    for (const auto& e : fs::directory_iterator(dir / "results")) results.push_back(e.path());
    std::sort(results.begin(), results.end());
    REQUIRE(results.size() == 17);

    MaxDelta md;
    for (const fs::path& rpath : results) {
        const auto rows = read_table(rpath);
        REQUIRE_FALSE(rows.empty());
        const Profile prof = read_p452_profile(dir / "profiles" / rows.front().at("profile"));
        const std::vector<double> g = prof.surface_m(50.0 / 1000.0);
        for (const auto& row : rows) {
            CAPTURE(rpath.filename().string());
            CAPTURE(row.at("f (GHz)"));
            CAPTURE(row.at("p (%)"));
            const double f = num(row, "f (GHz)");
            const double hts = prof.h_m.front() + num(row, "htg (m)");
            const double hrs = prof.h_m.back() + num(row, "hrg (m)");
            const double ae = num(row, "ae");
            const double omega = num(row, "omega");
            const Polarisation pol = num(row, "pol (1-h/2-v)") == 2.0 ? Polarisation::vertical
                                                                      : Polarisation::horizontal;
            CHECK(hts == doctest::Approx(num(row, "hts")));
            CHECK(hrs == doctest::Approx(num(row, "hrs")));

            const SmoothEarth se = smooth_earth(prof.view(), hts, hrs);
            CHECK(std::abs(se.hstd_m - num(row, "hstd")) < kTolHeightM);
            CHECK(std::abs(se.hsrd_m - num(row, "hsrd")) < kTolHeightM);
            md.add("hstd_m", se.hstd_m, num(row, "hstd"));
            md.add("hsrd_m", se.hsrd_m, num(row, "hsrd"));

            const DeltaBullington db =
                delta_bullington({prof.d_km, g}, hts, hrs, se, f, ae, pol, omega);
            CHECK(std::abs(db.ldsph_db - num(row, "Ldsph")) < kTolDb);
            CHECK(std::abs(db.ld_db - num(row, "Ld50")) < kTolDb);
            md.add("Ldsph_dB", db.ldsph_db, num(row, "Ldsph"));
            md.add("Ld50_dB", db.ld_db, num(row, "Ld50"));

            // The whole-profile entry point gives the same Ld50 from k = ae/6371 (on terrain
            // alone).
            const DeltaBullington terrain_only =
                delta_bullington(prof.view(), hts, hrs, se, f, ae, pol, omega);
            CHECK(delta_bullington_loss_db(prof.view(), num(row, "htg (m)"), num(row, "hrg (m)"), f,
                                           ae / kEarthRadiusKm, pol, omega) ==
                  doctest::Approx(terrain_only.ld_db).epsilon(1e-9));
            ++md.cases;
        }
    }
    MESSAGE("P.452: " << md.str());
}

// ---------------------------------------------------------------------------------------------
// ITU-R P.1812 step logs (tests/reference/p1812): every intermediate quantity per run.

namespace {

// The profile a P.1812 log belongs to: `<profile>_<k>.csv` (MATLAB, P.1812-6) or
// `<profile>_<k>_log.csv` (Py1812, P.1812-8).
std::string profile_of_log(std::string stem) {
    if (stem.size() > 4 && stem.ends_with("_log")) stem.resize(stem.size() - 4);
    return stem.substr(0, stem.rfind('_'));
}

struct P1812Run {
    std::string name;
    Profile prof;
    std::map<std::string, double> log;
};

std::vector<P1812Run> read_p1812_runs(const fs::path& dir) {
    std::vector<fs::path> logs;
    for (const auto& e : fs::directory_iterator(dir / "validation_results")) {
        if (e.path().filename() != "combined_results.csv") logs.push_back(e.path());
    }
    std::sort(logs.begin(), logs.end());
    std::vector<P1812Run> runs;
    for (const fs::path& path : logs) {
        const std::string profile = profile_of_log(path.stem().string());
        runs.push_back({path.filename().string(),
                        read_sg3_profile(dir / "validation_profiles" / (profile + ".csv")),
                        read_step_log(path)});
    }
    return runs;
}

}  // namespace

TEST_CASE("P.1812 step logs: Lbulla, Lbulls, Ldsph, Ld50 and the smooth-earth heights") {
    using namespace phusong::radio;
    // The diffraction profile is terrain + representative clutter except at the two terminal points
    // (P.1812 §3.2.1); the smooth-earth heights use the terrain alone (Attachment 1 §5.6).
    // The effective earth radius exceeded for β0 % of time is aβ = 3 × 6371 km (P.1812 eq (7b)).
    const double a_beta = 3.0 * kEarthRadiusKm;
    const fs::path root = phusong::test::reference_dir() / "p1812";

    for (const char* set : {"matlab_P1812-6", "py1812_P1812-8"}) {
        // P.1812-6 (MATLAB) logs Lbulla/Lbulls/Ldsph at the median radius ae; Py1812 (P.1812-8)
        // logs them at aβ, under the same names, with Ld50 at ae and Ldb at aβ.
        const bool median_terms = std::string(set) == "matlab_P1812-6";
        const auto runs = read_p1812_runs(root / set);
        REQUIRE(runs.size() >= 50);
        MaxDelta md;
        for (const P1812Run& run : runs) {
            CAPTURE(set);
            CAPTURE(run.name);
            const auto& log = run.log;
            const Profile& prof = run.prof;
            const double f = at(log, "f (GHz)");
            const double hts = prof.h_m.front() + at(log, "htg (m)");
            const double hrs = prof.h_m.back() + at(log, "hrg (m)");
            const double ae = at(log, "ae (km)");
            const double omega = at(log, "w");
            const Polarisation pol =
                at(log, "pol") == 2.0 ? Polarisation::vertical : Polarisation::horizontal;
            REQUIRE(hts == doctest::Approx(at(log, "hts (m)")));
            REQUIRE(hrs == doctest::Approx(at(log, "hrs (m)")));
            REQUIRE(prof.d_km.back() == doctest::Approx(at(log, "d (km)")));

            const SmoothEarth se = smooth_earth(prof.view(), hts, hrs);
            CHECK(std::abs(se.hstd_m - at(log, "hstd (m)")) < kTolHeightM);
            CHECK(std::abs(se.hsrd_m - at(log, "hsrd (m)")) < kTolHeightM);
            md.add("hstd_m", se.hstd_m, at(log, "hstd (m)"));
            md.add("hsrd_m", se.hsrd_m, at(log, "hsrd (m)"));

            const std::vector<double> g = prof.surface_m(0.0);
            const ProfileView gv{prof.d_km, g};
            const DeltaBullington med = delta_bullington(gv, hts, hrs, se, f, ae, pol, omega);
            const DeltaBullington beta = delta_bullington(gv, hts, hrs, se, f, a_beta, pol, omega);
            const DeltaBullington& terms = median_terms ? med : beta;
            CHECK(std::abs(terms.lbulla_db - at(log, "Lbulla (dB)")) < kTolDb);
            CHECK(std::abs(terms.lbulls_db - at(log, "Lbulls (dB)")) < kTolDb);
            CHECK(std::abs(terms.ldsph_db - at(log, "Ldsph (dB)")) < kTolDb);
            CHECK(std::abs(med.ld_db - at(log, "Ld50 (dB)")) < kTolDb);
            md.add("Lbulla_dB", terms.lbulla_db, at(log, "Lbulla (dB)"));
            md.add("Lbulls_dB", terms.lbulls_db, at(log, "Lbulls (dB)"));
            md.add("Ldsph_dB", terms.ldsph_db, at(log, "Ldsph (dB)"));
            md.add("Ld50_dB", med.ld_db, at(log, "Ld50 (dB)"));
            if (!median_terms) {
                CHECK(std::abs(beta.ld_db - at(log, "Ldb (dB)")) < kTolDb);
                md.add("Ldb_dB", beta.ld_db, at(log, "Ldb (dB)"));
            }
            ++md.cases;
        }
        MESSAGE(std::string(set) << ": " << md.str());
    }
}

// ---------------------------------------------------------------------------------------------
// The forms the area sweep uses, checked against the whole-profile functions on real terrain.

TEST_CASE("sweep forms: slopes in curvature-corrected heights, running sums, closed-form Lbulls") {
    using namespace phusong::radio;
    const fs::path dir = phusong::test::reference_dir() / "p452" / "matlab_validation_examples";
    const Profile prof =
        read_p452_profile(dir / "profiles" / "test_profile_rburg_rural_no_clutter.csv");
    const double ae = effective_earth_radius_km(kStandardKFactor);
    const double lambda = wavelength_m(2.0);
    const double htg = 30.0;
    const double hrg = 1.5;
    const double hts = prof.h_m.front() + htg;

    // Walk the receiver out along the profile as the sweep does: after point j the path is
    // points 0 … j, with the receiver 1.5 m above point j.
    SmoothEarthSums sums;
    double stim_tx_part = -std::numeric_limits<double>::infinity();  // max (g_i − hts)/d_i
    double flat_tx_part = -std::numeric_limits<double>::infinity();  // max (h_i − hts)/d_i
    double max_att4_delta = 0.0;
    int checked = 0;

    for (std::size_t j = 1; j < prof.d_km.size(); ++j) {
        sums.add_segment(prof.d_km[j - 1], prof.h_m[j - 1], prof.d_km[j], prof.h_m[j]);
        if (j >= 2) {  // point j − 1 became interior
            const double di = prof.d_km[j - 1];
            const double gi = prof.h_m[j - 1] - 500.0 * di * di / ae;
            stim_tx_part = std::max(stim_tx_part, (gi - hts) / di);
            flat_tx_part = std::max(flat_tx_part, (prof.h_m[j - 1] - hts) / di);
        }
        if (j < 2 || j % 37 != 0) continue;  // a sample of receiver positions
        const std::span<const double> d_sub(prof.d_km.data(), j + 1);
        const std::span<const double> h_sub(prof.h_m.data(), j + 1);
        const ProfileView sub{d_sub, h_sub};
        const double d = prof.d_km[j];
        const double hrs = prof.h_m[j] + hrg;
        CAPTURE(d);

        // Eq (14)/(18) through g_i = h_i − 500 d_i²/ae (see the header).
        const BullingtonTerms t = bullington_terms(sub, hts, hrs, lambda, 1.0 / ae);
        CHECK(stim_tx_part + 500.0 * d / ae == doctest::Approx(t.stim_m_per_km));
        const double g_r = hrs - 500.0 * d * d / ae;
        double srim_rx_part = -std::numeric_limits<double>::infinity();
        for (std::size_t i = 1; i < j; ++i) {
            const double gi = prof.h_m[i] - 500.0 * prof.d_km[i] * prof.d_km[i] / ae;
            srim_rx_part = std::max(srim_rx_part, (gi - g_r) / (d - prof.d_km[i]));
        }
        CHECK(srim_rx_part - 500.0 * d / ae == doctest::Approx(t.srim_m_per_km));
        CHECK(bullington_from_terms(t.stim_m_per_km, t.srim_m_per_km, t.str_m_per_km, t.numax, d,
                                    hts, hrs, lambda, 1.0 / ae) ==
              doctest::Approx(bullington_loss_db(sub, hts, hrs, 2.0, ae)));
        // ν for every frequency from one geometry: c·√(0.002·d/λ), c = ν_max/√(0.002·d/λ) in LOS.
        const double cmax = t.numax / std::sqrt(0.002 * d / lambda);
        for (const double f_ghz : {0.9, 2.0, 3.5}) {
            const double l = wavelength_m(f_ghz);
            const double numax_f = cmax * std::sqrt(0.002 * d / l);
            CHECK(bullington_nu_per_root(t.stim_m_per_km, t.srim_m_per_km, t.str_m_per_km, cmax, d, hts, hrs) *
                      std::sqrt(0.002 * d / l) ==
                  doctest::Approx(bullington_nu(t.stim_m_per_km, t.srim_m_per_km, t.str_m_per_km, numax_f, d, hts,
                                                hrs, l))
                      .epsilon(1e-12));
        }

        // Eq (165) through flat-earth slopes, and eqs (161)–(164) through the running sums.
        const ObstructionTerms obs = obstruction_terms(sub, hts, hrs);
        CHECK(flat_tx_part - t.str_m_per_km == doctest::Approx(obs.alpha_obt));
        const SmoothEarth whole = smooth_earth(sub, hts, hrs);
        const SmoothEarth swept = smooth_earth_from_terms(sums.hst_m(d), sums.hsr_m(d), obs,
                                                          prof.h_m.front(), prof.h_m[j], hts, hrs);
        CHECK(swept.hstd_m == doctest::Approx(whole.hstd_m));
        CHECK(swept.hsrd_m == doctest::Approx(whole.hsrd_m));

        // P.1812 Attachment 4 closed-form Lbulls against the sampled zero profile of §4.2.3 step 2.
        const DeltaBullington db =
            delta_bullington(sub, hts, hrs, whole, 2.0, ae, Polarisation::horizontal);
        const double att4 = smooth_path_bullington_loss_db(d, whole.hte_m, whole.hre_m, lambda, ae);
        CHECK(std::abs(att4 - db.lbulls_db) < 0.01);
        max_att4_delta = std::max(max_att4_delta, std::abs(att4 - db.lbulls_db));
        ++checked;
    }
    CHECK(checked > 20);
    MESSAGE("sweep forms: " << checked << " receiver positions; max |Att.4 − sampled| Lbulls = "
                            << max_att4_delta << " dB");
}
