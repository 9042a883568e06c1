#pragma once
// Deterministic random numbers for the calibration (fold assignment, synthetic drive tests): the
// same sequence on every platform and standard library, unlike std::shuffle or
// std::normal_distribution, whose algorithms the standard leaves open.

#include <cmath>
#include <cstdint>
#include <numbers>

namespace phusong::calibration {

/// SplitMix64 (Steele, Lea & Flood, "Fast splittable pseudorandom number generators", OOPSLA 2014).
class SplitMix64 {
public:
    explicit SplitMix64(std::uint64_t seed) : m_state(seed) {}
    std::uint64_t next() {
        std::uint64_t z = (m_state += 0x9E3779B97F4A7C15ULL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        return z ^ (z >> 31);
    }
    /// Uniform in (0, 1): the top 53 bits, never 0.
    double uniform() { return (static_cast<double>(next() >> 11) + 0.5) * 0x1.0p-53; }
    /// Standard normal, by the Box-Muller transform (Box & Muller, Ann. Math. Statist. 29, 1958).
    double normal() {
        const double u = uniform();
        const double v = uniform();
        return std::sqrt(-2.0 * std::log(u)) * std::cos(2.0 * std::numbers::pi * v);
    }

private:
    std::uint64_t m_state;
};

}  // namespace phusong::calibration
