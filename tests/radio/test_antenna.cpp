// Antenna patterns: TR 38.901 sector and omni patterns, MSI parsing, tilt geometry.
// Every expected value is worked out by hand in the comment above its check.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <numbers>
#include <optional>
#include <stdexcept>
#include <string>

#include "phusong/radio/antenna.hpp"

using namespace phusong::radio;

namespace {

// Sector used throughout: G_max 18 dBi, φ3dB 65°, θ3dB 10°, A_m 25 dB, SLA_V 20 dB.
std::shared_ptr<const AntennaPattern> test_sector() {
    SectorPatternParams p;
    p.gain_dbi = 18.0;
    p.h_beamwidth_deg = 65.0;
    p.v_beamwidth_deg = 10.0;
    p.front_to_back_db = 25.0;
    p.side_lobe_db = 20.0;
    return std::make_shared<const AntennaPattern>(AntennaPattern::sector(p));
}

OrientedAntenna pointed(std::shared_ptr<const AntennaPattern> pattern, double azimuth_deg,
                        double mech_deg = 0.0, std::optional<double> elec_deg = std::nullopt) {
    AntennaOrientation o;
    o.azimuth_deg = azimuth_deg;
    o.mechanical_downtilt_deg = mech_deg;
    o.electrical_downtilt_deg = elec_deg;
    return OrientedAntenna(std::move(pattern), o);
}

// A small MSI pattern: 4 horizontal and 8 vertical points, resampled to 1° by the parser.
constexpr const char* kSmallMsi =
    "NAME Test Panel 18dBi\n"
    "MAKE phusong\n"
    "FREQUENCY 1800\n"
    "H_WIDTH 65\n"
    "GAIN 15.85 dBd\n"
    "TILT ELECTRICAL\n"
    "ELECTRICAL_TILT 2\n"
    "Vendor_Key something\n"
    "HORIZONTAL 4\n"
    "0 0\n"
    "90 10\n"
    "180 25\n"
    "270 10\n"
    "VERTICAL 8\n"
    "0 0\n"
    "10 6\n"
    "90 20\n"
    "170 24\n"
    "180 25\n"
    "190 24\n"
    "270 20\n"
    "350 6\n";

/// The message of the std::invalid_argument that parse_msi throws for `text` ("" if none).
std::string msi_error(const std::string& text) {
    try {
        (void)parse_msi(text);
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "";
}

bool contains(const std::string& haystack, const std::string& needle) {
    return haystack.find(needle) != std::string::npos;
}

}  // namespace

TEST_CASE("sector pattern: boresight, half beamwidth, back") {
    const auto ant = pointed(test_sector(), 120.0);
    // Boresight: A_H = A_V = 0 → G = 18 dBi.
    CHECK(ant.gain_dbi(120.0, 0.0) == doctest::Approx(18.0));
    // φ = φ3dB/2 = 32.5°: A_H = 12·(32.5/65)² = 12·0.25 = 3 dB → 15 dBi, on both sides.
    CHECK(ant.gain_dbi(152.5, 0.0) == doctest::Approx(15.0));
    CHECK(ant.gain_dbi(87.5, 0.0) == doctest::Approx(15.0));
    // Back, φ = 180°: 12·(180/65)² = 92.0 → capped at A_m = 25 → 18 − 25 = −7 dBi.
    CHECK(ant.gain_dbi(300.0, 0.0) == doctest::Approx(-7.0));
    // Back and 10° down: A_V = min(12·(10/10)², 20) = 12; min(25 + 12, A_m = 25) = 25 → −7 dBi.
    CHECK(ant.gain_dbi(300.0, 10.0) == doctest::Approx(-7.0));
    // Azimuths wrap: cell at 350°, pixel at 22.5° is φ = 32.5° → 15 dBi.
    CHECK(pointed(test_sector(), 350.0).gain_dbi(22.5, 0.0) == doctest::Approx(15.0));
}

TEST_CASE("sector pattern: electrical tilt moves the vertical peak") {
    // Total electrical downtilt 6°, built-in tilt of a parametric pattern = 0 → shift 6°.
    const auto ant = pointed(test_sector(), 0.0, 0.0, 6.0);
    // Peak at 6° below the horizon: A_V = 12·((6 − 6)/10)² = 0 → 18 dBi.
    CHECK(ant.gain_dbi(0.0, 6.0) == doctest::Approx(18.0));
    // Horizon: A_V = 12·((0 − 6)/10)² = 12·0.36 = 4.32 → 13.68 dBi.
    CHECK(ant.gain_dbi(0.0, 0.0) == doctest::Approx(13.68));
    // Half a beamwidth either side of the peak (1° and 11°): 12·(5/10)² = 3 → 15 dBi.
    CHECK(ant.gain_dbi(0.0, 1.0) == doctest::Approx(15.0));
    CHECK(ant.gain_dbi(0.0, 11.0) == doctest::Approx(15.0));
    // Electrical tilt applies at every azimuth: φ = 90°, horizon: A_H = 12·(90/65)² = 23.0059,
    // A_V = 12·(6/10)² = 4.32, min(27.33, 25) = 25 → −7 dBi.
    CHECK(ant.gain_dbi(90.0, 0.0) == doctest::Approx(-7.0));
    // Not given: the pattern as it is (peak on the horizon).
    CHECK(pointed(test_sector(), 0.0).gain_dbi(0.0, 0.0) == doctest::Approx(18.0));
}

TEST_CASE("sector pattern: mechanical tilt is an exact 3-D rotation") {
    const auto ant = pointed(test_sector(), 0.0, 10.0);
    // Along boresight the whole beam is 10° down: peak at depression 10° → 18 dBi.
    CHECK(ant.gain_dbi(0.0, 10.0) == doctest::Approx(18.0));
    // φ = 90° on the horizon: d = (cos0·cos90, cos0·sin90, −sin0) = (0, 1, 0);
    // u' = f sin t + u cos t = 0 → δ' = 0; φ' = atan2(1, 0) = 90°. No vertical attenuation:
    // G = 18 − 12·(90/65)² = 18 − 23.0059 = −5.0059 dBi, the same as an untilted antenna.
    const AntennaDirection side = ant.to_antenna_frame(90.0, 0.0);
    CHECK(side.phi_deg == doctest::Approx(90.0));
    CHECK(side.depression_deg == doctest::Approx(0.0));
    CHECK(ant.gain_dbi(90.0, 0.0) == doctest::Approx(-5.005917));
    CHECK(pointed(test_sector(), 0.0).gain_dbi(90.0, 0.0) == doctest::Approx(-5.005917));
    // whereas 10° of ELECTRICAL tilt at φ = 90° adds A_V = 12·(10/10)² = 12: min(35.0, 25) → −7.
    CHECK(pointed(test_sector(), 0.0, 0.0, 10.0).gain_dbi(90.0, 0.0) == doctest::Approx(-7.0));
    // φ = 60°, horizon: δ' = asin(sin0·cos10 − cos0·cos60·sin10) = asin(−0.5·0.173648)
    //   = asin(−0.086824) = −4.9809° (≈ −t·cos φ = −5°: the pixel is above the tilted beam);
    // φ' = atan2(sin60, cos60·cos10) = atan2(0.866025, 0.492404) = 60.3783°.
    const AntennaDirection off = ant.to_antenna_frame(60.0, 0.0);
    CHECK(off.depression_deg == doctest::Approx(-4.980925));
    CHECK(off.phi_deg == doctest::Approx(60.378348));
    // Gain there: A_H = 12·(60.378348/65)² = 10.3543, A_V = 12·(4.980925/10)² = 2.9771,
    // sum 13.3314 < 25 → 18 − 13.3314 = 4.6686 dBi.
    CHECK(ant.gain_dbi(60.0, 0.0) == doctest::Approx(4.6686).epsilon(1e-4));
}

TEST_CASE("antenna-frame angles match the closed-form rotation everywhere") {
    // δ' = asin(sin δ cos t − cos δ cos φ sin t), φ' = atan2(cos δ sin φ, cos δ cos φ cos t + sin δ
    // sin t) with std:: functions, against the implementation (polynomial atan2) over all
    // quadrants.
    const double t = 8.0 * std::numbers::pi / 180.0;
    const auto ant = pointed(test_sector(), 25.0, 8.0);
    double worst = 0.0;
    for (double az = 0.0; az < 360.0; az += 7.3) {
        for (double dep = -89.0; dep <= 89.0; dep += 3.7) {
            const double phi = (az - 25.0) * std::numbers::pi / 180.0;
            const double d = dep * std::numbers::pi / 180.0;
            const double exact_dep =
                std::asin(std::sin(d) * std::cos(t) - std::cos(d) * std::cos(phi) * std::sin(t)) *
                180.0 / std::numbers::pi;
            const double exact_phi =
                std::atan2(std::cos(d) * std::sin(phi),
                           std::cos(d) * std::cos(phi) * std::cos(t) + std::sin(d) * std::sin(t)) *
                180.0 / std::numbers::pi;
            const AntennaDirection got = ant.to_antenna_frame(az, dep);
            double dphi = std::abs(got.phi_deg - exact_phi);
            dphi = std::min(dphi, 360.0 - dphi);  // ±180° are the same direction
            worst = std::max({worst, dphi, std::abs(got.depression_deg - exact_dep)});
        }
    }
    CHECK(worst < 1e-6);
}

TEST_CASE("omni pattern: constant in azimuth") {
    OmniPatternParams p;
    p.gain_dbi = 11.0;
    p.v_beamwidth_deg = 10.0;
    p.side_lobe_db = 30.0;
    const auto ant = pointed(std::make_shared<const AntennaPattern>(AntennaPattern::omni(p)), 0.0);
    // Horizon, any azimuth: 11 dBi.
    CHECK(ant.gain_dbi(0.0, 0.0) == doctest::Approx(11.0));
    CHECK(ant.gain_dbi(137.0, 0.0) == doctest::Approx(11.0));
    // 5° down: 12·(5/10)² = 3 → 8 dBi. 60° down: 12·36 = 432 → SLA_V 30 → −19 dBi.
    CHECK(ant.gain_dbi(250.0, 5.0) == doctest::Approx(8.0));
    CHECK(ant.gain_dbi(250.0, 60.0) == doctest::Approx(-19.0));
}

TEST_CASE("parametric patterns reject out-of-range parameters") {
    SectorPatternParams p;
    p.h_beamwidth_deg = 0.0;
    CHECK_THROWS_AS((void)AntennaPattern::sector(p), std::invalid_argument);
    p = {};
    p.front_to_back_db = -3.0;
    CHECK_THROWS_AS((void)AntennaPattern::sector(p), std::invalid_argument);
    OmniPatternParams o;
    o.v_beamwidth_deg = 200.0;
    CHECK_THROWS_AS((void)AntennaPattern::omni(o), std::invalid_argument);
    CHECK_THROWS_AS(OrientedAntenna(nullptr, AntennaOrientation{}), std::invalid_argument);
}

TEST_CASE("MSI: parse a small inline pattern") {
    const MsiPattern msi = parse_msi(kSmallMsi);
    CHECK(msi.name == "Test Panel 18dBi");
    CHECK(msi.make == "phusong");
    REQUIRE(msi.frequency_mhz);
    CHECK(*msi.frequency_mhz == doctest::Approx(1800.0));
    REQUIRE(msi.h_width_deg);
    CHECK(*msi.h_width_deg == doctest::Approx(65.0));
    // 15.85 dBd + 2.15 = 18.00 dBi.
    CHECK(msi.gain_dbi == doctest::Approx(18.0));
    REQUIRE(msi.electrical_tilt_deg);
    CHECK(*msi.electrical_tilt_deg == doctest::Approx(2.0));
    CHECK_FALSE(msi.tilt_is_mechanical);
    // Horizontal resampled linearly: 45° = halfway 0→10 = 5; 135° = halfway 10→25 = 17.5;
    // 300° = 10 + (0 − 10)·(30/90) = 6.6667 (wrapping through 360° = 0°).
    CHECK(msi.horizontal_db[0] == doctest::Approx(0.0));
    CHECK(msi.horizontal_db[45] == doctest::Approx(5.0));
    CHECK(msi.horizontal_db[135] == doctest::Approx(17.5));
    CHECK(msi.horizontal_db[300] == doctest::Approx(6.666667));
    // Vertical: 5° = halfway 0→6 = 3; 355° = halfway 6 (350°) → 0 (360°) = 3; 175° = 24.5.
    CHECK(msi.vertical_db[5] == doctest::Approx(3.0));
    CHECK(msi.vertical_db[355] == doctest::Approx(3.0));
    CHECK(msi.vertical_db[175] == doctest::Approx(24.5));

    const auto pattern = std::make_shared<const AntennaPattern>(AntennaPattern::from_msi(msi));
    CHECK(pattern->max_gain_dbi() == doctest::Approx(18.0));
    CHECK(pattern->max_attenuation_db() == doctest::Approx(25.0));  // largest sample of both cuts
    CHECK(pattern->builtin_electrical_tilt_deg() == doctest::Approx(2.0));

    // Summation, cell at azimuth 0, electrical tilt not given (pattern as measured):
    // φ = 45°, 5° down: A_H(45) + A_V(5) = 5 + 3 = 8 → 18 − 8 = 10 dBi.
    CHECK(pointed(pattern, 0.0).gain_dbi(45.0, 5.0) == doctest::Approx(10.0));
    // Between samples, φ = 45.5°: A_H = 5 + 0.5·(5.1111 − 5) = 5.0556 (1° table, 10/90 per °).
    CHECK(pointed(pattern, 0.0).gain_dbi(45.5, 5.0) == doctest::Approx(18.0 - 5.055556 - 3.0));
    // Cell electrical tilt 2° = the file's own tilt → no shift, same 10 dBi.
    CHECK(pointed(pattern, 0.0, 0.0, 2.0).gain_dbi(45.0, 5.0) == doctest::Approx(10.0));
    // Cell tilt 7° → shift 7 − 2 = 5°: vertical read at 5 − 5 = 0° → A = 5 → 13 dBi.
    CHECK(pointed(pattern, 0.0, 0.0, 7.0).gain_dbi(45.0, 5.0) == doctest::Approx(13.0));
    // Back on the horizon: A_H(180) + A_V(0) = 25 + 0 → −7 dBi; 10° down: 25 + 6 → cap 25 → −7.
    CHECK(pointed(pattern, 0.0).gain_dbi(180.0, 0.0) == doctest::Approx(-7.0));
    CHECK(pointed(pattern, 0.0).gain_dbi(180.0, 10.0) == doctest::Approx(-7.0));
}

TEST_CASE("MSI: horizontal projection interpolation combines the cuts") {
    const auto pattern = std::make_shared<const AntennaPattern>(
        AntennaPattern::from_msi(parse_msi(kSmallMsi), CutCombination::horizontal_projection));
    const auto ant = pointed(pattern, 0.0);
    // φ = 90° (w = 90/180 = 0.5), 5° down:
    // A = A_H(90) + 0.5·(A_V(5) − A_H(0)) + 0.5·(A_V(175) − A_H(180))
    //   = 10 + 0.5·(3 − 0) + 0.5·(24.5 − 25) = 10 + 1.5 − 0.25 = 11.25 → 6.75 dBi.
    CHECK(ant.gain_dbi(90.0, 5.0) == doctest::Approx(6.75));
    // φ = 0: the front of the vertical cut exactly, A_V(5) = 3 → 15 dBi.
    CHECK(ant.gain_dbi(0.0, 5.0) == doctest::Approx(15.0));
    // φ = 180°: the back of the vertical cut exactly, A_V(180 − 5) = 24.5 → −6.5 dBi.
    CHECK(ant.gain_dbi(180.0, 5.0) == doctest::Approx(-6.5));
    // Horizon, φ = 45° (w = 0.25): 5 + 0.75·(0 − 0) + 0.25·(A_V(180) − 25 = 0) = 5 → 13 dBi.
    CHECK(ant.gain_dbi(45.0, 0.0) == doctest::Approx(13.0));
}

TEST_CASE("MSI: full 360-point file, mixed-case keys, dBi, beam peak as built-in tilt") {
    // Vertical cut peaking 4° below the horizon, no tilt number in the header.
    std::string text =
        "Kathrein-like 742 panel\r\nGain 17.5 dBi\r\nTILT ELECTRICAL\r\nHORIZONTAL 360\r\n";
    for (int a = 0; a < 360; ++a) {
        const double phi = a <= 180 ? a : a - 360;  // −179..180
        text += std::to_string(a) + " " +
                std::to_string(std::min(12.0 * (phi / 65.0) * (phi / 65.0), 25.0)) + "\r\n";
    }
    text += "VERTICAL 360\r\n";
    for (int a = 0; a < 360; ++a) {
        const double dep = a <= 180 ? a : a - 360;
        text += std::to_string(a) + "\t" +
                std::to_string(std::min(12.0 * ((dep - 4.0) / 8.0) * ((dep - 4.0) / 8.0), 20.0)) +
                "\r\n";
    }
    const MsiPattern msi = parse_msi(text);
    CHECK(msi.name == "Kathrein-like 742 panel");  // bare first line
    CHECK(msi.gain_dbi == doctest::Approx(17.5));  // already dBi
    CHECK_FALSE(msi.electrical_tilt_deg);
    // 10° off boresight: 12·(10/65)² = 0.284024.
    CHECK(msi.horizontal_db[10] == doctest::Approx(0.284024).epsilon(1e-5));
    const AntennaPattern p = AntennaPattern::from_msi(msi);
    // TILT ELECTRICAL without a number: the vertical peak (0 dB at 4°) is the built-in tilt.
    CHECK(p.builtin_electrical_tilt_deg() == doctest::Approx(4.0));
    // Peak: 17.5 dBi at 4° down on boresight.
    CHECK(p.max_gain_dbi() - p.attenuation_db(0.0, 4.0, 0.0) == doctest::Approx(17.5));
}

TEST_CASE("MSI: negative values written as relative gain are read as attenuation") {
    const MsiPattern msi =
        parse_msi("NAME neg\nGAIN 10 dBi\nHORIZONTAL 2\n0 0\n180 -20\nVERTICAL 2\n0 -0\n180 -15\n");
    // Horizontal 90° = halfway 0 → 20 = 10 dB; vertical 90° = halfway 0 → 15 = 7.5 dB.
    CHECK(msi.horizontal_db[90] == doctest::Approx(10.0));
    CHECK(msi.vertical_db[90] == doctest::Approx(7.5));
}

TEST_CASE("MSI: bad text is rejected with the line number and what was expected") {
    // Line 2: GAIN without a number.
    std::string e = msi_error("NAME x\nGAIN high\nHORIZONTAL 1\n0 0\nVERTICAL 1\n0 0\n");
    CHECK(contains(e, "line 2:"));
    CHECK(contains(e, "GAIN <value>"));
    // Line 5: a non-numeric attenuation.
    e = msi_error("NAME x\nGAIN 10\nHORIZONTAL 2\n0 0\n180 abc\nVERTICAL 1\n0 0\n");
    CHECK(contains(e, "line 5:"));
    CHECK(contains(e, "two numbers"));
    // Line 6: VERTICAL arrives after 2 of the 360 HORIZONTAL lines announced at line 3.
    e = msi_error("NAME x\nGAIN 10\nHORIZONTAL 360\n0 0\n1 0.1\nVERTICAL 1\n0 0\n");
    CHECK(contains(e, "line 6:"));
    CHECK(contains(e, "2 of the 360"));
    CHECK(contains(e, "line 3"));
    // Text ends inside the VERTICAL section (line 6 is the last line).
    e = msi_error("NAME x\nGAIN 10\nHORIZONTAL 1\n0 0\nVERTICAL 3\n0 0\n");
    CHECK(contains(e, "line 6:"));
    CHECK(contains(e, "1 of the 3"));
    // No VERTICAL section at all.
    e = msi_error("NAME x\nGAIN 10\nHORIZONTAL 1\n0 0\n");
    CHECK(contains(e, "VERTICAL"));
    // No GAIN.
    e = msi_error("NAME x\nHORIZONTAL 1\n0 0\nVERTICAL 1\n0 0\n");
    CHECK(contains(e, "GAIN"));
    // Line 5: angle 360 is out of [0, 360).
    e = msi_error("NAME x\nGAIN 10\nHORIZONTAL 2\n0 0\n360 3\nVERTICAL 1\n0 0\n");
    CHECK(contains(e, "line 5:"));
    CHECK(contains(e, "0 ≤ angle < 360"));
    // Line 5: angles must increase.
    e = msi_error("NAME x\nGAIN 10\nHORIZONTAL 2\n10 0\n5 3\nVERTICAL 1\n0 0\n");
    CHECK(contains(e, "line 5:"));
    CHECK(contains(e, "increasing"));
    // Line 5: a negative attenuation among positive ones.
    e = msi_error("NAME x\nGAIN 10\nHORIZONTAL 2\n0 1\n180 -3\nVERTICAL 1\n0 0\n");
    CHECK(contains(e, "line 5:"));
    CHECK(contains(e, "-3 dB is negative"));
    // Line 5: more data lines than announced.
    e = msi_error("NAME x\nGAIN 10\nHORIZONTAL 1\n0 0\n1 0\nVERTICAL 1\n0 0\n");
    CHECK(contains(e, "line 5:"));
    CHECK(contains(e, "outside a section"));
    // Line 3: a section count that is not a whole number.
    e = msi_error("NAME x\nGAIN 10\nHORIZONTAL many\n");
    CHECK(contains(e, "line 3:"));
    CHECK(contains(e, "HORIZONTAL 360"));
    // Line 7: a second HORIZONTAL section.
    e = msi_error("NAME x\nGAIN 10\nHORIZONTAL 1\n0 0\nVERTICAL 1\n0 0\nHORIZONTAL 1\n0 0\n");
    CHECK(contains(e, "line 7:"));
    CHECK(contains(e, "second HORIZONTAL"));
}

TEST_CASE("MSI: GAIN and attenuations outside plausible ranges are rejected with the line") {
    // GAIN 1000 (dBd) would give an RSRP of +254.9 dBm.
    std::string e = msi_error("NAME x\nGAIN 1000\nHORIZONTAL 1\n0 0\nVERTICAL 1\n0 0\n");
    CHECK(contains(e, "line 2:"));
    CHECK(contains(e, "GAIN 1000 dBd (1002.15 dBi) is out of range; expected -10 ≤ gain ≤ 40 dBi"));
    e = msi_error("NAME x\nGAIN -20 dBi\nHORIZONTAL 1\n0 0\nVERTICAL 1\n0 0\n");
    CHECK(contains(e, "line 2:"));
    CHECK(contains(e, "GAIN -20 dBi is out of range"));
    // Line 5: 250 dB below the peak (a column slip), in either sign convention.
    e = msi_error("NAME x\nGAIN 10\nHORIZONTAL 2\n0 0\n180 250\nVERTICAL 1\n0 0\n");
    CHECK(contains(e, "line 5:"));
    CHECK(contains(e, "HORIZONTAL attenuation 250 dB is out of range; expected 0 ≤ attenuation ≤ 100 dB"));
    e = msi_error("NAME x\nGAIN 10\nHORIZONTAL 1\n0 0\nVERTICAL 2\n0 0\n90 -180\n");
    CHECK(contains(e, "line 7:"));
    CHECK(contains(e, "VERTICAL attenuation 180 dB"));
    // The bounds themselves are accepted.
    CHECK_NOTHROW((void)parse_msi("NAME x\nGAIN 40 dBi\nHORIZONTAL 2\n0 0\n180 100\nVERTICAL 1\n0 0\n"));
    CHECK_NOTHROW((void)parse_msi("NAME x\nGAIN -10 dBi\nHORIZONTAL 1\n0 0\nVERTICAL 1\n0 0\n"));
}
